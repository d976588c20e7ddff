// From outputs and authored text to the manifest: each picture's record (its
// sidecar's text, tags, place and links over its outputs; albums from the
// `_album.md` files; drafts left out), then the manifest of the whole gallery
// (assembleManifest: slugs assigned over every picture, links checked against
// them, newest first). A whole-gallery run and the merge of a sharded one
// (partial.ts) both end in assembleManifest, so they give the same manifest.
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { GalleryConfig } from "../config.ts";
import { eachLimit } from "../limit.ts";
import {
  MANIFEST_VERSION,
  readManifest,
  referencedUrls,
  RESERVED_SLUGS,
  type AlbumSettings,
  type Manifest,
  type PanoramaMedia,
  type PanoramaRecord,
} from "../manifest.ts";
import type { Progress } from "../progress.ts";
import { folderOf, readAlbums, withinAny } from "./albums.ts";
import { startExifTool } from "./exiftool.ts";
import type { ProcessMemory, Reading } from "./memory.ts";
import { readGps } from "./metadata.ts";
import type { ImageOutputs } from "./pipeline.ts";
import type { AlbumFileRef, OriginalFile } from "./scan.ts";
import { readAlbumFile, readSidecar, type Sidecar } from "./sidecar.ts";
import { assignSlugs, slugify, titleFromFileName } from "./slug.ts";

/** A problem with one source file, named by its path in the gallery. */
export interface SourceProblem {
  source: string;
  message: string;
}

/** One picture as published but for its slug, which the gallery-wide assembly assigns. */
export interface PictureItem {
  relPath: string;
  record: Omit<PanoramaRecord, "id" | "slug">;
  /** The slug its sidecar asks for (or the one it had, for a last good version kept). */
  wish?: string;
  /** Its sidecar, relative to the gallery: where a mistake in its links is reported. */
  sidecar?: string;
}

/** The manifest but for its panoramas and failures: the same for every shard of a gallery. */
export type ManifestHeader = Omit<Manifest, "panoramas" | "failures">;

/** What an original's outputs are now (process's cache entry, as far as records need it). */
export interface MadeEntry {
  hash: string;
  size: number;
  outputs: ImageOutputs;
}

export interface ComposeContext {
  inputDir: string;
  outputDir: string;
  config: GalleryConfig;
  progress?: Partial<Progress>;
  memory?: ProcessMemory;
}

export interface Composed {
  items: PictureItem[];
  /** Every album the `_album.md` files and folders describe (assembleManifest keeps those with published pictures), and their files' mistakes. */
  albums: { settings: AlbumSettings[]; failed: SourceProblem[]; warnings: SourceProblem[] };
  /** Slugs of pictures left out (drafts, text that does not read): a link to one waits, it is not a mistake. */
  leftOut: string[];
  failed: SourceProblem[];
  warnings: SourceProblem[];
  /** Some positions were read from originals now (the cache learns them). */
  positionsRead: boolean;
}

/**
 * The pictures of `originals` as published, in their order: text, tags, place
 * and links from the sidecars, the album of their folder, drafts left out. A
 * picture that failed keeps its last published version. `galleryOriginals` (all
 * of the gallery's, for a shard too) describe the albums.
 */
export async function composeRecords<E extends MadeEntry>(
  context: ComposeContext,
  originals: OriginalFile[],
  galleryOriginals: OriginalFile[],
  albumFiles: AlbumFileRef[],
  entries: Record<string, E>,
): Promise<Composed> {
  const failed: SourceProblem[] = [];
  const warnings: SourceProblem[] = [];
  const fail = (failure: SourceProblem) => {
    failed.push(failure);
    context.progress?.log?.(`✗ ${failure.source}: ${failure.message}`);
  };
  // What was published last time: read only when something failed.
  let previous: Manifest | null | undefined;
  const lastManifest = async () => (previous === undefined ? (previous = (await readManifest(context.outputDir).catch(() => undefined)) ?? null) : previous);
  let previousByPath: Map<string, PanoramaRecord> | undefined;
  const lastPublished = async (relPath: string) => {
    previousByPath ??= new Map((await lastManifest())?.panoramas.map((p) => [p.source.path, p] as const) ?? []);
    return previousByPath.get(relPath);
  };

  const memory = context.memory;
  const albums = await readAlbums(context.inputDir, albumFiles, galleryOriginals, async (folder) => (await lastManifest())?.gallery.albums.find((a) => a.path === folder), (file) =>
    remembered(file, readAlbumFile, memory && { get: (f) => memory.albumFile(f), set: (f, r) => memory.rememberAlbumFile(f, r) }));
  const cameraPlace = cameraPlaces(context.config);
  const within = context.inputDir + path.sep;
  const relativeToGallery = (file: string) => (file.startsWith(within) ? file.slice(within.length) : path.relative(context.inputDir, file)).split(path.sep).join("/");

  const items: PictureItem[] = [];
  const leftOut = new Set<string>();
  const leaveOut = (original: OriginalFile, wish?: string) => leftOut.add(wish ?? slugify(original.relPath.split("/").pop()!.replace(/\.[^.]+$/, "")));
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
      if (last && (await outputsExist(context.outputDir, last))) {
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
    const make = () => recordOf(original, entry, { ...sidecar, ...(place ? { place } : {}) }, folder);
    items.push({
      relPath: original.relPath,
      // In a serve, a picture whose outputs, sidecar reading, place and album are last run's keeps last run's record.
      record: memory ? memory.composedOnce(original.relPath, [entry, original.sidecar ? sidecar : undefined, place, folder], make) : make(),
      ...(sidecar.slug ? { wish: sidecar.slug } : {}),
      ...(original.sidecar ? { sidecar: relativeToGallery(original.sidecar) } : {}),
    });
  }
  const positionsRead = await recordPositions(context.inputDir, items, entries);
  return { items, albums: { settings: albums.albums, failed: albums.failed, warnings: albums.warnings }, leftOut: [...leftOut].sort(), failed, warnings, positionsRead };
}

/** The manifest's gallery-wide part: the gallery's text, its albums, how listings, places, tours and the map behave, the publisher's pages. */
export function manifestHeader(config: GalleryConfig, albums: AlbumSettings[], pages: string[]): ManifestHeader {
  return {
    version: MANIFEST_VERSION,
    generator: "rotunda",
    gallery: {
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
    },
    pages,
  };
}

/**
 * The manifest from the pictures of the whole gallery, in the gallery's order:
 * slugs assigned over all of them; links to a picture that is not published left
 * out (a mistake, or a note when it is a draft's); newest first; albums that
 * still hold published pictures.
 */
export function assembleManifest(
  header: ManifestHeader,
  items: PictureItem[],
  failures: SourceProblem[],
  leftOut: Iterable<string> = [],
): { manifest: Manifest; warnings: SourceProblem[] } {
  const { slugs, warnings: slugWarnings } = assignSlugs(items.map((i) => ({ relPath: i.relPath, wish: i.wish })), RESERVED_SLUGS);
  const warnings: SourceProblem[] = slugWarnings.map((w) => ({ source: w.relPath, message: w.message }));
  const failed = [...failures];
  const published = new Set(slugs);
  const waiting = new Set(leftOut);
  const panoramas: PanoramaRecord[] = items.map((item, i) => {
    const slug = slugs[i]!;
    // A record without links is the same for the same parts and slug: made once (a serve hands on its parts).
    const known = item.record.links ? undefined : withSlug.get(item.record);
    if (known?.slug === slug) return known;
    const record = { id: slug, slug, ...item.record } as PanoramaRecord;
    if (!record.links) {
      withSlug.set(item.record, record);
      return record;
    }
    const where = item.sidecar ?? item.relPath;
    const links = record.links.filter((link, n) => {
      if (link.to === slug) failed.push({ source: where, message: `links[${n}].to: "${link.to}" is this picture itself` });
      else if (published.has(link.to)) return true;
      else if (waiting.has(link.to)) warnings.push({ source: where, message: `links[${n}].to: "${link.to}" is not published (a draft, or a sidecar that does not read): the link waits until it is` });
      else failed.push({ source: where, message: `links[${n}].to: no picture has the slug "${link.to}"` });
      return false;
    });
    if (links.length > 0) record.links = links;
    else delete record.links;
    return record;
  });
  // Newest first; undated after dated; then by title. Each date is parsed once.
  const times = new Map(panoramas.map((p) => [p, p.captureDate ? Date.parse(p.captureDate) : -Infinity]));
  panoramas.sort((a, b) => times.get(b)! - times.get(a)! || a.title.localeCompare(b.title));
  const folders = [...new Set(panoramas.map((p) => p.album ?? ""))];
  const albums = header.gallery.albums.filter((a) => folders.some((f) => f === a.path || f.startsWith(a.path + "/")));
  failed.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { manifest: { ...header, gallery: { ...header.gallery, albums }, panoramas, failures: failed }, warnings };
}

const withSlug = new WeakMap<object, PanoramaRecord>();

/** Whether every file a published record names is in the output folder. */
export async function outputsExist(outputDir: string, media: PanoramaMedia): Promise<boolean> {
  try {
    const files = referencedUrls(media).map((url) => (url.endsWith("/") ? `${url}fallback/d.jpg` : url));
    await Promise.all(files.map((url) => stat(path.join(outputDir, url))));
    return true;
  } catch {
    return false;
  }
}

/** The place of a fixed camera's pictures: those in its pull folder, when its config entry names one. */
function cameraPlaces(config: GalleryConfig): (relPath: string) => string | undefined {
  const into = path.posix.normalize(config.pull.into.replaceAll("\\", "/")).replace(/^\.\/?|\/$/g, "");
  const folders = config.cameras.filter((c) => c.place).map((c) => ({ prefix: `${into ? `${into}/` : ""}${c.name}/`, place: c.place! }));
  return (relPath) => folders.find((f) => relPath.startsWith(f.prefix))?.place;
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
 * recorded have theirs read now (ExifTool only, no image work) and kept in their
 * entry for the cache. (Outputs taken from the shared store, which holds no
 * positions, arrive with theirs read by makeOutputs.)
 */
async function recordPositions<E extends MadeEntry>(inputDir: string, items: PictureItem[], entries: Record<string, E>): Promise<boolean> {
  const unknown = items.filter((i) => entries[i.relPath] && entries[i.relPath]!.outputs.gps === undefined);
  if (unknown.length > 0) {
    const exiftool = startExifTool({ maxProcs: Math.max(1, availableParallelism()) });
    try {
      await eachLimit(unknown, Math.max(1, availableParallelism()), async (item) => {
        const entry = entries[item.relPath]!;
        entries[item.relPath] = { ...entry, outputs: { ...entry.outputs, gps: await readGps(exiftool, path.join(inputDir, item.relPath)) } };
      });
    } finally {
      await exiftool.end();
    }
  }
  for (const item of items) {
    const gps = entries[item.relPath]?.outputs.gps;
    // A record kept from the last run has its position already.
    if (gps && item.record.gps !== gps) item.record.gps = gps;
  }
  return unknown.length > 0;
}

/** A panorama's record but for its slug: the sidecar's text over the outputs. */
function recordOf(original: OriginalFile, entry: MadeEntry, sidecar: Sidecar, album: string): Omit<PanoramaRecord, "id" | "slug"> {
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
