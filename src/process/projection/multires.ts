/**
 * Multiresolution cube tiles for Pannellum's `multires` type: the job of
 * pannellum/utils/multires/generate.py (nona + Pillow), in Node.
 *
 * Layout (generate.py 2.5.7 and libpannellum.js 2.5.7):
 * - tileResolution = min(tileSize, cubeSize);
 *   maxLevel = ceil(log2(cubeSize / tileResolution)) + 1.
 * - Level maxLevel has the full cubeSize; each lower level is half the one
 *   above, rounded down (generate.py's int(size / 2); libpannellum computes
 *   cubeResolution · 2^(level − maxLevel), the same while the halvings are
 *   exact, which the default cube size — a multiple of 8 — guarantees for up
 *   to 4 levels).
 * - A level of size s is cut into ceil(s / tileResolution)² tiles from the
 *   top-left; the last column/row holds the remainder (s mod tileResolution
 *   when non-zero), which is what libpannellum assumes when it splits a node
 *   into its children (lastTileSize / doubleTileSize in testMultiresNode).
 * - Files: <level>/<face><row>_<col>.<ext> (path "/%l/%s%y_%x": %y is the tile
 *   row, %x the column) and fallback/<face>.<ext>. Faces and their orientation:
 *   see cubemap.ts.
 * - Partial panoramas: tiles that are nothing but background are not written
 *   (as generate.py does; libpannellum ignores missing tiles).
 */
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { FACES, renderFace, type Face } from "./cubemap.ts";
import { EquirectSampler } from "./sample.ts";
import type { Crop, MultiresConfig, RawImage, Rgb } from "./types.ts";
import { limiter } from "../../limit.ts";

export interface MultiresOptions {
  /**
   * Cube face size of the top level; default 8·⌊fullWidth / π / 8⌋ (generate.py).
   * libpannellum assumes level sizes of exactly cubeSize / 2^k, so a given
   * size should be divisible by 2^(maxLevel − 1) (levels are rounded down).
   */
  cubeSize?: number;
  /** Default 512. */
  tileSize?: number;
  /** JPEG quality, default 75 (generate.py's default). */
  quality?: number;
  /** Fallback face size, default 1024 (never larger than cubeSize). */
  fallbackSize?: number;
  /** Placement of a partial panorama in its full sphere. */
  crop?: Crop;
  /** Colour outside a partial panorama, default black. */
  background?: Rgb;
  /** Maximum number of sharp operations in flight, default max(2, cores). */
  concurrency?: number;
}

export interface MultiresResult {
  config: MultiresConfig;
  files: number;
  bytes: number;
  cubeSize: number;
  maxLevel: number;
}

export interface LevelLayout {
  level: number;
  /** Face size in pixels at this level. */
  size: number;
  /** Tiles per row (and per column). */
  tiles: number;
}

export interface MultiresLayout {
  cubeSize: number;
  tileResolution: number;
  maxLevel: number;
  /** Index 0 is level 1. */
  levels: LevelLayout[];
}

export function defaultCubeSize(fullWidth: number): number {
  return 8 * Math.floor(fullWidth / Math.PI / 8);
}

export function multiresLayout(cubeSize: number, tileSize = 512): MultiresLayout {
  if (!Number.isInteger(cubeSize) || cubeSize < 1) throw new RangeError(`bad cube size ${String(cubeSize)}`);
  if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`bad tile size ${String(tileSize)}`);
  const tileResolution = Math.min(tileSize, cubeSize);
  // ceil(log2(cubeSize / tileResolution)) + 1, without floating-point log.
  let maxLevel = 1;
  while (tileResolution * 2 ** (maxLevel - 1) < cubeSize) maxLevel++;
  const levels: LevelLayout[] = [];
  let size = cubeSize;
  for (let level = maxLevel; level >= 1; level--) {
    levels.unshift({ level, size, tiles: Math.ceil(size / tileResolution) });
    size = Math.floor(size / 2);
  }
  return { cubeSize, tileResolution, maxLevel, levels };
}

/** Copies the w × h region at (x, y) out of an RGB image `src` of width `sw`. */
function cropRgb(src: Uint8Array, sw: number, x: number, y: number, w: number, h: number): Buffer {
  const out = Buffer.allocUnsafe(w * h * 3);
  const rowBytes = w * 3;
  for (let r = 0; r < h; r++) {
    const s = ((y + r) * sw + x) * 3;
    out.set(src.subarray(s, s + rowBytes), r * rowBytes);
  }
  return out;
}

function isUniform(buf: Uint8Array, rgb: Rgb): boolean {
  const [r, g, b] = rgb;
  for (let i = 0; i < buf.length; i += 3) {
    if (buf[i] !== r || buf[i + 1] !== g || buf[i + 2] !== b) return false;
  }
  return true;
}

export async function writeMultires(raw: RawImage, outDir: string, options: MultiresOptions = {}): Promise<MultiresResult> {
  const background = options.background ?? [0, 0, 0];
  const src = new EquirectSampler(raw, options.crop, background);
  const cubeSize = options.cubeSize ?? defaultCubeSize(src.fullWidth);
  const layout = multiresLayout(cubeSize, options.tileSize ?? 512);
  const quality = options.quality ?? 75;
  const fallbackSize = Math.min(options.fallbackSize ?? 1024, cubeSize);
  const skipEmpty = !src.isFull;
  const run = limiter(options.concurrency ?? Math.max(2, availableParallelism()));
  const T = layout.tileResolution;

  await Promise.all([
    ...layout.levels.map((l) => mkdir(path.join(outDir, String(l.level)), { recursive: true })),
    mkdir(path.join(outDir, "fallback"), { recursive: true }),
  ]);

  let files = 0;
  let bytes = 0;
  const encode = (pixels: Buffer, w: number, h: number, file: string): Promise<void> =>
    run(async () => {
      const info = await sharp(pixels, { raw: { width: w, height: h, channels: 3 } })
        .jpeg({ quality, mozjpeg: false, optimiseCoding: false })
        .toFile(file);
      files++;
      bytes += info.size;
    });
  const resize = (pixels: Buffer, from: number, to: number): Promise<Buffer> =>
    run(() =>
      sharp(pixels, { raw: { width: from, height: from, channels: 3 } })
        .resize(to, to, { kernel: "lanczos3" })
        .raw()
        .toBuffer(),
    );

  const tilesOf = (face: Face, level: LevelLayout, pixels: Buffer): Promise<void>[] => {
    const jobs: Promise<void>[] = [];
    for (let y = 0; y < level.tiles; y++) {
      for (let x = 0; x < level.tiles; x++) {
        const w = Math.min(T, level.size - x * T);
        const h = Math.min(T, level.size - y * T);
        // Cut inside the queued task, so only the tiles being encoded are in memory
        // (cutting a 6720 px picture's ~250 tiles up front held ~200 MB).
        const file = path.join(outDir, String(level.level), `${face.name}${y}_${x}.jpg`);
        jobs.push(
          run(async () => {
            const tile = cropRgb(pixels, level.size, x * T, y * T, w, h);
            if (skipEmpty && isUniform(tile, background)) return;
            const info = await sharp(tile, { raw: { width: w, height: h, channels: 3 } })
              .jpeg({ quality, mozjpeg: false, optimiseCoding: false })
              .toFile(file);
            files++;
            bytes += info.size;
          }),
        );
      }
    }
    return jobs;
  };

  // Once a face is rendered, its tiles are cut and its lower levels, fallback
  // face and encodes run on sharp's threads while other faces are rendered.
  const faceJobs = async (face: Face, top: Buffer): Promise<void> => {
    const jobs = tilesOf(face, layout.levels[layout.maxLevel - 1]!, top);
    let fallbackSource = top;
    let fallbackFrom = cubeSize;
    let prev = top;
    let prevSize = cubeSize;
    for (let i = layout.maxLevel - 2; i >= 0; i--) {
      const level = layout.levels[i]!;
      prev = await resize(prev, prevSize, level.size);
      prevSize = level.size;
      if (level.size >= fallbackSize) {
        fallbackSource = prev;
        fallbackFrom = level.size;
      }
      jobs.push(...tilesOf(face, level, prev));
    }
    const fallback = fallbackFrom === fallbackSize ? fallbackSource : await resize(fallbackSource, fallbackFrom, fallbackSize);
    jobs.push(encode(fallback, fallbackSize, fallbackSize, path.join(outDir, "fallback", `${face.name}.jpg`)));
    await Promise.all(jobs);
  };

  const pending: Promise<void>[] = [];
  for (const face of FACES) {
    const top = Buffer.allocUnsafe(cubeSize * cubeSize * 3);
    renderFace(src, face, cubeSize, top);
    pending.push(faceJobs(face, top));
    // Let the event loop hand this face's work to sharp before rendering the next.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);

  return {
    config: {
      path: "/%l/%s%y_%x",
      fallbackPath: "/fallback/%s",
      extension: "jpg",
      tileResolution: T,
      maxLevel: layout.maxLevel,
      cubeResolution: cubeSize,
    },
    files,
    bytes,
    cubeSize,
    maxLevel: layout.maxLevel,
  };
}
