// Watermark and nadir patch: overlays composited onto the decoded original once,
// before any output is made, so every output carries them.
import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { DEFAULT_PIXEL_LIMIT, largestPanorama, positionOffsets, type NadirConfig, type WatermarkConfig } from "../config.ts";
import { recipeHash } from "./hash.ts";
import { PictureError } from "./picture-error.ts";
import { nadirOverlay } from "./projection/index.ts";

interface Size {
  width: number;
  height: number;
}

export interface Overlays {
  /** `logo` is the logo's own size, as it is decoded (vector logos at WATERMARK_DENSITY). */
  watermark?: WatermarkConfig & { bytes: Buffer; logo: Size };
  nadir?: NadirConfig & { bytes: Buffer };
  /** Hash of the overlay files' bytes and settings: part of every output's recipe. */
  key: string;
}

export class OverlayError extends Error {
  override name = "OverlayError";
}

/** Vector watermarks are rendered at this density (dots per inch), so they stay sharp when scaled. */
const WATERMARK_DENSITY = 300;

/**
 * Reads a logo and its size from its header. A logo with more pixels than a
 * picture may have is refused as a picture would be (a possible pixel bomb).
 */
async function readLogo(galleryDir: string, file: string, key: string, pixelLimit: number, density?: number): Promise<{ bytes: Buffer; size: Size }> {
  const abs = path.resolve(galleryDir, file);
  let bytes: Buffer;
  let size: Size;
  try {
    bytes = await readFile(abs);
    // The header only: the size is checked below, with a message naming the key.
    const meta = await sharp(bytes, { limitInputPixels: false, ...(density ? { density } : {}) }).metadata();
    if (!meta.width || !meta.height) throw new Error("no size");
    size = { width: meta.width, height: meta.height };
  } catch (error) {
    throw new OverlayError(`${key}: ${abs}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "not a picture sharp can read"}`);
  }
  if (size.width * size.height > pixelLimit) {
    throw new OverlayError(
      `${key}: ${abs} is ${size.width}×${size.height} px, more pixels than process.pixelLimit (${pixelLimit}) lets any picture have: refusing a possible pixel bomb`,
    );
  }
  return { bytes, size };
}

/**
 * Loads the logos named in the config once per run, and refuses, before any
 * picture is touched, a logo that no picture `pixelLimit` admits could hold.
 */
export async function loadOverlays(
  galleryDir: string,
  watermark?: WatermarkConfig,
  nadir?: NadirConfig,
  pixelLimit = DEFAULT_PIXEL_LIMIT,
): Promise<Overlays> {
  const overlays: Overlays = { key: "" };
  const largest = largestPanorama(pixelLimit);
  const tooLarge = (size: Size) => size.width > largest.width || size.height > largest.height;
  const limit = `the largest panorama Rotunda decodes is ${largest.width}×${largest.height} px (process.pixelLimit ${pixelLimit})`;
  if (watermark) {
    const { bytes, size: logo } = await readLogo(galleryDir, watermark.file, "process.watermark.file", pixelLimit, WATERMARK_DENSITY);
    overlays.watermark = { ...watermark, bytes, logo };
    const laid = watermarkSize(overlays.watermark, largest.width);
    if (tooLarge(laid)) {
      throw new OverlayError(
        watermark.width === undefined
          ? `process.watermark.file: ${path.resolve(galleryDir, watermark.file)} is ${logo.width}×${logo.height} px, larger than any picture: ${limit}; give process.watermark.width`
          : `process.watermark.width: ${JSON.stringify(watermark.width)} makes this ${logo.width}×${logo.height} logo ${laid.width}×${laid.height} px, larger than any picture: ${limit}`,
      );
    }
  }
  if (nadir) {
    const { bytes, size } = await readLogo(galleryDir, nadir.file, "process.nadir.file", pixelLimit);
    if (tooLarge(size)) {
      throw new OverlayError(`process.nadir.file: ${path.resolve(galleryDir, nadir.file)} is ${size.width}×${size.height} px, larger than any picture: ${limit}`);
    }
    overlays.nadir = { ...nadir, bytes };
  }
  overlays.key = recipeHash({
    watermark: overlays.watermark && { ...overlays.watermark, file: undefined, logo: undefined, bytes: recipeHash(overlays.watermark.bytes.toString("base64")) },
    nadir: overlays.nadir && { ...overlays.nadir, file: undefined, bytes: recipeHash(overlays.nadir.bytes.toString("base64")) },
  });
  return overlays;
}

/** The size the watermark is laid at on a picture `pictureWidth` px wide: its `width`, or its own, keeping its proportions. */
function watermarkSize(watermark: NonNullable<Overlays["watermark"]>, pictureWidth: number): Size {
  const { logo } = watermark;
  const width = logoWidth(watermark.width, pictureWidth) ?? logo.width;
  return { width, height: Math.max(1, Math.round((logo.height * width) / logo.width)) };
}

/** "+3000+1600" or "+50%+90%" → pixel offsets on a width×height picture. */
function parsePosition(position: string, width: number, height: number): { left: number; top: number } {
  const [x, y] = positionOffsets(position) ?? [];
  if (!x || !y) throw new OverlayError(`watermark position "${position}" is not "+X+Y"`);
  return { left: Math.round(x.percent ? (x.value / 100) * width : x.value), top: Math.round(y.percent ? (y.value / 100) * height : y.value) };
}

function logoWidth(width: number | string | undefined, pictureWidth: number): number | undefined {
  if (width === undefined) return undefined;
  return Math.max(1, Math.round(typeof width === "number" ? width : (parseFloat(width) / 100) * pictureWidth));
}

/** Multiplies an RGBA buffer's alpha by `opacity`, in place. */
function fade(rgba: Buffer, opacity: number): Buffer {
  if (opacity >= 1) return rgba;
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = Math.round(rgba[i]! * opacity);
  return rgba;
}

/** An RGBA image (alpha not premultiplied) to lay over the picture at (left, top). */
export interface Layer {
  data: Buffer;
  width: number;
  height: number;
  left: number;
  top: number;
}

/**
 * Lays `layer` over an RGB picture, in place ("over" operator). Only the layer's
 * own pixels are touched: no copy of the whole picture, as a sharp composite
 * of the full frame would make.
 */
export function blendInto(picture: Buffer, pictureWidth: number, layer: Layer): void {
  for (let y = 0; y < layer.height; y++) {
    let d = ((layer.top + y) * pictureWidth + layer.left) * 3;
    let s = y * layer.width * 4;
    for (let x = 0; x < layer.width; x++, d += 3, s += 4) {
      const a = layer.data[s + 3]!;
      if (a === 0) continue;
      const b = 255 - a;
      picture[d] = (layer.data[s]! * a + picture[d]! * b + 127) / 255;
      picture[d + 1] = (layer.data[s + 1]! * a + picture[d + 1]! * b + 127) / 255;
      picture[d + 2] = (layer.data[s + 2]! * a + picture[d + 2]! * b + 127) / 255;
    }
  }
}

/** The layers for a width×height picture: nadir patch first, watermark on top. */
export async function overlayLayers(overlays: Overlays, width: number, height: number): Promise<Layer[]> {
  const layers: Layer[] = [];
  if (overlays.nadir) {
    const patch = await nadirOverlay(overlays.nadir.bytes, { width, height }, { angle: overlays.nadir.angle, opacity: overlays.nadir.opacity });
    if (patch.height > 0) layers.push({ data: patch.data, width: patch.width, height: patch.height, left: 0, top: patch.top });
  }
  if (overlays.watermark) layers.push(await watermarkLayer(overlays.watermark, width, height));
  return layers;
}

/**
 * The watermark for a width×height picture, placed at its position and moved
 * back inside where it would overhang the right or bottom edge. A watermark
 * larger than the picture, or placed beyond its edge, is this picture's error,
 * found before the logo is scaled.
 */
async function watermarkLayer(watermark: NonNullable<Overlays["watermark"]>, width: number, height: number): Promise<Layer> {
  const size = watermarkSize(watermark, width);
  const tooLarge = () =>
    new PictureError(
      `the watermark would be ${size.width}×${size.height} px, larger than this ${width}×${height} picture: ` +
        `give process.watermark.width ${typeof watermark.width === "string" ? "a smaller percentage" : "as a percentage"}`,
    );
  if (size.width > width || size.height > height) throw tooLarge();
  const at = parsePosition(watermark.position, width, height);
  if (at.left > width || at.top > height) {
    throw new PictureError(`watermark position "${watermark.position}" is outside this ${width}×${height} picture: give it as a percentage, like "+2%+2%"`);
  }
  let logo = sharp(watermark.bytes, { density: WATERMARK_DENSITY }).ensureAlpha();
  if (watermark.width !== undefined) logo = logo.resize({ width: size.width });
  const { data, info } = await logo.raw().toBuffer({ resolveWithObject: true });
  if (info.width > width || info.height > height) throw tooLarge();
  return {
    data: fade(data, watermark.opacity),
    width: info.width,
    height: info.height,
    left: Math.min(Math.max(0, at.left), width - info.width),
    top: Math.min(Math.max(0, at.top), height - info.height),
  };
}
