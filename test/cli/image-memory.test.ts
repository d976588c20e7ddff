// The image commands' glibc malloc settings: added to the environment the launcher
// runs them in, without overriding what the user set.
import assert from "node:assert/strict";
import { test } from "node:test";
import { IMAGE_MALLOC_TUNABLES, imageMemoryEnv, withoutImageMemory } from "../../src/cli/image-memory.js";

const ours = "glibc.malloc.mmap_threshold=8388608:glibc.malloc.hugetlb=1";

test("both settings are added to an environment that has neither", () => {
  assert.deepEqual(IMAGE_MALLOC_TUNABLES, { "glibc.malloc.mmap_threshold": "8388608", "glibc.malloc.hugetlb": "1" });
  const env = imageMemoryEnv({ PATH: "/bin" });
  assert.deepEqual(env, { PATH: "/bin", GLIBC_TUNABLES: ours });
});

test("an environment that has them all already needs no child", () => {
  assert.equal(imageMemoryEnv({ GLIBC_TUNABLES: ours }), undefined);
});

test("the user's own settings are kept and not repeated", () => {
  assert.deepEqual(imageMemoryEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2" }), {
    GLIBC_TUNABLES: "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=8388608",
  });
  // The older variable for the threshold counts as the user's choice of it.
  assert.deepEqual(imageMemoryEnv({ MALLOC_MMAP_THRESHOLD_: "1048576" }), { MALLOC_MMAP_THRESHOLD_: "1048576", GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" });
});

test("withoutImageMemory takes back exactly what was added", () => {
  assert.deepEqual(withoutImageMemory(imageMemoryEnv({ PATH: "/bin" })!), { PATH: "/bin" });
  assert.deepEqual(withoutImageMemory(imageMemoryEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })!), { GLIBC_TUNABLES: "glibc.malloc.arena_max=2" });
});
