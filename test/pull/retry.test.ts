// Which failures a pull retries, and how long it waits between tries.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CameraError, OscError, ProtocolError, AuthError } from "../../src/pull/errors.ts";
import { isTransient, withRetry } from "../../src/pull/retry.ts";
import { backoffDelay } from "../../src/retry.ts";

test("what is transient is retried, with backoff that grows, has jitter and a ceiling; a timeout is retried once", async () => {
  assert.equal(isTransient(new OscError("c", "x", { code: "serviceUnavailable", message: "" }, 503)), true);
  assert.equal(isTransient(new OscError("c", "x", { code: "invalidParameterValue", message: "" }, 400)), false);
  assert.equal(isTransient(new AuthError("c", "no", 401)), false);
  assert.equal(isTransient(new ProtocolError("c", "html", 200)), false);
  assert.equal(isTransient(new CameraError("c", "reset", undefined, { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) })), true);
  assert.equal(isTransient(new CameraError("c", "404", 404)), false);
  const policy = { retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  for (let i = 0; i < 50; i++) {
    const d0 = backoffDelay(0, policy);
    const d3 = backoffDelay(3, policy);
    const d9 = backoffDelay(9, policy);
    assert.ok(d0 >= 50 && d0 <= 100 && d3 >= 400 && d3 <= 800 && d9 >= 500 && d9 <= 1000);
  }
  let calls = 0;
  const timeout = () => new CameraError("c", "t", undefined, { cause: Object.assign(new Error("t"), { code: "UND_ERR_HEADERS_TIMEOUT" }) });
  await assert.rejects(withRetry(async () => { calls++; throw timeout(); }, { policy: { retries: 5, baseDelayMs: 1, maxDelayMs: 2 } }));
  assert.equal(calls, 2);
  calls = 0;
  const value = await withRetry(async () => { if (++calls < 4) throw new OscError("c", "x", { code: "serviceUnavailable", message: "" }, 503); return 42; }, { policy: { retries: 5, baseDelayMs: 1, maxDelayMs: 2 } });
  assert.equal(value, 42);
  assert.equal(calls, 4);
});
