// Pull throughput from a fleet of emulated cameras on 127.0.0.1, next to curl
// (--digest --parallel) fetching the same files with the same concurrency, and the
// pull's peak RSS (VmHWM of the pull process).
//
//   node --import tsx bench/pull.ts      default: 20 cameras, 500 files of 8 MB
//   BENCH_PULL_FILES=2000 npm run bench -- pull    the size the peak RSS target is set for
// Free disk needed: twice the files' total size (the sources, and one pulled copy at a time).
//
// Env: BENCH_PULL_CAMERAS (20), BENCH_PULL_FILES (500), BENCH_PULL_MB (8),
// BENCH_PULL_CONCURRENCY (16, files at once overall; 2 per camera), BENCH_PULL_DIR (os.tmpdir()),
// BENCH_PULL_ROUNDS (3: curl and pull alternate, best time of each is kept; peak RSS is the worst).
// The pull fsyncs every file (curl does not): on a slow disk that is part of its time,
// so a second baseline adds `sync --data <curl's files>` to curl's time.
// The emulators run in a child process of their own so neither client competes
// with them for this process's event loop.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { walkTree } from "../src/files.ts";
import { memoryOf, REPO_ROOT, type Figure } from "./common.ts";
import { fileURLToPath } from "node:url";

const repoRoot = REPO_ROOT;
const ROTUNDA = path.join(repoRoot, "src/cli/rotunda.js");
const USER = "bench";
const PASSWORD = randomBytes(9).toString("base64url");

const settings = () => ({
  cameras: Number(process.env.BENCH_PULL_CAMERAS ?? 20),
  files: Number(process.env.BENCH_PULL_FILES ?? 500),
  mb: Number(process.env.BENCH_PULL_MB ?? 8),
  concurrency: Number(process.env.BENCH_PULL_CONCURRENCY ?? 16),
  rounds: Math.max(1, Number(process.env.BENCH_PULL_ROUNDS ?? 3)),
  dir: process.env.BENCH_PULL_DIR ?? os.tmpdir(),
});

/**
 * Child mode: start one emulator per folder, print their URLs as one JSON line, run
 * until SIGTERM or until the bench's end of the stdin pipe closes (the bench died).
 */
async function serveEmulators(dirs: string[]): Promise<void> {
  const { startEmulator } = await import("../src/pull/emulator/server.ts");
  const emulators = await Promise.all(dirs.map((dir) => startEmulator({ dir, username: USER, password: process.env.BENCH_PULL_PW! })));
  console.log(JSON.stringify(emulators.map((e) => e.url)));
  await new Promise((resolve) => {
    process.once("SIGTERM", resolve);
    process.stdin.once("end", resolve).once("error", resolve).resume();
  });
  process.stdin.destroy(); // or the open pipe keeps this process alive
  await Promise.all(emulators.map((e) => e.close()));
}

/** Peak RSS (VmHWM) of a running process, in MB, polled until it exits. */
function watchPeakRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(async () => {
    const m = await memoryOf(pid); // undefined once it has exited
    if (m && m.peakMb > peak) peak = m.peakMb;
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number | null; ms: number; peakMb: number; output: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    const watch = watchPeakRss(child.pid!);
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d));
    child.stderr!.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    if (input !== undefined) {
      // A child that exits before reading all its input breaks the pipe; its exit code and output say why.
      child.stdin!.on("error", () => {});
      child.stdin!.end(input);
    }
    child.on("close", (code) => resolve({ code, ms: performance.now() - started, peakMb: watch.stop(), output }));
  });
}

async function folderBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await walkTree(dir)) {
    if (entry.kind !== "file" || entry.name.startsWith(".")) continue;
    files += 1;
    bytes += (await stat(entry.absPath)).size;
  }
  return { files, bytes };
}

export async function run(): Promise<Figure[]> {
  const s = settings();
  const work = await mkdtemp(path.join(s.dir, "rotunda-bench-pull-"));
  const size = Math.round(s.mb * 1024 * 1024);
  let emulatorHost: ReturnType<typeof spawn> | undefined;
  try {
    // Source pictures: one random block, each file with its own random head (distinct content).
    const block = randomBytes(size);
    const dirs: string[] = [];
    for (let c = 0; c < s.cameras; c++) {
      const dir = path.join(work, "cameras", `cam${String(c + 1).padStart(2, "0")}`);
      await mkdir(dir, { recursive: true });
      dirs.push(dir);
    }
    const names: Array<{ camera: number; name: string }> = [];
    for (let i = 0; i < s.files; i++) {
      randomBytes(64).copy(block, 0);
      const camera = i % s.cameras;
      const name = `R${String(1000001 + i)}.JPG`;
      await writeFile(path.join(dirs[camera]!, name), block);
      names.push({ camera, name });
    }

    // Flush the sources to disk now, so neither run pays for that writeback.
    await runProcess("sync", [], {});
    emulatorHost = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve-emulators", ...dirs], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_PULL_PW: PASSWORD },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: emulatorHost!.stdout! }).once("line", resolve);
      emulatorHost!.once("exit", () => reject(new Error("emulator host exited")));
    });
    const urls = JSON.parse(firstLine) as string[];
    /** The gallery's rotunda.json naming the emulated cameras. */
    const writeGalleryConfig = () =>
      writeFile(
        path.join(gallery, "rotunda.json"),
        JSON.stringify({
          cameras: urls.map((url, i) => ({ name: `cam${i + 1}`, url, username: USER, passwordEnv: "BENCH_CAMERA_PW" })),
          pull: { concurrency: s.concurrency, perCamera: 2 },
        }),
      );

    // curl: the same files, the same concurrency, Digest auth; password via stdin config.
    const curlOut = path.join(work, "curl");
    const curlConfig = [
      `user = "${USER}:${PASSWORD}"`,
      "digest",
      "fail",
      "silent",
      "show-error",
      ...names.flatMap(({ camera, name }) => [`url = "${urls[camera]}/files/${name}"`, `output = "${path.join(curlOut, `cam${camera}-${name}`)}"`]),
    ].join("\n");
    const gallery = path.join(work, "gallery");
    const expected = s.files * size;
    const curlRuns: number[] = [];
    const curlDurableRuns: number[] = [];
    const pullRuns: Array<{ ms: number; peakMb: number; rerunMs: number }> = [];
    // The launcher builds its bundle on first use: not part of a pull's time.
    await runProcess(process.execPath, [ROTUNDA, "--version"], {});
    // Alternate curl and pull and keep each one's best: disk writeback on a VM is noisy.
    for (let round = 0; round < s.rounds; round++) {
      await mkdir(curlOut);
      const curl = await runProcess("curl", ["--parallel", "--parallel-max", String(s.concurrency), "--config", "-"], {}, curlConfig);
      if (curl.code !== 0) throw new Error(`curl failed: ${curl.output}`);
      const curlGot = await folderBytes(curlOut);
      if (curlGot.bytes !== expected) throw new Error(`curl incomplete: ${curlGot.bytes} of ${expected} B`);
      // What curl's files need to be as durable as the pull's (fsync of each file).
      const outputs = (await readdir(curlOut)).map((f) => path.join(curlOut, f));
      const flush = await runProcess("sync", ["--data", "--", ...outputs], {});
      if (flush.code !== 0) throw new Error(`sync failed: ${flush.output}`);
      curlRuns.push(curl.ms);
      curlDurableRuns.push(curl.ms + flush.ms);
      await rm(curlOut, { recursive: true, force: true }); // its dirty pages would slow the next run's fsyncs
      await runProcess("sync", [], {});

      // rotunda pull as its own process, as a user runs it: the `rotunda` launcher.
      await mkdir(gallery);
      await writeGalleryConfig();
      const pull = await runProcess(process.execPath, [ROTUNDA, "pull", "--input", gallery], { BENCH_CAMERA_PW: PASSWORD, CI: "1" });
      if (pull.code !== 0) throw new Error(`rotunda pull failed (${pull.code}): ${pull.output}`);
      const pulled = await folderBytes(path.join(gallery, "cameras"));
      if (pulled.bytes !== expected || pulled.files !== s.files) throw new Error(`pull incomplete: ${pulled.bytes} of ${expected} B`);
      // A rerun finds everything in the ledgers: its time is the pull's fixed cost
      // (process start, one listing per camera with its Digest handshake), nothing downloaded.
      const rerun = await runProcess(process.execPath, [ROTUNDA, "pull", "--input", gallery], { BENCH_CAMERA_PW: PASSWORD, CI: "1" });
      if (rerun.code !== 0 || !/Pulled 0 new/.test(rerun.output)) throw new Error(`rerun pulled again: ${rerun.output}`);
      pullRuns.push({ ms: pull.ms, peakMb: pull.peakMb, rerunMs: rerun.ms });
      await rm(gallery, { recursive: true, force: true });
      await runProcess("sync", [], {});
    }
    // The same pull run from the TypeScript sources through tsx, as the launcher does
    // where it cannot build a bundle: what tsx's loader thread and transpiled sources cost.
    await mkdir(gallery);
    await writeGalleryConfig();
    const viaTsx = await runProcess(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), "pull", "--input", gallery], { BENCH_CAMERA_PW: PASSWORD, CI: "1" });
    if (viaTsx.code !== 0) throw new Error(`pull through tsx failed: ${viaTsx.output}`);
    await rm(gallery, { recursive: true, force: true });

    const curl = { ms: Math.min(...curlRuns), durableMs: Math.min(...curlDurableRuns) };
    const pull = { ms: Math.min(...pullRuns.map((r) => r.ms)), peakMb: Math.max(...pullRuns.map((r) => r.peakMb)), rerunMs: Math.min(...pullRuns.map((r) => r.rerunMs)) };

    const mbs = (ms: number) => expected / (1024 * 1024) / (ms / 1000);
    const pullRate = mbs(pull.ms);
    const curlRate = mbs(curl.ms);
    const label = `${s.cameras} cameras, ${s.files} × ${s.mb} MB, ${s.concurrency} at once`;
    return [
      { name: `pull throughput (${label})`, value: round(pullRate), unit: "MB/s", baseline: { name: "curl --digest --parallel", value: round(curlRate) } },
      { name: "pull throughput relative to curl", value: round((pullRate / curlRate) * 100), unit: "%", baseline: { name: "target", value: 80 } },
      { name: `pull peak RSS (${label})`, value: round(pull.peakMb), unit: "MB", baseline: { name: "target", value: 250 } },
      {
        name: "pull throughput relative to curl + fsync of its files (same durability)",
        value: round((pullRate / mbs(curl.durableMs)) * 100),
        unit: "%",
        baseline: { name: "target", value: 80 },
      },
      { name: "pull peak RSS, sources run through tsx instead of the bundle", value: round(viaTsx.peakMb), unit: "MB", baseline: { name: "launcher (bundle)", value: round(pull.peakMb) } },
      { name: "pull wall time", value: round(pull.ms / 1000), unit: "s", baseline: { name: "curl wall time", value: round(curl.ms / 1000) } },
      { name: "curl + fsync wall time", value: round(curl.durableMs / 1000), unit: "s" },
      { name: "pull rerun wall time (nothing new: process start + listings)", value: round(pull.rerunMs / 1000), unit: "s" },
      {
        name: "pull throughput without that fixed cost",
        value: round(mbs(Math.max(1, pull.ms - pull.rerunMs))),
        unit: "MB/s",
        baseline: { name: "curl --digest --parallel", value: round(curlRate) },
      },
    ];
  } finally {
    if (emulatorHost && emulatorHost.exitCode === null) {
      const exited = new Promise((r) => emulatorHost!.once("exit", r));
      emulatorHost.kill("SIGTERM");
      await exited;
    }
    await rm(work, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  if (process.argv[2] === "--serve-emulators") {
    await serveEmulators(process.argv.slice(3));
  } else {
    const figures = await run();
    for (const f of figures) {
      console.log(`${f.name}: ${f.value} ${f.unit}${f.baseline ? ` (${f.baseline.name}: ${f.baseline.value} ${f.unit})` : ""}`);
    }
    await mkdir(path.join(repoRoot, "bench/results"), { recursive: true });
    await writeFile(path.join(repoRoot, "bench/results/pull.json"), JSON.stringify(figures, null, 2) + "\n");
  }
}
