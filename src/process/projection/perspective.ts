/**
 * Rectilinear (perspective) view of an equirectangular, e.g. a social card.
 *
 * The camera is Pannellum's (libpannellum.js render()): the world → eye
 * rotation is M = Ry(yaw) · Rx(−pitch) · Rz(−roll) built with its rotateMatrix,
 * the eye looks along −z with +x right and +y up, and hfov spans the output's
 * width. Output pixel (i, j) has its centre at (i + 0.5, j + 0.5); its ray in
 * eye space is (i + 0.5 − w/2, h/2 − j − 0.5, −f) with f = (w/2) / tan(hfov/2),
 * and in the world Mᵀ times that.
 */
import { fastAtan2 } from "./fastmath.ts";
import { EquirectSampler } from "./sample.ts";
// The viewer's own horizon math, so the placeholder of the initial view is what the viewer draws.
export { applyHorizon } from "../../client/horizon.ts";
import type { Crop, RawImage, Rgb } from "./types.ts";

export interface View {
  /** Degrees, 0 = centre of the equirectangular, positive to the right. */
  yaw: number;
  /** Degrees, positive up. */
  pitch: number;
  /** Horizontal field of view in degrees (0 < hfov < 180). */
  hfov: number;
  /** Degrees, Pannellum's sense. */
  roll?: number;
}

export interface PerspectiveOptions {
  crop?: Crop;
  background?: Rgb;
  /**
   * Samples per output pixel along each axis (box filter of bilinear samples);
   * by default just enough that samples are no further apart than source
   * pixels at the view's centre (1 to 8).
   */
  supersample?: number;
}

type M3 = [number, number, number, number, number, number, number, number, number];

/** libpannellum's rotateMatrix (row-major 3 × 3). */
function rotate(m: M3, angle: number, axis: "x" | "y" | "z"): M3 {
  const s = Math.sin(angle);
  const c = Math.cos(angle);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m;
  if (axis === "x") return [m0, c * m1 + s * m2, c * m2 - s * m1, m3, c * m4 + s * m5, c * m5 - s * m4, m6, c * m7 + s * m8, c * m8 - s * m7];
  if (axis === "y") return [c * m0 - s * m2, m1, c * m2 + s * m0, c * m3 - s * m5, m4, c * m5 + s * m3, c * m6 - s * m8, m7, c * m8 + s * m6];
  return [c * m0 + s * m1, c * m1 - s * m0, m2, c * m3 + s * m4, c * m4 - s * m3, m5, c * m6 + s * m7, c * m7 - s * m6, m8];
}

/** World → eye rotation of a view, as libpannellum builds it. */
export function viewMatrix(view: View): M3 {
  const rad = Math.PI / 180;
  let m: M3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  m = rotate(m, -(view.roll ?? 0) * rad, "z");
  m = rotate(m, -view.pitch * rad, "x");
  m = rotate(m, view.yaw * rad, "y");
  return m;
}

export function renderPerspective(
  raw: RawImage,
  view: View,
  size: { width: number; height: number } = { width: 1200, height: 630 },
  cropOrOptions?: Crop | PerspectiveOptions,
): RawImage {
  const options: PerspectiveOptions =
    cropOrOptions && "fullWidth" in cropOrOptions ? { crop: cropOrOptions } : (cropOrOptions ?? {});
  const { width, height } = size;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError("bad output size");
  if (!(view.hfov > 0 && view.hfov < 180)) throw new RangeError("hfov must be in (0, 180)");
  const src = new EquirectSampler(raw, options.crop, options.background);
  const W = src.fullWidth;
  const H = src.fullHeight;
  const f = width / 2 / Math.tan((view.hfov * Math.PI) / 360);
  // Angular size of an output pixel at the centre vs. a source pixel.
  const ratio = (1 / f) / ((2 * Math.PI) / W);
  const ss = Math.max(1, Math.min(8, Math.round(options.supersample ?? Math.ceil(ratio - 0.05))));
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = viewMatrix(view);
  const out = Buffer.alloc(width * height * 3);
  // One row of sub-samples at a time: coordinates, then the sampler's row loop.
  const count = width * ss;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  const samples = new Uint8Array(count * 3);
  const acc = new Uint32Array(width * 3);
  const inv2pi = 1 / (2 * Math.PI);
  const ez = -f;
  for (let j = 0; j < height; j++) {
    acc.fill(0);
    for (let sj = 0; sj < ss; sj++) {
      const ey = height / 2 - (j + (sj + 0.5) / ss);
      for (let k = 0; k < count; k++) {
        const ex = (k + 0.5) / ss - width / 2;
        // world = Mᵀ · eye
        const x = m0 * ex + m3 * ey + m6 * ez;
        const y = m1 * ex + m4 * ey + m7 * ez;
        const z = m2 * ex + m5 * ey + m8 * ez;
        xs[k] = (fastAtan2(x, -z) * inv2pi + 0.5) * W;
        ys[k] = (0.5 - fastAtan2(y, Math.sqrt(x * x + z * z)) / Math.PI) * H;
      }
      src.sampleRow(xs, ys, count, samples, 0);
      for (let k = 0, i3 = 0; k < count; i3 += 3) {
        for (let si = 0; si < ss; si++, k++) {
          acc[i3]! += samples[k * 3]!;
          acc[i3 + 1]! += samples[k * 3 + 1]!;
          acc[i3 + 2]! += samples[k * 3 + 2]!;
        }
      }
    }
    const n = ss * ss;
    const row = j * width * 3;
    for (let k = 0; k < width * 3; k++) out[row + k] = (acc[k]! + (n >> 1)) / n;
  }
  return { data: out, width, height, channels: 3 };
}
