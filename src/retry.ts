// Runs an operation again after a failure worth another try, waiting longer each
// time (exponential backoff with "equal jitter": half the ceiling plus a random
// part, so never zero and never in lockstep). The caller says which errors are
// worth it: pull its camera rules (src/pull/retry.ts), deploy and the bucket
// cache their S3 ones (src/deploy/upload.ts); a server that says how long to wait
// (Retry-After) is waited for at least that long. It retries the whole operation, which opens its own
// streams and files, so every attempt starts clean.
import { setTimeout as sleep } from "node:timers/promises";

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Ceiling of the first delay, ms; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether this error is worth another attempt. */
  retryable: (error: unknown) => boolean;
  /** Told before each wait; `attempt` is the number of the retry about to run (1 for the first). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * The least wait the failure itself asks for (a server's Retry-After), in ms:
   * the wait is never shorter, nor longer than the policy's maximum.
   */
  delayHint?: (error: unknown) => number | undefined;
  /** Stops the waiting, and any attempt not yet begun (the first included), once aborted. */
  signal?: AbortSignal;
}

/** The wait before retry number `attempt + 1`: between half the ceiling and the ceiling. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Calls `fn` (with the attempt number, from 0) until it resolves, the error is not retryable, or the retries run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      if (attempt >= policy.retries || !options.retryable(error)) throw error;
      const hint = options.delayHint?.(error);
      const delay = hint === undefined ? backoffDelay(attempt, policy) : Math.min(policy.maxDelayMs, Math.max(hint, backoffDelay(attempt, policy)));
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, undefined, { signal });
    }
  }
}

/** The first string `code` on an error or its chain of causes (Node system errors, undici's errors). */
export function systemErrorCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
