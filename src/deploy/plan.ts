// What a deploy will do: the local files against the bucket's listing, giving
// uploads (new or changed, by phase), unchanged files and stale objects.
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { formatBytes } from "../format.ts";
import { mapLimit } from "../limit.ts";
import { PHASES, headersFor, phaseOf, type ObjectHeaders, type Phase } from "./headers.ts";
import type { LocalFile } from "./local.ts";
import type { S3Target } from "./s3-target.ts";
import { DEFAULT_UPLOAD_OPTIONS, sendWithRetry, type UploadOptions } from "./upload.ts";

/** How often, and after how long, a request is tried again. */
export type RetryBudget = Pick<UploadOptions, "attempts" | "backoffMs">;

/** Object metadata holding the whole file's hex MD5, written on every upload (`x-amz-meta-rotunda-md5`). */
export const MD5_METADATA_KEY = "rotunda-md5";

export interface RemoteObject {
  key: string;
  size: number;
  /** ETag without quotes. A plain MD5 for single-part uploads, `<hex>-<parts>` for multipart ones. */
  etag: string;
  /** The MD5 stored in metadata, when it was read (multipart objects only). */
  md5?: string;
}

export interface PlannedUpload {
  file: LocalFile;
  key: string;
  phase: Phase;
  reason: "new" | "changed";
  headers: ObjectHeaders;
}

export interface Plan {
  /** In upload order: by phase, then by key. */
  uploads: PlannedUpload[];
  unchanged: LocalFile[];
  /** Objects under the prefix that the site no longer has, pages before assets. */
  stale: string[];
}

const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/** The MD5 of a remote object's content, when known: its ETag if single-part, else the stored metadata. */
export function remoteMd5(object: RemoteObject): string | undefined {
  return PLAIN_MD5.test(object.etag) ? object.etag : object.md5;
}

export function needsMetadataLookup(object: RemoteObject): boolean {
  return !PLAIN_MD5.test(object.etag) && object.md5 === undefined;
}

/** A key below the prefix with a dot-segment (`.rotunda-cache/…`): never a site file, never Rotunda's to delete. */
export function isDotKey(relKey: string): boolean {
  return relKey.split("/").some((segment) => segment.startsWith("."));
}

/**
 * Pure: the plan for `local` against `remote` (keyed by full object key).
 * `inBucket` tells the files the site uses that are in the bucket and not in
 * `local` (media the bucket cache holds): never stale.
 */
export function makePlan(local: readonly LocalFile[], remote: ReadonlyMap<string, RemoteObject>, prefix: string, inBucket: (relKey: string) => boolean = () => false): Plan {
  const uploads: PlannedUpload[] = [];
  const unchanged: LocalFile[] = [];
  const keys = new Set<string>();
  for (const file of local) {
    const key = prefix + file.relPath;
    keys.add(key);
    const there = remote.get(key);
    if (there && there.size === file.size && remoteMd5(there) === file.md5) {
      unchanged.push(file);
      continue;
    }
    uploads.push({ file, key, phase: phaseOf(file.relPath), reason: there ? "changed" : "new", headers: headersFor(file.relPath) });
  }
  const order = (p: Phase) => PHASES.indexOf(p);
  uploads.sort((a, b) => order(a.phase) - order(b.phase) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Stale pages go before stale assets, the reverse of the upload order.
  const stale = [...remote.keys()]
    .filter((k) => !keys.has(k) && !isDotKey(k.slice(prefix.length)) && !inBucket(k.slice(prefix.length)))
    .sort((a, b) => order(phaseOf(b.slice(prefix.length))) - order(phaseOf(a.slice(prefix.length))) || (a < b ? -1 : a > b ? 1 : 0));
  return { uploads, unchanged, stale };
}

/** An object as a listing names it: its key, size and ETag (unquoted, lower case). */
export function remoteObjectOf(o: { Key: string; Size?: number; ETag?: string }): RemoteObject {
  return { key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? "").replace(/"/g, "").toLowerCase() };
}

/**
 * Everything under `prefix` (the target's own by default), page by page
 * (`pageSize` keys a request; the server's default when not given), each page
 * retried on its own; `onRequest` is told of every request sent.
 */
export async function listRemote(
  client: S3Client,
  target: S3Target,
  pageSize?: number,
  options: { prefix?: string; retry?: RetryBudget; onRequest?: () => void } = {},
): Promise<Map<string, RemoteObject>> {
  const out = new Map<string, RemoteObject>();
  const prefix = options.prefix ?? target.prefix;
  let token: string | undefined;
  do {
    const page = await sendWithRetry(options.retry ?? DEFAULT_UPLOAD_OPTIONS, () => {
      options.onRequest?.();
      return client.send(new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix || undefined, ContinuationToken: token, MaxKeys: pageSize }));
    });
    for (const o of page.Contents ?? []) if (o.Key !== undefined) out.set(o.Key, remoteObjectOf({ ...o, Key: o.Key }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Reads the stored MD5 of multipart objects that may match a local file (same
 * key and size): a listing gives only their `<hex>-<parts>` ETag.
 */
export async function resolveMultipartDigests(
  client: S3Client,
  target: S3Target,
  remote: Map<string, RemoteObject>,
  local: readonly LocalFile[],
  concurrency: number,
  retryBudget: RetryBudget = DEFAULT_UPLOAD_OPTIONS,
): Promise<void> {
  const candidates = local
    .map((f) => remote.get(target.prefix + f.relPath))
    .filter((o, i): o is RemoteObject => o !== undefined && o.size === local[i]?.size && needsMetadataLookup(o));
  await mapLimit(candidates, concurrency, async (o) => {
    const head = await sendWithRetry(retryBudget, () => client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: o.key })));
    const md5 = head.Metadata?.[MD5_METADATA_KEY];
    if (md5) o.md5 = md5.toLowerCase();
  });
}

/** The plan as lines for `--dry-run`. */
export function formatPlan(plan: Plan, prune: boolean): string[] {
  const lines: string[] = [];
  for (const phase of PHASES) {
    const ups = plan.uploads.filter((u) => u.phase === phase);
    if (ups.length === 0) continue;
    lines.push(`${phase}:`);
    for (const u of ups) lines.push(`  upload ${u.key} (${u.reason}, ${formatBytes(u.file.size)}, ${u.headers.cacheControl})`);
  }
  if (plan.stale.length > 0) {
    lines.push(prune ? "prune:" : `stale (kept; --prune would delete them):`);
    for (const k of plan.stale) lines.push(`  ${prune ? "delete " : ""}${k}`);
  }
  return lines;
}
