import assert from "node:assert/strict";
import { test } from "node:test";
import { recipeHash, stableStringify } from "../../src/process/hash.ts";

test("a recipe hashes the same whatever the key order, and differently when an option changes", () => {
  assert.equal(stableStringify({ b: 1, a: [2, { d: 1, c: 2 }] }), '{"a":[2,{"c":2,"d":1}],"b":1}');
  const a = recipeHash({ source: "abc", width: 4096, quality: 85 });
  assert.equal(a, recipeHash({ quality: 85, width: 4096, source: "abc" }));
  assert.match(a, /^[0-9a-f]{10}$/);
  assert.notEqual(a, recipeHash({ source: "abc", width: 4096, quality: 80 }));
  assert.notEqual(a, recipeHash({ source: "abd", width: 4096, quality: 85 }));
});
