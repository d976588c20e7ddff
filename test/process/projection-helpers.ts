/**
 * Test helpers for the projection tests, written independently of
 * src/process/projection: the cube layout is read from libpannellum.js itself
 * and the equirectangular conventions are re-derived here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import sharp from "sharp";

export type V3 = [number, number, number];

const require = createRequire(import.meta.url);
const libpannellumPath = path.join(path.dirname(require.resolve("pannellum/package.json")), "src/js/libpannellum.js");
const libSource = readFileSync(libpannellumPath, "utf8");

/** createCube()'s 72 numbers: six faces × four vertices × xyz. */
function readCreateCube(): number[] {
  const m = /function createCube\(\)\s*\{\s*return\s*\[([\s\S]*?)\];/.exec(libSource);
  if (!m) throw new Error("createCube() not found in libpannellum.js");
  const nums = m[1]!.replace(/\/\/[^\n]*/g, "").split(",").map((s) => Number(s.trim()));
  if (nums.length !== 72 || nums.some((n) => !Number.isFinite(n))) throw new Error("unexpected createCube() body");
  return nums;
}

/** The multires node sides, in createCube() order ("var sides = ['f', 'b', ...]" next to MultiresNode). */
function readMultiresSides(): string[] {
  const m = /var sides = (\[[^\]]*\]);\s*for \(s = 0; s < 6; s\+\+\) \{\s*var ntmp = new MultiresNode/.exec(libSource);
  if (!m) throw new Error("multires sides not found in libpannellum.js");
  return JSON.parse(m[1]!.replace(/'/g, '"')) as string[];
}

export interface PannellumFace {
  name: string;
  /** Vertices with texture coordinates (0,0), (1,0), (1,1), (0,1): top-left, top-right, bottom-right, bottom-left. */
  v: [V3, V3, V3, V3];
  centre: V3;
}

export const PANNELLUM_FACES: PannellumFace[] = (() => {
  const nums = readCreateCube();
  const sides = readMultiresSides();
  return sides.map((name, s) => {
    const v = [0, 1, 2, 3].map((k) => nums.slice(s * 12 + k * 3, s * 12 + k * 3 + 3) as V3) as [V3, V3, V3, V3];
    const centre: V3 = [0, 1, 2].map((i) => (v[0][i]! + v[2][i]!) / 2) as V3;
    return { name, v, centre };
  });
})();

const dot = (a: V3, b: V3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const normalize = (a: V3): V3 => {
  const l = Math.hypot(...a);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/**
 * libpannellum's view direction for (yaw, pitch) in degrees: its cube matrix is
 * rotateMatrix(rotateMatrix(I, -pitch, 'x'), yaw, 'y') (world → eye, the eye
 * looks along −z), so the direction is Mᵀ·(0, 0, −1) = −(third row of M).
 */
export function pannellumDirection(yawDeg: number, pitchDeg: number): V3 {
  const rot = (m: number[], angle: number, axis: "x" | "y"): number[] => {
    const s = Math.sin(angle);
    const c = Math.cos(angle);
    const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as [number, number, number, number, number, number, number, number, number];
    if (axis === "x") return [m0, c * m1 + s * m2, c * m2 - s * m1, m3, c * m4 + s * m5, c * m5 - s * m4, m6, c * m7 + s * m8, c * m8 - s * m7];
    return [c * m0 - s * m2, m1, c * m2 + s * m0, c * m3 - s * m5, m4, c * m5 + s * m3, c * m6 - s * m8, m7, c * m8 + s * m6];
  };
  let m = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  m = rot(m, (-pitchDeg * Math.PI) / 180, "x");
  m = rot(m, (yawDeg * Math.PI) / 180, "y");
  return [-m[6]!, -m[7]!, -m[8]!];
}

/** Face and texture coordinates (s, t) ∈ [0, 1]² a direction hits on libpannellum's cube. */
export function faceOf(dir: V3, only?: string): { face: PannellumFace; s: number; t: number } {
  let face = PANNELLUM_FACES[0]!;
  let best = -Infinity;
  for (const f of PANNELLUM_FACES) {
    const d = dot(dir, f.centre);
    if ((only === undefined && d > best) || f.name === only) {
      best = d;
      face = f;
      if (only !== undefined) break;
    }
  }
  const k = dot(face.centre, face.centre) / dot(dir, face.centre);
  const p: V3 = [dir[0] * k, dir[1] * k, dir[2] * k];
  const e1 = sub(face.v[1], face.v[0]);
  const e2 = sub(face.v[3], face.v[0]);
  const rel = sub(p, face.v[0]);
  return { face, s: dot(rel, e1) / dot(e1, e1), t: dot(rel, e2) / dot(e2, e2) };
}

/** Direction of texture coordinates (s, t) on a face (s, t may leave [0, 1] slightly). */
export function directionOf(face: PannellumFace, s: number, t: number): V3 {
  const e1 = sub(face.v[1], face.v[0]);
  const e2 = sub(face.v[3], face.v[0]);
  return normalize([0, 1, 2].map((i) => face.v[0][i]! + s * e1[i]! + t * e2[i]!) as V3);
}

/** yaw/pitch (radians) of a direction, Pannellum's convention (yaw 90° = +x). */
export function yawPitch(d: V3): { yaw: number; pitch: number } {
  return { yaw: Math.atan2(d[0], -d[2]), pitch: Math.asin(Math.max(-1, Math.min(1, d[1]))) };
}

export interface Img {
  data: Buffer | Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** An equirectangular whose pixel (i, j) has colour fn(direction of its centre). */
export function makeEquirect(
  width: number,
  height: number,
  fn: (d: V3, i: number, j: number) => [number, number, number],
): Img & { data: Buffer } {
  const data = Buffer.alloc(width * height * 3);
  for (let j = 0; j < height; j++) {
    const pitch = (0.5 - (j + 0.5) / height) * Math.PI;
    for (let i = 0; i < width; i++) {
      const yaw = ((i + 0.5) / width - 0.5) * 2 * Math.PI;
      const d: V3 = [Math.cos(pitch) * Math.sin(yaw), Math.sin(pitch), -Math.cos(pitch) * Math.cos(yaw)];
      const c = fn(d, i, j);
      data[(j * width + i) * 3] = c[0];
      data[(j * width + i) * 3 + 1] = c[1];
      data[(j * width + i) * 3 + 2] = c[2];
    }
  }
  return { data, width, height, channels: 3 };
}

/** Smooth colour field on the sphere: 128 + 120·direction. */
export const directionColour = (d: V3): [number, number, number] => [
  Math.round(128 + 120 * d[0]),
  Math.round(128 + 120 * d[1]),
  Math.round(128 + 120 * d[2]),
];

export async function readRaw(file: string): Promise<Img & { data: Buffer }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
}

export function pixel(img: Img, x: number, y: number): number[] {
  const xi = Math.min(img.width - 1, Math.max(0, Math.floor(x)));
  const yi = Math.min(img.height - 1, Math.max(0, Math.floor(y)));
  const o = (yi * img.width + xi) * img.channels;
  return Array.from(img.data.subarray(o, o + img.channels));
}

/** Reference bilinear sample of an equirectangular at a direction (pixel centres at +0.5, longitude wraps). */
export function sampleEquirect(img: Img, d: V3): number[] {
  const { yaw, pitch } = yawPitch(d);
  const x = (yaw / (2 * Math.PI) + 0.5) * img.width - 0.5;
  const y = Math.min(img.height - 1, Math.max(0, (0.5 - pitch / Math.PI) * img.height - 0.5));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number, c: number): number => {
    const xw = ((xx % img.width) + img.width) % img.width;
    const yc = Math.min(img.height - 1, yy);
    return img.data[(yc * img.width + xw) * img.channels + c]!;
  };
  return [0, 1, 2].map(
    (c) =>
      at(x0, y0, c) * (1 - fx) * (1 - fy) + at(x0 + 1, y0, c) * fx * (1 - fy) + at(x0, y0 + 1, c) * (1 - fx) * fy + at(x0 + 1, y0 + 1, c) * fx * fy,
  );
}

export const maxDiff = (a: number[], b: number[]): number => Math.max(...a.slice(0, 3).map((v, i) => Math.abs(v - b[i]!)));
