// CPU work on files, on worker threads: file digests and the compression of a
// site's text files. Both are synchronous CPU work: on the main thread, hashing a
// gallery's originals or compressing every page keeps it from all a
// run does meanwhile (requests to the cache, ExifTool's answers, the render), and
// Node's asynchronous zlib still sets up and tears down each stream there. A small
// pool of workers, one per core (at most four), takes one job at a time each; the
// main thread sends a path (or a file's bytes) and gets the digest (or the
// compressed bytes) back.
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

export interface CompressJob {
  data: Uint8Array;
  encoding: "br" | "gz";
  /** Options for zlib's brotliCompressSync or gzipSync. */
  options: object;
}

type Job = ({ kind: "digest" } & HashJob) | ({ kind: "compress" } & CompressJob);

const WORKER_SOURCE = String.raw`
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync } = require("node:fs");
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
function compress(job) {
  return job.encoding === "br" ? zlib.brotliCompressSync(job.data, job.options) : zlib.gzipSync(job.data, job.options);
}
parentPort.on("message", (job) => {
  try {
    parentPort.postMessage({ result: job.kind === "digest" ? digest(job) : compress(job) });
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

/** `data` compressed (brotli or gzip, with zlib's options) on a worker thread. */
export async function compressOnWorker(job: CompressJob): Promise<Buffer> {
  const result = (await thePool().run({ kind: "compress", ...job })) as Uint8Array;
  return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
}
