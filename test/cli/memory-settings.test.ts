// The long commands' memory settings (glibc malloc for the image commands, V8's
// heap limit for all): added to the environment the launcher runs them in,
// without overriding what the user set.
import assert from "node:assert/strict";
import os from "node:os";
import { describe, test } from "node:test";
import { availableMemory, childEnv, heapEnv, IMAGE_MALLOC_TUNABLES, imageMemoryEnv } from "../../src/cli/memory-settings.js";

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

const GiB = 2 ** 30;
// A machine whose memory raises no heap limit, and one that runs on glibc.
const small = { memory: 0, glibc: () => true };

describe("childEnv: whether the launcher runs a command in a child, and with what", () => {
  test("the image commands, with the malloc settings and the child's mark", () => {
    for (const command of ["build", "process", "serve"]) {
      assert.deepEqual(childEnv([command, "--input", "x"], { PATH: "/bin" }, [], small), { PATH: "/bin", GLIBC_TUNABLES: ours, ROTUNDA_LAUNCHER_CHILD: "1" });
    }
  });

  test("every long command, render too, with a heap of three quarters of a machine's 16 GiB", () => {
    for (const command of ["build", "process", "render", "serve"]) {
      const env = childEnv([command], { PATH: "/bin" }, [], { memory: 16 * GiB, glibc: () => false });
      assert.deepEqual(env, { PATH: "/bin", NODE_OPTIONS: "--max-old-space-size=12288", ROTUNDA_LAUNCHER_CHILD: "1" }, command);
    }
    // On glibc the image commands get both.
    assert.deepEqual(childEnv(["build"], { NODE_OPTIONS: "--enable-source-maps" }, [], { memory: 16 * GiB, glibc: () => true }), {
      NODE_OPTIONS: "--enable-source-maps --max-old-space-size=12288",
      GLIBC_TUNABLES: ours,
      ROTUNDA_LAUNCHER_CHILD: "1",
    });
  });

  test("not the other commands, not under a debugger, not where there is nothing to add", () => {
    for (const command of ["pull", "deploy", "camera", "init", "--version", undefined]) assert.equal(childEnv(command ? [command] : [], {}, [], { memory: 16 * GiB, glibc: () => true }), undefined);
    assert.equal(childEnv(["build"], {}, ["--inspect-brk"], small), undefined);
    assert.equal(childEnv(["build"], { NODE_OPTIONS: "--inspect" }, [], small), undefined);
    assert.equal(childEnv(["render"], {}, [], small), undefined, "render needs no malloc settings and the heap is Node's own");
    assert.equal(childEnv(["build"], {}, [], { memory: 0, glibc: () => false }), undefined, "no glibc, no heap to raise");
  });

  test("never from the launcher's child, even when glibc has dropped the settings", () => {
    // glibc removes GLIBC_TUNABLES in a process with file capabilities: the child
    // then looks as if it still needed them, and must not start another.
    assert.equal(childEnv(["serve"], { ROTUNDA_LAUNCHER_CHILD: "1" }, [], { memory: 16 * GiB, glibc: () => true }), undefined);
  });
});

describe("heapEnv: V8's heap limit", () => {
  test("three quarters of the memory, only where that is above Node's default", () => {
    assert.deepEqual(heapEnv({}, [], 8 * GiB, 4144), { NODE_OPTIONS: "--max-old-space-size=6144" });
    assert.equal(heapEnv({}, [], 4 * GiB, 4144), undefined);
  });

  test("a limit the user set is kept, in NODE_OPTIONS or on node's command line, in either spelling", () => {
    assert.equal(heapEnv({ NODE_OPTIONS: "--max-old-space-size=2048" }, [], 64 * GiB, 4144), undefined);
    assert.equal(heapEnv({}, ["--max_old_space_size=2048"], 64 * GiB, 4144), undefined);
  });

  test("the memory available is a container's limit where it is below the machine's, else the machine's", () => {
    assert.equal(availableMemory(2 * GiB, 16 * GiB), 2 * GiB, "a container's limit");
    assert.equal(availableMemory(0, 16 * GiB), 16 * GiB, "no limit (0)");
    assert.equal(availableMemory(2 ** 62, 16 * GiB), 16 * GiB, "a limit above the machine (cgroup's 'max')");
    const here = availableMemory();
    assert.ok(here > 0 && here <= os.totalmem(), String(here));
  });
});
