// Puts one file: a single PutObject below the multipart threshold, else a
// hand-written multipart upload whose parts stream from disk. Bodies are streams,
// so nothing is held in memory, and each attempt opens a fresh stream: that is why
// this module retries by itself (src/retry.ts, with S3's rules for what is worth
// another try) and its client is built with SDK retries off.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createReadStream } from "node:fs";
import { hashFile } from "../files.ts";
import { retry, type RetryPolicy } from "../retry.ts";
import { MD5_METADATA_KEY, type PlannedUpload } from "./plan.ts";
import { httpStatusOf, errorCodeOf } from "./s3-target.ts";

export const MIB = 1024 * 1024;

export interface UploadOptions {
  /** Files larger than this go up in parts. Default 16 MiB. */
  multipartThreshold: number;
  /** Part size (S3's minimum is 5 MiB except for the last part). Default 8 MiB. */
  partSize: number;
  /** Attempts per request (PutObject or one part). Default 4. */
  attempts: number;
  /** Ceiling of the first retry delay in ms, doubled each time, with jitter. Default 300. */
  backoffMs: number;
}

export const DEFAULT_UPLOAD_OPTIONS: UploadOptions = { multipartThreshold: 16 * MIB, partSize: 8 * MIB, attempts: 4, backoffMs: 300 };

const MAX_PARTS = 10_000;

/** Transient: network errors, timeouts, throttling and server errors. Not: auth, bad requests. */
export function isRetryable(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined) return true;
  return status === 408 || status === 429 || status >= 500 || errorCodeOf(error) === "RequestTimeout";
}

/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 10_000;

/** One S3 request (`send` opens fresh bodies each time), retried under `options` when the failure is transient. */
export function sendWithRetry<T>(options: Pick<UploadOptions, "attempts" | "backoffMs">, send: () => Promise<T>): Promise<T> {
  const policy: RetryPolicy = { retries: Math.max(0, options.attempts - 1), baseDelayMs: options.backoffMs, maxDelayMs: MAX_BACKOFF_MS };
  return retry(send, { policy, retryable: isRetryable });
}

const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

export async function uploadFile(client: S3Client, bucket: string, upload: PlannedUpload, options: UploadOptions): Promise<void> {
  if (upload.file.size > options.multipartThreshold) return uploadMultipart(client, bucket, upload, options);
  const { file, key, headers } = upload;
  await sendWithRetry(options, () =>
    client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(file.absPath),
        ContentLength: file.size,
        // The server checks the bytes it got against this, so a corrupt upload fails rather than lands.
        ContentMD5: hexToBase64(file.md5),
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
        Metadata: { [MD5_METADATA_KEY]: file.md5 },
      }),
    ),
  );
}

async function uploadMultipart(client: S3Client, bucket: string, upload: PlannedUpload, options: UploadOptions): Promise<void> {
  const { file, key, headers } = upload;
  const partSize = Math.max(options.partSize, Math.ceil(file.size / MAX_PARTS));
  const created = await sendWithRetry(options, () =>
    client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: headers.contentType,
        CacheControl: headers.cacheControl,
        // The multipart ETag is not the file's MD5; this is what the next deploy compares.
        Metadata: { [MD5_METADATA_KEY]: file.md5 },
      }),
    ),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`no UploadId for ${key}`);
  try {
    const parts: CompletedPart[] = [];
    for (let start = 0, n = 1; start < file.size; start += partSize, n++) {
      const range = { start, end: Math.min(start + partSize, file.size) - 1 };
      const md5 = await hashFile(file.absPath, { algorithm: "md5", range });
      const res = await sendWithRetry(options, () =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: createReadStream(file.absPath, range),
            ContentLength: range.end - range.start + 1,
            ContentMD5: hexToBase64(md5),
          }),
        ),
      );
      parts.push({ PartNumber: n, ETag: res.ETag ?? `"${md5}"` });
    }
    await sendWithRetry(options, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
    );
  } catch (error) {
    // Best effort: leftover parts cost storage until a lifecycle rule reaps them.
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
    throw error;
  }
}
