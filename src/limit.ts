// Bounded concurrency: at most `n` of the returned function's tasks run at once,
// the others wait their turn in order.
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `n` tasks at once (at least one). */
export function limiter(n: number): Limiter {
  const slots = Math.max(1, n);
  let active = 0;
  const queue: Array<() => void> = [];
  return async (task) => {
    if (active >= slots) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next task, or give it back.
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * Maps `items` through `fn`, at most `n` calls at a time; results keep input order.
 * After a call fails no further item is started, and the first error is thrown
 * once the calls under way have finished: nothing keeps working after it returns.
 */
export async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, n), items.length) }, lane));
  if (failure) throw failure.error;
  return results;
}

/** Runs `worker` over every item, at most `n` at a time. */
export async function eachLimit<T>(items: readonly T[], n: number, worker: (item: T) => Promise<void>): Promise<void> {
  await mapLimit(items, n, worker);
}

/**
 * Group commit: concurrent callers share one run of an expensive `flush` (an
 * fsync). Each call resolves once a flush that began after the call has
 * finished, so whatever the caller wrote before calling is covered.
 */
export function groupCommit(flush: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined; // the flush under way
  let queued: Promise<void> | undefined; // the next one, shared by everyone who calls before it starts
  return () => {
    if (queued) return queued;
    const previous = running;
    const self: { flush?: Promise<void> } = {};
    self.flush = (async () => {
      await previous?.catch(() => {}); // also defers past the assignments below
      queued = undefined; // callers from now on need a later flush
      running = self.flush;
      try {
        await flush();
      } finally {
        if (running === self.flush) running = undefined;
      }
    })();
    queued = self.flush;
    return self.flush;
  };
}
