// Pulls every camera at once, nothing lost: each file streams into a dotfile temp
// in its destination folder, is fsynced, checked against the listed size, linked
// into place without overwriting anything, and only once that name is durable
// recorded in the ledger (folder and ledger fsyncs are shared by the files
// finishing together).
// Only after that may --delete-after remove it from the camera.
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readdir, rename, rm, stat, unlink, utimes } from "node:fs/promises";
import path from "node:path";
import type { CameraConfig, PullConfig } from "../config.ts";
import { hashFile } from "../files.ts";
import type { Progress } from "../progress.ts";
import { resolveCameras, type Camera } from "./cameras.ts";
import { AuthError, CameraError, IncompleteDownloadError } from "./errors.ts";
import { Ledger } from "./ledger.ts";
import { OscClient, parseDateTimeZone, type CameraFile } from "./osc-client.ts";
import { groupCommit, limiter, type Limiter } from "../limit.ts";
import { acquireLock, LockedError } from "../lock.ts";
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
  /** The files pulled in this run: the camera's fileUrl and the name given here (inside `folder`). */
  pulled: Array<{ fileUrl: string; file: string }>;
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
    options.cameras.map((camera) => {
      const folder = path.join(options.root, camera.name);
      return pullOne(camera, folder, pull, { overall, disk }, options).catch((error: unknown) => {
        // Anything unexpected stays with this camera; the others carry on.
        const message = messageOf(error, camera.name);
        options.sink?.log?.(message);
        return { ...emptyResult(camera, folder), errors: [message] };
      });
    }),
  );
  const sum = (k: "new" | "skipped" | "failed" | "bytes") => results.reduce((n, r) => n + r[k], 0);
  return { cameras: results, ok: results.every((r) => r.errors.length === 0), new: sum("new"), skipped: sum("skipped"), failed: sum("failed"), bytes: sum("bytes"), ms: Date.now() - started };
}

function emptyResult(camera: Camera, folder: string): CameraPullResult {
  return { name: camera.name, url: camera.url, new: 0, skipped: 0, failed: 0, deleted: 0, bytes: 0, errors: [], folder, pulled: [] };
}

/** Slots shared by every camera: downloads over the network, and files being made durable. */
interface SharedSlots {
  overall: Limiter;
  disk: Limiter;
}

/** Pulls one camera: opens its client and folder for the run, pulls what is new, closes both. */
async function pullOne(camera: Camera, folder: string, pull: Partial<PullConfig>, shared: SharedSlots, options: PullCamerasOptions): Promise<CameraPullResult> {
  const policy = options.retryPolicy ?? { retries: pull.retries ?? 5, baseDelayMs: 250, maxDelayMs: 5000 };
  const client = clientFor(camera, pull, policy);
  let cameraFolder: CameraFolder | undefined;
  try {
    cameraFolder = await openCameraFolder(folder, camera.name);
    const job: FileJob = {
      camera: camera.name,
      client,
      folder,
      ledger: cameraFolder.ledger,
      slots: { ...shared, perCamera: limiter(pull.perCamera ?? 2) },
      // A picture's name is made durable before its ledger entry is written, so a
      // crash can never leave an entry for a file that is not there.
      syncFolder: groupCommit(() => syncDir(folder)),
      failures: new RepeatedFailures(),
      policy,
      signal: options.signal,
    };
    return await pullNewFiles(camera, job, pull.deleteAfter === true, options.sink);
  } finally {
    await cameraFolder?.ledger.close().catch(() => {});
    await client.destroy().catch(() => {});
    await cameraFolder?.releaseLock().catch(() => {});
  }
}

/** Lists the camera, downloads what its ledger lacks, then (--delete-after) removes what is safely here. */
async function pullNewFiles(camera: Camera, job: FileJob, deleteAfter: boolean, sink: PullCamerasOptions["sink"]): Promise<CameraPullResult> {
  const result = emptyResult(camera, job.folder);
  const log = (line: string) => sink?.log?.(line);
  const report = (message: string) => {
    result.errors.push(message);
    log(message);
  };
  let files: CameraFile[];
  try {
    files = await job.client.listFiles("image");
  } catch (error) {
    report(messageOf(error, camera.name));
    return result;
  }
  const todo = files.filter((f) => !job.ledger.has(f));
  result.skipped = files.length - todo.length;
  log(`${camera.name}: ${files.length} on camera, ${todo.length} to pull`);
  sink?.grow?.(todo.length);

  const outcomes = await Promise.all(
    todo.map(async (file) => {
      const outcome = await pullFile(file, job);
      if (outcome.status === "failed") log(outcome.message);
      sink?.tick?.(1, `${camera.name}/${file.name}`);
      return outcome;
    }),
  );
  addOutcomes(result, outcomes);
  const notTried = outcomes.filter((o) => o.status === "not tried").length;
  if (notTried > 0) report(`${camera.name}: gave up on ${notTried} more file(s) after repeated failures`);
  if (deleteAfter) {
    const { deleted, error } = await deletePulled(files, job, log);
    result.deleted = deleted;
    if (error !== undefined) report(error);
  }
  return result;
}

function clientFor(camera: Camera, pull: Partial<PullConfig>, policy: RetryPolicy): OscClient {
  const timeoutMs = (pull.timeoutSeconds ?? 10) * 1000;
  return new OscClient({
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
}

/** A camera's folder, locked for this run, with its ledger open. */
interface CameraFolder {
  ledger: Ledger;
  releaseLock(): Promise<void>;
}

/** Creates and locks the folder, removes temp files a killed run left, opens the ledger. */
async function openCameraFolder(folder: string, camera: string): Promise<CameraFolder> {
  await mkdir(folder, { recursive: true });
  const releaseLock = await lockFolder(folder, camera);
  try {
    await removeStaleTemps(folder);
    return { ledger: await Ledger.open(folder), releaseLock };
  } catch (error) {
    await releaseLock().catch(() => {});
    throw error;
  }
}

/** What pulling one file of a camera needs. */
interface FileJob {
  camera: string;
  client: OscClient;
  folder: string;
  ledger: Ledger;
  /** Download slots (overall, perCamera) and fsync slots (disk). */
  slots: SharedSlots & { perCamera: Limiter };
  syncFolder: () => Promise<void>;
  failures: RepeatedFailures;
  policy: RetryPolicy;
  signal?: AbortSignal;
}

type FileOutcome = { status: "pulled"; bytes: number; fileUrl: string; file: string } | { status: "failed"; message: string } | { status: "not tried" };

/**
 * A camera that went away (Wi-Fi lost, battery flat, password changed) fails its
 * files after retries; after two such failures in a row, or one refused login, the
 * rest of its files are not even tried, so it stops holding shared download slots
 * through its backoff sleeps.
 */
class RepeatedFailures {
  private inARow = 0;
  gaveUp = false;

  add(error: unknown): void {
    if (!(error instanceof AuthError) && !isTransient(error)) return;
    this.inARow += 1;
    if (this.inARow >= 2 || error instanceof AuthError) this.gaveUp = true;
  }

  reset(): void {
    this.inARow = 0;
  }
}

/** Downloads one file into a temp file, places it and records it in the ledger. Never throws. */
async function pullFile(file: CameraFile, job: FileJob): Promise<FileOutcome> {
  const temp = tempPath(job.folder);
  try {
    // The network slots are held for the transfer only; the fsync that follows
    // overlaps the next downloads instead of holding one back.
    const downloaded = await job.slots.perCamera(() => downloadUnlessGivenUp(file, temp, job));
    if (!downloaded) return { status: "not tried" };
    job.failures.reset();
    const saved = await job.slots.disk(() => commit(temp, file, job.folder, job.syncFolder));
    await job.ledger.record({ fileUrl: file.fileUrl, size: file.size, dateTimeZone: file.dateTimeZone, file: saved, at: new Date().toISOString() });
    return { status: "pulled", bytes: file.size, fileUrl: file.fileUrl, file: saved };
  } catch (error) {
    return { status: "failed", message: messageOf(error, job.camera) };
  } finally {
    await rm(temp, { force: true });
  }
}

/** Downloads `file` into `temp` with retries; false when the camera was given up on before its turn. */
async function downloadUnlessGivenUp(file: CameraFile, temp: string, job: FileJob): Promise<boolean> {
  if (job.failures.gaveUp) return false;
  try {
    await job.slots.overall(() => {
      job.signal?.throwIfAborted();
      return withRetry(() => downloadOnce(job.client, file, temp), { policy: job.policy, signal: job.signal });
    });
  } catch (error) {
    job.failures.add(error);
    throw error;
  }
  return true;
}

/** Adds the files' outcomes to the camera's counts and errors (in listing order). */
function addOutcomes(result: CameraPullResult, outcomes: FileOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.status === "pulled") {
      result.new += 1;
      result.bytes += outcome.bytes;
      result.pulled.push({ fileUrl: outcome.fileUrl, file: outcome.file });
    } else {
      result.failed += 1;
      if (outcome.status === "failed") result.errors.push(outcome.message);
    }
  }
}

/** --delete-after: removes from the camera the pictures safeToDelete finds; an error is returned, not thrown. */
async function deletePulled(files: CameraFile[], job: FileJob, log: (line: string) => void): Promise<{ deleted: number; error?: string }> {
  const { safe, kept } = await safeToDelete(files, job.ledger, job.folder);
  if (kept > 0) log(`${job.camera}: kept ${kept} picture(s) on the camera: pulled before, but no longer in ${job.folder} as pulled`);
  try {
    await job.client.delete(safe);
  } catch (error) {
    return { deleted: 0, error: messageOf(error, job.camera) };
  }
  if (safe.length > 0) log(`${job.camera}: deleted ${safe.length} pulled file(s) from the camera`);
  return { deleted: safe.length };
}

/**
 * The pictures --delete-after may remove: pulled now or in an earlier run, and on
 * disk now where the ledger says, at the size pulled. A picture since moved or
 * deleted here stays on the camera (`kept`): this run cannot tell a publisher's
 * tidying from a loss.
 */
async function safeToDelete(files: CameraFile[], ledger: Ledger, folder: string): Promise<{ safe: string[]; kept: number }> {
  const safe: string[] = [];
  let kept = 0;
  for (const file of files) {
    const entry = ledger.entryFor(file);
    if (!entry) continue;
    const local = await stat(path.join(folder, entry.file)).catch(() => undefined);
    if (local?.isFile() && local.size === entry.size) safe.push(file.fileUrl);
    else kept += 1;
  }
  return { safe, kept };
}

function messageOf(error: unknown, camera: string): string {
  if (error instanceof CameraError) return error.message;
  return `${camera}: ${(error as Error).message ?? String(error)}`;
}

const LOCK_FILE = ".rotunda-pull.lock";

/** One pull per camera folder at a time: a second one would delete the first one's temp files. */
async function lockFolder(folder: string, camera: string): Promise<() => Promise<void>> {
  try {
    const lock = await acquireLock(path.join(folder, LOCK_FILE), "another pull", folder);
    return () => lock.release();
  } catch (error) {
    if (error instanceof LockedError) throw new CameraError(camera, error.message);
    throw error;
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
