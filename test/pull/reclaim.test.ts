// Downloads reclaim spent socket chunks: a minor collection every 8 MB written.
import assert from "node:assert/strict";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { test } from "node:test";
import { chunkWritten } from "../../src/pull/reclaim.ts";

test("8 MB of chunks written run a minor garbage collection", async () => {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) kinds.push((entry as unknown as { detail: { kind: number } }).detail.kind);
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    for (let i = 0; i < 128; i++) chunkWritten(64 * 1024); // 8 MB in socket-sized chunks
    await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries are delivered asynchronously
  } finally {
    observer.disconnect();
  }
  assert.ok(kinds.includes(constants.NODE_PERFORMANCE_GC_MINOR), `a minor collection ran (saw kinds ${kinds.join(", ") || "none"})`);
});
