import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { hashFile, recipeHash, stableStringify } from "../../src/process/hash.ts";

test("hashFile is the SHA-256 of the bytes, streamed (larger than one read)", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-hash-"));
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const file = path.join(dir, "x.bin");
  await writeFile(file, bytes);
  assert.equal(await hashFile(file), createHash("sha256").update(bytes).digest("hex"));
});

test("a recipe hashes the same whatever the key order, and differently when an option changes", () => {
  assert.equal(stableStringify({ b: 1, a: [2, { d: 1, c: 2 }] }), '{"a":[2,{"c":2,"d":1}],"b":1}');
  const a = recipeHash({ source: "abc", width: 4096, quality: 85 });
  assert.equal(a, recipeHash({ quality: 85, width: 4096, source: "abc" }));
  assert.match(a, /^[0-9a-f]{10}$/);
  assert.notEqual(a, recipeHash({ source: "abc", width: 4096, quality: 80 }));
  assert.notEqual(a, recipeHash({ source: "abd", width: 4096, quality: 85 }));
});
