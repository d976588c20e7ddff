// The memory settings the launcher runs the long commands with (build, process,
// render, serve), in a child process because glibc and V8 read them only at start.
// Plain JavaScript: the launcher imports it before any TypeScript can run, and the
// benchmarks import it to measure with the settings users get.
//
// For the image commands (build, process, serve), on glibc:
// - glibc.malloc.mmap_threshold=8 MB. glibc otherwise raises its threshold (up to
//   32 MB) as large blocks are freed, and then keeps libvips' and mozjpeg's large
//   per-encode buffers in its heaps, where freed memory is rarely returned to the
//   system: a gallery's peak memory grows with it.
// - glibc.malloc.hugetlb=1: those buffers, now mapped fresh for each encode, are
//   asked for as transparent huge pages, so the kernel fills them in 2 MB steps
//   instead of 4 KB ones: a full-size Huffman-optimised encode (mozjpeg keeps the
//   coefficients of the whole picture) takes far fewer page faults and less kernel
//   time. glibc before 2.35 ignores the setting, as does a kernel with THP off.
// `npm run bench -- process` measures both against glibc's defaults.
//
// For every long command: V8's heap limit at three quarters of the memory the
// process may have (its cgroup's limit where there is one, else the machine's),
// where that is more than Node's default. The render holds every page's data, and
// a gallery of tens of thousands of pictures needs more than the default; a
// machine that has the memory should not fail for want of a flag.
//
// A setting the user gave (GLIBC_TUNABLES or MALLOC_MMAP_THRESHOLD_ for malloc,
// --max-old-space-size in NODE_OPTIONS or on node's command line) is kept.
import os from "node:os";
import v8 from "node:v8";

export const IMAGE_MALLOC_TUNABLES = {
  "glibc.malloc.mmap_threshold": String(8 * 1024 * 1024),
  "glibc.malloc.hugetlb": "1",
};

/** Names of the tunables set in a GLIBC_TUNABLES value ("name=value:name=value"). */
function tunablesIn(value) {
  return new Set((value ?? "").split(":").map((pair) => pair.split("=")[0]).filter(Boolean));
}

/**
 * `env` with the image commands' malloc settings added, or undefined when it has
 * them all already (or the user chose their own).
 */
export function imageMemoryEnv(env = process.env) {
  const present = tunablesIn(env.GLIBC_TUNABLES);
  if (env.MALLOC_MMAP_THRESHOLD_ !== undefined) present.add("glibc.malloc.mmap_threshold");
  const added = Object.entries(IMAGE_MALLOC_TUNABLES).filter(([name]) => !present.has(name));
  if (!added.length) return undefined;
  const tunables = [env.GLIBC_TUNABLES, ...added.map(([name, value]) => `${name}=${value}`)].filter(Boolean).join(":");
  return { ...env, GLIBC_TUNABLES: tunables };
}

const IMAGE_COMMANDS = new Set(["build", "process", "serve"]);
const LONG_COMMANDS = new Set([...IMAGE_COMMANDS, "render"]);

/** The memory this process may have, in bytes: its cgroup's limit when there is one below the machine's. */
export function availableMemory(limit = process.constrainedMemory?.() ?? 0, total = os.totalmem()) {
  return limit > 0 && limit < total ? limit : total;
}

/**
 * `env` with V8's heap limit (MB) raised to three quarters of `memory` bytes, or
 * undefined when that is no more than `defaultMb` (Node's own limit) or the user set one.
 */
export function heapEnv(env, execArgv, memory, defaultMb = v8.getHeapStatistics().heap_size_limit / 2 ** 20) {
  if ([...execArgv, env.NODE_OPTIONS ?? ""].some((a) => /--max[-_]old[-_]space[-_]size/.test(a))) return undefined;
  const limitMb = Math.floor((memory * 0.75) / 2 ** 20);
  if (limitMb <= defaultMb) return undefined;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, `--max-old-space-size=${limitMb}`].filter(Boolean).join(" ") };
}

/**
 * The environment to run the command `args` in, in a child process, or undefined
 * to run it in this one: not a long command; nothing to add (the settings there
 * already, or none that apply); under a debugger (the inspector is in this
 * process); or already the launcher's child. That last check matters where glibc
 * drops GLIBC_TUNABLES on its own, in a process with file capabilities (a node
 * given cap_net_bind_service to serve on port 80): without it, every child would
 * start another. `glibc` is asked last: it takes a process report.
 */
export function childEnv(args, env = process.env, execArgv = process.execArgv, { memory = availableMemory(), glibc = onGlibc } = {}) {
  if (!LONG_COMMANDS.has(args[0]) || env.ROTUNDA_LAUNCHER_CHILD === "1") return undefined;
  if ([...execArgv, env.NODE_OPTIONS ?? ""].some((a) => /--inspect|--debug/.test(a))) return undefined;
  const withHeap = heapEnv(env, execArgv, memory);
  const malloc = IMAGE_COMMANDS.has(args[0]) ? imageMemoryEnv(withHeap ?? env) : undefined;
  const withSettings = malloc && glibc() ? malloc : withHeap;
  return withSettings && { ...withSettings, ROTUNDA_LAUNCHER_CHILD: "1" };
}

/** Whether this process runs on glibc, where the settings apply (asked through a process report, so asked last). */
export function onGlibc() {
  return process.platform === "linux" && Boolean(process.report.getReport().header.glibcVersionRuntime);
}
