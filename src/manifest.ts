// The one contract between prebuild (pull + process) and render.
//
// `process` writes it, `render` (Eleventy global data) and `serve` read it; nothing
// else passes between those stages. It lives in the output folder at
// `.rotunda/manifest.json` so it always describes the media beside it, and it is
// never deployed (deploy skips dot-folders). New pipeline features add optional
// fields; a change that breaks old readers bumps MANIFEST_VERSION.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./files.ts";

export const MANIFEST_VERSION = 1;
/** Folder inside the output that holds build state: manifest, process cache. Never deployed. */
export const STATE_DIR = ".rotunda";
export const MANIFEST_FILE = "manifest.json";

/** A file in the output, by its site-absolute URL ("/media/…"). */
const fileRef = z.object({
  url: z.string().startsWith("/"),
  bytes: z.int().nonnegative(),
});

const imageRef = fileRef.extend({
  width: z.int().positive(),
  height: z.int().positive(),
});

/** An equirectangular JPEG of the panorama, at some size and quality. */
const variant = imageRef.extend({
  quality: z.int().min(1).max(100),
});

/** Pannellum settings computed at build time from GPano (see process/gpano.ts). */
const viewerConfig = z.object({
  /** Degrees from true north to the picture's centre (GPano PoseHeadingDegrees). */
  northOffset: z.number().optional(),
  yaw: z.number(),
  pitch: z.number(),
  hfov: z.number(),
  /** Horizontal / vertical angle of view covered by the picture, and the vertical offset of its centre. */
  haov: z.number(),
  vaov: z.number(),
  vOffset: z.number(),
  /** Horizon tilt correction from GPano PosePitch/PoseRoll. */
  horizonPitch: z.number().optional(),
  horizonRoll: z.number().optional(),
  /** Limits so a partial panorama cannot be turned past its edges. */
  minPitch: z.number().optional(),
  maxPitch: z.number().optional(),
  minYaw: z.number().optional(),
  maxYaw: z.number().optional(),
});

/** Pannellum `multiRes` settings for the cube tiles of a panorama. */
const multires = z.object({
  basePath: z.string().startsWith("/"),
  path: z.string(),
  fallbackPath: z.string(),
  extension: z.string(),
  tileResolution: z.int().positive(),
  maxLevel: z.int().positive(),
  cubeResolution: z.int().positive(),
  /** How many tile files, and their total size. */
  files: z.int().nonnegative(),
  bytes: z.int().nonnegative(),
  /** The whole sphere in one small JPEG: the six faces side by side (f b u d l r), each `faceSize` px square. */
  overview: fileRef.extend({ faceSize: z.int().positive() }).optional(),
});

/** A tiny picture of the initial view, inlined in the page: shown before any script runs. */
const placeholder = z.object({
  dataUri: z.string().regex(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/),
  width: z.int().positive(),
  height: z.int().positive(),
});

const metadataEntry = z.object({ label: z.string(), value: z.string() });

/**
 * Everything in a panorama's record that process makes from its original's bytes
 * and the options: a new output is a field here, the step that makes it, and the
 * template that shows it.
 */
export const panoramaMediaSchema = z.object({
  /** Size of the original. */
  width: z.int().positive(),
  height: z.int().positive(),
  /** Equirectangular variants the viewer chooses among (one quality, several sizes), widest first. */
  variants: z.array(variant).min(1),
  /** The full-size quality ladder, best first: for the comparison page and downloads. */
  ladder: z.array(variant).optional(),
  /** Multiresolution cube tiles; when present the viewer loads these progressively. */
  tiles: multires.optional(),
  /** A 1200×630 perspective view of the initial direction, for link previews. */
  socialCard: imageRef.optional(),
  thumbnail: imageRef,
  /** A tiny, blurry picture for the viewer to show while the panorama loads. */
  preview: imageRef,
  /** The initial view, a few hundred bytes: painted by the page itself until the viewer draws. */
  placeholder: placeholder.optional(),
  /** Every published metadata tag as JSON (privacy rules applied). */
  metadata: fileRef,
  /** The few tags worth a table on the page, in display order (privacy rules applied). */
  metadataTable: z.array(metadataEntry),
  viewer: viewerConfig,
});

/** A hotspot to another picture: its slug, and where it lies in this picture's viewer yaw and pitch (degrees). */
const tourLink = z.object({
  to: z.string().min(1),
  yaw: z.number(),
  pitch: z.number(),
  label: z.string().optional(),
});

/** WGS 84 degrees. */
const gpsPoint = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

/** An `_album.md`: a folder's title, description, cover, order and draft flag. */
const albumSettings = z.object({
  /** The folder, relative to the gallery, with forward slashes. */
  path: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  /** File name of a picture in the folder. */
  cover: z.string().optional(),
  order: z.enum(["date", "date-asc", "title", "name"]).optional(),
  draft: z.boolean().optional(),
});

/** Names the gallery's own folders use at the site's root: never a panorama's slug. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(["assets", "media", "albums", "tags", "places", "dates", "map", "page"]);

export const panoramaRecordSchema = panoramaMediaSchema.extend({
  /** Stable identity: the slug, unique in the gallery. */
  id: z.string().min(1),
  /** URL segment of the panorama's page (`/<slug>/`); from the file name or the sidecar, never from the bytes. */
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).refine((slug) => !RESERVED_SLUGS.has(slug), "is a name the gallery's own pages use"),
  source: z.object({
    /** Path of the original, relative to the gallery folder, with forward slashes. */
    path: z.string(),
    /** SHA-256 of the original's bytes, hex. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.int().nonnegative(),
    format: z.string(),
  }),
  title: z.string(),
  /** Caption text from the sidecar, plain text; blank lines separate paragraphs. */
  caption: z.string().optional(),
  /** Capture time as an ISO 8601 string, with its UTC offset when the camera recorded one. */
  captureDate: z.string().optional(),
  /** Credit line and licence shown on the panorama's page. */
  credit: z.string().optional(),
  license: z.string().optional(),
  /** The folder it sits in, relative to the gallery ("" at its root): its album. */
  album: z.string().optional(),
  /** Tags from the sidecar, as written. */
  tags: z.array(z.string().min(1)).optional(),
  /** The place it shows, from the sidecar or its camera's config entry (places by GPS are render's). */
  place: z.string().min(1).optional(),
  /** Tour hotspots the sidecar gives, to other published pictures by slug. */
  links: z.array(tourLink).optional(),
  /**
   * Where it was taken, whatever publishGps says: places by GPS and automatic tour
   * links need it. The manifest is never deployed; render prints it only with publishGps.
   */
  gps: gpsPoint.optional(),
});

export const manifestSchema = z.object({
  version: z.literal(MANIFEST_VERSION),
  generator: z.literal("rotunda"),
  gallery: z.object({
    title: z.string(),
    description: z.string().optional(),
    baseUrl: z.string().optional(),
    /** Write `.br` and `.gz` siblings of the site's text files (absent: yes). */
    precompress: z.boolean().optional(),
    /** Folders with an `_album.md`. */
    albums: z.array(albumSettings).default([]),
    /** Pictures per listing page. */
    pageSize: z.int().positive().default(48),
    /** Places by GPS proximity, in metres (absent: off). */
    placesByGps: z.number().positive().optional(),
    /** Automatic tour links between pictures within this many metres (absent: off). */
    tourRadius: z.number().positive().optional(),
    /** Whether pages may show where pictures were taken (coordinates, the map). */
    publishGps: z.boolean().default(false),
    /** Map tiles and their attribution. */
    map: z.object({ tiles: z.string(), attribution: z.string() }).optional(),
  }),
  /** Ordered for the index: newest capture first, then title. */
  panoramas: z.array(panoramaRecordSchema),
  /**
   * The publisher's own pages in the gallery folder: every Markdown (`.md`) and
   * Nunjucks (`.njk`) file that is neither a picture's sidecar (published or not)
   * nor an album's `_album.md`, relative to the gallery with forward slashes.
   */
  pages: z.array(z.string()).default([]),
  /** Originals that could not be processed, with why: shown by `serve`, counted by the build. */
  failures: z.array(z.object({ source: z.string(), message: z.string() })).default([]),
});

export type Manifest = z.infer<typeof manifestSchema>;
/** A manifest as written: fields with defaults may be left out. */
export type ManifestInput = z.input<typeof manifestSchema>;
export type AlbumSettings = z.infer<typeof albumSettings>;
export type TourLink = z.infer<typeof tourLink>;
export type GpsPoint = z.infer<typeof gpsPoint>;
export type PanoramaRecord = z.infer<typeof panoramaRecordSchema>;
export type PanoramaMedia = z.infer<typeof panoramaMediaSchema>;
export type Variant = z.infer<typeof variant>;
export type ImageRef = z.infer<typeof imageRef>;
export type FileRef = z.infer<typeof fileRef>;
export type ViewerConfig = z.infer<typeof viewerConfig>;
export type MetadataEntry = z.infer<typeof metadataEntry>;
export type MultiresRecord = z.infer<typeof multires>;
export type Placeholder = z.infer<typeof placeholder>;

export class ManifestError extends Error {
  override name = "ManifestError";
}

/**
 * The site-absolute URLs of the files a record refers to: every `url`, and the
 * tile folder (`basePath`, ending in "/"), wherever they sit in the record.
 */
export function referencedUrls(record: PanoramaRecord | PanoramaMedia): string[] {
  const urls: string[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === "string") {
      if (key === "url") urls.push(value);
      else if (key === "basePath") urls.push(value + "/");
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, "");
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(record, "");
  return urls;
}

export function manifestPath(outputDir: string): string {
  return path.join(outputDir, STATE_DIR, MANIFEST_FILE);
}

export function validateManifest(raw: unknown, source = "manifest"): Manifest {
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 5).map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ManifestError(`${source}: not a valid Rotunda manifest (rebuild with \`rotunda process\`)\n${lines.join("\n")}`);
  }
  return checkSlugs(result.data, source);
}

function checkSlugs(manifest: Manifest, source: string): Manifest {
  const slugs = new Set<string>();
  for (const p of manifest.panoramas) {
    if (slugs.has(p.slug)) throw new ManifestError(`${source}: two panoramas share the slug "${p.slug}"`);
    slugs.add(p.slug);
  }
  return manifest;
}

export async function readManifest(outputDir: string): Promise<Manifest> {
  const file = manifestPath(outputDir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ManifestError(`${file}: no manifest; run \`rotunda process\` (or \`rotunda build\`) first`);
    }
    throw error;
  }
  return validateManifest(JSON.parse(text), file);
}

/**
 * Writes atomically (temp file + rename) so a reader never sees half a manifest.
 * `trusted`: the caller built it from parts already checked (a serve rebuild after
 * a sidecar edit reuses every record's media as written last time): only that no
 * two panoramas share a slug is checked again. The check and the text are made
 * before this returns, so a manifest that fails the check throws here; only the
 * writing is left to the promise.
 */
export function writeManifest(outputDir: string, manifest: ManifestInput, options: { trusted?: boolean } = {}): Promise<string> {
  const checked = options.trusted ? checkSlugs(manifest as Manifest, "manifest being written") : validateManifest(manifest, "manifest being written");
  const file = manifestPath(outputDir);
  // Each record's text is kept with the record as given: a serve hands on the records it left alone, whose text is known.
  const text = manifestText(checked, manifest.panoramas as object[]);
  return writeFileAtomic(file, text).then(() => file);
}

/** Each record's part of the manifest's text, made once per record: a serve's rebuild hands on the records it left alone as the same objects. */
const recordTexts = new WeakMap<object, Buffer>();
const BETWEEN_RECORDS = Buffer.from(",\n");

/**
 * The manifest's text in pieces, the same bytes as `JSON.stringify(manifest, null, 2)`
 * and a newline: each record's own, the separators and the rest around them.
 */
export function manifestText(manifest: Manifest, keys: readonly object[] = manifest.panoramas): Buffer[] {
  // The rest of the manifest around a mark that nothing else in it can hold.
  const mark = JSON.stringify(`\u0000panoramas ${randomUUID()}\u0000`);
  const [before, after] = (JSON.stringify({ ...manifest, panoramas: JSON.parse(mark) as string }, null, 2) + "\n").split(mark) as [string, string];
  if (manifest.panoramas.length === 0) return [Buffer.from(`${before}[]${after}`)];
  const parts: Buffer[] = [Buffer.from(`${before}[\n`)];
  manifest.panoramas.forEach((record, i) => {
    // Known by `keys[i]`: the record as the caller holds it, of which `record` may be the checked copy.
    const key = keys[i] ?? record;
    let text = recordTexts.get(key);
    if (text === undefined) recordTexts.set(key, (text = Buffer.from(`    ${JSON.stringify(record, null, 2).replaceAll("\n", "\n    ")}`)));
    if (i > 0) parts.push(BETWEEN_RECORDS);
    parts.push(text);
  });
  parts.push(Buffer.from(`\n  ]${after}`));
  return parts;
}
