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
 * - Beyond generate.py: `overview.jpg`, the whole sphere in one small file (the
 *   six faces side by side in the order above, each `overviewSize` px square),
 *   which Rotunda's viewer draws under the tiles so that no direction is ever
 *   empty, for one request instead of six.
 */
import { mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { FACES, renderFace, type Face } from "./cubemap.ts";
import { EquirectSampler } from "./sample.ts";
import type { Crop, MultiresConfig, RawImage, Rgb } from "./types.ts";
import { limiter, type Limiter } from "../../limit.ts";

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
  /** Face size in the overview, default 128 (never larger than the smallest level; rounded down to a multiple of 8). */
  overviewSize?: number;
  /** Placement of a partial panorama in its full sphere. */
  crop?: Crop;
  /** Colour outside a partial panorama, default black. */
  background?: Rgb;
  /** Maximum number of sharp operations in flight, default max(2, cores). */
  concurrency?: number;
}

export interface MultiresResult {
  config: MultiresConfig;
  /** Tiles, fallback faces and the overview. */
  files: number;
  bytes: number;
  /** The overview file, relative to the output folder, and the size of each face in it. */
  overview: { file: string; faceSize: number; bytes: number };
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

/** What every tile, resize and fallback of one writeMultires call shares. */
interface TileWriter {
  outDir: string;
  layout: MultiresLayout;
  quality: number;
  fallbackSize: number;
  overviewSize: number;
  /** Partial panoramas: a tile of nothing but this colour is not written. */
  skipColour?: Rgb;
  /** Bounds the sharp operations in flight. */
  run: Limiter;
}

/** Bytes of a file written, or undefined for a tile left out because it held only background. */
type Written = number | undefined;

export async function writeMultires(raw: RawImage, outDir: string, options: MultiresOptions = {}): Promise<MultiresResult> {
  const background = options.background ?? [0, 0, 0];
  const sampler = new EquirectSampler(raw, options.crop, background);
  const cubeSize = options.cubeSize ?? defaultCubeSize(sampler.fullWidth);
  const layout = multiresLayout(cubeSize, options.tileSize ?? 512);
  const writer: TileWriter = {
    outDir,
    layout,
    quality: options.quality ?? 75,
    fallbackSize: Math.min(options.fallbackSize ?? 1024, cubeSize),
    overviewSize: overviewFaceSize(options.overviewSize ?? 128, layout.levels[0]!.size),
    ...(sampler.isFull ? {} : { skipColour: background }),
    run: limiter(options.concurrency ?? Math.max(2, availableParallelism())),
  };
  await makeFolders(outDir, layout);
  const faces = await writeFaces(sampler, writer);
  const overviewBytes = await writeOverview(writer, faces.map((f) => f.overview));
  const written = faces.flatMap((f) => f.written).filter((bytes) => bytes !== undefined);
  return {
    config: multiresConfig(layout),
    files: written.length + 1,
    bytes: written.reduce((sum, bytes) => sum + bytes, overviewBytes),
    overview: { file: OVERVIEW_FILE, faceSize: writer.overviewSize, bytes: overviewBytes },
    cubeSize,
    maxLevel: layout.maxLevel,
  };
}

const OVERVIEW_FILE = "overview.jpg";

/**
 * The overview's face size: as asked, but no larger than the smallest level, and
 * a multiple of 8 where possible so that no JPEG block straddles two faces.
 */
function overviewFaceSize(wanted: number, smallestLevel: number): number {
  const size = Math.min(wanted, smallestLevel);
  return size >= 8 ? size - (size % 8) : size;
}

/** The six faces' overview pixels side by side, in FACES order, as one JPEG. */
async function writeOverview(writer: TileWriter, faces: Buffer[]): Promise<number> {
  const n = writer.overviewSize;
  const strip = Buffer.allocUnsafe(faces.length * n * n * 3);
  for (const [i, face] of faces.entries()) {
    for (let row = 0; row < n; row++) face.copy(strip, (row * faces.length * n + i * n) * 3, row * n * 3, (row + 1) * n * 3);
  }
  // Full-resolution colour: decoders interpolate subsampled colour across block
  // edges, which would tint each face's border with its neighbour's colour.
  return writer.run(() => writeJpeg(writer, strip, faces.length * n, n, path.join(writer.outDir, OVERVIEW_FILE), "4:4:4"));
}

/** The `multiRes` block of a Pannellum configuration for these tiles (basePath excepted). */
function multiresConfig(layout: MultiresLayout): MultiresConfig {
  return {
    path: "/%l/%s%y_%x",
    fallbackPath: "/fallback/%s",
    extension: "jpg",
    tileResolution: layout.tileResolution,
    maxLevel: layout.maxLevel,
    cubeResolution: layout.cubeSize,
  };
}

/** One folder per level, and `fallback`. */
async function makeFolders(outDir: string, layout: MultiresLayout): Promise<void> {
  await Promise.all([
    ...layout.levels.map((l) => mkdir(path.join(outDir, String(l.level)), { recursive: true })),
    mkdir(path.join(outDir, "fallback"), { recursive: true }),
  ]);
}

/** Rows of a face rendered between two turns of the event loop. */
const BAND_ROWS = 64;

/**
 * Renders the six faces at the top level one after another on this thread, a band
 * of rows at a time: between bands the event loop hands finished encodes their
 * successors (this picture's other outputs, other pictures'), so sharp's threads
 * never wait for a whole face. Once a face is rendered, its tiles, lower levels
 * and fallback run on sharp's threads while the next face is rendered.
 */
async function writeFaces(sampler: EquirectSampler, writer: TileWriter): Promise<FaceOutput[]> {
  const { cubeSize } = writer.layout;
  const pending: Promise<FaceOutput>[] = [];
  for (const face of FACES) {
    const top = Buffer.allocUnsafe(cubeSize * cubeSize * 3);
    for (let row = 0; row < cubeSize; row += BAND_ROWS) {
      renderFace(sampler, face, cubeSize, top.subarray(row * cubeSize * 3), row, Math.min(cubeSize, row + BAND_ROWS));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    pending.push(writeFace(writer, face, top));
  }
  return Promise.all(pending);
}

/** What one face yields: the bytes of each file written, and its pixels for the overview. */
interface FaceOutput {
  written: Written[];
  overview: Buffer;
}

/**
 * Writes one face at every level from its top-level pixels: each lower level is
 * the one above scaled to its size, and the fallback face is scaled from the
 * smallest level that is at least as large; the overview's face from the smallest level.
 */
async function writeFace(writer: TileWriter, face: Face, top: Buffer): Promise<FaceOutput> {
  const { layout, fallbackSize } = writer;
  const jobs = writeLevelTiles(writer, face, layout.levels[layout.maxLevel - 1]!, top);
  let above = { pixels: top, size: layout.cubeSize };
  let fallbackSource = above;
  for (let i = layout.maxLevel - 2; i >= 0; i--) {
    const level = layout.levels[i]!;
    above = { pixels: await resizeFace(writer, above.pixels, above.size, level.size), size: level.size };
    if (level.size >= fallbackSize) fallbackSource = above;
    jobs.push(...writeLevelTiles(writer, face, level, above.pixels));
  }
  const fallback =
    fallbackSource.size === fallbackSize ? fallbackSource.pixels : await resizeFace(writer, fallbackSource.pixels, fallbackSource.size, fallbackSize);
  const fallbackFile = path.join(writer.outDir, "fallback", `${face.name}.jpg`);
  jobs.push(writer.run(() => writeJpeg(writer, fallback, fallbackSize, fallbackSize, fallbackFile)));
  const overview = above.size === writer.overviewSize ? above.pixels : await resizeFace(writer, above.pixels, above.size, writer.overviewSize);
  return { written: await Promise.all(jobs), overview };
}

/** Queues the tiles of one face at one level, cut from the top-left (the last column and row hold the remainder). */
function writeLevelTiles(writer: TileWriter, face: Face, level: LevelLayout, pixels: Buffer): Promise<Written>[] {
  const T = writer.layout.tileResolution;
  const jobs: Promise<Written>[] = [];
  for (let y = 0; y < level.tiles; y++) {
    for (let x = 0; x < level.tiles; x++) {
      const w = Math.min(T, level.size - x * T);
      const h = Math.min(T, level.size - y * T);
      const file = path.join(writer.outDir, String(level.level), `${face.name}${y}_${x}.jpg`);
      // Cut inside the queued task, so only the tiles being encoded are in memory.
      jobs.push(
        writer.run(async () => {
          const tile = cropRgb(pixels, level.size, x * T, y * T, w, h);
          if (writer.skipColour && isUniform(tile, writer.skipColour)) return undefined;
          return writeJpeg(writer, tile, w, h, file);
        }),
      );
    }
  }
  return jobs;
}

/** A square face of `from` px scaled to `to` px (Lanczos, as Pillow's ANTIALIAS in generate.py). */
function resizeFace(writer: TileWriter, pixels: Buffer, from: number, to: number): Promise<Buffer> {
  return writer.run(() =>
    sharp(pixels, { raw: { width: from, height: from, channels: 3 } })
      .resize(to, to, { kernel: "lanczos3" })
      .raw()
      .toBuffer(),
  );
}

/**
 * Encodes RGB pixels to a baseline JPEG file with optimised Huffman tables (the
 * same pixels as plain tables, fewer bytes); resolves to its size in bytes.
 * JPEG rather than WebP or AVIF: the reader's browser decodes it fastest.
 */
async function writeJpeg(writer: TileWriter, pixels: Buffer, width: number, height: number, file: string, chromaSubsampling = "4:2:0"): Promise<number> {
  const info = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: writer.quality, mozjpeg: false, optimiseCoding: true, chromaSubsampling })
    .toFile(file);
  return info.size;
}
