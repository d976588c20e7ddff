// The process stage: a gallery folder's originals → web outputs in `<output>/media/`
// and the manifest (src/manifest.ts). Knows nothing of cameras or pages.
//
// Incremental: `<output>/.rotunda/process-cache.json` remembers, per original, its
// size, mtime, content hash and what was made from it. An original whose size and
// mtime are unchanged costs one stat; a touched or moved one costs a hash; only new
// bytes or new options cost image work. Process never deletes: outputs no page uses
// any more are swept by the build once the new pages are in place (src/output/).
import { readFile, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { ExifTool } from "exiftool-vendored";
import sharp from "sharp";
import { CONFIG_FILE, ConfigError, type GalleryConfig } from "../config.ts";
import { hashFile, writeFileAtomic } from "../files.ts";
import { eachLimit } from "../limit.ts";
import {
  MANIFEST_VERSION,
  readManifest,
  referencedUrls,
  RESERVED_SLUGS,
  STATE_DIR,
  writeManifest,
  type AlbumSettings,
  type Manifest,
  type PanoramaMedia,
  type PanoramaRecord,
} from "../manifest.ts";
import { startExifTool } from "./exiftool.ts";
import { recipeHash } from "./hash.ts";
import { imageOptionsFrom, mediaFolderOf, PIPELINE_VERSION, PictureError, processImage, type ImageOptions, type ImageOutputs } from "./pipeline.ts";
import { folderOf, readAlbums, withinAny } from "./albums.ts";
import { readGps } from "./metadata.ts";
import type { ProcessMemory, Reading, RememberedRun } from "./memory.ts";
import { rescanTextEdits, scanGallery, type AlbumFileRef, type OriginalFile, type ScanResult } from "./scan.ts";
import { readAlbumFile, readSidecar, type Sidecar } from "./sidecar.ts";
import type { Progress } from "../progress.ts";
import { assignSlugs, slugify, titleFromFileName } from "./slug.ts";
import { loadOverlays, OverlayError, type Overlays } from "./watermark.ts";

export { PictureError } from "./pipeline.ts";
export { ProcessMemory } from "./memory.ts";
export { panoGeometry, viewerConfig, type GPano } from "./gpano.ts";

/** What process asks of the output folder before it writes there (src/output/ implements it). */
export interface OutputClaims {
  /** Called before the first write into a media folder (relative to the output, "media/<hash>"). */
  claimFolder(folder: string): Promise<void>;
  /** Brings back a folder set aside while its picture was not published; false when there is none. */
  restoreHeld(folder: string): Promise<boolean>;
}

export interface ProcessOptions {
  inputDir: string;
  outputDir: string;
  config: GalleryConfig;
  /** Pictures processed at once; defaults to the number of cores. */
  concurrency?: number;
  /** Told the number of originals, each one done, and each failure as a line. */
  progress?: Partial<Progress>;
  /**
   * Make only what a viewer needs to show a new or changed picture (one variant up
   * to 4096 px, thumbnail, preview, metadata), for the dev server's first look.
   * The next run without `quick` completes those pictures (ladder, sizes, tiles,
   * card); pictures already complete are left as they are.
   */
  quick?: boolean;
  /** The output folder's record of what Rotunda writes (absent: nothing is recorded). */
  output?: OutputClaims;
  /** Read by prepareRecipe beforehand (absent: read now). */
  recipe?: Recipe;
  /**
   * What the last run in this process saw and made (serve keeps one): after edits
   * to sidecars and `_album.md` files only, the run reads just those.
   */
  memory?: ProcessMemory;
}

/** A problem with one source file, named by its path in the gallery. */
export interface SourceProblem {
  source: string;
  message: string;
}

export interface ProcessResult {
  manifest: Manifest;
  made: string[];
  unchanged: string[];
  failed: SourceProblem[];
  /** Worth a note, nothing failed: a slug changed, a failed picture's last good version kept, a link to nothing skipped. */
  warnings: SourceProblem[];
  /** Media folders of pictures in the gallery that are not published now (drafts, a sidecar that does not read). */
  unpublished: string[];
  ms: number;
}

const CACHE_FILE = "process-cache.json";
const CACHE_VERSION = 3;

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
}

/**
 * What every original is made with: the image options and the overlays, read and
 * checked once. A logo that cannot work is a ConfigError before any picture is touched.
 */
export interface Recipe {
  imageOptions: ImageOptions;
  overlays: Overlays;
  /** Hash of everything that changes what is made: outputs made under another key are re-made. */
  optionsKey: string;
}

/** One run's settings. */
interface Run extends Recipe {
  inputDir: string;
  outputDir: string;
  cacheFile: string;
  options: ProcessOptions;
}

/** The quick recipe: the viewer's variant at most 4096 px wide (the same file the full recipe makes), nothing else big. */
function quickOptions(options: ImageOptions): ImageOptions {
  const width = Math.min(options.maxWidth, 4096);
  return { ...options, qualities: [], sizes: [width], maxWidth: width, tiles: false, socialCard: false };
}

export async function processGallery(options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  // libvips' operation cache would keep decoded originals alive between pictures.
  sharp.cache(false);
  const run = await prepareRun(options);
  const recalled = options.memory?.recall<CacheEntry>(run.optionsKey, !!options.quick);
  const textEdits = recalled && (await rescanTextEdits(run.inputDir, recalled.run.scan, recalled.changed, { exclude: [run.outputDir] }));
  const scan = textEdits || (await scanGallery(run.inputDir, { exclude: [run.outputDir] }));
  const { originals, albumFiles, unrecognised, skipped, pages } = findOriginals(run, scan);
  options.progress?.grow?.(originals.length + unrecognised.length);
  for (const bad of unrecognised) reportFailure(options, bad);

  // After text edits, pictures published last time keep their outputs as they were.
  const kept = textEdits ? keptEntries(originals, recalled.run) : {};
  const made = await makeOutputs(run, originals.filter((o) => !kept[o.relPath]));
  made.entries = { ...kept, ...made.entries };
  made.unchanged.push(...Object.keys(kept));
  const published = await composeRecords(run, originals, albumFiles, made.entries);
  const failed = [...unrecognised, ...made.failed, ...published.failed].sort((a, b) => (a.source < b.source ? -1 : 1));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    generator: "rotunda",
    gallery: gallerySettings(options.config, published.albums),
    panoramas: published.panoramas,
    pages,
    failures: failed,
  };
  // After text edits every record's media are those checked when written last time; its text comes from checked sidecars.
  await writeManifest(run.outputDir, manifest, { trusted: !!textEdits });
  // Text edits change no output: the cache on disk still says what each original's are.
  if (!textEdits || made.made.length > 0 || published.positionsRead) await saveCache(run.cacheFile, made.entries);
  const publishedFolders = new Set(published.panoramas.map((p) => mediaFolderOf(p.source.hash)));
  const unpublished = [...new Set(Object.values(made.entries).map((e) => mediaFolderOf(e.hash)))].filter((f) => !publishedFolders.has(f));
  const warnings = [...skipped, ...published.warnings];
  options.memory?.remember({ optionsKey: run.optionsKey, quick: !!options.quick, scan, entries: made.entries, published: publishedFolders }, recalled?.changed);
  return { manifest, made: made.made, unchanged: made.unchanged, failed, warnings, unpublished, ms: performance.now() - started };
}

/** The entries of originals whose pictures the last run published: their outputs are in place, as they were. */
function keptEntries(originals: OriginalFile[], last: RememberedRun<CacheEntry>): Record<string, CacheEntry> {
  const kept: Record<string, CacheEntry> = {};
  for (const original of originals) {
    const entry = last.entries[original.relPath];
    if (entry && last.published.has(mediaFolderOf(entry.hash))) kept[original.relPath] = entry;
  }
  return kept;
}

export async function prepareRecipe(inputDir: string, config: GalleryConfig): Promise<Recipe> {
  const imageOptions = imageOptionsFrom(config.process);
  let overlays: Overlays;
  try {
    overlays = await loadOverlays(path.resolve(inputDir), config.process.watermark, config.process.nadir, config.process.pixelLimit);
  } catch (error) {
    if (error instanceof OverlayError) throw new ConfigError(`${CONFIG_FILE}: ${error.message}`);
    throw error;
  }
  return { imageOptions, overlays, optionsKey: recipeHash({ v: PIPELINE_VERSION, imageOptions, overlays: overlays.key }) };
}

async function prepareRun(options: ProcessOptions): Promise<Run> {
  const outputDir = path.resolve(options.outputDir);
  const recipe = options.recipe ?? (await prepareRecipe(options.inputDir, options.config));
  return { ...recipe, inputDir: path.resolve(options.inputDir), outputDir, cacheFile: path.join(outputDir, STATE_DIR, CACHE_FILE), options };
}

function reportFailure(options: ProcessOptions, failure: SourceProblem): void {
  options.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
  options.progress?.tick?.(1, failure.source);
}

/**
 * The gallery's originals: not the output folder (it may lie inside the gallery),
 * not the logos. Files named like pictures that are not ones are failures; links
 * to nothing and special files are skipped, and said so.
 */
function findOriginals(run: Run, scan: ScanResult): { originals: OriginalFile[]; albumFiles: AlbumFileRef[]; unrecognised: SourceProblem[]; skipped: SourceProblem[]; pages: string[] } {
  const { watermark, nadir } = run.options.config.process;
  const logos = new Set([watermark?.file, nadir?.file].filter((f): f is string => !!f).map((f) => path.resolve(run.inputDir, f)));
  return {
    originals: scan.originals.filter((o) => !logos.has(o.file)),
    albumFiles: scan.albumFiles,
    unrecognised: scan.unrecognised
      .filter((u) => !logos.has(path.resolve(run.inputDir, u.relPath)))
      .map((u) => ({ source: u.relPath, message: u.message })),
    skipped: scan.skipped.map((s) => ({ source: s.relPath, message: `skipped: ${s.reason}` })),
    pages: scan.pages,
  };
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

async function saveCache(file: string, entries: Record<string, CacheEntry>): Promise<void> {
  await writeFileAtomic(file, JSON.stringify({ version: CACHE_VERSION, entries } satisfies CacheFile));
}

/** One stat per output file (a tile folder is checked by its fallback faces, written last). */
async function outputsExist(outputDir: string, media: PanoramaMedia): Promise<boolean> {
  try {
    const files = referencedUrls(media).map((url) => (url.endsWith("/") ? `${url}fallback/d.jpg` : url));
    await Promise.all(files.map((url) => stat(path.join(outputDir, url))));
    return true;
  } catch {
    return false;
  }
}

interface MadeOutputs {
  /** By original (relPath): what its outputs are now. */
  entries: Record<string, CacheEntry>;
  made: string[];
  unchanged: string[];
  failed: SourceProblem[];
}

/** Reuses or makes the outputs of every original, `concurrency` at a time. */
async function makeOutputs(run: Run, originals: OriginalFile[]): Promise<MadeOutputs> {
  if (originals.length === 0) return { entries: {}, made: [], unchanged: [], failed: [] };
  const { options } = run;
  const cache = await readCache(run.cacheFile);
  // An entry is good enough when its options match and, unless this is a quick run, it is complete.
  const usable = (e: CacheEntry | undefined): e is CacheEntry => !!e && e.optionsKey === run.optionsKey && (options.quick || e.complete !== false);
  const byHash = new Map<string, CacheEntry>();
  for (const entry of Object.values(cache.entries)) if (usable(entry)) byHash.set(entry.hash, entry);
  const available = async (entry: CacheEntry) =>
    (await outputsExist(run.outputDir, entry.outputs.media))
    || ((await options.output?.restoreHeld(mediaFolderOf(entry.hash))) === true && (await outputsExist(run.outputDir, entry.outputs.media)));

  const result: MadeOutputs = { entries: {}, made: [], unchanged: [], failed: [] };
  // Started only when some picture needs work: a no-op rebuild never spawns ExifTool.
  let exiftool: ExifTool | undefined;
  const concurrency = options.concurrency ?? Math.max(1, availableParallelism());
  // An identical copy elsewhere in the gallery being made right now shares its outputs.
  const inFlight = new Map<string, Promise<CacheEntry>>();
  let savedAt = performance.now();

  const make = async (original: OriginalFile, info: { size: number; mtimeMs: number }, hash: string): Promise<CacheEntry> => {
    exiftool ??= startExifTool({ maxProcs: concurrency });
    await options.output?.claimFolder(mediaFolderOf(hash));
    const outputs = await processImage(
      { file: original.file, hash, format: original.format },
      { outputDir: run.outputDir, exiftool, options: options.quick ? quickOptions(run.imageOptions) : run.imageOptions, overlays: run.overlays },
    );
    return { size: info.size, mtimeMs: info.mtimeMs, hash, optionsKey: run.optionsKey, outputs, ...(options.quick ? { complete: false } : {}) };
  };

  /** The outputs of one original: the cached ones when its bytes and the options are unchanged, else made. */
  const outputsOf = async (original: OriginalFile): Promise<{ entry: CacheEntry; made: boolean }> => {
    const info = await stat(original.file);
    if (info.size === 0) throw new PictureError("empty file (0 bytes)");
    const previous = cache.entries[original.relPath];
    if (usable(previous) && previous.size === info.size && previous.mtimeMs === info.mtimeMs && (await available(previous))) {
      return { entry: previous, made: false };
    }
    const hash = await hashFile(original.file);
    const same = usable(previous) && previous.hash === hash ? previous : byHash.get(hash);
    if (same && (await available(same))) return { entry: { ...same, size: info.size, mtimeMs: info.mtimeMs }, made: false };
    const sharing = inFlight.get(hash);
    if (sharing) return { entry: { ...(await sharing), size: info.size, mtimeMs: info.mtimeMs }, made: false };
    const making = make(original, info, hash);
    inFlight.set(hash, making);
    making.catch(() => inFlight.delete(hash));
    return { entry: await making, made: true };
  };

  try {
    await eachLimit(originals, concurrency, async (original) => {
      const { relPath } = original;
      try {
        const { entry, made } = await outputsOf(original);
        result.entries[relPath] = entry;
        (made ? result.made : result.unchanged).push(relPath);
        options.progress?.tick?.(1, relPath);
        // An interrupted run keeps what it made: the cache is saved every few seconds.
        if (made && performance.now() - savedAt > 5000) {
          savedAt = performance.now();
          await saveCache(run.cacheFile, { ...cache.entries, ...result.entries });
        }
      } catch (error) {
        const failure = { source: relPath, message: error instanceof PictureError ? error.message : `unexpected error: ${(error as Error).message}` };
        result.failed.push(failure);
        reportFailure(options, failure);
      }
    });
  } finally {
    await exiftool?.end();
  }
  return result;
}

/** The gallery's settings as render needs them: its text, its albums, and how listings, places, tours and the map behave. */
function gallerySettings(config: GalleryConfig, albums: AlbumSettings[]): Manifest["gallery"] {
  return {
    title: config.title,
    ...(config.description ? { description: config.description } : {}),
    ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}),
    ...(config.precompress ? {} : { precompress: false }),
    albums,
    pageSize: config.pageSize,
    ...(config.places.byGps ? { placesByGps: config.places.byGps } : {}),
    ...(config.tour ? { tourRadius: config.tour.radius } : {}),
    publishGps: config.process.publishGps,
    ...(config.process.publishGps ? { map: { tiles: config.map.tiles, attribution: config.map.attribution } } : {}),
  };
}

/** The place of a fixed camera's pictures: those in its pull folder, when its config entry names one. */
function cameraPlaces(config: GalleryConfig): (relPath: string) => string | undefined {
  const into = path.posix.normalize(config.pull.into.replaceAll("\\", "/")).replace(/^\.\/?|\/$/g, "");
  const folders = config.cameras.filter((c) => c.place).map((c) => ({ prefix: `${into ? `${into}/` : ""}${c.name}/`, place: c.place! }));
  return (relPath) => folders.find((f) => relPath.startsWith(f.prefix))?.place;
}

/**
 * The panoramas as published, newest first: text, tags, place and links from the
 * sidecars, albums from the `_album.md` files, slugs assigned, drafts left out.
 */
async function composeRecords(
  run: Run,
  originals: OriginalFile[],
  albumFiles: AlbumFileRef[],
  entries: Record<string, CacheEntry>,
): Promise<{ panoramas: PanoramaRecord[]; albums: AlbumSettings[]; failed: SourceProblem[]; warnings: SourceProblem[]; positionsRead: boolean }> {
  const failed: SourceProblem[] = [];
  const warnings: SourceProblem[] = [];
  const fail = (failure: SourceProblem) => {
    failed.push(failure);
    run.options.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
  };
  // What was published last time: read only when something failed.
  let previous: Manifest | null | undefined;
  const lastManifest = async () => (previous === undefined ? (previous = (await readManifest(run.outputDir).catch(() => undefined)) ?? null) : previous);
  let previousByPath: Map<string, PanoramaRecord> | undefined;
  const lastPublished = async (relPath: string) => {
    previousByPath ??= new Map((await lastManifest())?.panoramas.map((p) => [p.source.path, p] as const) ?? []);
    return previousByPath.get(relPath);
  };

  const memory = run.options.memory;
  const albums = await readAlbums(run.inputDir, albumFiles, originals, async (folder) => (await lastManifest())?.gallery.albums.find((a) => a.path === folder), (file) =>
    remembered(file, readAlbumFile, memory && { get: (f) => memory.albumFile(f), set: (f, r) => memory.rememberAlbumFile(f, r) }));
  for (const failure of albums.failed) fail(failure);
  warnings.push(...albums.warnings);
  const cameraPlace = cameraPlaces(run.options.config);
  const relativeToGallery = (file: string) => path.relative(run.inputDir, file).split(path.sep).join("/");

  const items: Array<{ relPath: string; record: Omit<PanoramaRecord, "id" | "slug">; wish?: string; sidecar?: string }> = [];
  /** Slugs pictures left out would have: a link to one waits, it is not a mistake. */
  const unpublished = new Set<string>();
  const leaveOut = (original: OriginalFile, wish?: string) => unpublished.add(wish ?? slugify(original.relPath.split("/").pop()!.replace(/\.[^.]+$/, "")));
  for (const original of originals) {
    const folder = folderOf(original.relPath);
    if (withinAny(folder, albums.draftFolders)) {
      leaveOut(original);
      continue;
    }
    // An album whose `_album.md` does not read may be a draft: only what was published stays.
    if (withinAny(folder, albums.unreadFolders) && !(await lastPublished(original.relPath))) {
      leaveOut(original);
      continue;
    }
    const entry = entries[original.relPath];
    if (!entry) {
      // The picture failed: the version published last time stays, so a bad copy or a
      // bad option never takes a page away.
      const last = await lastPublished(original.relPath);
      if (last && (await outputsExist(run.outputDir, last))) {
        const { id: _id, slug, ...record } = last;
        items.push({ relPath: original.relPath, record: { ...record, album: folder }, wish: slug });
        warnings.push({ source: original.relPath, message: "its last published version stays until it processes again" });
      }
      continue;
    }
    let sidecar: Sidecar = {};
    if (original.sidecar) {
      try {
        sidecar = await remembered(original.sidecar, readSidecar, memory && { get: (f) => memory.sidecar(f), set: (f, r) => memory.rememberSidecar(f, r) });
      } catch (error) {
        fail({ source: relativeToGallery(original.sidecar), message: (error as Error).message });
        // The broken file may be the one that says `draft: true`: a picture already
        // published keeps its last good text; one that was not published stays out
        // until the sidecar reads.
        const last = await lastPublished(original.relPath);
        if (!last) {
          leaveOut(original);
          continue;
        }
        sidecar = sidecarOf(last);
      }
    }
    if (sidecar.draft) {
      leaveOut(original, sidecar.slug);
      continue;
    }
    const place = sidecar.place ?? cameraPlace(original.relPath);
    items.push({
      relPath: original.relPath,
      record: recordOf(original, entry, { ...sidecar, ...(place ? { place } : {}) }, folder),
      ...(sidecar.slug ? { wish: sidecar.slug } : {}),
      ...(original.sidecar ? { sidecar: relativeToGallery(original.sidecar) } : {}),
    });
  }
  const positionsRead = await recordPositions(run, items, entries);

  const { slugs, warnings: slugWarnings } = assignSlugs(items.map((i) => ({ relPath: i.relPath, wish: i.wish })), RESERVED_SLUGS);
  for (const w of slugWarnings) warnings.push({ source: w.relPath, message: w.message });
  const published = new Set(slugs);
  const panoramas: PanoramaRecord[] = items.map((item, i) => {
    const slug = slugs[i]!;
    const record = { id: slug, slug, ...item.record } as PanoramaRecord;
    if (!record.links) return record;
    // Links to pictures that are not published are left out, and said so.
    const links = record.links.filter((link, n) => {
      const where = `${item.sidecar ?? item.relPath}`;
      if (link.to === slug) fail({ source: where, message: `links[${n}].to: "${link.to}" is this picture itself` });
      else if (published.has(link.to)) return true;
      else if (unpublished.has(link.to)) warnings.push({ source: where, message: `links[${n}].to: "${link.to}" is not published (a draft, or a sidecar that does not read): the link waits until it is` });
      else fail({ source: where, message: `links[${n}].to: no picture has the slug "${link.to}"` });
      return false;
    });
    if (links.length > 0) record.links = links;
    else delete record.links;
    return record;
  });
  // Newest first; undated after dated; then by title.
  panoramas.sort((a, b) =>
    (b.captureDate ? Date.parse(b.captureDate) : -Infinity) - (a.captureDate ? Date.parse(a.captureDate) : -Infinity)
    || a.title.localeCompare(b.title));
  // Albums of folders that still hold published pictures.
  const folders = new Set(panoramas.map((p) => p.album ?? ""));
  const publishedAlbums = albums.albums.filter((a) => [...folders].some((f) => f === a.path || f.startsWith(a.path + "/")));
  return { panoramas, albums: publishedAlbums, failed, warnings, positionsRead };
}

/** A text file read, or its reading remembered from the last run while it has not changed since. */
async function remembered<T>(file: string, read: (file: string) => Promise<T>, memory?: { get(file: string): Reading<T> | undefined; set(file: string, reading: Reading<T>): void }): Promise<T> {
  const known = memory?.get(file);
  if (known) {
    if ("ok" in known) return known.ok;
    throw known.error;
  }
  try {
    const ok = await read(file);
    memory?.set(file, { ok });
    return ok;
  } catch (error) {
    memory?.set(file, { error: error as Error });
    throw error;
  }
}

/**
 * Each record's position, from its outputs; outputs made before positions were
 * recorded have theirs read now (ExifTool only, no image work) and remembered in
 * the cache.
 */
async function recordPositions(run: Run, items: Array<{ relPath: string; record: Omit<PanoramaRecord, "id" | "slug"> }>, entries: Record<string, CacheEntry>): Promise<boolean> {
  const unknown = items.filter((i) => entries[i.relPath] && entries[i.relPath]!.outputs.gps === undefined);
  if (unknown.length > 0) {
    const exiftool = startExifTool({ maxProcs: Math.max(1, availableParallelism()) });
    try {
      await eachLimit(unknown, Math.max(1, availableParallelism()), async (item) => {
        const entry = entries[item.relPath]!;
        const gps = await readGps(exiftool, path.join(run.inputDir, item.relPath)).catch(() => undefined);
        entries[item.relPath] = { ...entry, outputs: { ...entry.outputs, gps: gps ?? null } };
      });
    } finally {
      await exiftool.end();
    }
  }
  for (const item of items) {
    const gps = entries[item.relPath]?.outputs.gps;
    if (gps) item.record.gps = gps;
  }
  return unknown.length > 0;
}

/** A panorama's record but for its slug: the sidecar's text over the outputs. */
function recordOf(original: OriginalFile, entry: CacheEntry, sidecar: Sidecar, album: string): Omit<PanoramaRecord, "id" | "slug"> {
  const { format, captureDate: shot, media } = entry.outputs;
  const captureDate = sidecar.date ?? shot;
  return {
    source: { path: original.relPath, hash: entry.hash, bytes: entry.size, format },
    title: sidecar.title ?? titleFromFileName(original.relPath),
    ...(sidecar.caption ? { caption: sidecar.caption } : {}),
    ...(captureDate ? { captureDate } : {}),
    ...(sidecar.credit ? { credit: sidecar.credit } : {}),
    ...(sidecar.license ? { license: sidecar.license } : {}),
    album,
    ...(sidecar.tags?.length ? { tags: sidecar.tags } : {}),
    ...(sidecar.place ? { place: sidecar.place } : {}),
    ...(sidecar.links?.length ? { links: sidecar.links } : {}),
    ...media,
  };
}

/** The text a published record took from its sidecar, to stand in for one that no longer reads. */
function sidecarOf(last: PanoramaRecord): Sidecar {
  return {
    title: last.title,
    slug: last.slug,
    ...(last.caption ? { caption: last.caption } : {}),
    ...(last.captureDate ? { date: last.captureDate } : {}),
    ...(last.credit ? { credit: last.credit } : {}),
    ...(last.license ? { license: last.license } : {}),
    ...(last.tags ? { tags: last.tags } : {}),
    ...(last.place ? { place: last.place } : {}),
    ...(last.links ? { links: last.links.map((l) => ({ ...l })) } : {}),
  };
}
