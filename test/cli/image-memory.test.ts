// The image commands' glibc malloc settings: added to the environment the launcher
// runs them in, without overriding what the user set.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IMAGE_MALLOC_TUNABLES, imageChildEnv, imageMemoryEnv } from "../../src/cli/image-memory.js";

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

test("an environment once given them needs nothing more, whatever the user's value looked like", () => {
  for (const own of [undefined, "", ":", "glibc.malloc.arena_max=2:", "glibc.malloc.tcache_count"]) {
    const once = imageMemoryEnv(own === undefined ? {} : { GLIBC_TUNABLES: own });
    assert.ok(once?.GLIBC_TUNABLES?.includes("glibc.malloc.hugetlb=1"), `added to ${JSON.stringify(own)}`);
    assert.equal(imageMemoryEnv(once), undefined, `nothing more to add to ${JSON.stringify(own)}`);
  }
});

describe("imageChildEnv: whether the launcher runs a command in a child", () => {
  test("the image commands, with the settings and the child's mark", () => {
    for (const command of ["build", "process", "serve"]) {
      assert.deepEqual(imageChildEnv([command, "--input", "x"], { PATH: "/bin" }, []), { PATH: "/bin", GLIBC_TUNABLES: ours, ROTUNDA_LAUNCHER_CHILD: "1" });
    }
  });

  test("not the other commands, not under a debugger", () => {
    for (const command of ["pull", "deploy", "camera", "--version", undefined]) assert.equal(imageChildEnv(command ? [command] : [], {}, []), undefined);
    assert.equal(imageChildEnv(["build"], {}, ["--inspect-brk"]), undefined);
    assert.equal(imageChildEnv(["build"], { NODE_OPTIONS: "--inspect" }, []), undefined);
  });

  test("never from the launcher's child, even when glibc has dropped the settings", () => {
    // glibc removes GLIBC_TUNABLES in a process with file capabilities: the child
    // then looks as if it still needed them, and must not start another.
    assert.equal(imageChildEnv(["serve"], { ROTUNDA_LAUNCHER_CHILD: "1" }, []), undefined);
  });
});
