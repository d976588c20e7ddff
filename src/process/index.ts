// The process stage: a gallery folder's originals → web outputs in `<output>/media/`
// and the manifest (src/manifest.ts). Knows nothing of cameras or pages.
//
// Incremental: `<output>/.rotunda/process-cache.json` remembers, per original, its
// size, mtime, content hash and what was made from it. An original whose size and
// mtime are unchanged costs one stat; a touched or moved one costs a hash; only new
// bytes or new options cost image work. Process never deletes: outputs no page uses
// any more are swept by the build once the new pages are in place (src/output/).
//
// Sharded (`shard`): only the originals whose content hash falls in the shard are
// processed, and the run leaves a partial manifest (partial.ts) for the render to
// merge; each shard keeps its own cache file (`process-cache-<k>-of-<n>.json`), and
// every run reads them all. A shared store (the bucket cache, src/cache/) gives the
// outputs of originals some machine already made, and takes the ones made here.
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { ExifTool } from "exiftool-vendored";
import sharp from "sharp";
import { CONFIG_FILE, ConfigError, type GalleryConfig } from "../config.ts";
import { hashFile, writeFileAtomic } from "../files.ts";
import { eachLimit, limiter } from "../limit.ts";
import { STATE_DIR, writeManifest, type Manifest } from "../manifest.ts";
import { startExifTool } from "./exiftool.ts";
import { recipeHash } from "./hash.ts";
import { galleryKeyOf, PARTIAL_VERSION, removePartials, writePartial, type PartialItem, type PartialManifest } from "./partial.ts";
import { inShard, shardLabel, type Shard } from "./shard.ts";
import { imageOptionsFrom, mediaFolderOf, PIPELINE_VERSION, PictureError, processImage, type ImageOptions, type ImageOutputs } from "./pipeline.ts";
import type { ProcessMemory, RememberedRun } from "./memory.ts";
import { readGps } from "./metadata.ts";
import { assembleManifest, composeRecords, manifestHeader, outputsExist, type SourceProblem } from "./records.ts";
import { rescanTextEdits, scanGallery, type AlbumFileRef, type OriginalFile, type ScanResult } from "./scan.ts";
import type { Progress } from "../progress.ts";
import { loadOverlays, OverlayError, type Overlays } from "./watermark.ts";

export { PictureError } from "./pipeline.ts";
export { ProcessMemory } from "./memory.ts";
export { assembleManifest, type SourceProblem } from "./records.ts";
export { parseShard, shardLabel, type Shard } from "./shard.ts";
export type { ImageOutputs } from "./pipeline.ts";
export { panoGeometry, viewerConfig, type GPano } from "./gpano.ts";

/** What process asks of the output folder before it writes there (src/output/ implements it). */
export interface OutputClaims {
  /** Called before the first write into a media folder (relative to the output, "media/<hash>"). */
  claimFolder(folder: string): Promise<void>;
  /** Brings back a folder set aside while its picture was not published; false when there is none. */
  restoreHeld(folder: string): Promise<boolean>;
}

/**
 * Outputs of originals shared between machines, by content hash and recipe
 * (src/cache/ keeps them in a bucket). Process asks it before making an original
 * and gives it what it made.
 */
export interface SharedStore {
  /** Where the outputs it gives live ("s3://bucket/prefix"), and the endpoint, for the record of the build. */
  readonly url: string;
  readonly endpoint?: string;
  /**
   * The outputs of the original with this content hash made with this recipe,
   * when the store holds them with every file they name; undefined otherwise
   * (a record that does not read is reported through `warn` and not used).
   */
  lookup(hash: string, optionsKey: string, warn: (message: string) => void): Promise<ImageOutputs | undefined>;
  /** Puts the outputs made here (their files under `outputDir` first, the record last). */
  put(hash: string, optionsKey: string, outputs: ImageOutputs, outputDir: string): Promise<void>;
  /** Told before the first lookup which run this is: the store may read at once what it keeps for that run. */
  begin?(run: StoreRun, warn: (message: string) => void): void;
  /** Whether the store expects to have the outputs of this original (a lookup still decides). */
  expects?(hash: string, optionsKey: string): Promise<boolean>;
  /** Told, once every original is obtained and every put has ended, the content hashes of the run's originals. */
  finish?(hashes: Iterable<string>, warn: (message: string) => void): Promise<void>;
}

/** What a store is told of a run: its shard ("2-of-3"; "1-of-1" for a whole gallery) and its recipe. */
export interface StoreRun {
  shard: string;
  optionsKey: string;
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
   * Process only this shard of the originals (by content hash) and leave a
   * partial manifest instead of the manifest: the render merges the shards.
   */
  shard?: Shard;
  /** Outputs shared between machines: asked before making an original, given what was made. */
  store?: SharedStore;
  /**
   * What the last run in this process saw and made (serve keeps one): after edits
   * to sidecars and `_album.md` files only, the run reads just those.
   */
  memory?: ProcessMemory;
  /**
   * Return before the manifest is on disk, its write under way as `manifestWritten`:
   * a build renders meanwhile and waits for it before anything is published.
   */
  overlapManifestWrite?: boolean;
}

export interface ProcessResult {
  /** The manifest written; for a shard, the shard's own panoramas, whose slugs the render assigns anew over the whole gallery. */
  manifest: Manifest;
  /** What the render needs beyond the manifest, as a partial manifest (written for a shard, and by a process that does not render). */
  part: PartialManifest;
  made: string[];
  unchanged: string[];
  /** Originals whose outputs came from the shared store. */
  fromStore: string[];
  /** Originals whose outputs this run put in the shared store (made now, or by an earlier run here without it). */
  stored: string[];
  /** Originals made here that could not be put in the shared store, with why. */
  storeFailed: SourceProblem[];
  failed: SourceProblem[];
  /** Worth a note, nothing failed: a slug changed, a failed picture's last good version kept, a link to nothing skipped. */
  warnings: SourceProblem[];
  /** Media folders of pictures in the gallery that are not published now (drafts, a sidecar that does not read). */
  unpublished: string[];
  /** Media folders the pages use that are in the shared store and not in the output folder. */
  remote?: { url: string; endpoint?: string; folders: string[] };
  ms: number;
  /** The manifest's write, when the caller asked to overlap it (ProcessOptions.overlapManifestWrite): await it before publishing. */
  manifestWritten?: Promise<void>;
}

/** The cache of a whole-gallery run; a shard's is `process-cache-<k>-of-<n>.json`. Every run reads them all. */
const CACHE_FILE = "process-cache.json";
const CACHE_NAME = /^process-cache(?:-\d+-of-\d+)?\.json$/;
const CACHE_VERSION = 3;
/** Originals hashed and looked up in the shared store at once. */
const STORE_LOOKUPS = 16;

interface CacheEntry {
  size: number;
  mtimeMs: number;
  hash: string;
  optionsKey: string;
  outputs: ImageOutputs;
  /** False when only the quick outputs were made (see ProcessOptions.quick). */
  complete?: boolean;
  /** The outputs are in the shared store, not in the output folder. */
  remote?: true;
  /** The shared store (its URL) that holds these outputs' record, once they were put there or taken from there. */
  stored?: string;
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
  /** This run's own cache file. */
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
  const found = findOriginals(run, scan);
  const galleryKey = galleryKeyOf([...found.originals.map((o) => o.relPath), ...found.unrecognised.map((u) => u.source)]);
  const order = new Map(found.originals.map((o, i) => [o.relPath, i]));
  // The cache files are read only when some original's outputs are looked for (not after text edits alone).
  let caches: Promise<Caches> | undefined;
  const cache = () => (caches ??= readCaches(run));
  const { shard } = options;
  const { originals, unrecognised, skipped, hashes } = shard ? await shardOf(found, shard, await cache()) : found;
  options.progress?.grow?.(originals.length + unrecognised.length);
  for (const bad of unrecognised) reportFailure(options, bad);

  // After text edits, pictures published last time keep their outputs as they were.
  const kept = textEdits ? keptEntries(originals, recalled.run) : {};
  const toMake = originals.filter((o) => !kept[o.relPath]);
  const made = await makeOutputs(run, toMake, toMake.length > 0 ? await cache() : { own: {}, byPath: new Map() }, hashes);
  made.entries = { ...kept, ...made.entries };
  made.unchanged.push(...Object.keys(kept));
  const composed = await composeRecords(
    { inputDir: run.inputDir, outputDir: run.outputDir, config: options.config, progress: options.progress, memory: options.memory },
    originals, found.originals, found.albumFiles, made.entries,
  );
  // Every shard reads every `_album.md`: the first one reports their mistakes.
  const albumProblems = !shard || shard.index === 1 ? composed.albums : { failed: [], warnings: [] };
  for (const failure of albumProblems.failed) options.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
  const failed = [...unrecognised, ...made.failed, ...albumProblems.failed, ...composed.failed].sort((a, b) => (a.source < b.source ? -1 : 1));
  const header = manifestHeader(options.config, composed.albums.settings, found.pages);
  const items: PartialItem[] = composed.items.map((item) => ({ ...item, order: order.get(item.relPath)! }));
  const assembled = assembleManifest(header, items, failed, composed.leftOut);
  if (options.memory) assembled.manifest.panoramas = options.memory.keepUnchanged(assembled.manifest.panoramas);
  const publishedFolders = new Set(items.map((i) => mediaFolderOf(i.record.source.hash)));
  const unpublished = [...new Set(Object.values(made.entries).map((e) => mediaFolderOf(e.hash)))].filter((f) => !publishedFolders.has(f)).sort();
  const remote = remoteMedia(made.entries, options.store);
  const ownWarnings = [...made.warnings, ...albumProblems.warnings, ...composed.warnings];
  const part: PartialManifest = {
    version: PARTIAL_VERSION,
    shard: shard ?? { index: 1, count: 1 },
    optionsKey: run.optionsKey,
    galleryKey,
    sources: [...originals.map((o) => o.relPath), ...unrecognised.map((u) => u.source)],
    header,
    items,
    failures: failed,
    warnings: [...albumProblems.warnings, ...composed.warnings],
    leftOut: composed.leftOut,
    unpublished,
    ...(remote ? { remote } : {}),
  };
  if (shard) {
    // Partials of another sharding are leftovers of an earlier one; the render merges this one's.
    await removePartials(run.outputDir, shard.count);
    await writePartial(run.outputDir, part);
  }
  // After text edits every record's media are those checked when written last time; its text comes from checked sidecars.
  // A manifest that fails the check throws here; its writing may go on while the caller renders.
  const manifestWritten = shard ? undefined : writeManifest(run.outputDir, assembled.manifest, { trusted: !!textEdits }).then(() => undefined);
  // A failure is the caller's to see when it awaits the write, not an unhandled rejection meanwhile.
  manifestWritten?.catch(() => {});
  if (!options.overlapManifestWrite) await manifestWritten;
  // Text edits change no output: the cache on disk still says what each original's are.
  if (!textEdits || made.made.length > 0 || made.fromStore.length > 0 || composed.positionsRead) {
    try {
      await saveCache(run, made.entries, { final: true });
    } catch (error) {
      // No write of this run outlives it: a rebuild started next must not find this one's manifest landing after its own.
      await manifestWritten?.catch(() => {});
      throw error;
    }
  }
  options.memory?.remember({ optionsKey: run.optionsKey, quick: !!options.quick, scan, entries: made.entries, published: publishedFolders }, recalled?.changed);
  // A shard's slugs and links are not the gallery's: the render tells which ones moved or point nowhere.
  const warnings = [...skipped, ...ownWarnings, ...(shard ? [] : assembled.warnings)];
  return {
    manifest: assembled.manifest,
    part,
    made: made.made,
    unchanged: made.unchanged,
    fromStore: made.fromStore,
    stored: made.stored.sort(),
    storeFailed: made.storeFailed,
    failed: shard ? failed : assembled.manifest.failures,
    warnings,
    unpublished,
    ...(remote ? { remote } : {}),
    ms: performance.now() - started,
    ...(manifestWritten && options.overlapManifestWrite ? { manifestWritten } : {}),
  };
}

/**
 * A shard's originals: those whose content hash falls in it. An original that
 * cannot be read has no hash: the first shard reports it, with the files that are
 * no pictures and those skipped.
 */
async function shardOf(found: FoundOriginals, shard: Shard, cache: Caches): Promise<FoundOriginals> {
  const hashes = await hashOriginals(found.originals, cache);
  const originals = found.originals.filter((o) => {
    const hash = hashes.get(o.relPath);
    return hash ? inShard(hash, shard) : shard.index === 1;
  });
  const first = shard.index === 1;
  return { ...found, originals, unrecognised: first ? found.unrecognised : [], skipped: first ? found.skipped : [], hashes };
}

/** The media folders the pages use that are in the shared store and not in the output folder. */
function remoteMedia(entries: Record<string, CacheEntry>, store: ProcessOptions["store"]): ProcessResult["remote"] {
  const folders = [...new Set(Object.values(entries).filter((e) => e.remote).map((e) => mediaFolderOf(e.hash)))].sort();
  if (!store || folders.length === 0) return undefined;
  return { url: store.url, ...(store.endpoint ? { endpoint: store.endpoint } : {}), folders };
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
  const cacheName = options.shard ? `process-cache-${shardLabel(options.shard)}.json` : CACHE_FILE;
  return { ...recipe, inputDir: path.resolve(options.inputDir), outputDir, cacheFile: path.join(outputDir, STATE_DIR, cacheName), options };
}

function reportFailure(options: ProcessOptions, failure: SourceProblem): void {
  options.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
  options.progress?.tick?.(1, failure.source);
}

/** The gallery's pictures, album files and pages, and what is neither. */
interface FoundOriginals {
  originals: OriginalFile[];
  albumFiles: AlbumFileRef[];
  unrecognised: SourceProblem[];
  skipped: SourceProblem[];
  pages: string[];
  /** Each original's content hash, when they were hashed to choose a shard's. */
  hashes?: Map<string, string>;
}

/**
 * The gallery's originals: not the output folder (it may lie inside the gallery),
 * not the logos. Files named like pictures that are not ones are failures; links
 * to nothing and special files are skipped, and said so.
 */
function findOriginals(run: Run, scan: ScanResult): FoundOriginals {
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

/** Every cache file in the state folder: this run's, and those of other shards and runs. */
interface Caches {
  /** This run's own file, as it was. */
  own: Record<string, CacheEntry>;
  /** By original (relPath): every file's entry for it. */
  byPath: Map<string, CacheEntry[]>;
}

async function readCacheFile(file: string): Promise<Record<string, CacheEntry>> {
  try {
    const cache = JSON.parse(await readFile(file, "utf8")) as CacheFile;
    if (cache.version === CACHE_VERSION && cache.entries && typeof cache.entries === "object") return cache.entries;
  } catch {
    // missing or unreadable: start afresh (outputs are re-made, never trusted blindly)
  }
  return {};
}

async function readCaches(run: Run): Promise<Caches> {
  const dir = path.dirname(run.cacheFile);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => CACHE_NAME.test(n)).sort();
  const own = await readCacheFile(run.cacheFile);
  const byPath = new Map<string, CacheEntry[]>();
  const add = (entries: Record<string, CacheEntry>) => {
    for (const [relPath, entry] of Object.entries(entries)) byPath.set(relPath, [...(byPath.get(relPath) ?? []), entry]);
  };
  add(own);
  for (const name of names) if (path.join(dir, name) !== run.cacheFile) add(await readCacheFile(path.join(dir, name)));
  return { own, byPath };
}

/**
 * Saves this run's entries in its own cache file. A whole-gallery run covers
 * every shard's originals: the shards' files are then folded into its own.
 */
async function saveCache(run: Run, entries: Record<string, CacheEntry>, { final }: { final: boolean }): Promise<void> {
  await writeFileAtomic(run.cacheFile, JSON.stringify({ version: CACHE_VERSION, entries } satisfies CacheFile));
  if (run.options.shard || !final) return;
  const dir = path.dirname(run.cacheFile);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (CACHE_NAME.test(name) && path.join(dir, name) !== run.cacheFile) await rm(path.join(dir, name), { force: true });
  }
}

/** The content hash of every original (a cached one when its size and mtime are unchanged); unreadable ones are left out. */
async function hashOriginals(originals: OriginalFile[], cache: Caches): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  await eachLimit(originals, Math.max(2, availableParallelism()), async (original) => {
    try {
      const info = await stat(original.file);
      const known = cache.byPath.get(original.relPath)?.find((e) => e.size === info.size && e.mtimeMs === info.mtimeMs);
      hashes.set(original.relPath, known?.hash ?? (await hashFile(original.file)));
    } catch {
      // reported by the shard that processes it
    }
  });
  return hashes;
}

interface MadeOutputs {
  /** By original (relPath): what its outputs are now. */
  entries: Record<string, CacheEntry>;
  made: string[];
  unchanged: string[];
  fromStore: string[];
  failed: SourceProblem[];
  stored: string[];
  storeFailed: SourceProblem[];
  /** Records of the shared store that were not used, with why. */
  warnings: SourceProblem[];
}

/**
 * Reuses or makes the outputs of every original, `concurrency` at a time: from
 * the cache files when its bytes and the recipe are unchanged and its outputs are
 * here, else from the shared store when it has them, else made (and given to the store).
 */
async function makeOutputs(run: Run, originals: OriginalFile[], cache: Caches, knownHashes?: Map<string, string>): Promise<MadeOutputs> {
  const { options } = run;
  const store = options.quick ? undefined : options.store;
  // An entry is good enough when its options match and, unless this is a quick run, it is complete.
  const usable = (e: CacheEntry | undefined): e is CacheEntry => !!e && e.optionsKey === run.optionsKey && (options.quick || e.complete !== false);
  const byHash = new Map<string, CacheEntry>();
  for (const entries of cache.byPath.values()) for (const entry of entries) if (usable(entry) && !entry.remote) byHash.set(entry.hash, entry);
  const available = async (entry: CacheEntry) =>
    !entry.remote
    && ((await outputsExist(run.outputDir, entry.outputs.media))
      || ((await options.output?.restoreHeld(mediaFolderOf(entry.hash))) === true && (await outputsExist(run.outputDir, entry.outputs.media))));

  const result: MadeOutputs = { entries: {}, made: [], unchanged: [], fromStore: [], failed: [], stored: [], storeFailed: [], warnings: [] };
  // Started only when some picture needs work: a no-op rebuild never spawns ExifTool.
  let exiftool: ExifTool | undefined;
  const concurrency = options.concurrency ?? Math.max(1, availableParallelism());
  // Pictures are made `concurrency` at a time; with a store, more originals are
  // hashed and looked up meanwhile, since a lookup waits on the network, not a core.
  const images = limiter(concurrency);
  const lanes = store ? Math.max(concurrency, STORE_LOOKUPS) : concurrency;
  type Obtained = { entry: CacheEntry; how: "made" | "store" | "unchanged" };
  // An identical copy elsewhere in the gallery being obtained right now shares its outputs.
  const inFlight = new Map<string, Promise<Obtained>>();
  const puts: Promise<void>[] = [];
  let savedAt = performance.now();

  const make = async (original: OriginalFile, info: { size: number; mtimeMs: number }, hash: string): Promise<Obtained> => {
    const base = { size: info.size, mtimeMs: info.mtimeMs, hash, optionsKey: run.optionsKey };
    if (store) {
      // The store keeps no positions: read here. Where the store expects to have the picture, the
      // read runs while the lookup waits on the network; otherwise only once it is found (a picture
      // that is made has its metadata read whole).
      exiftool ??= startExifTool({ maxProcs: concurrency });
      const early = (await store.expects?.(hash, run.optionsKey)) ? readGps(exiftool, original.file) : undefined;
      const outputs = await store.lookup(hash, run.optionsKey, (message) => result.warnings.push({ source: original.relPath, message }));
      if (outputs) return { entry: { ...base, outputs: { ...outputs, gps: await (early ?? readGps(exiftool, original.file)) }, remote: true, stored: store.url }, how: "store" };
    }
    const outputs = await images(async () => {
      exiftool ??= startExifTool({ maxProcs: concurrency });
      await options.output?.claimFolder(mediaFolderOf(hash));
      return processImage(
        { file: original.file, hash, format: original.format },
        { outputDir: run.outputDir, exiftool, options: options.quick ? quickOptions(run.imageOptions) : run.imageOptions, overlays: run.overlays },
      );
    });
    return { entry: { ...base, outputs, ...(options.quick ? { complete: false } : {}) }, how: "made" };
  };

  /**
   * Gives the store an original's outputs made here that it does not have yet (made
   * now, or by an earlier run that was stopped before it could put them there).
   */
  const sharing = new Map<string, Promise<boolean>>();
  const share = (relPath: string, entry: CacheEntry) => {
    if (!store || entry.remote || entry.stored === store.url) return;
    let put = sharing.get(entry.hash);
    if (!put) {
      put = store.put(entry.hash, entry.optionsKey, entry.outputs, run.outputDir).then(
        () => true,
        (error: unknown) => {
          const failure = { source: relPath, message: `not put in the cache ${store.url}: ${(error as Error).message}` };
          result.storeFailed.push(failure);
          options.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
          return false;
        },
      );
      sharing.set(entry.hash, put);
    }
    puts.push(
      put.then((ok) => {
        if (!ok) return;
        entry.stored = store.url;
        result.stored.push(relPath);
      }),
    );
  };

  /** The outputs of one original: the cached ones when its bytes and the options are unchanged, else the store's or made. */
  const outputsOf = async (original: OriginalFile): Promise<Obtained> => {
    const info = await stat(original.file);
    if (info.size === 0) throw new PictureError("empty file (0 bytes)");
    const previous = (cache.byPath.get(original.relPath) ?? []).filter(usable);
    for (const entry of previous) {
      if (entry.size === info.size && entry.mtimeMs === info.mtimeMs && (await available(entry))) return { entry, how: "unchanged" };
    }
    const hash = knownHashes?.get(original.relPath) ?? (await hashFile(original.file));
    const same = previous.find((e) => e.hash === hash && !e.remote) ?? byHash.get(hash);
    if (same && (await available(same))) return { entry: { ...same, size: info.size, mtimeMs: info.mtimeMs }, how: "unchanged" };
    const sharing = inFlight.get(hash);
    if (sharing) return { entry: { ...(await sharing).entry, size: info.size, mtimeMs: info.mtimeMs }, how: "unchanged" };
    const obtaining = make(original, info, hash);
    inFlight.set(hash, obtaining);
    obtaining.catch(() => inFlight.delete(hash));
    return obtaining;
  };

  const storeWarning = (message: string) => result.warnings.push({ source: store!.url, message });
  store?.begin?.({ shard: shardLabel(options.shard ?? { index: 1, count: 1 }), optionsKey: run.optionsKey }, storeWarning);
  try {
    await eachLimit(originals, lanes, async (original) => {
      const { relPath } = original;
      try {
        const { entry: found, how } = await outputsOf(original);
        // Each original's own entry: copies of one picture share outputs, not bookkeeping.
        const entry = how === "unchanged" ? { ...found } : found;
        result.entries[relPath] = entry;
        share(relPath, entry);
        ({ made: result.made, store: result.fromStore, unchanged: result.unchanged })[how].push(relPath);
        options.progress?.tick?.(1, relPath);
        // An interrupted run keeps what it made: the cache is saved every few seconds.
        if (how === "made" && performance.now() - savedAt > 5000) {
          savedAt = performance.now();
          await saveCache(run, { ...cache.own, ...result.entries }, { final: false });
        }
      } catch (error) {
        const failure = { source: relPath, message: error instanceof PictureError ? error.message : `unexpected error: ${(error as Error).message}` };
        result.failed.push(failure);
        reportFailure(options, failure);
      }
    });
    await Promise.all(puts);
    await store?.finish?.(
      Object.values(result.entries).map((e) => e.hash),
      storeWarning,
    );
  } finally {
    await exiftool?.end();
  }
  return result;
}
