// Watermark and nadir patch: overlays composited onto the decoded original once,
// before any output is made, so every output carries them.
import { readFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { NadirConfig, WatermarkConfig } from "../config.ts";
import { recipeHash } from "./hash.ts";
import { nadirOverlay } from "./projection/index.ts";

export interface Overlays {
  watermark?: WatermarkConfig & { bytes: Buffer };
  nadir?: NadirConfig & { bytes: Buffer };
  /** Hash of the overlay files' bytes and settings: part of every output's recipe. */
  key: string;
}

export class OverlayError extends Error {
  override name = "OverlayError";
}

async function readLogo(galleryDir: string, file: string, what: string): Promise<Buffer> {
  const abs = path.resolve(galleryDir, file);
  try {
    const bytes = await readFile(abs);
    await sharp(bytes).metadata();
    return bytes;
  } catch (error) {
    throw new OverlayError(`${what} ${abs}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "not a picture sharp can read"}`);
  }
}

/** Loads the logos named in the config once per run. */
export async function loadOverlays(galleryDir: string, watermark?: WatermarkConfig, nadir?: NadirConfig): Promise<Overlays> {
  const overlays: Overlays = { key: "" };
  if (watermark) overlays.watermark = { ...watermark, bytes: await readLogo(galleryDir, watermark.file, "watermark") };
  if (nadir) overlays.nadir = { ...nadir, bytes: await readLogo(galleryDir, nadir.file, "nadir logo") };
  overlays.key = recipeHash({
    watermark: overlays.watermark && { ...overlays.watermark, file: undefined, bytes: recipeHash(overlays.watermark.bytes.toString("base64")) },
    nadir: overlays.nadir && { ...overlays.nadir, file: undefined, bytes: recipeHash(overlays.nadir.bytes.toString("base64")) },
  });
  return overlays;
}

/** "+3000+1600" or "+50%+90%" → pixel offsets on a width×height picture. */
export function parsePosition(position: string, width: number, height: number): { left: number; top: number } {
  const m = /^([+-]\d+(?:\.\d+)?)(%?)([+-]\d+(?:\.\d+)?)(%?)$/.exec(position);
  if (!m) throw new OverlayError(`watermark position "${position}" is not "+X+Y"`);
  const x = Number(m[1]);
  const y = Number(m[3]);
  return { left: Math.round(m[2] ? (x / 100) * width : x), top: Math.round(m[4] ? (y / 100) * height : y) };
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
  if (overlays.watermark) {
    const w = overlays.watermark;
    const resizeTo = logoWidth(w.width, width);
    let logo = sharp(w.bytes, { density: 300 }).ensureAlpha();
    if (resizeTo) logo = logo.resize({ width: resizeTo });
    const { data, info } = await logo.raw().toBuffer({ resolveWithObject: true });
    // Fit inside the picture: sharp refuses an overlay larger than its base.
    let input = data;
    let lw = info.width;
    let lh = info.height;
    if (lw > width || lh > height) {
      const s = Math.min(width / lw, height / lh);
      const fitted = await sharp(data, { raw: { width: lw, height: lh, channels: 4 } })
        .resize(Math.max(1, Math.floor(lw * s)), Math.max(1, Math.floor(lh * s)))
        .raw()
        .toBuffer({ resolveWithObject: true });
      input = fitted.data;
      lw = fitted.info.width;
      lh = fitted.info.height;
    }
    const at = parsePosition(w.position, width, height);
    layers.push({
      data: fade(Buffer.from(input), w.opacity),
      width: lw,
      height: lh,
      left: Math.min(Math.max(0, at.left), width - lw),
      top: Math.min(Math.max(0, at.top), height - lh),
    });
  }
  return layers;
}
