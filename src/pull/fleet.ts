// Pulls every camera at once, nothing lost: each file streams into a dotfile temp
// in its destination folder, is fsynced, checked against the listed size, linked
// into place without overwriting anything, and only once that name is durable
// recorded in the ledger (folder and ledger fsyncs are shared by the files
// finishing together).
// Only after that may --delete-after remove it from the camera.
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes } from "node:fs/promises";
import path from "node:path";
import type { CameraConfig, PullConfig } from "../config.ts";
import { hashFile } from "../files.ts";
import type { Progress } from "../progress.ts";
import { resolveCameras, type Camera } from "./cameras.ts";
import { AuthError, CameraError, IncompleteDownloadError } from "./errors.ts";
import { Ledger } from "./ledger.ts";
import { OscClient, parseDateTimeZone, type CameraFile } from "./osc-client.ts";
import { groupCommit, limiter, type Limiter } from "../limit.ts";
import type { RetryPolicy } from "../retry.ts";
import { isTransient, withRetry } from "./retry.ts";
import { alternativeName, sanitizeFileName } from "./sanitize.ts";

export interface CameraPullResult {
  name: string;
  url: string;
  /** Files downloaded in this run. */
  new: number;
  /** Files on the camera already pulled before (ledger). */
  skipped: number;
  /** Files that could not be pulled (after retries). */
  failed: number;
  /** Files removed from the camera (--delete-after). */
  deleted: number;
  bytes: number;
  /** One line per problem; non-empty means the camera failed (exit code 1). */
  errors: string[];
  /** Where this camera's pictures are. */
  folder: string;
}

export interface PullResult {
  cameras: CameraPullResult[];
  /** True when no camera had an error. */
  ok: boolean;
  new: number;
  skipped: number;
  failed: number;
  bytes: number;
  ms: number;
}

export interface PullCamerasOptions {
  /** Each camera's pictures go to `<root>/<camera name>/`. */
  root: string;
  cameras: Camera[];
  pull?: Partial<PullConfig>;
  /** Where the pull reports as it goes: files found (grow), finished (tick), lines for the user (log). */
  sink?: Partial<Progress>;
  signal?: AbortSignal;
  /** Retry timing (tests shorten it). */
  retryPolicy?: RetryPolicy;
}

export interface PullGalleryOptions {
  /** The gallery folder (`--input`, default "content"). */
  galleryDir: string;
  /** `config.cameras` as parsed by loadConfig/parseConfig. */
  cameras: CameraConfig[];
  /** `config.pull`. */
  pull?: Partial<PullConfig>;
  /** Where passwords are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the pull reports as it goes: files found (grow), finished (tick), lines for the user (log). */
  sink?: Partial<Progress>;
  signal?: AbortSignal;
  retryPolicy?: RetryPolicy;
}

/**
 * Pulls new pictures from the gallery's configured cameras into
 * `<galleryDir>/<pull.into>/<camera>/`. Throws ConfigError (naming the camera) for a
 * missing password variable before touching anything; camera failures are reported
 * in the result, never thrown.
 */
export async function pullGallery(options: PullGalleryOptions): Promise<PullResult> {
  const cameras = resolveCameras(options.cameras, options.env);
  return pullCameras({
    root: path.join(options.galleryDir, options.pull?.into ?? "cameras"),
    cameras,
    pull: options.pull,
    sink: options.sink,
    signal: options.signal,
    retryPolicy: options.retryPolicy,
  });
}

const TEMP_PREFIX = ".rotunda-";
const TEMP_SUFFIX = ".part";

export async function pullCameras(options: PullCamerasOptions): Promise<PullResult> {
  const started = Date.now();
  const pull = options.pull ?? {};
  const overall = limiter(pull.concurrency ?? 8);
  // Files being fsynced and moved into place at once (bounds temp files awaiting a flush).
  const disk = limiter(pull.concurrency ?? 8);
  const results = await Promise.all(
    options.cameras.map((camera) =>
      pullOne(camera, path.join(options.root, camera.name), pull, overall, disk, options).catch((error: unknown) => {
        // Anything unexpected stays with this camera; the others carry on.
        const message = error instanceof CameraError ? error.message : `${camera.name}: ${(error as Error).message}`;
        options.sink?.log?.(message);
        return { name: camera.name, url: camera.url, new: 0, skipped: 0, failed: 0, deleted: 0, bytes: 0, errors: [message], folder: path.join(options.root, camera.name) };
      }),
    ),
  );
  const sum = (k: "new" | "skipped" | "failed" | "bytes") => results.reduce((n, r) => n + r[k], 0);
  return { cameras: results, ok: results.every((r) => r.errors.length === 0), new: sum("new"), skipped: sum("skipped"), failed: sum("failed"), bytes: sum("bytes"), ms: Date.now() - started };
}

async function pullOne(camera: Camera, folder: string, pull: Partial<PullConfig>, overall: Limiter, disk: Limiter, options: PullCamerasOptions): Promise<CameraPullResult> {
  const result: CameraPullResult = { name: camera.name, url: camera.url, new: 0, skipped: 0, failed: 0, deleted: 0, bytes: 0, errors: [], folder };
  const log = (line: string) => options.sink?.log?.(line);
  const perCamera = limiter(pull.perCamera ?? 2);
  const timeoutMs = (pull.timeoutSeconds ?? 10) * 1000;
  const policy = options.retryPolicy ?? { retries: pull.retries ?? 5, baseDelayMs: 250, maxDelayMs: 5000 };
  const client = new OscClient({
    name: camera.name,
    url: camera.url,
    username: camera.username,
    password: camera.password,
    connectTimeoutMs: (pull.connectTimeoutSeconds ?? 4) * 1000,
    headersTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    connections: (pull.perCamera ?? 2) + 1,
    retry: policy,
  });
  let ledger: Ledger | undefined;
  let releaseLock: (() => Promise<void>) | undefined;
  try {
    await mkdir(folder, { recursive: true });
    releaseLock = await lockFolder(folder, camera.name);
    await removeStaleTemps(folder);
    ledger = await Ledger.open(folder);
    let files: CameraFile[];
    try {
      files = await client.listFiles("image");
    } catch (error) {
      result.errors.push(messageOf(error, camera.name));
      log(messageOf(error, camera.name));
      return result;
    }
    const todo = files.filter((f) => !ledger!.has(f));
    result.skipped = files.length - todo.length;
    log(`${camera.name}: ${files.length} on camera, ${todo.length} to pull`);
    options.sink?.grow?.(todo.length);

    const l = ledger;
    // A picture's name is made durable before its ledger entry is written, so a
    // crash can never leave an entry for a file that is not there.
    const syncFolder = groupCommit(() => syncDir(folder));
    // A camera that went away (Wi-Fi lost, battery flat, password changed) fails
    // its files after retries; after two in a row the rest are not even tried, so
    // it stops holding shared download slots through its backoff sleeps.
    let consecutiveFailures = 0;
    let gaveUp: string | undefined;
    let notTried = 0;
    await Promise.all(
      todo.map(async (file) => {
        const temp = tempPath(folder);
        try {
          // The network slots are held for the transfer only; the fsync that follows
          // overlaps the next downloads instead of holding one back.
          const tried = await perCamera(async () => {
            if (gaveUp !== undefined) return false;
            try {
              await overall(() => {
                options.signal?.throwIfAborted();
                return withRetry(() => downloadOnce(client, file, temp), { policy, signal: options.signal });
              });
            } catch (error) {
              if (error instanceof AuthError || isTransient(error)) {
                consecutiveFailures += 1;
                if (consecutiveFailures >= 2 || error instanceof AuthError) gaveUp ??= messageOf(error, camera.name);
              }
              throw error;
            }
            return true;
          });
          if (!tried) {
            notTried += 1;
            result.failed += 1;
            return;
          }
          consecutiveFailures = 0;
          const saved = await disk(() => commit(temp, file, folder, syncFolder));
          await l.record({ fileUrl: file.fileUrl, size: file.size, dateTimeZone: file.dateTimeZone, file: saved, at: new Date().toISOString() });
          result.new += 1;
          result.bytes += file.size;
        } catch (error) {
          result.failed += 1;
          const message = messageOf(error, camera.name);
          result.errors.push(message);
          log(message);
        } finally {
          await rm(temp, { force: true });
          options.sink?.tick?.(1, `${camera.name}/${file.name}`);
        }
      }),
    );

    if (notTried > 0) {
      const message = `${camera.name}: gave up on ${notTried} more file(s) after repeated failures`;
      result.errors.push(message);
      log(message);
    }

    if (pull.deleteAfter) {
      // Pulled now or in an earlier run, and on disk now where the ledger says, at the
      // size pulled. A picture since moved or deleted here stays on the camera: this
      // run cannot tell a publisher's tidying from a loss.
      const safe: string[] = [];
      let kept = 0;
      for (const file of files) {
        const entry = l.entryFor(file);
        if (!entry) continue;
        const local = await stat(path.join(folder, entry.file)).catch(() => undefined);
        if (local?.isFile() && local.size === entry.size) safe.push(file.fileUrl);
        else kept += 1;
      }
      if (kept > 0) log(`${camera.name}: kept ${kept} picture(s) on the camera: pulled before, but no longer in ${folder} as pulled`);
      try {
        await client.delete(safe);
        result.deleted = safe.length;
        if (safe.length > 0) log(`${camera.name}: deleted ${safe.length} pulled file(s) from the camera`);
      } catch (error) {
        result.errors.push(messageOf(error, camera.name));
        log(messageOf(error, camera.name));
      }
    }
    return result;
  } finally {
    await ledger?.close().catch(() => {});
    await client.destroy().catch(() => {});
    await releaseLock?.().catch(() => {});
  }
}

function messageOf(error: unknown, camera: string): string {
  if (error instanceof CameraError) return error.message;
  return `${camera}: ${(error as Error).message ?? String(error)}`;
}

const LOCK_FILE = ".rotunda-pull.lock";

/**
 * One pull per camera folder at a time (a second one would delete the first one's
 * temp files). The lock holds our pid; a lock whose process is gone (killed run) is taken over.
 */
async function lockFolder(folder: string, camera: string): Promise<() => Promise<void>> {
  const lock = path.join(folder, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lock, "wx", 0o644);
      await handle.write(String(process.pid));
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new CameraError(camera, `another pull (pid ${pid}) is writing to ${folder}`);
      }
      await rm(lock, { force: true }); // left by a run that was killed
    }
  }
  throw new CameraError(camera, `cannot lock ${folder}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Temp files left by a run that was killed. */
async function removeStaleTemps(folder: string): Promise<void> {
  for (const name of await readdir(folder)) {
    if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) await rm(path.join(folder, name), { force: true });
  }
}

/** A fresh temp file name in the destination folder (a dotfile: the process stage ignores it). */
const tempPath = (folder: string) => path.join(folder, `${TEMP_PREFIX}${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);

/** One attempt: download into `temp` and check the size against the listing. */
async function downloadOnce(client: OscClient, file: CameraFile, temp: string): Promise<void> {
  const bytes = await client.download(file.fileUrl, temp);
  if (bytes !== file.size) {
    // Carries a network code so the retry policy treats it like the dropped connection it is.
    throw Object.assign(new IncompleteDownloadError(client.name, `${file.name}: got ${bytes} of ${file.size} bytes`), { code: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH" });
  }
}

/** What a camera may deliver as itself: pictures and raw files. */
const PICTURE_NAME = /\.(jpe?g|png|tiff?|dng|insp|heic|heif|webp|avif)$/i;

/**
 * Whatever a camera calls a file, it lands as a picture or as inert data: a listed
 * `R0010001.md` or `rotunda.json` must never become a sidecar or config that the
 * build reads (nothing is dropped: it is kept as `….md.bin`).
 */
function inertName(name: string): string {
  return PICTURE_NAME.test(name) ? name : `${name}.bin`;
}

/**
 * Makes a complete temp file durable and links it into place; resolves once its
 * name is durable too (`syncFolder`, one fsync of the folder shared by the files
 * placed meanwhile). Returns the local name.
 */
async function commit(temp: string, file: CameraFile, folder: string, syncFolder: () => Promise<void>): Promise<string> {
  const handle = await open(temp, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  const taken = parseDateTimeZone(file.dateTimeZone);
  if (taken) await utimes(temp, taken, taken);
  const saved = await placeWithoutOverwrite(temp, folder, inertName(sanitizeFileName(file.name)), file.size);
  await syncFolder();
  return saved;
}

/**
 * Links the temp file in under `name`, or `name-1`, `name-2`… when a different file
 * has that name. link() fails if the name exists, so nothing is ever overwritten,
 * even by a concurrent download. An identical file already there (a run killed
 * between placing and recording it) is kept and reused.
 */
async function placeWithoutOverwrite(temp: string, folder: string, name: string, size: number): Promise<string> {
  for (let n = 0; n < 10_000; n++) {
    const candidate = n === 0 ? name : alternativeName(name, n);
    const target = path.join(folder, candidate);
    try {
      await link(temp, target);
      await unlink(temp);
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        const existing = await stat(target).catch(() => undefined);
        if (existing?.isFile() && existing.size === size && (await sameContent(temp, target))) return candidate;
        continue;
      }
      if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EXDEV") {
        // A filesystem without hard links: check, then rename (not atomic against other writers).
        const exists = await stat(target).then(() => true, () => false);
        if (exists) {
          const existing = await stat(target);
          if (existing.size === size && (await sameContent(temp, target))) return candidate;
          continue;
        }
        await rename(temp, target);
        return candidate;
      }
      throw error;
    }
  }
  throw new Error(`no free name for ${name}`);
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([hashFile(a), hashFile(b)]);
  return ha === hb;
}

async function syncDir(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory: the file itself is synced
  } finally {
    await handle.close();
  }
}
