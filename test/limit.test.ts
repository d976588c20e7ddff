// Concurrency helpers: the limiter (and mapLimit on it) and the group commit the pull's fsyncs share.
import assert from "node:assert/strict";
import { test } from "node:test";
import { groupCommit, limiter, mapLimit } from "../src/limit.ts";

/** A promise settled from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("limiter: never more than n tasks at once, and all of them run", async () => {
  const limit = limiter(2);
  let active = 0;
  let most = 0;
  const done = await Promise.all(
    Array.from({ length: 7 }, (_, i) =>
      limit(async () => {
        active += 1;
        most = Math.max(most, active);
        await tick();
        active -= 1;
        return i;
      }),
    ),
  );
  assert.equal(most, 2);
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6]);
});

test("mapLimit: results in input order whatever order the calls finish in, never more than n at once", async () => {
  const gates = Array.from({ length: 5 }, () => deferred());
  let active = 0;
  let most = 0;
  const results = mapLimit([0, 1, 2, 3, 4], 3, async (item, index) => {
    assert.equal(item, index);
    active += 1;
    most = Math.max(most, active);
    await gates[item]!.promise;
    active -= 1;
    return item * 10;
  });
  for (const i of [2, 0, 4, 1, 3]) {
    gates[i]!.resolve();
    await tick();
  }
  assert.deepEqual(await results, [0, 10, 20, 30, 40]);
  assert.equal(most, 3);
});

test("mapLimit: a limit below one still runs every item, one at a time", async () => {
  let active = 0;
  let most = 0;
  const out = await mapLimit(["a", "b", "c"], 0, async (s) => {
    active += 1;
    most = Math.max(most, active);
    await tick();
    active -= 1;
    return s.toUpperCase();
  });
  assert.deepEqual(out, ["A", "B", "C"]);
  assert.equal(most, 1);
});

test("mapLimit: after a call fails no further item starts, and it rejects only once the calls under way have finished", async () => {
  const gates = Array.from({ length: 6 }, () => deferred());
  const started: number[] = [];
  const finished: number[] = [];
  let settled = false;
  const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (item) => {
    started.push(item);
    await gates[item]!.promise;
    finished.push(item);
  }).then(
    () => assert.fail("a failed call must reject"),
    (error: Error) => {
      settled = true;
      return error;
    },
  );
  await tick();
  gates[0]!.reject(new Error("item 0 failed"));
  await tick();
  await tick();
  assert.deepEqual(started, [0, 1], "nothing started after the failure");
  assert.equal(settled, false, "item 1 is still under way");
  gates[1]!.resolve();
  assert.equal((await run).message, "item 0 failed");
  assert.deepEqual(finished, [1]);
  assert.deepEqual(started, [0, 1]);
});

test("groupCommit: callers that arrive together share one flush", async () => {
  let flushes = 0;
  const commit = groupCommit(async () => {
    flushes += 1;
  });
  await Promise.all([commit(), commit(), commit(), commit()]);
  assert.equal(flushes, 1);
  await commit();
  assert.equal(flushes, 2, "a later call flushes again");
});

test("groupCommit: a call made while a flush runs waits for the next flush", async () => {
  const flushes: Array<ReturnType<typeof deferred>> = [];
  const commit = groupCommit(() => {
    const d = deferred();
    flushes.push(d);
    return d.promise;
  });
  const first = commit();
  await tick();
  assert.equal(flushes.length, 1, "the first flush started");
  let secondDone = false;
  const second = commit().then(() => (secondDone = true));
  const third = commit(); // joins the second
  flushes[0]!.resolve();
  await first;
  await tick();
  assert.equal(secondDone, false, "the first flush began before the second call: it does not cover it");
  assert.equal(flushes.length, 2, "a second flush started once the first ended");
  flushes[1]!.resolve();
  await Promise.all([second, third]);
  assert.equal(flushes.length, 2, "the second and third call shared it");
});

test("groupCommit: a failed flush fails its callers, and the next call flushes again", async () => {
  let attempt = 0;
  const commit = groupCommit(async () => {
    attempt += 1;
    if (attempt === 1) throw new Error("EIO");
  });
  await assert.rejects(Promise.all([commit(), commit()]), /EIO/);
  await commit();
  assert.equal(attempt, 2);
});
