/**
 * Cube faces as libpannellum's multires renderer lays them out
 * (createCube() in libpannellum.js, texture coords (0,0) (1,0) (1,1) (0,1) on
 * the four vertices, so the first vertex is the tile's top-left pixel).
 *
 * A face is given by its centre c (unit axis), the direction of its image
 * columns R ("right") and of its image rows D ("down"). The face pixel (i, j)
 * of an n × n face has its centre at a = 2(i + 0.5)/n − 1, b = 2(j + 0.5)/n − 1
 * (both in (−1, 1)) and looks along c + a·R + b·D. Axes as in types.ts:
 * +x right, +y up, −z front.
 *
 *   f: c −z  R +x  D −y      b: c +z  R −x  D −y
 *   u: c +y  R +x  D −z      d: c −y  R +x  D +z
 *   l: c −x  R −z  D −y      r: c +x  R +z  D −y
 *
 * so "u" has the front at its bottom edge and "d" has the front at its top edge.
 */
import { fastAtan, fastAtan2 } from "./fastmath.ts";
import type { EquirectSampler } from "./sample.ts";

export type FaceName = "f" | "b" | "u" | "d" | "l" | "r";
type Vec3 = readonly [number, number, number];

export interface Face {
  name: FaceName;
  c: Vec3;
  r: Vec3;
  d: Vec3;
}

/** In generate.py's (and libpannellum's multires node) order. */
export const FACES: readonly Face[] = [
  { name: "f", c: [0, 0, -1], r: [1, 0, 0], d: [0, -1, 0] },
  { name: "b", c: [0, 0, 1], r: [-1, 0, 0], d: [0, -1, 0] },
  { name: "u", c: [0, 1, 0], r: [1, 0, 0], d: [0, 0, -1] },
  { name: "d", c: [0, -1, 0], r: [1, 0, 0], d: [0, 0, 1] },
  { name: "l", c: [-1, 0, 0], r: [0, 0, -1], d: [0, -1, 0] },
  { name: "r", c: [1, 0, 0], r: [0, 0, 1], d: [0, -1, 0] },
];

export function faceByName(name: FaceName): Face {
  const f = FACES.find((x) => x.name === name);
  if (!f) throw new RangeError(`unknown face ${name}`);
  return f;
}

/** Unit direction of (yaw, pitch) in radians. */
export function direction(yaw: number, pitch: number): [number, number, number] {
  const cp = Math.cos(pitch);
  return [cp * Math.sin(yaw), Math.sin(pitch), -cp * Math.cos(yaw)];
}

/**
 * Which face a direction hits and where: continuous face pixel coordinates
 * (u, v) in [0, size] (pixel i covers [i, i+1)).
 */
export function directionToFace(dir: readonly [number, number, number], size: number): { face: Face; u: number; v: number } {
  let best = FACES[0]!;
  let bestDot = -Infinity;
  for (const f of FACES) {
    const dot = dir[0] * f.c[0] + dir[1] * f.c[1] + dir[2] * f.c[2];
    if (dot > bestDot) {
      bestDot = dot;
      best = f;
    }
  }
  const a = (dir[0] * best.r[0] + dir[1] * best.r[1] + dir[2] * best.r[2]) / bestDot;
  const b = (dir[0] * best.d[0] + dir[1] * best.d[1] + dir[2] * best.d[2]) / bestDot;
  return { face: best, u: ((a + 1) / 2) * size, v: ((b + 1) / 2) * size };
}

const INV_2PI = 1 / (2 * Math.PI);
const INV_PI = 1 / Math.PI;

/**
 * Renders rows [row0, row1) of one n × n cube face, bilinear from the
 * equirectangular, into `out` (RGB, n × (row1 − row0), row-major).
 *
 * Side faces (f, b, l, r) have R and c horizontal and D = −y, so the yaw of
 * a column is fixed and only the pitch needs a per-pixel atan; the polar faces
 * need atan2 and atan per pixel.
 */
export function renderFace(
  src: EquirectSampler,
  face: Face,
  n: number,
  out: Uint8Array,
  row0 = 0,
  row1 = n,
): void {
  const W = src.fullWidth;
  const H = src.fullHeight;
  const [cx, cy, cz] = face.c;
  const [rx, , rz] = face.r;
  const [dx, dy, dz] = face.d;
  const step = 2 / n;
  if (cy === 0) {
    // Side face: for column i the horizontal part of the direction is
    // h = c + a·R (|h|² = 1 + a²), the vertical part is −b.
    const colX = new Float64Array(n);
    const colInvR = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = (i + 0.5) * step - 1;
      const hx = cx + a * rx;
      const hz = cz + a * rz;
      colX[i] = (Math.atan2(hx, -hz) * INV_2PI + 0.5) * W;
      colInvR[i] = 1 / Math.sqrt(1 + a * a);
    }
    const ys = new Float64Array(n);
    for (let j = row0; j < row1; j++) {
      const up = ((j + 0.5) * step - 1) * dy; // vertical component b·D_y
      for (let i = 0; i < n; i++) ys[i] = (0.5 - fastAtan(up * colInvR[i]!) * INV_PI) * H;
      src.sampleRow(colX, ys, n, out, (j - row0) * n * 3);
    }
    return;
  }
  // Polar face: direction = c + a·R + b·D with c = ±y and R, D horizontal.
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let j = row0; j < row1; j++) {
    const b = (j + 0.5) * step - 1;
    const bx = cx + b * dx;
    const bz = cz + b * dz;
    const b2 = b * b;
    for (let i = 0; i < n; i++) {
      const a = (i + 0.5) * step - 1;
      const x = bx + a * rx;
      const z = bz + a * rz;
      // R and D are horizontal here: |horizontal| = sqrt(a² + b²), vertical = c_y = ±1.
      xs[i] = (fastAtan2(x, -z) * INV_2PI + 0.5) * W;
      ys[i] = (0.5 - fastAtan(cy / Math.sqrt(a * a + b2)) * INV_PI) * H;
    }
    src.sampleRow(xs, ys, n, out, (j - row0) * n * 3);
  }
}
