// Puts one file: a single PutObject below the multipart threshold, else a
// multipart upload through the SDK's lib-storage.
//
// A single PutObject streams its body from disk and sends the file's MD5 as
// Content-MD5, which the server checks. A stream cannot be sent twice, so that
// request goes through a client with SDK retries off and is retried here
// (src/retry.ts, with S3's rules for what is worth another try), each attempt
// on a fresh stream.
//
// lib-storage reads a large file one part at a time into memory and sends each
// part as a buffer: the request signature then carries the part's SHA-256
// (x-amz-content-sha256), which the server checks like Content-MD5, and a part
// that fails is resent by the SDK itself, so multipart goes through a client
// with SDK retries on.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream } from "node:fs";
import { retry, type RetryPolicy } from "../retry.ts";
import { MD5_METADATA_KEY, type PlannedUpload } from "./plan.ts";
import { httpStatusOf, errorCodeOf } from "./s3-target.ts";

export const MIB = 1024 * 1024;

export interface UploadOptions {
  /** Files larger than this go up in parts. Default 16 MiB. */
  multipartThreshold: number;
  /** Part size (S3's minimum is 5 MiB except for the last part). Default 8 MiB. */
  partSize: number;
  /** Attempts per request (PutObject, DeleteObject or one part). Default 4. */
  attempts: number;
  /** Ceiling of the first retry delay of a PutObject or DeleteObject, ms, doubled each time, with jitter (parts wait as the SDK decides). Default 300. */
  backoffMs: number;
}

export const DEFAULT_UPLOAD_OPTIONS: UploadOptions = { multipartThreshold: 16 * MIB, partSize: 8 * MIB, attempts: 4, backoffMs: 300 };

const MAX_PARTS = 10_000;

/** The clients an upload goes through. */
export interface UploadClients {
  /** SDK retries off: single PutObjects, whose streamed bodies only sendWithRetry can reopen. */
  streaming: S3Client;
  /** SDK retries on: multipart uploads, whose parts are buffers the SDK can resend. */
  buffered: S3Client;
}

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

export async function uploadFile(clients: UploadClients, bucket: string, upload: PlannedUpload, options: UploadOptions): Promise<void> {
  if (upload.file.size > options.multipartThreshold) return uploadMultipart(clients.buffered, bucket, upload, options);
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
