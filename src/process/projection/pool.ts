/**
 * A small, lasting pool of worker threads that render cube faces in parallel.
 *
 * For each image the equirectangular is put in a SharedArrayBuffer once (not
 * copied when it already lives in one) and shared by the workers; each face is
 * rendered into a SharedArrayBuffer that the main thread wraps as a Buffer, so
 * no pixels are serialised. The workers start once per process (loading the
 * TypeScript costs a few hundred ms) and are unref'd while idle, so they never
 * keep the process alive.
 *
 * SharedArrayBuffers are recycled (takeShared/giveShared): every message
 * gives the worker a new object for the buffer, which its small heap may not
 * collect for a long time, keeping the memory alive; with fresh buffers per
 * picture the process grew by ~150 MB per 6720 px picture, with recycled ones
 * the workers only ever see the same few.
 */
import { Worker } from "node:worker_threads";
import type { Crop, RawImage, Rgb } from "./types.ts";

export interface FaceSource {
  /** Identifies the image; the workers keep the sampler of the last one. */
  imageId: number;
  source: SharedArrayBuffer;
  byteOffset: number;
  width: number;
  height: number;
  channels: 3 | 4;
  crop?: Crop;
  background: Rgb;
}

export type FaceJob =
  | { kind: "render"; id: number; src: FaceSource; face: number; size: number; out: SharedArrayBuffer }
  | { kind: "release" };

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
  out: SharedArrayBuffer;
}

let nextImageId = 1;

/** Recycled SharedArrayBuffers by byte length, up to RECYCLE_LIMIT bytes in all. */
const spare = new Map<number, SharedArrayBuffer[]>();
let spareBytes = 0;
const RECYCLE_LIMIT = 512 * 1024 * 1024;

export function takeShared(bytes: number): SharedArrayBuffer {
  const list = spare.get(bytes);
  const sab = list?.pop();
  if (sab) {
    spareBytes -= bytes;
    return sab;
  }
  return new SharedArrayBuffer(bytes);
}

/** Hands a buffer back for reuse; nothing may use it afterwards. */
export function giveShared(sab: SharedArrayBuffer): void {
  if (spareBytes + sab.byteLength > RECYCLE_LIMIT) return;
  let list = spare.get(sab.byteLength);
  if (!list) spare.set(sab.byteLength, (list = []));
  list.push(sab);
  spareBytes += sab.byteLength;
}

/**
 * Shares a raw image with the workers: one copy into a (recycled)
 * SharedArrayBuffer, unless it already lives in one (then `owned` is false).
 */
export function shareImage(raw: RawImage, crop: Crop | undefined, background: Rgb): FaceSource & { owned: boolean } {
  const bytes = raw.width * raw.height * raw.channels;
  let source: SharedArrayBuffer;
  let byteOffset = 0;
  let owned = false;
  if (raw.data.buffer instanceof SharedArrayBuffer) {
    source = raw.data.buffer;
    byteOffset = raw.data.byteOffset;
  } else {
    source = takeShared(bytes);
    new Uint8Array(source).set(raw.data.subarray(0, bytes));
    owned = true;
  }
  const src: FaceSource & { owned: boolean } = {
    imageId: nextImageId++,
    source,
    byteOffset,
    width: raw.width,
    height: raw.height,
    channels: raw.channels,
    background,
    owned,
  };
  if (crop) src.crop = crop;
  return src;
}

export class FacePool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: Extract<FaceJob, { kind: "render" }>[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 0;
  failed: unknown;

  constructor(readonly size: number) {
    for (let k = 0; k < size; k++) {
      const w = new Worker(new URL("./face-worker.mjs", import.meta.url));
      w.on("message", (id: number) => this.done(w, id));
      w.on("error", (e) => this.fail(e));
      w.on("exit", (code) => this.fail(new Error(`face worker exited with code ${code}`)));
      w.unref();
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /**
   * Renders face FACES[face] of `src` at size × size; resolves to its RGB
   * pixels, in a recycled SharedArrayBuffer (give it back with giveShared).
   */
  render(src: FaceSource, face: number, size: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    const out = takeShared(size * size * 3);
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, out });
      this.queue.push({ kind: "render", id, src, face, size, out });
      this.pump();
    });
  }

  /** Lets the workers drop their reference to the last image. */
  release(): void {
    for (const w of this.workers) w.postMessage({ kind: "release" } satisfies FaceJob);
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      w.ref(); // busy: keep the process alive until the face is back
      w.postMessage(this.queue.shift()!);
    }
  }

  private done(w: Worker, id: number): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    w.unref();
    this.idle.push(w);
    this.pump();
    p?.resolve(Buffer.from(p.out));
  }

  private fail(e: unknown): void {
    this.failed ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.queue = [];
    if (pools.get(this.size) === this) pools.delete(this.size);
    for (const w of this.workers) void w.terminate();
  }

  async close(): Promise<void> {
    if (pools.get(this.size) === this) pools.delete(this.size);
    spare.clear();
    spareBytes = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const pools = new Map<number, FacePool>();

/** The process-wide pool of `size` workers (started on first use, shared by concurrent calls). */
export function facePool(size: number): FacePool {
  let pool = pools.get(size);
  if (!pool || pool.failed) {
    pool = new FacePool(size);
    pools.set(size, pool);
  }
  return pool;
}

/** Stops the face workers and drops the recycled buffers (e.g. at the end of a build). */
export async function stopFaceWorkers(): Promise<void> {
  await Promise.all([...pools.values()].map((p) => p.close()));
  spare.clear();
  spareBytes = 0;
}
