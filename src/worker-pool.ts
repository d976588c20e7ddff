// CPU work on files, on worker threads: file digests and the .br/.gz siblings of a
// site's text files. Both are synchronous CPU work: on the main thread, hashing a
// gallery's originals or compressing every page keeps it from all a
// run does meanwhile (requests to the cache, ExifTool's answers, the render), and
// Node's asynchronous zlib still sets up and tears down each stream there. A small
// pool of workers, one per core (at most four), takes one job at a time each; the
// main thread sends paths and gets a digest, or a count of the siblings written,
// back. The workers read and write the files themselves: a site's thousands of
// small pages cost more in reads, writes and hand-overs than in compression.
//
// The workers run plain CommonJS given as text (no module of the project), so the
// pool works the same from the TypeScript sources and from the CLI's bundle. An
// idle worker does not keep the process alive.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

export interface HashJob {
  file: string;
  algorithm: "sha256" | "md5";
  /** First and last byte (inclusive); the whole file when absent. */
  start?: number;
  end?: number;
}

/** A text file whose `.br` and `.gz` siblings a worker writes beside it. */
export interface SiblingsFile {
  file: string;
  /**
   * The same file in the published site: when it holds the same bytes, its
   * siblings are copied instead of compressing again (where it has them).
   */
  published?: string;
}

export interface SiblingsJob {
  files: SiblingsFile[];
  /** Brotli's quality (its window is sized to each file); gzip's level. */
  brotliQuality: number;
  gzipLevel: number;
}

export interface SiblingsResult {
  /** Siblings written: only where smaller than their file. */
  written: number;
  /** Of those, copied from the published site. */
  reused: number;
}

type Job = ({ kind: "digest" } & HashJob) | ({ kind: "siblings" } & SiblingsJob);

const WORKER_SOURCE = String.raw`
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync, readFileSync, writeFileSync, copyFileSync } = require("node:fs");
const { createHash } = require("node:crypto");
const zlib = require("node:zlib");
const buffer = Buffer.allocUnsafeSlow(1 << 20);
function digest(job) {
  let fd;
  try {
    const hash = createHash(job.algorithm);
    fd = openSync(job.file, "r");
    let position = job.start ?? 0;
    const end = job.end === undefined ? Infinity : job.end + 1;
    while (position < end) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest("hex");
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
// Brotli's window just big enough for the file (it holds 2^lgwin - 16 bytes), at most
// its default 4 MB: about as small an output, without setting up 4 MB for a small page.
function brotli(data, quality) {
  const c = zlib.constants;
  const lgwin = Math.min(22, Math.max(c.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(data.length + 16))));
  return zlib.brotliCompressSync(data, {
    params: { [c.BROTLI_PARAM_MODE]: c.BROTLI_MODE_TEXT, [c.BROTLI_PARAM_QUALITY]: quality, [c.BROTLI_PARAM_SIZE_HINT]: data.length, [c.BROTLI_PARAM_LGWIN]: lgwin },
  });
}
// The published copy is only a shortcut: one that cannot be read counts as changed.
function readIfThere(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
function siblings(job) {
  let written = 0;
  let reused = 0;
  for (const f of job.files) {
    const data = readFileSync(f.file);
    const before = f.published === undefined ? undefined : readIfThere(f.published);
    const unchanged = before !== undefined && before.equals(data);
    for (const encoding of ["br", "gz"]) {
      const sibling = f.file + "." + encoding;
      if (unchanged) {
        try {
          copyFileSync(f.published + "." + encoding, sibling);
          written++;
          reused++;
          continue;
        } catch (error) {
          if (error.code !== "ENOENT") throw error; // none published: compress
        }
      }
      const packed = encoding === "br" ? brotli(data, job.brotliQuality) : zlib.gzipSync(data, { level: job.gzipLevel });
      if (packed.length >= data.length) continue;
      writeFileSync(sibling, packed);
      written++;
    }
  }
  return { written, reused };
}
parentPort.on("message", (job) => {
  try {
    parentPort.postMessage({ result: job.kind === "digest" ? digest(job) : siblings(job) });
  } catch (error) {
    const { message, code, errno, syscall, path } = error;
    parentPort.postMessage({ error: { message, code, errno, syscall, path } });
  }
});
`;

interface Pending {
  job: Job;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

interface Lane {
  worker: Worker;
  current?: Pending;
}

type WorkerError = { message: string; code?: string; errno?: number; syscall?: string; path?: string };

/** An Error as fs would have thrown it (message, code, errno, syscall, path). */
function fsError(error: WorkerError): Error {
  return Object.assign(new Error(error.message), Object.fromEntries(Object.entries(error).filter(([k, v]) => k !== "message" && v !== undefined)));
}

class WorkerPool {
  private readonly lanes: Lane[] = [];
  private readonly queue: Pending[] = [];

  constructor(private readonly size: number) {}

  run(job: Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.next();
    });
  }

  /** Gives queued jobs to idle workers, starting workers up to the pool's size. */
  private next(): void {
    while (this.queue.length > 0) {
      let lane = this.lanes.find((l) => !l.current);
      if (!lane && this.lanes.length < this.size) lane = this.start();
      if (!lane) return;
      const pending = this.queue.shift()!;
      try {
        lane.worker.postMessage(pending.job);
      } catch (error) {
        pending.reject(error as Error); // a job that cannot be sent (it does not clone)
        continue;
      }
      lane.current = pending;
      lane.worker.ref();
    }
  }

  private start(): Lane {
    const lane: Lane = { worker: new Worker(WORKER_SOURCE, { eval: true }) };
    lane.worker.on("message", (answer: { result?: unknown; error?: WorkerError }) => {
      const pending = lane.current!;
      lane.current = undefined;
      lane.worker.unref();
      if (answer.error) pending.reject(fsError(answer.error));
      else pending.resolve(answer.result);
      this.next();
    });
    // A worker that dies (out of memory) fails its job; the next job starts another.
    lane.worker.on("error", (error) => this.lost(lane, error));
    lane.worker.on("exit", (code) => this.lost(lane, new Error(`a worker thread stopped (exit code ${code})`)));
    // Held only while it has a job (next() refs it as it sends one), so a worker whose first
    // job could not be sent never keeps the process alive. After the listeners: adding a
    // "message" listener refs a worker again.
    lane.worker.unref();
    this.lanes.push(lane);
    return lane;
  }

  private lost(lane: Lane, error: Error): void {
    const index = this.lanes.indexOf(lane);
    if (index < 0) return;
    this.lanes.splice(index, 1);
    lane.current?.reject(error);
    lane.current = undefined;
    void lane.worker.terminate();
    this.next();
  }
}

let pool: WorkerPool | undefined;
const thePool = () => (pool ??= new WorkerPool(Math.min(4, Math.max(1, availableParallelism()))));

/** The hex digest of a file (or a byte range of it), computed on a worker thread. */
export async function digestOnWorker(job: HashJob): Promise<string> {
  return (await thePool().run({ kind: "digest", ...job })) as string;
}

/**
 * Writes the `.br` and `.gz` siblings of these files on a worker thread, each only
 * where it is smaller than its file. Fails with the first file that cannot be read
 * or written, as fs reports it; siblings written before it stay.
 */
export async function writeSiblingsOnWorker(job: SiblingsJob): Promise<SiblingsResult> {
  return (await thePool().run({ kind: "siblings", ...job })) as SiblingsResult;
}
