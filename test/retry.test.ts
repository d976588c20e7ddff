// The one retry loop pull and deploy share: what it retries, how long it waits, when it stops.
import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, retry, systemErrorCode } from "../src/retry.ts";

const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

test("retry: a retryable failure is tried again until it succeeds, and onRetry hears of each retry", async () => {
  const told: number[] = [];
  let calls = 0;
  const value = await retry(async (attempt) => {
    assert.equal(attempt, calls++);
    if (attempt < 2) throw new Error("flaky");
    return "ok";
  }, { policy: fast, retryable: () => true, onRetry: (_e, attempt) => told.push(attempt) });
  assert.equal(value, "ok");
  assert.deepEqual(told, [1, 2]);
});

test("retry: stops at once on an error the predicate refuses, and after the last retry otherwise", async () => {
  let calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error("fatal"); }, { policy: fast, retryable: () => false }), /fatal/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error("always"); }, { policy: fast, retryable: () => true }), /always/);
  assert.equal(calls, 1 + fast.retries);
});

test("retry: an aborted signal ends the retrying with the abort reason", async () => {
  const controller = new AbortController();
  let calls = 0;
  const run = retry(async () => {
    calls++;
    controller.abort(new Error("stopped"));
    throw new Error("flaky");
  }, { policy: { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, retryable: () => true, signal: controller.signal });
  await assert.rejects(run, /stopped/);
  assert.equal(calls, 1);
});

test("retry: a signal aborted before the first attempt (a queued request of a closed client) makes no attempt", async () => {
  const controller = new AbortController();
  controller.abort(new Error("closed"));
  let calls = 0;
  await assert.rejects(retry(async () => calls++, { policy: { retries: 3, baseDelayMs: 1, maxDelayMs: 1 }, retryable: () => true, signal: controller.signal }), /closed/);
  assert.equal(calls, 0);
});

test("backoff: equal jitter between half the ceiling and the ceiling, which doubles up to the maximum", () => {
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  for (let i = 0; i < 50; i++) {
    const d0 = backoffDelay(0, policy);
    const d3 = backoffDelay(3, policy);
    const d9 = backoffDelay(9, policy);
    assert.ok(d0 >= 50 && d0 <= 100 && d3 >= 400 && d3 <= 800 && d9 >= 500 && d9 <= 1000, `${d0} ${d3} ${d9}`);
  }
});

test("systemErrorCode finds the code on the error or down its causes", () => {
  const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED" });
  assert.equal(systemErrorCode(refused), "ECONNREFUSED");
  assert.equal(systemErrorCode(new Error("wrapped", { cause: new Error("again", { cause: refused }) })), "ECONNREFUSED");
  assert.equal(systemErrorCode(new Error("plain")), undefined);
});

test("retry: a failure that asks for a longer wait (Retry-After) gets it, within the policy's maximum", async () => {
  const waits: number[] = [];
  let calls = 0;
  await retry(async () => {
    if (calls++ < 2) throw new Error("slow down");
  }, {
    policy: { retries: 3, baseDelayMs: 1, maxDelayMs: 40 },
    retryable: () => true,
    delayHint: () => (calls === 1 ? 30 : 500),
    onRetry: (_e, _attempt, delay) => waits.push(delay),
  });
  assert.deepEqual(waits, [30, 40], "the hint over the backoff, capped at the maximum");
});
