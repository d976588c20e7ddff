// One original → every web output, from a single decode.
//
// The original is decoded once to raw sRGB pixels; the watermark and nadir patch
// are composited onto that buffer once; every output (quality ladder, smaller
// sizes, thumbnail, preview, social card, cube tiles) is then encoded from it —
// sharp reads raw input without decoding again. Files are written under a temp
// name and renamed, so a crash never leaves a truncated file under a final,
// content-hashed name.
import { mkdir, rename, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import sharp, { type OutputInfo, type Sharp } from "sharp";
import type { ExifTool } from "exiftool-vendored";
import { tempPath, writeFileAtomic } from "../files.ts";
import { limiter, type Limiter } from "../limit.ts";
import type { ProcessConfig } from "../config.ts";
import type { GpsPoint, ImageRef, MultiresRecord, PanoramaMedia, Placeholder, Variant, ViewerConfig } from "../manifest.ts";
import { panoGeometry, viewerConfig, type PanoGeometry } from "./gpano.ts";
import { recipeHash } from "./hash.ts";
import { metadataTable, readMetadata } from "./metadata.ts";
import { PictureError } from "./picture-error.ts";
import { applyHorizon, renderPerspective, writeMultires, type RawImage } from "./projection/index.ts";
import type { PictureFormat } from "./scan.ts";
import { blendInto, overlayLayers, type Overlays } from "./watermark.ts";
import { gpanoXmp } from "./xmp.ts";

/** Bumped when the pipeline's code changes what it makes, so old outputs are re-made. */
export const PIPELINE_VERSION = 3;
export const MEDIA_DIR = "media";

/** What processing one original needs to know: the gallery's process options, with their defaults applied. */
export interface ImageOptions {
  /** Full-size quality ladder. */
  qualities: number[];
  /** Quality of the viewer's variants. */
  quality: number;
  /** Smaller sizes (widths), kept when smaller than the original. */
  sizes: number[];
  /** Widest variant offered to the viewer. */
  maxWidth: number;
  thumbnailWidth: number;
  previewWidth: number;
  tiles: boolean;
  socialCard: boolean;
  publishGps: boolean;
  /** sharp's limit on input pixels (pixel bombs). */
  pixelLimit: number;
}

/** The image options of a gallery's (validated) process settings: the defaults live in the config schema. */
export function imageOptionsFrom(p: ProcessConfig): ImageOptions {
  return {
    qualities: p.qualities,
    quality: p.quality,
    sizes: p.sizes,
    maxWidth: p.maxWidth,
    thumbnailWidth: THUMBNAIL_WIDTH,
    previewWidth: PREVIEW_WIDTH,
    tiles: p.tiles,
    socialCard: p.socialCard,
    publishGps: p.publishGps,
    pixelLimit: p.pixelLimit,
  };
}

const THUMBNAIL_WIDTH = 640;
const PREVIEW_WIDTH = 256;

/** What processing one original yields: the record's media, and what the record takes from the picture's metadata. */
export interface ImageOutputs {
  format: PictureFormat;
  captureDate?: string;
  /** Where it was taken; null when the picture has no position (absent in outputs made before positions were read). */
  gps?: GpsPoint | null;
  media: PanoramaMedia;
}

/** The folder (relative to the output) that holds every output of the original with this content hash. */
export function mediaFolderOf(hash: string): string {
  return `${MEDIA_DIR}/${hash.slice(0, 12)}`;
}

export { PictureError };

/** Turns sharp/libvips messages into a reader's cause. */
export function explainDecodeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return "too many pixels (over the pixel limit): refusing to decode a possible pixel bomb";
  if (/premature end|truncated|Corrupt JPEG|out of data|EOF|Invalid SOS|read error|incomplete|IDAT/i.test(message)) return "truncated or corrupt picture data";
  if (/unsupported image format|bad seek|Input file contains unsupported/i.test(message)) return "not a picture sharp can read";
  // libvips keeps one error buffer for all threads: when several decodes fail at once, one can clear
  // another's message before sharp reads it. The file was recognised by its signature, so its data is bad.
  if (message === "" || message === "Unknown error") return "truncated or corrupt picture data";
  return message.split("\n")[0]!;
}

export interface ProcessContext {
  outputDir: string;
  exiftool: ExifTool;
  options: ImageOptions;
  overlays: Overlays;
  /** Limits JPEG encodes in flight across all pictures (default: one per core). */
  encodes?: Limiter;
}

/** Decodes an original to 8-bit sRGB (CMYK, 16-bit, alpha, palettes all end up here). */
async function decode(file: string, pixelLimit: number): Promise<RawImage & { data: Buffer; channels: 3 }> {
  try {
    const { data, info } = await sharp(file, { limitInputPixels: pixelLimit, failOn: "error", sequentialRead: true })
      .flatten({ background: "#000000" }) // transparent PNGs: black, like the void around a partial panorama
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new PictureError(explainDecodeError(error));
  }
}

/** Widths of the viewer's variants: the original (capped) and the smaller sizes. */
export function variantWidths(width: number, options: Pick<ImageOptions, "sizes" | "maxWidth">): number[] {
  const widths = new Set<number>([Math.min(width, options.maxWidth)]);
  for (const w of options.sizes) if (w < width && w <= options.maxWidth) widths.add(w);
  return [...widths].sort((a, b) => b - a);
}

export async function processImage(
  source: { file: string; hash: string; format: PictureFormat },
  context: ProcessContext,
): Promise<ImageOutputs> {
  const { options, outputDir, overlays } = context;
  const folder = mediaFolderOf(source.hash);
  const mediaDir = path.join(outputDir, folder);
  await mkdir(mediaDir, { recursive: true });
  const url = (name: string) => `/${folder}/${name}`;
  // Every output's name hashes the source, the overlays and its own settings.
  const recipe = (output: object) => recipeHash({ v: PIPELINE_VERSION, source: source.hash, overlays: overlays.key, ...output });

  const metadataPromise = readMetadata(context.exiftool, source.file, { publishGps: options.publishGps });
  metadataPromise.catch(() => {}); // awaited below; decoding may fail first

  const decoded = await decode(source.file, options.pixelLimit);
  const { width, height } = decoded;
  const metadata = await metadataPromise.catch((error: unknown) => {
    throw new PictureError(`metadata could not be read: ${(error as Error).message}`);
  });
  const geometry = panoGeometry(width, height, metadata.gpano);
  if ("error" in geometry) throw new PictureError(geometry.error);
  const viewer = viewerConfig(geometry, metadata.gpano);

  // Watermark and nadir patch, once, onto the decoded pixels (in place).
  const raw = decoded;
  for (const layer of await overlayLayers(geometry.full ? overlays : { ...overlays, nadir: undefined }, width, height)) {
    blendInto(raw.data, width, layer);
  }
  const fromRaw = () => sharp(raw.data, { raw: { width, height, channels: 3 } });

  const encodes = context.encodes ?? sharedEncodes;
  const writeImage = async (name: string, pipeline: Sharp): Promise<ImageRef> => {
    const info = await encodes(() => saveAtomic(pipeline, path.join(mediaDir, name)));
    return { url: url(name), bytes: info.size, width: info.width, height: info.height };
  };
  /** An equirectangular JPEG at some size and quality, with GPano XMP for that size. */
  // Named by what it is (full size or scaled), not by which list asked for it, so the
  // quick recipe's variant is the very file the full recipe makes and keeps: a page
  // opened between the two never loses its picture.
  // Huffman tables are optimised for what the viewer loads (the viewer's quality,
  // every size): with sharp's mozjpeg that costs 3-4 times the CPU of an encode
  // for 2-5 % fewer bytes, worth it only for what every reader downloads. The
  // other ladder steps (the comparison page, downloads) keep the standard tables.
  const equirect = async (w: number, quality: number): Promise<Variant> => {
    const kind = w === width ? "full" : "view";
    const h = Math.round((w * height) / width);
    const optimised = quality === options.quality;
    const key = recipe({ kind: "equirect", width: w, quality, ...(optimised ? {} : { huffman: "standard" }) });
    const pipeline = (w === width ? fromRaw() : fromRaw().resize(w, h, { kernel: "lanczos3" }))
      .jpeg({ quality, optimiseCoding: optimised })
      .withXmp(gpanoXmp(geometry, metadata.gpano, w, h));
    return { ...(await writeImage(`${kind}-w${w}-q${quality}-${key}.jpg`, pipeline)), quality };
  };
  // The thumbnail is scaled from the full picture once; the preview from the thumbnail.
  const thumbWidth = Math.min(options.thumbnailWidth, width);
  const thumbRaw = { width: thumbWidth, height: Math.round((thumbWidth * height) / width), channels: 3 as const };
  // Started now, awaited by the two small outputs: it runs beside the first big encodes.
  const thumbPixels = fromRaw().resize(thumbRaw.width, thumbRaw.height).raw().toBuffer();
  const small = async (kind: string, w: number, quality: number) => {
    const pixels = sharp(await thumbPixels, { raw: thumbRaw });
    return writeImage(
      `${kind}-${recipe({ kind, width: w, quality })}.jpg`,
      (w === thumbRaw.width ? pixels : pixels.resize(w, Math.round((w * height) / width))).jpeg({ quality }),
    );
  };

  const ladderQualities = [...new Set(options.qualities)].sort((a, b) => b - a);
  const widths = variantWidths(width, options);
  // The JPEGs are encoded on sharp's threads while this thread projects the social
  // card, the placeholder and the cube faces (their tiles encoded beside them), so a picture alone
  // keeps two cores busy. One picture projects at a time: its faces and the two
  // full-size encoders are what the peak of memory holds.
  const projected = projections(async () => {
    const card = options.socialCard ? makeSocialCard(raw, geometry, viewer, writeImage, recipe) : undefined;
    card?.catch(() => {}); // awaited below, after the tiles
    const placeholder = await makePlaceholder(raw, geometry, viewer);
    const tiles = options.tiles ? await makeTiles(raw, geometry, mediaDir, recipe, url) : undefined;
    return { socialCard: await card, placeholder, tiles };
  });
  const encoded = Promise.all([
    Promise.all(ladderQualities.map((q) => equirect(width, q))),
    // The full-size variant at the viewer's quality is shared with the ladder when it is on it.
    Promise.all(widths.filter((w) => w !== width || !ladderQualities.includes(options.quality)).map((w) => equirect(w, options.quality))),
    small("thumb", thumbWidth, 78),
    small("preview", Math.min(options.previewWidth, thumbWidth), 60),
  ]);
  // Both run to their end before a failure of either is told: nothing keeps writing after this returns.
  const [encodedResult, projectedResult] = await Promise.allSettled([encoded, projected]);
  if (encodedResult.status === "rejected") throw encodedResult.reason;
  if (projectedResult.status === "rejected") throw projectedResult.reason;
  const [ladder, sized, thumbnail, preview] = encodedResult.value;
  const { socialCard, placeholder, tiles } = projectedResult.value;
  const fullAtQuality = ladder.find((v) => v.quality === options.quality);
  const variants = [...sized, ...(fullAtQuality && width <= options.maxWidth ? [fullAtQuality] : [])].sort((a, b) => b.width - a.width);

  const metadataJson = JSON.stringify(metadata.published, null, 2) + "\n";
  const metaName = `metadata-${recipe({ kind: "metadata", publishGps: options.publishGps })}.json`;
  await writeFileAtomic(path.join(mediaDir, metaName), metadataJson);

  return {
    format: source.format,
    ...(metadata.captureDate ? { captureDate: metadata.captureDate } : {}),
    gps: metadata.gps ?? null,
    media: {
      width,
      height,
      variants,
      ladder,
      ...(tiles ? { tiles } : {}),
      ...(socialCard ? { socialCard } : {}),
      thumbnail,
      preview,
      placeholder,
      metadata: { url: url(metaName), bytes: Buffer.byteLength(metadataJson) },
      metadataTable: metadataTable(metadata.published, { width, height }),
      viewer,
    },
  };
}

type Recipe = (output: object) => string;

// One JPEG encode per core across every picture in flight: each full-size encode
// with optimised Huffman tables holds coefficient buffers for the whole picture,
// so more at once buys no speed and costs memory.
const sharedEncodes = limiter(availableParallelism());
// One picture's projections (card, cube faces) at a time: they run on this one
// thread anyway, and each picture's faces wait in memory for their encodes.
const projections = limiter(1);

/** 1200×630 perspective view of the initial direction, for link previews. */
async function makeSocialCard(
  raw: RawImage,
  geometry: PanoGeometry,
  viewer: ViewerConfig,
  writeImage: (name: string, pipeline: Sharp) => Promise<ImageRef>,
  recipe: Recipe,
): Promise<ImageRef> {
  const view = { yaw: viewer.yaw, pitch: viewer.pitch, hfov: Math.min(110, Math.max(60, viewer.hfov)) };
  const card = renderPerspective(raw, view, { width: 1200, height: 630 }, cropOf(geometry));
  return writeImage(
    `card-${recipe({ kind: "card", ...view })}.jpg`,
    sharp(card.data, { raw: { width: card.width, height: card.height, channels: card.channels } }).jpeg({ quality: 82 }),
  );
}

/**
 * The initial view as a few hundred bytes of JPEG, inlined in the page. Taller
 * than wide (5:8), so a frame of any shape down to a phone held upright shows
 * the viewer's horizontal field of view across its width.
 */
async function makePlaceholder(raw: RawImage, geometry: PanoGeometry, viewer: ViewerConfig): Promise<Placeholder> {
  const size = { width: 60, height: 96 };
  const view = applyHorizon({ yaw: viewer.yaw, pitch: viewer.pitch, hfov: viewer.hfov }, viewer.horizonPitch, viewer.horizonRoll);
  const picture = renderPerspective(raw, view, size, cropOf(geometry));
  const jpeg = await sharp(picture.data, { raw: { width: size.width, height: size.height, channels: 3 } })
    .jpeg({ quality: 50, mozjpeg: true })
    .toBuffer();
  return { dataUri: `data:image/jpeg;base64,${jpeg.toString("base64")}`, ...size };
}

/** Where a partial panorama sits in its sphere, as the projection code wants it; undefined for a full sphere. */
function cropOf(geometry: PanoGeometry) {
  return geometry.full ? undefined : { fullWidth: geometry.fullWidth, fullHeight: geometry.fullHeight, left: geometry.left, top: geometry.top };
}

/** Encodes under a temp name and renames, so a crash never leaves a truncated file under a final name. */
async function saveAtomic(pipeline: Sharp, file: string): Promise<OutputInfo> {
  const temp = tempPath(file);
  const info = await pipeline.toFile(temp);
  await rename(temp, file);
  return info;
}

/** Pannellum multires cube tiles in their own hashed folder, moved into place when complete. */
async function makeTiles(raw: RawImage, geometry: PanoGeometry, mediaDir: string, recipe: Recipe, url: (name: string) => string): Promise<MultiresRecord> {
  const name = `tiles-${recipe({ kind: "tiles", tileSize: 512, quality: 75, overview: 128 })}`;
  const dir = path.join(mediaDir, name);
  const temp = tempPath(dir);
  const crop = cropOf(geometry);
  const result = await writeMultires(raw, temp, { quality: 75, ...(crop ? { crop } : {}) });
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
  const { overview } = result;
  return {
    ...result.config,
    basePath: url(name),
    files: result.files,
    bytes: result.bytes,
    overview: { url: url(`${name}/${overview.file}`), bytes: overview.bytes, faceSize: overview.faceSize },
  };
}
