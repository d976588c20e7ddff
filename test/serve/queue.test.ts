// The rebuild queue alone: debounce, never two runs at once, one follow-up run
// however many events arrive meanwhile, and no run while a file is settling.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { RebuildQueue } from "../../src/serve/queue.ts";

function recorder(runMs: number) {
  const runs: string[][] = [];
  let active = 0;
  let overlapped = false;
  const run = async (changes: string[]) => {
    active++;
    if (active > 1) overlapped = true;
    runs.push(changes);
    await sleep(runMs);
    active--;
  };
  return { runs, run, overlapped: () => overlapped };
}

test("a burst of events within the quiet time is one run with every change", async () => {
  const r = recorder(5);
  const queue = new RebuildQueue(r.run, 30);
  for (let i = 0; i < 50; i++) queue.trigger(`p${i}.jpg`);
  await queue.idle();
  assert.equal(r.runs.length, 1);
  assert.equal(r.runs[0]!.length, 50);
});

test("events during a run make exactly one follow-up run, never an overlapping one", async () => {
  const r = recorder(80);
  const queue = new RebuildQueue(r.run, 10);
  queue.trigger("a");
  await sleep(30); // first run under way
  for (let i = 0; i < 20; i++) {
    queue.trigger(`b${i}`);
    await sleep(2);
  }
  await queue.idle();
  assert.equal(r.runs.length, 2);
  assert.deepEqual(r.runs[0], ["a"]);
  assert.equal(r.runs[1]!.length, 20);
  assert.equal(r.overlapped(), false);
});

test("no run starts while the gate says a file is still settling", async () => {
  const r = recorder(1);
  let settling = true;
  const queue = new RebuildQueue(r.run, 10, () => !settling);
  queue.trigger("big.jpg");
  await sleep(80);
  assert.equal(r.runs.length, 0);
  settling = false;
  await queue.idle();
  assert.equal(r.runs.length, 1);
});

test("a failing run does not stop later ones; close() stops scheduling", async () => {
  let calls = 0;
  const queue = new RebuildQueue(async () => {
    calls++;
    if (calls === 1) throw new Error("boom");
  }, 5);
  queue.trigger("x");
  await queue.idle();
  queue.trigger("y");
  await queue.idle();
  assert.equal(calls, 2);
  await queue.close();
  queue.trigger("z");
  await sleep(30);
  assert.equal(calls, 2);
});
