/**
 * Nadir patch: a (round) logo laid on the bottom pole of the sphere, the cap
 * that hides the tripod.
 *
 * The logo lies on the plane tangent to the sphere at the nadir (gnomonic
 * projection, so it looks undistorted from the centre when looking straight
 * down): a direction at angular distance θ from the nadir and yaw ψ hits the
 * plane at distance tan θ from the pole, at (tan θ · sin ψ, tan θ · cos ψ) in
 * (right, up) logo axes; the logo's half-width is tan(angle). Seen by a viewer
 * looking straight down with yaw 0 (Pannellum), the logo is upright: its top
 * points to yaw 0 and its right to yaw 90°. `rotate` turns its top to yaw =
 * rotate. The cap is cut to the circle θ ≤ angle, anti-aliased over one row.
 */
import sharp from "sharp";
import type { Crop } from "./types.ts";

export interface NadirOptions {
  /** Angular radius of the cap in degrees (0 < angle < 90), default 20. */
  angle?: number;
  /** 0…1, default 1. */
  opacity?: number;
  /** Degrees: yaw the top of the logo points to, default 0. */
  rotate?: number;
  /**
   * The picture is a partial panorama placed in its sphere like this: the
   * overlay is then in the picture's own pixels (its columns, rows clipped to
   * it; height 0 when the cap misses the picture).
   */
  crop?: Crop;
}

export interface NadirOverlay {
  /** RGBA, not premultiplied, width × height. */
  data: Buffer;
  width: number;
  height: number;
  /** Row of the panorama where the overlay's first row goes. */
  top: number;
}

/** Loads the logo as a square RGBA raw image of about `size` px (premultiplied afterwards by the caller). */
async function loadLogo(logo: string | Buffer, size: number): Promise<{ data: Buffer; size: number }> {
  const meta = await sharp(logo).metadata();
  const longest = Math.max(meta.width ?? size, meta.height ?? size);
  // Vector logos are rendered at the density that gives the wanted size.
  const density = meta.format === "svg" ? Math.min(2400, Math.max(1, (72 * size) / longest)) : undefined;
  const input = density ? sharp(logo, { density }) : sharp(logo);
  const { data, info } = await input
    .ensureAlpha()
    .resize(size, size, { fit: "contain", background: { r: 0, g: 0, b: 0, alpha: 0 }, kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4 || info.width !== size || info.height !== size) throw new Error("unexpected logo decode");
  return { data, size };
}

export async function nadirOverlay(
  logo: string | Buffer,
  pano: { width: number; height: number },
  options: NadirOptions = {},
): Promise<NadirOverlay> {
  const angle = options.angle ?? 20;
  const opacity = Math.max(0, Math.min(1, options.opacity ?? 1));
  const rotate = ((options.rotate ?? 0) * Math.PI) / 180;
  if (!(angle > 0 && angle < 90)) throw new RangeError("angle must be in (0, 90) degrees");
  const { width: W, height: imageHeight } = pano;
  if (!(Number.isInteger(W) && Number.isInteger(imageHeight) && W > 0 && imageHeight > 0)) throw new RangeError("bad panorama size");
  // Geometry in the full sphere's pixels; the picture is rows [top0, top0 + imageHeight) and columns left0 + i of it.
  const crop = options.crop;
  const fullW = crop?.fullWidth ?? W;
  const H = crop?.fullHeight ?? imageHeight;
  const left0 = crop?.left ?? 0;
  const top0 = crop?.top ?? 0;
  const alpha = (angle * Math.PI) / 180;
  const tanA = Math.tan(alpha);
  const rowAngle = Math.PI / H;

  // Logo resolution: about one logo pixel per panorama row at the pole
  // (plane scale 1 per radian there), so bilinear sampling does not alias.
  const L = Math.max(16, Math.min(4096, Math.round((2 * tanA) / rowAngle)));
  const { data: logoRgba } = await loadLogo(logo, L);
  // Premultiply so that colour under transparent pixels never bleeds in.
  const pre = new Float32Array(L * L * 4);
  for (let k = 0; k < L * L; k++) {
    const a = logoRgba[k * 4 + 3]! / 255;
    pre[k * 4] = logoRgba[k * 4]! * a;
    pre[k * 4 + 1] = logoRgba[k * 4 + 1]! * a;
    pre[k * 4 + 2] = logoRgba[k * 4 + 2]! * a;
    pre[k * 4 + 3] = a;
  }

  // Rows whose extent reaches within the cap (plus one row for the soft edge), clipped to the picture.
  const capTop = Math.max(0, Math.floor(H * (1 - angle / 180)) - 1);
  const first = Math.max(capTop, top0);
  const end = Math.min(H, top0 + imageHeight);
  const top = Math.min(first, end) - top0; // in the picture's rows
  const height = Math.max(0, end - first);
  const out = Buffer.alloc(W * height * 4);

  const colSin = new Float64Array(W);
  const colCos = new Float64Array(W);
  for (let i = 0; i < W; i++) {
    const yaw = ((((left0 + i) % fullW) + 0.5) / fullW - 0.5) * 2 * Math.PI - rotate;
    colSin[i] = Math.sin(yaw);
    colCos[i] = Math.cos(yaw);
  }
  // logo pixel coordinate (continuous, centres at +0.5) of plane coordinate p ∈ [−tanA, tanA]
  const scale = L / 2 / tanA;
  for (let r = 0; r < height; r++) {
    const j = first + r; // full-sphere row
    // angular distance of the row centre from the nadir (pitch + 90°)
    const fromNadir = Math.PI - (j + 0.5) * rowAngle;
    const edge = Math.max(0, Math.min(1, (alpha - fromNadir) / rowAngle + 0.5));
    if (edge === 0) continue;
    const t = Math.tan(fromNadir) * scale;
    const rowOut = r * W * 4;
    for (let i = 0; i < W; i++) {
      // logo axes: x right, y down (image rows), "up" = −y
      const lx = L / 2 + t * colSin[i]! - 0.5;
      const ly = L / 2 - t * colCos[i]! - 0.5;
      if (lx <= -1 || ly <= -1 || lx >= L || ly >= L) continue;
      const x0 = Math.floor(lx);
      const y0 = Math.floor(ly);
      const fx = lx - x0;
      const fy = ly - y0;
      let R = 0;
      let G = 0;
      let B = 0;
      let A = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = y0 + dy;
        if (yy < 0 || yy >= L) continue;
        const wy = dy ? fy : 1 - fy;
        for (let dx = 0; dx < 2; dx++) {
          const xx = x0 + dx;
          if (xx < 0 || xx >= L) continue; // transparent outside the logo
          const w = (dx ? fx : 1 - fx) * wy;
          const p = (yy * L + xx) * 4;
          R += pre[p]! * w;
          G += pre[p + 1]! * w;
          B += pre[p + 2]! * w;
          A += pre[p + 3]! * w;
        }
      }
      if (A <= 0) continue;
      const o = rowOut + i * 4;
      out[o] = Math.min(255, R / A + 0.5);
      out[o + 1] = Math.min(255, G / A + 0.5);
      out[o + 2] = Math.min(255, B / A + 0.5);
      out[o + 3] = Math.min(255, A * edge * opacity * 255 + 0.5);
    }
  }
  return { data: out, width: W, height, top };
}
