// The process stage: a gallery folder's originals → web outputs in `<output>/media/`
// and the manifest (src/manifest.ts). Knows nothing of cameras or pages.
//
// Incremental: `<output>/.rotunda/process-cache.json` remembers, per original, its
// size, mtime, content hash and what was made from it. An original whose size and
// mtime are unchanged costs one stat; a touched or moved one costs a hash; only new
// bytes or new options cost image work. Outputs no record refers to are removed.
import { readFile, readdir, rm, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { ExifTool } from "exiftool-vendored";
import sharp from "sharp";
import { CONFIG_FILE, ConfigError, type GalleryConfig } from "../config.ts";
import { entryPath, hashFile, writeFileAtomic } from "../files.ts";
import { eachLimit } from "../limit.ts";
import { readManifest, STATE_DIR, writeManifest, type Manifest, type PanoramaRecord } from "../manifest.ts";
import { startExifTool } from "./exiftool.ts";
import { recipeHash } from "./hash.ts";
import {
  DEFAULT_IMAGE_OPTIONS,
  MEDIA_DIR,
  PIPELINE_VERSION,
  PictureError,
  processImage,
  type ImageOptions,
  type ImageOutputs,
} from "./pipeline.ts";
import { scanGallery, type OriginalFile } from "./scan.ts";
import { readSidecar, type Sidecar } from "./sidecar.ts";
import { loadOverlays, OverlayError, type Overlays } from "./watermark.ts";
import { assignSlugs, titleFromFileName } from "./slug.ts";

export { PictureError } from "./pipeline.ts";
export { panoGeometry, viewerConfig, type GPano } from "./gpano.ts";

export interface ProcessOptions {
  inputDir: string;
  outputDir: string;
  config: GalleryConfig;
  /** Pictures processed at once; defaults to the number of cores. */
  concurrency?: number;
  /** Called after each original with what happened to it. */
  onPicture?: (event: { relPath: string; outcome: "made" | "unchanged" | "failed"; message?: string }) => void;
  /** Called once the originals are counted. */
  onStart?: (total: number) => void;
  /**
   * Make only what a viewer needs to show a new or changed picture (one variant up
   * to 4096 px, thumbnail, preview, metadata), for the dev server's first look.
   * The next run without `quick` completes those pictures (ladder, sizes, tiles,
   * card); pictures already complete are left as they are.
   */
  quick?: boolean;
}

export interface ProcessResult {
  manifest: Manifest;
  made: string[];
  unchanged: string[];
  failed: Array<{ source: string; message: string }>;
  /** Output files removed because no picture uses them any more. */
  removed: number;
  ms: number;
}

const CACHE_FILE = "process-cache.json";
const CACHE_VERSION = 2;

interface CacheEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  optionsKey: string;
  outputs: ImageOutputs;
  /** False when only the quick outputs were made (see ProcessOptions.quick). */
  complete?: boolean;
}
interface CacheFile {
  version: number;
  entries: Record<string, CacheEntry>;
  /** Hash of the output URLs the last run kept: unchanged means nothing to prune. */
  keepKey?: string;
}

export function imageOptionsFrom(config: GalleryConfig): ImageOptions {
  const p = config.process;
  return {
    ...DEFAULT_IMAGE_OPTIONS,
    qualities: p.qualities,
    quality: p.quality,
    sizes: p.sizes,
    maxWidth: p.maxWidth,
    tiles: p.tiles,
    socialCard: p.socialCard,
    publishGps: p.publishGps,
    pixelLimit: p.pixelLimit,
  };
}

/** The quick recipe: the viewer's variant at most 4096 px wide (the same file the full recipe makes), nothing else big. */
function quickOptions(options: ImageOptions): ImageOptions {
  const width = Math.min(options.maxWidth, 4096);
  return { ...options, qualities: [], sizes: [width], maxWidth: width, tiles: false, socialCard: false };
}

async function readCache(file: string): Promise<CacheFile> {
  try {
    const cache = JSON.parse(await readFile(file, "utf8")) as CacheFile;
    if (cache.version === CACHE_VERSION && cache.entries && typeof cache.entries === "object") return cache;
  } catch {
    // missing or unreadable: start afresh (outputs are re-made, never trusted blindly)
  }
  return { version: CACHE_VERSION, entries: {} };
}

/** URLs of the files an original's outputs consist of (tiles: their folder, ending in "/"). */
function outputUrls(outputs: ImageOutputs): string[] {
  const urls = [
    ...outputs.variants.map((v) => v.url),
    ...outputs.ladder.map((v) => v.url),
    outputs.thumbnail.url,
    outputs.preview.url,
    outputs.metadata.url,
  ];
  if (outputs.socialCard) urls.push(outputs.socialCard.url);
  if (outputs.tiles) urls.push(outputs.tiles.basePath + "/");
  return urls;
}

/** One stat per output file (a tile folder is checked by its fallback faces, written last). */
async function outputsExist(outputDir: string, outputs: ImageOutputs): Promise<boolean> {
  try {
    const files = outputUrls(outputs).map((url) => (url.endsWith("/") ? `${url}fallback/d.jpg` : url));
    await Promise.all(files.map((url) => stat(path.join(outputDir, url))));
    return true;
  } catch {
    return false;
  }
}

/** Deletes files under media/ that no record refers to, and folders left empty. */
async function pruneMedia(outputDir: string, keep: Set<string>): Promise<number> {
  const mediaRoot = path.join(outputDir, MEDIA_DIR);
  let removed = 0;
  let entries;
  try {
    entries = await readdir(mediaRoot, { recursive: true, withFileTypes: true });
  } catch {
    return 0;
  }
  const dirs = new Set<string>();
  for (const entry of entries) {
    const abs = entryPath(entry);
    if (entry.isDirectory()) {
      dirs.add(abs);
      continue;
    }
    const url = "/" + path.relative(outputDir, abs).split(path.sep).join("/");
    const tileFolder = /^(.*\/tiles-[0-9a-f]+\/)/.exec(url)?.[1];
    if (!keep.has(url) && !(tileFolder && keep.has(tileFolder))) {
      await rm(abs, { force: true });
      removed++;
    }
  }
  // Deepest first, so parents empty out after their children.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  }
  return removed;
}

export async function processGallery(options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  // libvips' operation cache would keep decoded originals alive between pictures.
  sharp.cache(false);
  const inputDir = path.resolve(options.inputDir);
  const outputDir = path.resolve(options.outputDir);
  const imageOptions = imageOptionsFrom(options.config);
  let overlays: Overlays;
  try {
    overlays = await loadOverlays(inputDir, options.config.process.watermark, options.config.process.nadir);
  } catch (error) {
    if (error instanceof OverlayError) throw new ConfigError(`${CONFIG_FILE}: ${error.message}`);
    throw error;
  }
  const optionsKey = recipeHash({ v: PIPELINE_VERSION, imageOptions, overlays: overlays.key });
  const cacheFile = path.join(outputDir, STATE_DIR, CACHE_FILE);
  const cache = await readCache(cacheFile);
  const byHash = new Map<string, CacheEntry>();
  // An entry is good enough when its options match and, unless this is a quick run, it is complete.
  const usable = (e: CacheEntry | undefined): e is CacheEntry => !!e && e.optionsKey === optionsKey && (options.quick || e.complete !== false);
  for (const entry of Object.values(cache.entries)) if (usable(entry)) byHash.set(entry.hash, entry);

  // An output folder inside the gallery must not be read back as new pictures.
  const scan = await scanGallery(inputDir, { exclude: [outputDir] });
  // The watermark and nadir logos may live in the gallery: they are not panoramas.
  const logos = new Set([options.config.process.watermark?.file, options.config.process.nadir?.file].filter(Boolean).map((f) => path.resolve(inputDir, f!)));
  scan.originals = scan.originals.filter((o) => !logos.has(o.file));
  scan.unrecognised = scan.unrecognised.filter((u) => !logos.has(path.resolve(inputDir, u.relPath)));
  options.onStart?.(scan.originals.length + scan.unrecognised.length);
  const failed: ProcessResult["failed"] = [];
  const made: string[] = [];
  const unchanged: string[] = [];
  for (const bad of scan.unrecognised) {
    failed.push({ source: bad.relPath, message: bad.message });
    options.onPicture?.({ relPath: bad.relPath, outcome: "failed", message: bad.message });
  }

  // Started only when some picture needs work: a no-op rebuild never spawns ExifTool.
  let exiftool: ExifTool | undefined;
  const concurrency = options.concurrency ?? Math.max(1, availableParallelism());
  const nextEntries: Record<string, CacheEntry> = {};
  const processed = new Map<string, { original: OriginalFile; entry: CacheEntry }>();
  const inFlight = new Map<string, Promise<CacheEntry>>();
  let savedAt = performance.now();

  try {
    await eachLimit(scan.originals, concurrency, async (original) => {
      const { relPath } = original;
      try {
        const info = await stat(original.file);
        if (info.size === 0) throw new PictureError("empty file (0 bytes)");
        const previous = cache.entries[relPath];
        let entry: CacheEntry | undefined;
        if (usable(previous) && previous.size === info.size && previous.mtimeMs === info.mtimeMs
          && (await outputsExist(outputDir, previous.outputs))) {
          entry = previous;
        } else {
          const hash = await hashFile(original.file);
          const same = usable(previous) && previous.hash === hash ? previous : byHash.get(hash);
          if (same && (await outputsExist(outputDir, same.outputs))) {
            entry = { ...same, size: info.size, mtimeMs: info.mtimeMs };
          } else if (inFlight.has(hash)) {
            // An identical copy elsewhere in the gallery is being made right now: share its outputs.
            entry = { ...(await inFlight.get(hash)!), size: info.size, mtimeMs: info.mtimeMs };
          } else {
            exiftool ??= startExifTool({ maxProcs: concurrency });
            const making = processImage(
              { file: original.file, hash, format: original.format },
              { outputDir, exiftool, options: options.quick ? quickOptions(imageOptions) : imageOptions, overlays },
            ).then((outputs): CacheEntry => ({ size: info.size, mtimeMs: info.mtimeMs, hash, optionsKey, outputs, ...(options.quick ? { complete: false } : {}) }));
            inFlight.set(hash, making);
            making.catch(() => inFlight.delete(hash));
            entry = await making;
            made.push(relPath);
            options.onPicture?.({ relPath, outcome: "made" });
          }
        }
        if (!made.includes(relPath)) {
          unchanged.push(relPath);
          options.onPicture?.({ relPath, outcome: "unchanged" });
        }
        nextEntries[relPath] = entry;
        processed.set(relPath, { original, entry });
        // An interrupted run keeps what it made: the cache is saved every few seconds.
        if (made.length > 0 && performance.now() - savedAt > 5000) {
          savedAt = performance.now();
          await writeFileAtomic(cacheFile, JSON.stringify({ version: CACHE_VERSION, entries: { ...cache.entries, ...nextEntries } } satisfies CacheFile));
        }
      } catch (error) {
        const message = error instanceof PictureError ? error.message : `unexpected error: ${(error as Error).message}`;
        failed.push({ source: relPath, message });
        options.onPicture?.({ relPath, outcome: "failed", message });
      }
    });
  } finally {
    await exiftool?.end();
  }

  // What was published last time, by original: the fallback for a sidecar that does
  // not read. Read only then, not on every (no-op) rebuild.
  let previous: Map<string, PanoramaRecord> | undefined;
  const lastPublished = async (relPath: string) => {
    previous ??= new Map((await readManifest(outputDir).catch(() => undefined))?.panoramas.map((p) => [p.source.path, p] as const) ?? []);
    return previous.get(relPath);
  };
  // Authored text: read every time (cheap), never a reason to re-make images.
  const items: Array<{ original: OriginalFile; entry: CacheEntry; sidecar: Sidecar }> = [];
  for (const original of scan.originals) {
    const done = processed.get(original.relPath);
    if (!done) continue;
    let sidecar: Sidecar = {};
    if (original.sidecar) {
      try {
        sidecar = await readSidecar(original.sidecar);
      } catch (error) {
        const message = (error as Error).message;
        failed.push({ source: path.relative(inputDir, original.sidecar).split(path.sep).join("/"), message });
        options.onPicture?.({ relPath: original.relPath, outcome: "failed", message });
        // The broken file may be the one that says `draft: true`: a picture already
        // published keeps its last good text (so an author's typo does not take the
        // page away); one that was not published stays out until the sidecar reads.
        const last = await lastPublished(original.relPath);
        if (!last) continue;
        sidecar = {
          title: last.title, slug: last.slug,
          ...(last.caption ? { caption: last.caption } : {}),
          ...(last.captureDate ? { date: last.captureDate } : {}),
          ...(last.credit ? { credit: last.credit } : {}),
          ...(last.license ? { license: last.license } : {}),
        };
      }
    }
    if (sidecar.draft) continue;
    items.push({ original, entry: done.entry, sidecar });
  }

  const slugs = assignSlugs(items.map((i) => ({ relPath: i.original.relPath, wish: i.sidecar.slug })));
  const panoramas: PanoramaRecord[] = items.map(({ original, entry, sidecar }, i) => {
    const o = entry.outputs;
    const captureDate = sidecar.date ?? o.captureDate;
    return {
      id: slugs[i]!,
      slug: slugs[i]!,
      source: { path: original.relPath, hash: entry.hash, bytes: entry.size, format: o.format },
      title: sidecar.title ?? titleFromFileName(original.relPath),
      ...(sidecar.caption ? { caption: sidecar.caption } : {}),
      ...(captureDate ? { captureDate } : {}),
      ...(sidecar.credit ? { credit: sidecar.credit } : {}),
      ...(sidecar.license ? { license: sidecar.license } : {}),
      width: o.width,
      height: o.height,
      variants: o.variants,
      ladder: o.ladder,
      ...(o.tiles ? { tiles: o.tiles } : {}),
      ...(o.socialCard ? { socialCard: o.socialCard } : {}),
      thumbnail: o.thumbnail,
      preview: o.preview,
      metadata: o.metadata,
      metadataTable: o.metadataTable,
      viewer: o.viewer,
    };
  });
  // Newest first; undated after dated; then by title.
  panoramas.sort((a, b) =>
    (b.captureDate ? Date.parse(b.captureDate) : -Infinity) - (a.captureDate ? Date.parse(a.captureDate) : -Infinity)
    || a.title.localeCompare(b.title));

  failed.sort((a, b) => (a.source < b.source ? -1 : 1));
  const manifest: Manifest = {
    version: 1,
    generator: "rotunda",
    gallery: {
      title: options.config.title,
      ...(options.config.description ? { description: options.config.description } : {}),
      ...(options.config.baseUrl ? { baseUrl: options.config.baseUrl } : {}),
    },
    panoramas,
    failures: failed,
  };
  await writeManifest(outputDir, manifest);
  // Only published pictures keep their media: a draft's files (metadata included) must
  // not be deployed; un-drafting it makes them again.
  const keep = new Set(items.map((i) => i.entry).flatMap((e) => outputUrls(e.outputs)));
  const keepKey = recipeHash([...keep].sort());
  await writeFileAtomic(cacheFile, JSON.stringify({ version: CACHE_VERSION, entries: nextEntries, keepKey } satisfies CacheFile));
  // Walking media/ costs a readdir of every tile: only when the set of kept outputs changed.
  const removed = keepKey === cache.keepKey ? 0 : await pruneMedia(outputDir, keep);
  return { manifest, made, unchanged, failed, removed, ms: performance.now() - started };
}
