// The one build, which `rotunda build`, `rotunda process`, `rotunda serve` and
// scripts/prebuild.ts all run: pull (when asked and cameras are configured) →
// process → render into staging → publish the pages → sweep what no page uses →
// `_headers` → complete. Each step writes only through the output folder
// (src/output/), so an interrupted build never leaves pages pointing at missing
// media, and nothing Rotunda did not write is ever deleted.
//
// A sharded process (`shard`) stops after process, leaving its partial manifest;
// `rotunda render` (renderBuild) is the second half on its own: it merges the
// partial manifests it finds (or takes the manifest as it is) and renders,
// publishes, sweeps and completes as a build does.
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import type { GalleryConfig } from "../config.ts";
// From their own modules: deploy/index.ts brings in the S3 client, which a build never uses.
import { headersFileFor } from "../deploy/headers-file.ts";
import { listSiteFiles } from "../deploy/local.ts";
import { readManifest, referencedUrls, writeManifest, type Manifest, type PanoramaRecord } from "../manifest.ts";
import type { KeepSet, OutputFolder } from "../output/index.ts";
import { assembleManifest, prepareRecipe, processGallery, ProcessMemory, type ProcessResult, type Recipe, type Shard, type SharedStore, type SourceProblem } from "../process/index.ts";
import { hasPartials, mergePartials, readPartials, removePartials, writePartial } from "../process/partial.ts";
import { mediaFolderOf } from "../process/pipeline.ts";
import type { Progress } from "../progress.ts";
import { oncePerObject } from "../same-data.ts";
import type { PullResult } from "../pull/index.ts";
import { PageMemory, prepareRender, renderSite } from "../render/index.ts";

export interface BuildOptions {
  inputDir: string;
  /** Opened (locked and checked) by the caller, who closes it. */
  output: OutputFolder;
  config: GalleryConfig;
  /** Pull from the configured cameras first. */
  pull?: boolean;
  /** Process's quick recipe (see ProcessOptions.quick): serve's first look at a new picture. */
  quick?: boolean;
  /** False: stop after process, leaving the pages as they are (`rotunda process`). */
  render?: boolean;
  /** The site's layouts/ (its files replace Rotunda's by name) and Eleventy config file; none and Rotunda's default when absent. */
  layoutsDir?: string;
  eleventyConfig?: string;
  /** "serve": templates are re-read on every render and Eleventy stays quiet. */
  mode?: "build" | "serve";
  /** The process recipe, when the caller checked it already (prepareRecipe); read first thing otherwise. */
  recipe?: Recipe;
  /** Progress of the pull and of the process step (bars on a terminal). */
  pullProgress?: Partial<Progress>;
  processProgress?: Partial<Progress>;
  /** Process only this shard and stop there, leaving a partial manifest (the output folder is open for it). */
  shard?: Shard;
  /** Outputs shared between machines (the bucket cache). */
  store?: SharedStore;
  /** What earlier builds into this output folder did (serve keeps one for its life): a rebuild does only what changed. */
  memory?: BuildMemory;
}

/** What the render half needs: the pages' manifest, and which media folders are held aside or only in the cache's bucket. */
interface RenderSource {
  manifest: Manifest;
  /** The manifest's write, when still under way: done before anything is published. */
  manifestWritten?: Promise<void>;
  unpublished: string[];
  remote?: { url: string; endpoint?: string; folders: string[] };
}

/** The pages could not be rendered (a template error, a full disk); the published ones stay as they were. */
export class RenderError extends Error {
  override name = "RenderError";
  constructor(cause: unknown) {
    super(errorMessages(cause), { cause });
  }
}

/** Eleventy wraps template errors (EleventyTemplateError → nunjucks Template render error → …): all their messages, once each. */
export function errorMessages(error: unknown): string {
  const seen: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    const message = current.message.trim();
    if (message && !seen.some((m) => m.includes(message))) seen.push(message);
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return seen.length > 0 ? seen.join("\n") : String(error);
}

export interface RenderReport {
  pages: number;
  panoramas: number;
  /** Files Rotunda wrote before that no page uses any more, now removed. */
  removed: number;
  headersRules: number;
  /** `_headers` has more rules than Cloudflare Pages reads. */
  headersWarning?: string;
  /** What the pages lack and why (no baseUrl: no feed, sitemap, oEmbed or absolute links). */
  warnings: string[];
}

/** Said once per build (or render) when rotunda.json has no baseUrl. */
export const NO_BASE_URL =
  "rotunda.json has no baseUrl, so the feed, the sitemap, oEmbed and the canonical, og:url and og:image links are left out (they need the site's public address)";

export interface BuildReport {
  pull?: PullResult;
  process: ProcessResult;
  /** Absent when the build stopped after process. */
  render?: RenderReport;
  ms: { pull: number; process: number; render: number };
}

/**
 * Runs one build into `options.output`. Throws what stops it: a ConfigError (a
 * bad option, output folder or camera password), a RenderError; reports the rest
 * (pictures, sidecars and cameras that failed) in its result.
 */
export async function buildSite(options: BuildOptions): Promise<BuildReport> {
  const { output, config } = options;
  const ms = { pull: 0, process: 0, render: 0 };
  // The logos are checked before the cameras are asked for anything and before the build counts as begun.
  const recipe = options.recipe ?? (await prepareRecipe(options.inputDir, config));
  let started = performance.now();
  let pull: PullResult | undefined;
  if (options.pull && config.cameras.length > 0) {
    // Loaded only when needed: a gallery without cameras never loads the camera client.
    const { pullGallery } = await import("../pull/index.ts");
    pull = await pullGallery({ galleryDir: options.inputDir, cameras: config.cameras, pull: config.pull, sink: options.pullProgress });
    ms.pull = performance.now() - started;
  }

  started = performance.now();
  await output.begin();
  if (options.render !== false) prepareRender(options.eleventyConfig);
  const processed = await processGallery({
    inputDir: options.inputDir,
    outputDir: output.dir,
    config,
    quick: options.quick,
    output,
    recipe,
    progress: options.processProgress,
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.store ? { store: options.store } : {}),
    memory: options.memory?.process,
    // The manifest is written while the pages render; nothing is published before it is on disk.
    overlapManifestWrite: !options.shard && options.render !== false,
  });
  ms.process = performance.now() - started;
  if (options.shard) return { ...(pull ? { pull } : {}), process: processed, ms };
  if (options.render === false) {
    // What the render needs beyond the manifest, as the one part of an unsharded gallery.
    await removePartials(output.dir);
    await writePartial(output.dir, processed.part);
    return { ...(pull ? { pull } : {}), process: processed, ms };
  }

  started = performance.now();
  const render = await renderAndPublish(output, processed, options);
  ms.render = performance.now() - started;
  return { ...(pull ? { pull } : {}), process: processed, render, ms };
}

export interface RenderBuildOptions {
  /** The gallery folder: Eleventy's input, where the publisher's own pages the manifest lists are. */
  inputDir: string;
  /** Opened (locked and checked) by the caller, who closes it. */
  output: OutputFolder;
  /** The site's layouts/ and Eleventy config file, as for a build. */
  layoutsDir?: string;
  eleventyConfig?: string;
}

export interface RenderBuildReport {
  render: RenderReport;
  /** The shards merged (their count), when there were partial manifests. */
  shards?: number;
  /** Pictures the shards could not process, as the merged manifest lists them. */
  failed: SourceProblem[];
  /** Slugs that moved, last good versions kept, pictures whose text did not read. */
  warnings: SourceProblem[];
  ms: number;
}

/**
 * The second half of a build, on its own (`rotunda render`): merges the partial
 * manifests in the output folder (every shard of one sharding, or the part an
 * unsharded `rotunda process` left) into the manifest, or takes the manifest as it
 * is when there are none, then renders, publishes, sweeps and completes. Throws a
 * PartialManifestError (exit 2) when the parts cannot be merged, a ManifestError
 * when there is nothing to render, a RenderError.
 */
export async function renderBuild(options: RenderBuildOptions): Promise<RenderBuildReport> {
  const started = performance.now();
  const { output } = options;
  let source: RenderSource;
  let shards: number | undefined;
  let warnings: SourceProblem[] = [];
  if (await hasPartials(output.dir)) {
    const parts = await readPartials(output.dir);
    const merged = mergePartials(parts);
    const assembled = assembleManifest(merged.header, merged.items, merged.failures, merged.leftOut);
    shards = parts.length;
    warnings = [...merged.warnings, ...assembled.warnings];
    await output.begin();
    await writeManifest(output.dir, assembled.manifest);
    source = { manifest: assembled.manifest, unpublished: merged.unpublished, ...(merged.remote ? { remote: merged.remote } : {}) };
  } else {
    const manifest = await readManifest(output.dir);
    const remote = output.remote;
    await output.begin();
    source = {
      manifest,
      // Pictures held aside stay so; media in the cache's bucket stay there.
      unpublished: await output.heldFolders(),
      ...(remote ? { remote: { url: remote.url, ...(remote.endpoint ? { endpoint: remote.endpoint } : {}), folders: Object.keys(remote.folders) } } : {}),
    };
  }
  const render = await renderAndPublish(output, source, options);
  return { render, ...(shards ? { shards } : {}), failed: source.manifest.failures, warnings, ms: performance.now() - started };
}

/** Renders into staging, publishes, sweeps what no page uses, writes `_headers`, completes; the partial manifests are spent. */
async function renderAndPublish(output: OutputFolder, source: RenderSource, options: Pick<BuildOptions, "inputDir" | "layoutsDir" | "eleventyConfig" | "mode" | "memory">): Promise<RenderReport> {
  let rendered;
  try {
    rendered = await renderSite({ outputDir: output.dir, contentDir: options.inputDir, layoutsDir: options.layoutsDir, eleventyConfig: options.eleventyConfig, mode: options.mode, memory: options.memory?.render, manifest: source.manifest });
  } catch (error) {
    await source.manifestWritten?.catch(() => {});
    throw new RenderError(error);
  }
  try {
    await source.manifestWritten;
  } catch (error) {
    await rm(rendered.stagingDir, { recursive: true, force: true });
    throw error;
  }
  const published = await output.publish();
  rendered.published();
  const keep = keepSetOf(source.manifest, source.unpublished, [...published, ...rendered.kept, HEADERS]);
  const removed = await output.sweep(keep);
  const headers = await headersFile(output, keep, options.memory);
  await output.complete(keep, rendered.pathPrefix, source.remote);
  await removePartials(output.dir);
  return {
    pages: rendered.pages,
    panoramas: source.manifest.panoramas.length,
    removed,
    headersRules: headers.rules,
    ...(headers.warning ? { headersWarning: headers.warning } : {}),
    warnings: source.manifest.gallery.baseUrl ? [] : [NO_BASE_URL],
  };
}

const HEADERS = "_headers";

/** What the site keeps: the media the published panoramas use, the held folders, the files just published. */
export function keepSetOf(manifest: Manifest, unpublished: string[], files: string[]): KeepSet {
  const folders = new Map<string, Set<string>>();
  for (const panorama of manifest.panoramas) {
    const { folder, names } = mediaFilesOf(panorama);
    const known = folders.get(folder);
    if (known) for (const name of names) known.add(name);
    else folders.set(folder, new Set(names));
  }
  return { folders, held: new Set(unpublished.filter((f) => !folders.has(f))), files: new Set(files) };
}

/** A record's media folder and the names in it that the record refers to (files, and the tile folder). */
const mediaFilesOf = oncePerObject((panorama: PanoramaRecord): { folder: string; names: string[] } => {
  const folder = mediaFolderOf(panorama.source.hash);
  const names = new Set<string>();
  for (const url of referencedUrls(panorama)) {
    const rel = url.slice(1);
    if (rel.startsWith(folder + "/")) names.add(rel.slice(folder.length + 1).split("/")[0]!);
  }
  return { folder, names: [...names] };
});

/**
 * What serve's builds remember from one to the next: the pages render
 * published, what process saw and read, and what `_headers` was made from.
 */
export interface BuildMemory {
  render: PageMemory;
  process: ProcessMemory;
  headers?: { key: string; file: ReturnType<typeof headersFileFor> };
}

export function buildMemory(): BuildMemory {
  return { render: new PageMemory(), process: new ProcessMemory() };
}

/**
 * Writes `_headers` for the files the site holds. In serve, when Rotunda's files
 * are the same as at the last build (a caption edit rewrites pages in place), the
 * file is as it was and the site is not walked again.
 */
async function headersFile(output: OutputFolder, keep: KeepSet, memory: BuildMemory | undefined): Promise<ReturnType<typeof headersFileFor>> {
  const key = memory && createHash("sha1")
    .update([...keep.files].sort().join("\n"))
    .update([...keep.folders].map(([folder, names]) => `${folder}:${[...names].sort().join(",")}`).sort().join("\n"))
    .digest("base64url");
  if (memory?.headers && memory.headers.key === key && output.owns(HEADERS)) return memory.headers.file;
  const file = headersFileFor((await listSiteFiles(output.dir)).map((f) => f.relPath));
  await output.writeFile(HEADERS, file.text);
  if (memory && key) memory.headers = { key, file };
  return file;
}
