// The camera rules for retrying (src/retry.ts does the waiting): which failures a
// camera on Wi-Fi produces that another try may cure (dropped connections,
// timeouts, 503 serviceUnavailable), and a timeout rule, since a camera that
// stalls once probably stalls again.
//
// It wraps whole operations rather than being an undici retry interceptor: a
// download cut mid-body must restart into a fresh temp file (undici's RetryHandler
// resumes with Range requests, which needs ETag/Range support cameras lack); OSC
// commands are POSTs, which that interceptor does not retry by default; and
// whether an answer is worth retrying is often in its JSON body (an OSC
// `serviceUnavailable` error), which an interceptor does not read.
import { retry, systemErrorCode, type RetryPolicy } from "../retry.ts";
import { AuthError, CameraError, OscError, ProtocolError } from "./errors.ts";

export const defaultRetryPolicy: RetryPolicy = { retries: 5, baseDelayMs: 200, maxDelayMs: 5000 };

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);

/** Timeouts: worth a retry, but a camera that stalls once probably stalls again. */
export function isTimeout(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}

/** Whether trying again may help. Auth errors and protocol garbage never get better. */
export function isTransient(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof ProtocolError) return false;
  if (error instanceof OscError) return error.osc.code === "serviceUnavailable" || error.status === 503;
  if (error instanceof CameraError) {
    if (error.status === 503 || error.status === 502 || error.status === 504) return true;
    if (error.status !== undefined) return false;
  }
  const code = systemErrorCode(error);
  return code !== undefined && NETWORK_CODES.has(code);
}

export interface CameraRetryOptions {
  policy?: RetryPolicy;
  /** Retry only if this says so (default isTransient). */
  retryable?: (error: unknown) => boolean;
  /** Timeouts get at most this many retries (a silent camera should fail fast). Default 1. */
  timeoutRetries?: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/** Runs a camera operation under the camera rules: transient failures retried, timeouts at most `timeoutRetries` times. */
export function withRetry<T>(fn: (attempt: number) => Promise<T>, options: CameraRetryOptions = {}): Promise<T> {
  const retryable = options.retryable ?? isTransient;
  const timeoutRetries = options.timeoutRetries ?? 1;
  let timeouts = 0;
  return retry(fn, {
    policy: options.policy ?? defaultRetryPolicy,
    retryable: (error) => retryable(error) && !(isTimeout(error) && ++timeouts > timeoutRetries),
    onRetry: options.onRetry,
    signal: options.signal,
  });
}
