// The bucket as shared cache: what process made of an original, kept in the
// S3-compatible bucket the site deploys to, so any later run on any machine (a CI
// shard with an empty disk) takes it from there instead of making it again.
//
// Keys, below the cache's prefix (`s3://bucket/prefix`):
//   media/<hash12>/<name>…                the outputs, under the very keys a deploy
//                                         to that bucket and prefix uses, with the
//                                         same headers (so deploy finds them there)
//   .rotunda-cache/<sha256>-<recipe>.json the record: the original's outputs as the
//                                         manifest takes them, and every file with
//                                         its size and MD5
// The media go up first and the record last, so a record is only ever there once
// its files are. A record is used only when it reads, is the one its key names,
// and every file it lists is in the bucket at its size (and MD5, where the ETag
// tells it); otherwise it is ignored (with a warning when it is corrupt or
// foreign) and the original is made again. Whether the files are there is told by
// listing the original's media folder; once many records are being found, by one
// listing of all the media instead (media-scan.ts). A run reads its shard's pack
// first (pack.ts: the records of the last run of that shard in one object), and
// writes it anew at its end. Deploy never uploads or prunes the records and packs
// (dot-keys). Requests go through deploy's S3 client with its retries.
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../config.ts";
import { headersFor, phaseOf } from "../deploy/headers.ts";
import { MD5_METADATA_KEY, remoteMd5, remoteObjectOf, type PlannedUpload, type RemoteObject } from "../deploy/plan.ts";
import { createS3Client, describeEndpoint, explainS3Error, httpStatusOf, parseS3Url, type S3Target } from "../deploy/s3-target.ts";
import { DEFAULT_UPLOAD_OPTIONS, sendWithRetry, uploadFile, type UploadOptions } from "../deploy/upload.ts";
import { hashFile, walkTree } from "../files.ts";
import { limiter, type Limiter } from "../limit.ts";
import { referencedUrls } from "../manifest.ts";
import type { ImageOutputs, SharedStore, StoreRun } from "../process/index.ts";
import { MEDIA_DIR, mediaFolderOf } from "../process/pipeline.ts";
import { MediaScan } from "./media-scan.ts";
import { packPath, packText, readPack } from "./pack.ts";
import { checkRecord, RECORD_VERSION, type CacheRecord } from "./record.ts";

/** Below the prefix: where records live (a dot-folder: deploy never uploads, lists as stale, or prunes it). */
export const RECORDS_DIR = ".rotunda-cache";
/** The cache cannot be used (unreachable, refused, a bad URL): exit 2, naming it and the endpoint. */
export class CacheError extends ConfigError {
  override name = "CacheError";
}

export interface BucketCacheOptions {
  /** `s3://bucket/prefix`: the bucket and prefix the site deploys to. */
  url: string;
  /** S3-compatible endpoint; AWS S3 when absent. */
  endpoint?: string;
  region?: string;
  /** Requests in flight at once (lookups and uploads each). Default 8. */
  concurrency?: number;
  upload?: Partial<UploadOptions>;
  idleTimeoutMs?: number;
  /** A client of the caller's (tests put a fault-injecting proxy in front of the server). */
  client?: S3Client;
  /** Good records found (or, with a pack, packed) from which media are checked against one listing of all the media (media-scan.ts). Default 32. */
  scanAfterRecords?: number;
  /** Objects that listing keeps at most. Default 160,000. */
  scanMaxObjects?: number;
}

export interface CacheStats {
  requests: number;
  /** Wall time with at least one request in flight: the network's share of a run. */
  networkMs: number;
  bytesUp: number;
}

/**
 * Opens the cache: checks the URL, and that the bucket answers (one listing,
 * retried). Throws a CacheError naming the endpoint when it cannot be used.
 */
export async function openBucketCache(options: BucketCacheOptions): Promise<BucketCache> {
  let target: S3Target;
  try {
    target = parseS3Url(options.url);
  } catch (error) {
    throw new CacheError(`cache: ${(error as Error).message}`);
  }
  const where = describeEndpoint(options.endpoint, options.region);
  const client = options.client ?? createS3Client({ endpoint: options.endpoint, region: options.region, ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}) });
  const cache = new BucketCache(target, options, client, where);
  try {
    await cache.probe();
  } catch (error) {
    const explained = explainS3Error(error, where, target);
    throw new CacheError(`cache ${options.url}: ${explained?.message ?? describe(error)}`);
  }
  return cache;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

const md5Of = (text: string | Buffer) => createHash("md5").update(text).digest("hex");

/** The most a record is read: one names its original's outputs, some dozens of files. */
const MAX_RECORD_BYTES = 16 * 2 ** 20;
/** The most a pack is read or written: beyond it (tens of thousands of originals in one shard), records are read one by one. */
const MAX_PACK_BYTES = 256 * 2 ** 20;

/** An object in the bucket larger than the cache reads. */
class TooLarge extends Error {
  constructor(maxBytes: number) {
    super(`larger than ${maxBytes / 2 ** 20} MB, not read`);
  }
}

export class BucketCache implements SharedStore {
  readonly url: string;
  readonly endpoint?: string;
  readonly stats: CacheStats = { requests: 0, networkMs: 0, bytesUp: 0 };
  private readonly requests: Limiter;
  private readonly uploads: Limiter;
  private readonly retry: UploadOptions;
  private inFlight = 0;
  private busySince = 0;
  /** Originals whose record passed its checks: from `scanAfterRecords` of them on, media are scanned. */
  private readonly found = new Set<string>();
  /** The run's pack was there but could not be read: what it held for originals not looked up is not known. */
  private packUnread = false;
  /** This run (its shard and recipe), once told. */
  private run?: StoreRun;
  /** The run's pack as the bucket held it at the start: its text and its records by content hash. */
  private pack?: Promise<{ text: string; records: Map<string, unknown> } | undefined>;
  /** Records found good or put by this run, by content hash: what its pack will hold. */
  private readonly held = new Map<string, unknown>();
  /** Content hashes looked up by this run: a packed record of one of them that is not held is not carried on. */
  private readonly lookedUp = new Set<string>();
  /** Aborted on close: a listing still under way (the scan's) stops retrying. */
  private readonly closing = new AbortController();
  private scan?: MediaScan;
  private readonly scanAfterRecords: number;
  private readonly scanMaxObjects: number;

  constructor(
    private readonly target: S3Target,
    options: BucketCacheOptions,
    private readonly client: S3Client,
    /** The endpoint as messages name it. */
    readonly where: string,
  ) {
    this.url = options.url;
    if (options.endpoint) this.endpoint = options.endpoint;
    this.requests = limiter(options.concurrency ?? 8);
    this.uploads = limiter(options.concurrency ?? 8);
    this.retry = { ...DEFAULT_UPLOAD_OPTIONS, ...options.upload };
    this.scanAfterRecords = options.scanAfterRecords ?? 32;
    this.scanMaxObjects = options.scanMaxObjects ?? 160_000;
  }

  /** The key of an original's record. */
  recordKey(hash: string, optionsKey: string): string {
    return `${this.target.prefix}${RECORDS_DIR}/${hash}-${optionsKey}.json`;
  }

  /** The key of a site file ("media/…"). */
  private keyOf(rel: string): string {
    return this.target.prefix + rel;
  }

  /** Runs `work`, counting the wall time during which any request is in flight. */
  private async timed<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.busySince = performance.now();
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0) this.stats.networkMs += performance.now() - this.busySince;
    }
  }

  /** One request, retried, counted and timed. */
  private async send<T>(request: () => Promise<T>): Promise<T> {
    return this.requests(() =>
      this.timed(() =>
        sendWithRetry(
          this.retry,
          () => {
            this.stats.requests++;
            return request();
          },
          // A request still queued when the cache is closed (the scan's next pages) is not sent.
          this.closing.signal,
        ),
      ),
    );
  }

  async probe(): Promise<void> {
    await this.send(() => this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: this.keyOf(`${RECORDS_DIR}/`), MaxKeys: 1 })));
  }

  /**
   * An object's text (a record or a pack), or undefined when there is none; one
   * larger than `maxBytes` is not read (TooLarge): the bucket may not be the site's alone.
   */
  private async readText(key: string, maxBytes: number): Promise<string | undefined> {
    try {
      return await this.send(async () => {
        const answer = await this.client.send(new GetObjectCommand({ Bucket: this.target.bucket, Key: key }), { abortSignal: this.closing.signal });
        if ((answer.ContentLength ?? 0) > maxBytes) {
          (answer.Body as { destroy?: () => void } | undefined)?.destroy?.(); // not read: that is the point
          throw new TooLarge(maxBytes);
        }
        // Read inside the retried request: a connection reset mid-body tries again.
        return answer.Body!.transformToString("utf8");
      });
    } catch (error) {
      if (error instanceof NoSuchKey || httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** One page of the keys below `prefix` (relative to the site), keys relative to the site. */
  private async listPage(prefix: string, token: string | undefined) {
    const page = await this.send(() =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.target.bucket, Prefix: this.keyOf(prefix), ContinuationToken: token }), { abortSignal: this.closing.signal }),
    );
    const objects: RemoteObject[] = [];
    for (const o of page.Contents ?? []) {
      if (o.Key?.startsWith(this.target.prefix)) objects.push(remoteObjectOf({ ...o, Key: o.Key.slice(this.target.prefix.length) }));
    }
    return { objects, ...(page.IsTruncated && page.NextContinuationToken ? { next: page.NextContinuationToken } : {}) };
  }

  /** Every object below a folder of the site ("media/<hash12>"), by path relative to the site. */
  private async listFolder(folder: string): Promise<Map<string, RemoteObject>> {
    const listed = new Map<string, RemoteObject>();
    let token: string | undefined;
    do {
      const page = await this.listPage(`${folder}/`, token);
      for (const object of page.objects) listed.set(object.key, object);
      token = page.next;
    } while (token);
    return listed;
  }

  begin(run: StoreRun, warn: (message: string) => void): void {
    this.run = run;
    const key = this.keyOf(packPath(RECORDS_DIR, run.optionsKey, run.shard));
    this.pack = this.readText(key, MAX_PACK_BYTES).then(
      (text) => {
        if (text === undefined) return undefined;
        const records = readPack(text, run.optionsKey, run.shard);
        if (typeof records !== "string") return { text, records };
        this.packUnread = true;
        warn(`ignored the cache's pack ${key}: ${records}`);
        return undefined;
      },
      (error: unknown) => {
        this.packUnread = true;
        if (!(error instanceof TooLarge)) warn(`the cache's pack ${key} could not be read (${this.explain(error)}): records read one by one`);
        return undefined;
      },
    );
  }

  async expects(hash: string, optionsKey: string): Promise<boolean> {
    return optionsKey === this.run?.optionsKey && (await this.pack)?.records.has(hash) === true;
  }

  async lookup(hash: string, optionsKey: string, warn: (message: string) => void): Promise<ImageOutputs | undefined> {
    this.lookedUp.add(hash);
    const pack = optionsKey === this.run?.optionsKey ? await this.pack : undefined;
    const packed = pack?.records.get(hash);
    if (packed !== undefined) {
      // As many records as that to come: the media are listed once, from the first.
      if (pack!.records.size >= this.scanAfterRecords) this.startScan();
      const record = checkRecord(packed, hash, optionsKey);
      // A packed record that fails here is only a hint gone stale: the record's own object decides.
      if (typeof record !== "string" && (await this.missingFiles(record).catch(() => undefined))?.length === 0) return this.taken(record, packed);
    }
    const key = this.recordKey(hash, optionsKey);
    let text: string | undefined;
    try {
      text = await this.readText(key, MAX_RECORD_BYTES);
    } catch (error) {
      if (error instanceof TooLarge) {
        warn(`ignored the cache's record ${key}: ${error.message}`);
        return undefined;
      }
      warn(`the cache ${this.url} could not be read (${explainS3Error(error, this.where, this.target)?.message ?? describe(error)}): made here`);
      return undefined;
    }
    if (text === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      warn(`ignored the cache's record ${key}: not JSON (corrupt)`);
      return undefined;
    }
    const record = checkRecord(raw, hash, optionsKey);
    if (typeof record === "string") {
      warn(`ignored the cache's record ${key}: ${record}`);
      return undefined;
    }
    let missing: CacheRecord["files"];
    try {
      missing = await this.missingFiles(record);
    } catch (error) {
      warn(`the cache ${this.url} could not be listed (${describe(error)}): made here`);
      return undefined;
    }
    if (missing.length > 0) {
      warn(`the cache's record ${key} names ${missing.length} file${missing.length === 1 ? "" : "s"} the bucket does not hold as recorded (${missing[0]!.path}…): made here`);
      return undefined;
    }
    return this.taken(record, raw);
  }

  /** The outputs of a record found good; the run's pack will hold it as it was read (`raw`), so an unchanged pack keeps its bytes. */
  private taken(record: CacheRecord, raw: unknown): ImageOutputs {
    this.held.set(record.hash, raw);
    const { gps: _position, ...outputs } = record.outputs as ImageOutputs;
    return outputs;
  }

  private startScan(): void {
    this.scan ??= new MediaScan(MEDIA_DIR, (prefix, token) => this.listPage(prefix, token), this.scanMaxObjects);
  }

  /** The files of a record the bucket does not hold as recorded (size, and MD5 where the ETag tells it). */
  private async missingFiles(record: CacheRecord): Promise<CacheRecord["files"]> {
    this.found.add(record.hash);
    if (this.found.size >= this.scanAfterRecords) this.startScan();
    const notThere = (there: Map<string, RemoteObject>) =>
      record.files.filter((f) => {
        const object = there.get(f.path);
        const md5 = object && remoteMd5(object);
        return !object || object.size !== f.bytes || (md5 !== undefined && md5 !== f.md5);
      });
    const folder = mediaFolderOf(record.hash);
    const scanned = await this.scan?.folder(folder);
    const missing = scanned && notThere(scanned);
    // Not in the scan, or missing from it (which may have been before the files arrived): listed now.
    return missing === undefined || missing.length > 0 ? notThere(await this.listFolder(folder)) : missing;
  }

  async finish(hashes: Iterable<string>, warn: (message: string) => void): Promise<void> {
    const { run } = this;
    if (!run) return;
    const originals = new Set(hashes);
    const before = await this.pack;
    const records: unknown[] = [];
    for (const hash of originals) {
      // Records this run did not look up (its outputs were here) are carried on as the last pack had them.
      const record = this.held.get(hash) ?? (this.lookedUp.has(hash) ? undefined : before?.records.get(hash));
      if (record !== undefined) records.push(record);
    }
    // Over a pack that could not be read, only a run that looked up every original writes: what
    // the others' records were is not known, and a smaller pack would lose them.
    if (this.packUnread && records.length < originals.size) return;
    const text = packText(run.optionsKey, run.shard, records);
    if (text === before?.text || (records.length === 0 && !before) || text.length > MAX_PACK_BYTES) return;
    const key = this.keyOf(packPath(RECORDS_DIR, run.optionsKey, run.shard));
    try {
      await this.putText(key, text);
    } catch (error) {
      warn(`the cache's pack ${key} could not be written (${this.explain(error)}): the next run reads the records one by one`);
    }
  }

  /** Puts a JSON object with its MD5 checked by the server. */
  private async putText(key: string, body: string): Promise<void> {
    await this.send(() =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.target.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json; charset=utf-8",
          ContentMD5: Buffer.from(md5Of(body), "hex").toString("base64"),
          Metadata: { [MD5_METADATA_KEY]: md5Of(body) },
        }),
      ),
    );
  }

  async put(hash: string, optionsKey: string, outputs: ImageOutputs, outputDir: string): Promise<void> {
    try {
      await this.putRecord(hash, optionsKey, outputs, outputDir);
    } catch (error) {
      throw new Error(this.explain(error), { cause: error });
    }
  }

  private async putRecord(hash: string, optionsKey: string, outputs: ImageOutputs, outputDir: string): Promise<void> {
    const files = await filesOf(outputs, outputDir);
    const folder = mediaFolderOf(hash);
    // Files a killed run or another machine put there already are not sent again.
    const there = await this.listFolder(folder);
    await Promise.all(
      files.map((file) =>
        this.uploads(async () => {
          const object = there.get(file.path);
          if (object && object.size === file.bytes && remoteMd5(object) === file.md5) return;
          const upload: PlannedUpload = {
            file: { relPath: file.path, absPath: path.join(outputDir, file.path), size: file.bytes, md5: file.md5 },
            key: this.keyOf(file.path),
            phase: phaseOf(file.path),
            reason: object ? "changed" : "new",
            headers: headersFor(file.path),
          };
          await this.timed(async () => {
            this.stats.requests++;
            await uploadFile({ streaming: this.client, buffered: this.client }, this.target.bucket, upload, this.retry);
            this.stats.bytesUp += file.bytes;
          });
        }),
      ),
    );
    // Last: the record, which says its files are there. It holds no position: the
    // bucket may be public, and each machine reads the original's GPS itself.
    const { gps: _position, ...shared } = outputs;
    const record: CacheRecord = { version: RECORD_VERSION, generator: "rotunda", hash, optionsKey, outputs: shared as CacheRecord["outputs"], files };
    await this.putText(this.recordKey(hash, optionsKey), JSON.stringify(record));
    this.held.set(hash, record);
  }

  /** Why a failure happened, in one line without secrets (for the build's report). */
  explain(error: unknown): string {
    return explainS3Error(error, this.where, this.target)?.message ?? describe(error);
  }

  close(): void {
    this.closing.abort();
    this.client.destroy();
  }
}

/** Every file of an original's outputs (the files its record names; a tile folder's files one by one), with size and MD5. */
async function filesOf(outputs: ImageOutputs, outputDir: string): Promise<CacheRecord["files"]> {
  const rels = new Set<string>();
  for (const url of referencedUrls(outputs.media)) {
    const rel = url.slice(1);
    if (!url.endsWith("/")) {
      rels.add(rel);
      continue;
    }
    for (const entry of await walkTree(path.join(outputDir, rel))) if (entry.kind === "file") rels.add(rel + entry.relPath);
  }
  const files: CacheRecord["files"] = [];
  for (const rel of [...rels].sort()) {
    const abs = path.join(outputDir, rel);
    const [info, md5] = await Promise.all([stat(abs), hashFile(abs, { algorithm: "md5" })]);
    files.push({ path: rel, bytes: info.size, md5 });
  }
  return files;
}
