// Where a deploy goes: the `s3://bucket/prefix` URL, the S3 client for it, and
// one-line explanations of the errors a user can fix (endpoint, credentials, bucket).
// The one object-storage client: deploy and the bucket cache (src/cache/) both use it,
// with the SDK's own retries off, each request retried by src/retry.ts (upload.ts).
import { S3Client } from "@aws-sdk/client-s3";
import { systemErrorCode } from "../retry.ts";

export interface S3Target {
  bucket: string;
  /** Key prefix, "" or ending in "/" (so `s3://b/site` never touches `site2/…`). */
  prefix: string;
}

/** A deploy stopped by something the user must fix; the message is one line and never holds secrets. */
export class DeployError extends Error {
  override name = "DeployError";
  constructor(
    message: string,
    readonly kind: "target" | "endpoint" | "credentials" | "bucket" | "site",
  ) {
    super(message);
  }
}

/** Parses `s3://bucket[/prefix]`; throws a DeployError of kind "target" when it is not one. */
export function parseS3Url(url: string): S3Target {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url.trim());
  const bucket = m?.[1];
  if (!m || bucket === undefined) throw new DeployError(`not an s3 URL: "${url}" (expected s3://bucket/prefix)`, "target");
  // Lenient on names (R2, Ceph and MinIO allow more than AWS), strict on what can never work.
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,254}$/.test(bucket)) throw new DeployError(`bad bucket name "${bucket}" in "${url}"`, "target");
  const parts = (m[2] ?? "").split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) throw new DeployError(`bad prefix in "${url}": no "." or ".." segments`, "target");
  return { bucket, prefix: parts.length ? parts.join("/") + "/" : "" };
}

const quiet = () => {};
const SILENT = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

export interface ClientOptions {
  /** S3-compatible endpoint (R2, MinIO, Ceph, Swift…); implies path-style addressing. */
  endpoint?: string;
  region?: string;
  /** SDK attempts per request; default 1: every request is retried by sendWithRetry (upload.ts) instead. */
  maxAttempts?: number;
  /** A connection with no byte sent or received for this long fails (and the request is retried). Default 60 s. */
  idleTimeoutMs?: number;
}

/** An S3 client with credentials from the SDK's default chain (env, profiles, SSO, instance roles). */
export function createS3Client(options: ClientOptions): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
    // Many S3-compatible servers reject the SDK's default aws-chunked CRC32 bodies.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: options.maxAttempts ?? 1,
    retryMode: "standard",
    // A stalled connection fails (and is retried) instead of hanging the deploy; the
    // limit is on inactivity, not on a request's whole time, so big files on slow links are fine.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: options.idleTimeoutMs ?? 60_000 },
    // Failures are retried and explained by Rotunda; the SDK's own warnings about them would only repeat them.
    logger: SILENT,
  });
}

export function describeEndpoint(endpoint: string | undefined, region: string | undefined): string {
  return endpoint ?? `AWS S3 (${region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1"})`;
}

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Why an endpoint cannot be reached, by the system error the connection ended with. */
const UNREACHABLE: Partial<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "unknown host",
  EAI_AGAIN: "its host name cannot be looked up now",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection timed out",
};

const CREDENTIAL_CODES = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed"]);

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function errorCodeOf(error: unknown): string {
  const e = error as SdkError | undefined;
  return e?.Code ?? e?.name ?? "Error";
}

/**
 * Turns an SDK error a user can fix into a one-line DeployError; returns undefined
 * for anything else. SDK messages hold no secrets, but ours do not quote them anyway.
 */
export function explainS3Error(error: unknown, where: string, target: S3Target): DeployError | undefined {
  const unreachable = UNREACHABLE[systemErrorCode(error) ?? ""];
  if (unreachable) return new DeployError(`cannot reach ${where}: ${unreachable}`, "endpoint");
  const code = errorCodeOf(error);
  const status = httpStatusOf(error);
  if (code === "CredentialsProviderError" || /Could not load credentials/i.test((error as SdkError)?.message ?? "")) {
    return new DeployError(`no credentials for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`, "credentials");
  }
  if (CREDENTIAL_CODES.has(code) || status === 401 || status === 403) {
    return new DeployError(`credentials rejected by ${where} (${code === "Error" || code === "Unknown" ? `HTTP ${status}` : code})`, "credentials");
  }
  if (code === "NoSuchBucket") return new DeployError(`bucket "${target.bucket}" does not exist at ${where}`, "bucket");
  // Reached only once the retries ran out (see isRetryable in upload.ts): a server
  // that keeps answering with errors or throttling, connections that keep dropping.
  const system = systemErrorCode(error);
  const timedOut = code === "TimeoutError" || code === "RequestTimeout";
  if ((status !== undefined && (status >= 500 || status === 408 || status === 429)) || (status === undefined && (system !== undefined || timedOut))) {
    const what = system ?? (timedOut ? "no answer in time" : code === "Error" || code === "Unknown" ? `HTTP ${status}` : `${code}, HTTP ${status}`);
    return new DeployError(`${where} keeps failing (${what}): try again later`, "endpoint");
  }
  return undefined;
}
