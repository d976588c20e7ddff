// The gallery's configuration: `rotunda.json` at the root of a gallery folder.
// Parsed and validated once, at the edge, into typed options the stages receive.
// Every field is optional: a plain folder of pictures builds with the defaults.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export const CONFIG_FILE = "rotunda.json";

/** Camera names become folder names under the gallery and ledger file names. */
const cameraName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, "use letters, digits, '-' and '_' only (it names a folder)");

const cameraSchema = z.strictObject({
  name: cameraName,
  url: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
  username: z.string().min(1).optional(),
  /** Name of the environment variable holding the password: never the password itself. */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  /** A fixed camera: every picture pulled into its folder belongs to this place (`/places/<place>/`). */
  place: z.string().trim().min(1, "must name a place").optional(),
});

/** Whether a relative path names the folder it is relative to or something inside it. */
function staysInside(relative: string): boolean {
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) return false;
  const normal = path.posix.normalize(relative.replaceAll("\\", "/"));
  return normal !== ".." && !normal.startsWith("../");
}

const pullSchema = z.strictObject({
  /** Files downloaded at once across all cameras. */
  concurrency: z.int().min(1).max(256).default(8),
  /** Files downloaded at once from one camera (a THETA serves one or two well). */
  perCamera: z.int().min(1).max(16).default(2),
  /** Remove a picture from the camera once it is safely on disk. */
  deleteAfter: z.boolean().default(false),
  /** Folder, relative to the gallery, where each camera's pictures land (one sub-folder per camera). */
  into: z.string().refine(staysInside, "must be a folder inside the gallery: a relative path that does not leave it").default("cameras"),
  /** An unreachable camera fails after this many seconds. */
  connectTimeoutSeconds: z.number().positive().max(120).default(4),
  /** A camera connected but silent (no answer, or stalled mid-file) fails after this many seconds. */
  timeoutSeconds: z.number().positive().max(600).default(10),
  /** Retries of a request after a dropped connection, timeout or 503 (exponential backoff with jitter). */
  retries: z.int().min(0).max(20).default(5),
});

/** Largest picture decoded, in pixels, unless the gallery says otherwise (protects against pixel bombs). */
export const DEFAULT_PIXEL_LIMIT = 16384 * 8192;

/**
 * The largest full-sphere (2:1) panorama that `pixelLimit` lets Rotunda decode:
 * an overlay or logo larger than this fits no picture.
 */
export function largestPanorama(pixelLimit: number): { width: number; height: number } {
  let width = Math.floor(Math.sqrt(2 * pixelLimit));
  while (width * width > 2 * pixelLimit) width--;
  while ((width + 1) * (width + 1) <= 2 * pixelLimit) width++;
  return { width, height: Math.floor(width / 2) };
}

/** The two offsets of a position, each in pixels or in percent of the picture. */
export function positionOffsets(position: string): Array<{ value: number; percent: boolean }> | undefined {
  const m = /^([+-]\d+(?:\.\d+)?)(%?)([+-]\d+(?:\.\d+)?)(%?)$/.exec(position);
  return m ? [{ value: Number(m[1]), percent: m[2] === "%" }, { value: Number(m[3]), percent: m[4] === "%" }] : undefined;
}

/**
 * A position like ImageMagick's `-geometry +3000+1600`: the logo's top-left corner,
 * in pixels or percent of the picture (`+50%+90%`), counted from the picture's
 * top-left corner; a corner left of, above or beyond the picture is refused.
 */
const geometry = z
  .string()
  .regex(/^[+-]\d+(\.\d+)?%?[+-]\d+(\.\d+)?%?$/, 'use "+X+Y" in pixels or percent, like "+3000+1600" or "+50%+90%"')
  .superRefine((position, ctx) => {
    const offsets = positionOffsets(position);
    if (offsets?.some((o) => o.value < 0)) {
      ctx.addIssue({ code: "custom", message: `"${position}" is outside the picture: positions count from its top-left corner, "+0+0"` });
    } else if (offsets?.some((o) => o.percent && o.value > 100)) {
      ctx.addIssue({ code: "custom", message: `"${position}" is outside the picture: a percentage runs from 0% to 100%` });
    }
  });
/** A size in pixels (`400`) or percent of the picture's width (`"6%"`, at most `"100%"`). */
const length = z.union([
  z.int().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?%$/, 'use pixels (400) or a percentage ("6%")')
    .refine((width) => parseFloat(width) > 0 && parseFloat(width) <= 100, { error: (issue) => `"${String(issue.input)}" is not a width within the picture: use more than 0% and at most 100%` }),
]);

const watermarkSchema = z.strictObject({
  /** Logo file (PNG, SVG, …), relative to the gallery folder. */
  file: z.string().min(1),
  /** Top-left corner of the logo on the equirectangular picture. */
  position: geometry.default("+2%+2%"),
  /** Logo width; default its own size. */
  width: length.optional(),
  opacity: z.number().min(0).max(1).default(1),
});

const nadirSchema = z.strictObject({
  /** Round logo for the bottom pole (the tripod cap), relative to the gallery folder. */
  file: z.string().min(1),
  /** Angular radius of the cap, degrees. */
  angle: z.number().gt(0).max(60).default(20),
  opacity: z.number().min(0).max(1).default(1),
});

const processSchema = z.strictObject({
  /** JPEG qualities of the full-size ladder (each one a file, shown on the comparison page). */
  qualities: z.array(z.int().min(1).max(100)).min(1).default([95, 90, 85, 80, 75, 70, 65, 60, 50, 40, 30, 20]),
  /** Quality the viewer loads (and of the smaller sizes). */
  quality: z.int().min(1).max(100).default(85),
  /** Widths of the smaller sizes, for devices whose WebGL texture limit is 4096 (kept only when smaller than the original). */
  sizes: z.array(z.int().min(256).max(16384)).default([8192, 4096, 2048]),
  /** Widest picture the viewer is offered; the full-size ladder is made anyway. */
  maxWidth: z.int().min(256).max(16384).default(8192),
  /** Multiresolution cube tiles for progressive loading. */
  tiles: z.boolean().default(true),
  /** A 1200×630 perspective view of the initial direction, for link previews. */
  socialCard: z.boolean().default(true),
  watermark: watermarkSchema.optional(),
  nadir: nadirSchema.optional(),
  /** Publish GPS coordinates in metadata and pages (off: privacy by default). */
  publishGps: z.boolean().default(false),
  /** Largest picture decoded, in pixels (protects against pixel bombs). */
  pixelLimit: z.int().positive().default(DEFAULT_PIXEL_LIMIT),
}).superRefine((process, ctx) => {
  // Pixel sizes and positions that no picture Rotunda decodes could hold.
  const largest = largestPanorama(process.pixelLimit);
  const limit = `the largest panorama Rotunda decodes is ${largest.width}×${largest.height} px (process.pixelLimit ${process.pixelLimit})`;
  const watermark = process.watermark;
  if (!watermark) return;
  if (typeof watermark.width === "number" && watermark.width > largest.width) {
    ctx.addIssue({ code: "custom", path: ["watermark", "width"], message: `${watermark.width} px is wider than any picture: ${limit}; use a smaller width or a percentage like "6%"` });
  }
  const [x, y] = positionOffsets(watermark.position) ?? [];
  if ((x && !x.percent && x.value > largest.width) || (y && !y.percent && y.value > largest.height)) {
    ctx.addIssue({ code: "custom", path: ["watermark", "position"], message: `"${watermark.position}" is outside every picture: ${limit}` });
  }
});

/** OpenStreetMap's standard tiles, with the attribution their usage policy asks for. */
export const DEFAULT_MAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
export const DEFAULT_MAP_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';

const placesSchema = z.strictObject({
  /** Pictures with GPS within this many metres of each other are one place (off unless set). */
  byGps: z.number().positive().max(10_000).optional(),
});

/** Automatic tour links between pictures whose GPS puts them within `radius` metres; `false` turns them off. */
const tourSchema = z.union([
  z.literal(false),
  z.strictObject({ radius: z.number().positive().max(10_000).default(30) }),
], { error: 'use false (no automatic links) or { "radius": <metres> }' });

/** The map (used only with process.publishGps): a tile URL template and the attribution its provider asks for. */
const mapSchema = z.strictObject({
  tiles: z
    .string()
    .regex(/^https?:\/\//, "must be an http:// or https:// URL template")
    .refine((t) => ["{z}", "{x}", "{y}"].every((part) => t.includes(part)), 'must contain {z}, {x} and {y}, like "https://tile.openstreetmap.org/{z}/{x}/{y}.png"')
    .default(DEFAULT_MAP_TILES),
  attribution: z.string().default(DEFAULT_MAP_ATTRIBUTION),
});

/**
 * The bucket as shared processing cache: the S3-compatible bucket and prefix the
 * site deploys to, which also keeps what process made of each original.
 */
const cacheSchema = z.strictObject({
  url: z.string().regex(/^s3:\/\/[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}(\/.*)?$/, 'must be "s3://bucket/prefix"'),
  /** S3-compatible endpoint (R2, MinIO, Ceph, Swift…); AWS S3 when absent. */
  endpoint: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  region: z.string().min(1).optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  title: z.string().default("Rotunda gallery"),
  description: z.string().optional(),
  /** Public URL of the site, used for absolute links (social cards, sitemap). */
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  /** `.br` and `.gz` files beside the site's text files, for servers that send them as they are. */
  precompress: z.boolean().default(true),
  cameras: z.array(cameraSchema).default([]),
  pull: pullSchema.prefault({}),
  process: processSchema.prefault({}),
  /** Pictures per listing page (home, albums, tags, places, dates). */
  pageSize: z.int().min(1).max(1000).default(48),
  places: placesSchema.prefault({}),
  tour: tourSchema.prefault({}),
  map: mapSchema.prefault({}),
  cache: cacheSchema.optional(),
}).superRefine((config, ctx) => {
  const seen = new Set<string>();
  config.cameras.forEach((camera, i) => {
    if (seen.has(camera.name)) {
      ctx.addIssue({ code: "custom", path: ["cameras", i, "name"], message: `camera name "${camera.name}" is used twice` });
    }
    seen.add(camera.name);
  });
});

export type GalleryConfig = z.infer<typeof configSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
export type ProcessConfig = z.infer<typeof processSchema>;
export type PullConfig = z.infer<typeof pullSchema>;
export type CacheConfig = z.infer<typeof cacheSchema>;
export type WatermarkConfig = z.infer<typeof watermarkSchema>;
export type NadirConfig = z.infer<typeof nadirSchema>;
export type MapConfig = z.infer<typeof mapSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** One line per problem, naming the camera where there is one: `cameras[1] (lobby).url: must be …`. */
function describeIssues(error: z.ZodError, raw: unknown): string {
  return error.issues
    .map((issue) => {
      let where = issue.path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("");
      if (issue.path[0] === "cameras" && typeof issue.path[1] === "number") {
        const name = (raw as { cameras?: Array<{ name?: unknown }> }).cameras?.[issue.path[1]]?.name;
        if (typeof name === "string") where = where.replace(/^cameras\[\d+\]/, `$& (${name})`);
      }
      const message =
        issue.code === "unrecognized_keys" ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
      return where ? `${where}: ${message}` : message;
    })
    .join("\n");
}

export function parseConfig(raw: unknown, source = CONFIG_FILE): GalleryConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${source}: invalid configuration\n${describeIssues(result.error, raw)}`);
  return result.data;
}

/** Reads `<galleryDir>/rotunda.json`; a gallery without one gets the defaults. */
export async function loadConfig(galleryDir: string): Promise<GalleryConfig> {
  const file = path.join(galleryDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return parseConfig({});
    throw error;
  }
  let raw: unknown;
  try {
    // Some editors start a UTF-8 file with a byte order mark, which JSON does not allow.
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(raw, file);
}
