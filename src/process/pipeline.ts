// One original → every web output, from a single decode.
//
// The original is decoded once to raw sRGB pixels; each output is then encoded
// from that buffer (sharp reads raw input without decoding again). Outputs are
// written to a temp name and renamed, so a crash never leaves a truncated file
// under a final, content-hashed name.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp, { type OutputInfo, type Sharp } from "sharp";
import type { ExifTool } from "exiftool-vendored";
import type { FileRef, ImageRef, MetadataEntry, Variant, ViewerConfig } from "../manifest.ts";
import { panoGeometry, viewerConfig } from "./gpano.ts";
import { recipeHash } from "./hash.ts";
import { metadataTable, readMetadata } from "./metadata.ts";
import type { PictureFormat } from "./scan.ts";

/** Bumped when the pipeline's code changes what it makes, so old outputs are re-made. */
export const PIPELINE_VERSION = 1;
export const MEDIA_DIR = "media";

export interface ImageOptions {
  /** Widest web variant, px. */
  maxWidth: number;
  /** JPEG quality of the web variant. */
  quality: number;
  thumbnailWidth: number;
  previewWidth: number;
  publishGps: boolean;
  /** sharp's limit on input pixels (pixel bombs). */
  pixelLimit: number;
}

export const DEFAULT_IMAGE_OPTIONS: ImageOptions = {
  maxWidth: 8192,
  quality: 85,
  thumbnailWidth: 640,
  previewWidth: 128,
  publishGps: false,
  pixelLimit: 16384 * 8192,
};

/** What processing one original yields: everything in a panorama record that depends on its bytes. */
export interface ImageOutputs {
  format: PictureFormat;
  width: number;
  height: number;
  captureDate?: string;
  variants: Variant[];
  thumbnail: ImageRef;
  preview: ImageRef;
  metadata: FileRef;
  metadataTable: MetadataEntry[];
  viewer: ViewerConfig;
}

/** A picture that cannot be published, with why (shown as one line naming the file). */
export class PictureError extends Error {
  override name = "PictureError";
}

/** Turns sharp/libvips messages into a reader's cause. */
export function explainDecodeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) return "too many pixels (over the pixel limit): refusing to decode a possible pixel bomb";
  if (/premature end|truncated|Corrupt JPEG|out of data|EOF|Invalid SOS/i.test(message)) return "truncated or corrupt picture data";
  if (/unsupported image format|bad seek|Input file contains unsupported/i.test(message)) return "not a picture sharp can read";
  return message.split("\n")[0]!;
}

export interface ProcessContext {
  outputDir: string;
  exiftool: ExifTool;
  options: ImageOptions;
}

export async function processImage(
  source: { file: string; hash: string; format: PictureFormat },
  context: ProcessContext,
): Promise<ImageOutputs> {
  const { options, outputDir } = context;
  const folder = source.hash.slice(0, 12);
  const mediaDir = path.join(outputDir, MEDIA_DIR, folder);
  await mkdir(mediaDir, { recursive: true });
  const url = (name: string) => `/${MEDIA_DIR}/${folder}/${name}`;
  const recipe = (output: object) => recipeHash({ v: PIPELINE_VERSION, source: source.hash, ...output });

  const metadataPromise = readMetadata(context.exiftool, source.file, { publishGps: options.publishGps });
  metadataPromise.catch(() => {}); // awaited below; avoid an unhandled rejection while decoding fails first

  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await sharp(source.file, { limitInputPixels: options.pixelLimit, failOn: "error", sequentialRead: true })
      .flatten({ background: "#000000" }) // transparent PNGs: black, like the void around a partial panorama
      .toColourspace("srgb") // CMYK, Lab, 16-bit: all to 8-bit sRGB
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new PictureError(explainDecodeError(error));
  }
  const { width, height, channels } = raw.info;
  const metadata = await metadataPromise.catch((error: unknown) => {
    throw new PictureError(`metadata could not be read: ${(error as Error).message}`);
  });
  const geometry = panoGeometry(width, height, metadata.gpano);
  if ("error" in geometry) throw new PictureError(geometry.error);

  const fromRaw = () => sharp(raw.data, { raw: { width, height, channels } });
  const writeJpeg = async (name: string, pipeline: Sharp): Promise<ImageRef> => {
    const file = path.join(mediaDir, name);
    const temp = `${file}.tmp`;
    const info = await pipeline.toFile(temp);
    await rename(temp, file);
    return { url: url(name), bytes: info.size, width: info.width, height: info.height };
  };

  const webWidth = Math.min(width, options.maxWidth);
  const webHeight = Math.round((webWidth * height) / width);
  const webKey = recipe({ kind: "variant", width: webWidth, quality: options.quality });
  const thumbKey = recipe({ kind: "thumbnail", width: options.thumbnailWidth });
  const previewKey = recipe({ kind: "preview", width: options.previewWidth });

  const [web, thumbnail, preview] = await Promise.all([
    writeJpeg(
      `w${webWidth}-q${options.quality}-${webKey}.jpg`,
      (webWidth === width ? fromRaw() : fromRaw().resize(webWidth, webHeight, { kernel: "lanczos3" })).jpeg({ quality: options.quality }),
    ),
    writeJpeg(
      `thumb-${thumbKey}.jpg`,
      fromRaw().resize(options.thumbnailWidth, Math.round((options.thumbnailWidth * height) / width)).jpeg({ quality: 78 }),
    ),
    writeJpeg(
      `preview-${previewKey}.jpg`,
      fromRaw().resize(options.previewWidth, Math.round((options.previewWidth * height) / width)).jpeg({ quality: 60 }),
    ),
  ]);

  const metadataJson = JSON.stringify(metadata.published, null, 2) + "\n";
  const metaName = `metadata-${recipe({ kind: "metadata", publishGps: options.publishGps })}.json`;
  await writeFile(path.join(mediaDir, metaName), metadataJson);

  const format = source.format;
  return {
    format,
    width,
    height,
    ...(metadata.captureDate ? { captureDate: metadata.captureDate } : {}),
    variants: [{ ...web, quality: options.quality }],
    thumbnail,
    preview,
    metadata: { url: url(metaName), bytes: Buffer.byteLength(metadataJson) },
    metadataTable: metadataTable(metadata.published, { width, height }),
    viewer: viewerConfig(geometry, metadata.gpano),
  };
}
