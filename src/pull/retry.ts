// Retries with exponential backoff and full jitter, for the failures a camera on
// Wi-Fi produces: dropped connections, timeouts, 503 serviceUnavailable.
//
// This is an operation-level helper rather than undici's retry interceptor: a
// download cut mid-body must restart into a fresh temp file (undici's RetryHandler
// resumes with Range requests, which needs ETag/Range support cameras lack), and
// OSC commands are POSTs, which that interceptor does not retry by default.
import { setTimeout as sleep } from "node:timers/promises";
import { AuthError, CameraError, OscError, ProtocolError } from "./errors.ts";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First delay, ms; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

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

function codeOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Timeouts: worth a retry, but a camera that stalls once probably stalls again. */
export function isTimeout(error: unknown): boolean {
  const code = codeOf(error);
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
  const code = codeOf(error);
  return code !== undefined && NETWORK_CODES.has(code);
}

export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2)); // "equal jitter": never zero
}

export interface RetryOptions {
  policy?: RetryPolicy;
  /** Retry only if this says so (default isTransient). */
  retryable?: (error: unknown) => boolean;
  /** Timeouts get at most this many retries (a silent camera should fail fast). */
  timeoutRetries?: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? defaultRetryPolicy;
  const retryable = options.retryable ?? isTransient;
  const timeoutRetries = options.timeoutRetries ?? 1;
  let timeouts = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (attempt >= policy.retries || !retryable(error)) throw error;
      if (isTimeout(error) && ++timeouts > timeoutRetries) throw error;
      const delay = backoffDelay(attempt, policy);
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}
