/**
 * Sampling of an equirectangular raw image at continuous full-panorama pixel
 * coordinates (X, Y) — see types.ts for the pixel-centre convention: the
 * centre of pixel (i, j) is (i + 0.5, j + 0.5).
 *
 * Horizontally the panorama wraps (X and X + fullWidth are the same place);
 * vertically it clamps at the poles. A cropped (partial) panorama is placed in
 * its full sphere; outside it the background colour is returned, inside it the
 * edge pixels are clamped (no blending with the background).
 */
import type { Crop, RawImage, Rgb } from "./types.ts";

export class EquirectSampler {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Size of the full sphere in pixels of this image. */
  readonly fullWidth: number;
  readonly fullHeight: number;
  readonly left: number;
  readonly top: number;
  /** The image covers all longitudes: bilinear wraps instead of clamping. */
  readonly wraps: boolean;
  readonly bg0: number;
  readonly bg1: number;
  readonly bg2: number;

  constructor(raw: RawImage, crop?: Crop, background: Rgb = [0, 0, 0]) {
    const { width, height, channels } = raw;
    if (!(width > 0 && height > 0)) throw new RangeError("empty image");
    if (channels !== 3 && channels !== 4) throw new RangeError(`channels must be 3 or 4, got ${String(channels)}`);
    if (raw.data.length < width * height * channels) throw new RangeError("raw data shorter than width × height × channels");
    // A plain Uint8Array view (not a Buffer) keeps the element loads monomorphic.
    const d = raw.data;
    this.data = new Uint8Array(d.buffer, d.byteOffset, width * height * channels);
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.fullWidth = crop?.fullWidth ?? width;
    this.fullHeight = crop?.fullHeight ?? height;
    this.left = crop?.left ?? 0;
    this.top = crop?.top ?? 0;
    if (this.fullWidth < width || this.fullHeight < height) throw new RangeError("crop: full size smaller than the image");
    this.wraps = this.fullWidth === width;
    [this.bg0, this.bg1, this.bg2] = background;
  }

  /** True when the image is a full sphere (no background anywhere). */
  get isFull(): boolean {
    return this.wraps && this.fullHeight === this.height;
  }

  // Result of locate(): byte offsets of the four neighbours and their weights.
  private p00 = 0;
  private p01 = 0;
  private p10 = 0;
  private p11 = 0;
  private w00 = 0;
  private w01 = 0;
  private w10 = 0;
  private w11 = 0;

  /**
   * Finds the four source pixels around full-panorama coordinates (X, Y) and
   * their bilinear weights; false when (X, Y) lies outside a partial panorama.
   */
  private locate(X: number, Y: number): boolean {
    const w = this.width;
    const h = this.height;
    // Relative to the image's top-left corner, in pixel-extent units.
    let xr = X - this.left;
    const fw = this.fullWidth;
    if (xr < 0 || xr >= fw) xr -= Math.floor(xr / fw) * fw;
    const yr = Y - this.top;
    let x0: number, x1: number, fx: number;
    if (this.wraps) {
      const x = xr - 0.5;
      const xf = Math.floor(x);
      fx = x - xf;
      x0 = xf < 0 ? xf + w : xf;
      x1 = x0 + 1 === w ? 0 : x0 + 1;
    } else {
      if (xr >= w) return false;
      let x = xr - 0.5;
      if (x < 0) x = 0;
      else if (x > w - 1) x = w - 1;
      x0 = Math.floor(x);
      fx = x - x0;
      x1 = x0 + 1 < w ? x0 + 1 : x0;
    }
    if ((yr < 0 || yr >= h) && this.fullHeight !== h) return false;
    let y = yr - 0.5;
    if (y < 0) y = 0;
    else if (y > h - 1) y = h - 1;
    const y0 = Math.floor(y);
    const fy = y - y0;
    const y1 = y0 + 1 < h ? y0 + 1 : y0;
    const c = this.channels;
    const r0 = y0 * w;
    const r1 = y1 * w;
    this.p00 = (r0 + x0) * c;
    this.p01 = (r0 + x1) * c;
    this.p10 = (r1 + x0) * c;
    this.p11 = (r1 + x1) * c;
    this.w11 = fx * fy;
    this.w01 = fx - this.w11;
    this.w10 = fy - this.w11;
    this.w00 = 1 - fx - fy + this.w11;
    return true;
  }

  /** Bilinear sample at full-panorama pixel coordinates (X, Y); writes RGB at out[o..o+2]. */
  sample(X: number, Y: number, out: Uint8Array, o: number): void {
    if (!this.locate(X, Y)) return this.background(out, o);
    const d = this.data;
    const { p00, p01, p10, p11, w00, w01, w10, w11 } = this;
    // + 0.5 then truncation (values are ≥ 0) rounds to nearest.
    out[o] = d[p00]! * w00 + d[p01]! * w01 + d[p10]! * w10 + d[p11]! * w11 + 0.5;
    out[o + 1] = d[p00 + 1]! * w00 + d[p01 + 1]! * w01 + d[p10 + 1]! * w10 + d[p11 + 1]! * w11 + 0.5;
    out[o + 2] = d[p00 + 2]! * w00 + d[p01 + 2]! * w01 + d[p10 + 2]! * w10 + d[p11 + 2]! * w11 + 0.5;
  }

  /**
   * Bilinear samples at (xs[k], ys[k]) for k < count, RGB written from out[o].
   * The full-sphere case (the hot loop of the cube faces) is inlined here.
   */
  sampleRow(xs: Float64Array, ys: Float64Array, count: number, out: Uint8Array, o: number): void {
    if (!this.isFull) {
      for (let k = 0; k < count; k++, o += 3) this.sample(xs[k]!, ys[k]!, out, o);
      return;
    }
    const w = this.width;
    const hm1 = this.height - 1;
    const c = this.channels;
    const rowBytes = w * c;
    const d = this.data;
    for (let k = 0; k < count; k++, o += 3) {
      let x = xs[k]! - 0.5;
      let y = ys[k]! - 0.5;
      if (x < 0 || x >= w) {
        x -= Math.floor(x / w) * w;
        if (x >= w) x = 0; // −ε wraps to w in floating point
      }
      if (y < 0) y = 0;
      else if (y > hm1) y = hm1;
      const x0 = x | 0;
      const fx = x - x0;
      const x1 = x0 + 1 === w ? 0 : x0 + 1;
      const y0 = y | 0;
      const fy = y - y0;
      const r0 = y0 * rowBytes;
      const r1 = y0 < hm1 ? r0 + rowBytes : r0;
      const p00 = r0 + x0 * c;
      const p01 = r0 + x1 * c;
      const p10 = r1 + x0 * c;
      const p11 = r1 + x1 * c;
      const w11 = fx * fy;
      const w01 = fx - w11;
      const w10 = fy - w11;
      const w00 = 1 - fx - fy + w11;
      out[o] = d[p00]! * w00 + d[p01]! * w01 + d[p10]! * w10 + d[p11]! * w11 + 0.5;
      out[o + 1] = d[p00 + 1]! * w00 + d[p01 + 1]! * w01 + d[p10 + 1]! * w10 + d[p11 + 1]! * w11 + 0.5;
      out[o + 2] = d[p00 + 2]! * w00 + d[p01 + 2]! * w01 + d[p10 + 2]! * w10 + d[p11 + 2]! * w11 + 0.5;
    }
  }

  private background(out: Uint8Array, o: number): void {
    out[o] = this.bg0;
    out[o + 1] = this.bg1;
    out[o + 2] = this.bg2;
  }

  /** Full-panorama pixel coordinates of a direction (radians). */
  xOfYaw(yaw: number): number {
    return (yaw / (2 * Math.PI) + 0.5) * this.fullWidth;
  }
  yOfPitch(pitch: number): number {
    return (0.5 - pitch / Math.PI) * this.fullHeight;
  }
}

/**
 * Angular extent (degrees, Pannellum's yaw/pitch) of a partial panorama of
 * width × height placed by `crop`, e.g. for the viewer's minYaw/maxYaw/
 * minPitch/maxPitch. A panorama covering all longitudes gives ±180.
 */
export function cropBounds(crop: Crop, width: number, height: number): { minYaw: number; maxYaw: number; minPitch: number; maxPitch: number } {
  const full = width >= crop.fullWidth;
  return {
    minYaw: full ? -180 : (crop.left / crop.fullWidth - 0.5) * 360,
    maxYaw: full ? 180 : ((crop.left + width) / crop.fullWidth - 0.5) * 360,
    maxPitch: 90 - (crop.top / crop.fullHeight) * 180,
    minPitch: 90 - ((crop.top + height) / crop.fullHeight) * 180,
  };
}
