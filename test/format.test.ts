// Byte sizes and HTML escaping, as pages, the CLI and the benchmarks all show them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeHtml, formatBytes } from "../src/format.ts";

test("formatBytes: base 1000 with SI units, one decimal below 10, whole numbers above", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(412.7), "413 B", "a rate in bytes per second is rounded");
  assert.equal(formatBytes(1000), "1.0 kB");
  assert.equal(formatBytes(1024), "1.0 kB");
  assert.equal(formatBytes(12_345), "12 kB");
  assert.equal(formatBytes(1_234_567), "1.2 MB");
  assert.equal(formatBytes(8 * 1024 * 1024), "8.4 MB", "an 8 MiB file is 8.4 MB");
  assert.equal(formatBytes(734_000_000), "734 MB");
  assert.equal(formatBytes(2_500_000_000), "2.5 GB");
  assert.equal(formatBytes(1_500_000_000_000), "1500 GB");
  assert.equal(formatBytes(9_999), "10 kB", "rounded up to 10: no decimal");
  assert.equal(formatBytes(999_999), "1.0 MB", "the unit follows the rounding");
  assert.equal(formatBytes(999.6), "1.0 kB");
});

test("escapeHtml: the five characters that matter in content and quoted attributes", () => {
  assert.equal(escapeHtml(`Tom & Jerry's <ridge> "north"`), "Tom &amp; Jerry&#39;s &lt;ridge&gt; &quot;north&quot;");
  assert.equal(escapeHtml("plain text, ünïcödé"), "plain text, ünïcödé");
});
