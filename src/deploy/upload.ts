// Puts one file: a single PutObject below the multipart threshold, else a
// multipart upload through the SDK's lib-storage.
//
// A single PutObject streams its body from disk and sends the file's MD5 as
// Content-MD5, which the server checks. A stream cannot be sent twice, so the
// request is retried here (src/retry.ts, with S3's rules for what is worth another
// try), each attempt on a fresh stream; every other request (listings, reads,
// deletes) is retried the same way, the SDK's own retries being off.
//
// lib-storage reads a large file one part at a time into memory and sends each
// part as a buffer: the request signature then carries the part's SHA-256
// (x-amz-content-sha256), which the server checks like Content-MD5. A part that
// fails aborts the upload (no parts are left behind), and the whole upload is
// retried from a fresh stream.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream } from "node:fs";
import { retry, type RetryPolicy } from "../retry.ts";
import { MD5_METADATA_KEY, type PlannedUpload } from "./plan.ts";
import { httpStatusOf, errorCodeOf } from "./s3-target.ts";

/** What a response said about waiting (`Retry-After` in seconds), in ms. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } } | undefined)?.$response?.headers;
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export const MIB = 1024 * 1024;

export interface UploadOptions {
  /** Files larger than this go up in parts. Default 16 MiB. */
  multipartThreshold: number;
  /** Part size (S3's minimum is 5 MiB except for the last part). Default 8 MiB. */
  partSize: number;
  /** Attempts per request (a listing page, a read, a PutObject, a DeleteObject, a whole multipart upload). Default 6. */
  attempts: number;
  /** Ceiling of the first retry delay, ms, doubled each time up to 10 s, with jitter. Default 300. */
  backoffMs: number;
}

export const DEFAULT_UPLOAD_OPTIONS: UploadOptions = { multipartThreshold: 16 * MIB, partSize: 8 * MIB, attempts: 6, backoffMs: 300 };

const MAX_PARTS = 10_000;

/** The clients an upload goes through. */
export interface UploadClients {
  /** Single PutObjects. */
  streaming: S3Client;
  /** Multipart uploads. */
  buffered: S3Client;
}

/**
 * Transient: network errors, timeouts, throttling (503 SlowDown, 429) and server
 * errors, and a response cut short after a success status (a connection reset
 * mid-body). Not: auth, bad requests, a missing bucket or key.
 */
export function isRetryable(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined || status < 300) return true;
  return status === 408 || status === 429 || status >= 500 || errorCodeOf(error) === "RequestTimeout";
}

/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 10_000;

/** One S3 request (`send` opens fresh bodies each time), retried under `options` when the failure is transient, until `signal` aborts. */
export function sendWithRetry<T>(options: Pick<UploadOptions, "attempts" | "backoffMs">, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const policy: RetryPolicy = { retries: Math.max(0, options.attempts - 1), baseDelayMs: options.backoffMs, maxDelayMs: MAX_BACKOFF_MS };
  return retry(send, { policy, retryable: isRetryable, delayHint: retryAfterMs, ...(signal ? { signal } : {}) });
}

const hexToBase64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

export async function uploadFile(clients: UploadClients, bucket: string, upload: PlannedUpload, options: UploadOptions): Promise<void> {
  if (upload.file.size > options.multipartThreshold) return sendWithRetry(options, () => uploadMultipart(clients.buffered, bucket, upload, options));
  const { file, key, headers } = upload;
  await sendWithRetry(options, () =>
    clients.streaming.send(
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

/** One part in memory at a time; on failure lib-storage aborts the upload, so no parts are left behind. */
async function uploadMultipart(client: S3Client, bucket: string, upload: PlannedUpload, options: UploadOptions): Promise<void> {
  const { file, key, headers } = upload;
  await new Upload({
    client,
    partSize: Math.max(options.partSize, Math.ceil(file.size / MAX_PARTS)),
    queueSize: 1,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(file.absPath),
      ContentLength: file.size,
      ContentType: headers.contentType,
      CacheControl: headers.cacheControl,
      // The multipart ETag is not the file's MD5; this is what the next deploy compares.
      Metadata: { [MD5_METADATA_KEY]: file.md5 },
    },
  }).done();
}
