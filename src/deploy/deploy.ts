// The deploy itself: check dist/ is a finished, consistent build (check.ts), scan
// it, list the bucket, check the media the build left in the bucket (the bucket
// cache's) are there, plan, then upload phase by phase (assets, pages, home,
// feeds) and prune last. A phase with a failed upload stops the deploy there, so
// no page ever goes up pointing at a missing file, and nothing is deleted unless
// every upload landed; media the pages use are never pruned, wherever they came
// from. Every request is retried on transient failures (upload.ts, src/retry.ts),
// so a rerun after a kill or a failure only finishes the job.
import { DeleteObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { stat } from "node:fs/promises";
import { mapLimit } from "../limit.ts";
import type { Progress } from "../progress.ts";
import { PHASES, type Phase } from "./headers.ts";
import type { RemoteMedia } from "../output/index.ts";
import { remoteMediaOf, remoteMediaResolver, whyNotDeployable } from "./check.ts";
import { listSiteFiles, scanSite } from "./local.ts";
import { listRemote, makePlan, resolveMultipartDigests, type Plan } from "./plan.ts";
import { DeployError, createS3Client, describeEndpoint, errorCodeOf, explainS3Error, type S3Target } from "./s3-target.ts";
import { DEFAULT_UPLOAD_OPTIONS, uploadFile, sendWithRetry, type UploadClients, type UploadOptions } from "./upload.ts";

export interface DeployOptions {
  distDir: string;
  target: S3Target;
  /** S3-compatible endpoint URL; implies path-style addressing. */
  endpoint?: string;
  region?: string;
  /** Plan only: list the bucket, change nothing. */
  dryRun?: boolean;
  /** Delete objects under the prefix that the site no longer has, after every upload landed. */
  prune?: boolean;
  /** Files in flight at once. Default 8. */
  concurrency?: number;
  /** A connection with no byte sent or received for this long fails, and the request is retried. Default 60 s. */
  idleTimeoutMs?: number;
  upload?: Partial<UploadOptions>;
  progress?: Progress;
  /**
   * Use these clients instead of building them (tests inject faults this way).
   * `meta` lists, reads metadata and sends multipart uploads; `upload` sends
   * single PutObjects and deletes. Every request is retried by the deploy itself.
   */
  clients?: { meta: S3Client; upload: S3Client };
}

export interface FailedItem {
  key: string;
  action: "upload" | "delete";
  error: string;
}

export interface DeployResult {
  dryRun: boolean;
  plan: Plan;
  uploaded: string[];
  unchanged: number;
  deleted: string[];
  failed: FailedItem[];
  bytesUploaded: number;
  /** Phases not run because an earlier one had failures. */
  skippedPhases: Phase[];
  ms: number;
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const { target } = options;
  const concurrency = options.concurrency ?? 8;
  const uploadOptions: UploadOptions = { ...DEFAULT_UPLOAD_OPTIONS, ...options.upload };
  const where = describeEndpoint(options.endpoint, options.region);
  const sink = options.progress;

  const dir = await stat(options.distDir).catch(() => undefined);
  if (!dir?.isDirectory()) throw new DeployError(`no site to deploy: "${options.distDir}" is not a directory (run \`rotunda build\` first)`, "site");
  const listed = await listSiteFiles(options.distDir);
  if (listed.length === 0) throw new DeployError(`no site to deploy: "${options.distDir}" has no files`, "site");
  const refusal = await whyNotDeployable(options.distDir, listed.map((f) => f.relPath), target);
  if (refusal) throw new DeployError(refusal, "site");
  const local = await scanSite(options.distDir, concurrency);
  const remoteMedia = await remoteMediaOf(options.distDir);
  const inBucket = remoteMediaResolver(remoteMedia);

  const client = () => createS3Client({ endpoint: options.endpoint, region: options.region, ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}) });
  const meta = options.clients?.meta ?? client();
  const up = options.clients?.upload ?? client();
  const uploadClients: UploadClients = { streaming: up, buffered: meta };

  let plan: Plan;
  try {
    const remote = await listRemote(meta, target, undefined, { retry: uploadOptions });
    const missing = missingRemoteMedia(remoteMedia, remote, target.prefix, local.map((f) => f.relPath));
    if (missing.length > 0) {
      throw new DeployError(
        `${missing.length} media file${missing.length === 1 ? "" : "s"} the pages use ${missing.length === 1 ? "is" : "are"} neither in ${options.distDir} nor in the bucket ` +
          `(${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}): run \`rotunda build\` again, which makes them anew`,
        "site",
      );
    }
    await resolveMultipartDigests(meta, target, remote, local, concurrency, uploadOptions);
    plan = makePlan(local, remote, target.prefix, inBucket);
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw explainS3Error(error, where, target) ?? error;
  }

  const result: DeployResult = {
    dryRun: options.dryRun === true,
    plan,
    uploaded: [],
    unchanged: plan.unchanged.length,
    deleted: [],
    failed: [],
    bytesUploaded: 0,
    skippedPhases: [],
    ms: 0,
  };
  if (options.dryRun) {
    result.ms = Date.now() - started;
    return result;
  }

  sink?.grow(plan.uploads.length + (options.prune ? plan.stale.length : 0));
  for (const phase of PHASES) {
    if (result.failed.length > 0) {
      result.skippedPhases.push(phase);
      continue;
    }
    const batch = plan.uploads.filter((u) => u.phase === phase);
    await mapLimit(batch, concurrency, async (u) => {
      try {
        await uploadFile(uploadClients, target.bucket, u, uploadOptions);
        result.uploaded.push(u.key);
        result.bytesUploaded += u.file.size;
      } catch (error) {
        const explained = explainS3Error(error, where, target);
        result.failed.push({ key: u.key, action: "upload", error: explained?.message ?? describeError(error) });
        sink?.log(`failed: ${u.key}: ${explained?.message ?? describeError(error)}`);
      }
      sink?.tick(1, u.key);
    });
  }

  if (options.prune && result.failed.length === 0) {
    await mapLimit(plan.stale, concurrency, async (key) => {
      try {
        await sendWithRetry(uploadOptions, () => up.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key })));
        result.deleted.push(key);
      } catch (error) {
        result.failed.push({ key, action: "delete", error: describeError(error) });
        sink?.log(`failed to delete ${key}: ${describeError(error)}`);
      }
      sink?.tick(1, key);
    });
  }
  sink?.done();
  result.ms = Date.now() - started;
  return result;
}

/**
 * The media the record says are in the bucket (the cache's) that neither the
 * bucket's listing nor the site has, as paths below the prefix.
 */
function missingRemoteMedia(media: RemoteMedia | undefined, remote: ReadonlyMap<string, unknown>, prefix: string, localFiles: readonly string[]): string[] {
  if (!media) return [];
  const present = new Set(localFiles);
  const addWithFolders = (rel: string) => {
    present.add(rel);
    for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) present.add(rel.slice(0, i));
  };
  for (const key of remote.keys()) if (key.startsWith(prefix)) addWithFolders(key.slice(prefix.length));
  for (const rel of localFiles) addWithFolders(rel);
  const missing: string[] = [];
  for (const [folder, names] of Object.entries(media.folders)) {
    for (const name of names) if (!present.has(`${folder}/${name}`)) missing.push(`${folder}/${name}`);
  }
  return missing;
}

function describeError(error: unknown): string {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && code !== "Error" && !message.startsWith(code) ? `${code}: ${message}` : message;
}
