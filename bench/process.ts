// Process benchmarks, side by side in one run on a THETA Z1-sized original:
//  1. watermark + 12-step quality ladder + thumbnail (Rotunda's per-picture
//     pipeline) vs the libjpeg-turbo floor (djpeg once, then `cjpeg -optimize
//     -quality Q` per step, two at a time on the two cores), run as it is and
//     again with the glibc malloc settings Rotunda runs with (cjpeg gains too);
//     Rotunda's side runs in a child with those settings (bench/ladder-run.ts),
//     and, on glibc, in another child with glibc's defaults: what the settings,
//     and the launcher's child process that carries them, are worth (for the 12
//     encodes alone also CPU time and page faults, and a third child with the
//     mmap threshold but no huge pages);
//  2. the same vs the old way: ImageMagick `composite`, then one `convert
//     -quality Q` process per step;
//  3. peak RSS while `rotunda process` makes every default output of N
//     originals (BENCH_PROCESS_COUNT, default 200), sampled as it goes; on glibc
//     again with glibc's defaults (the command run in the launcher's own process);
//  4. a no-op rebuild of BENCH_NOOP_COUNT (default 1000) processed originals.
// A count of 0 leaves that part out: BENCH_PROCESS_COUNT=0 BENCH_NOOP_COUNT=0 runs
// the ladder comparisons alone (about a minute).
//
//   node --import tsx bench/process.ts        (or npm run bench)
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createInterface } from "node:readline";
import sharp from "sharp";
import { parseConfig } from "../src/config.ts";
import { processGallery } from "../src/process/index.ts";
import { IMAGE_MALLOC_TUNABLES, imageMemoryEnv, onGlibc } from "../src/cli/memory-settings.js";
import { countFromEnv, median, REPO_ROOT, round, runIfMain, secondsOf, thetaSample, treeMemoryOf, uniqueCopy, type Figure } from "./common.ts";

const run = promisify(execFile);
const QUALITIES = parseConfig({}).process.qualities;

async function has(command: string): Promise<boolean> {
  try {
    await run("sh", ["-c", `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

/** djpeg once, then `cjpeg -optimize -quality Q` per ladder step, two at a time (xargs -P2). */
const floorScript = `set -e
sample=$1; ppm=$2; out=$3; shift 3
djpeg -outfile "$ppm" "$sample"
printf '%s\\n' "$@" | xargs -P2 -I{} cjpeg -optimize -quality {} -outfile "$out/cjpeg-{}.jpg" "$ppm"`;

/** The old way: ImageMagick composite, then one convert per ladder step and the thumbnail, one after another. */
const imageMagickScript = `set -e
sample=$1; logo=$2; out=$3; shift 3
composite -geometry +3000+1600 "$logo" "$sample" "$out/marked.ppm"
for q in "$@"; do convert "$out/marked.ppm" -quality "$q" "$out/im-$q.jpg"; done
convert "$out/marked.ppm" -resize 640x320 -quality 78 "$out/im-thumb.jpg"`;


/**
 * Rotunda's side of the ladder, in a child process (bench/ladder-run.ts) started
 * with `env`: the glibc malloc settings `rotunda process` runs with on this machine.
 */
function rotundaSide(sample: string, logo: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "bench/ladder-run.ts"), sample, logo], { env, stdio: ["pipe", "pipe", "inherit"] });
  // A child that died says so through `exited` and its stderr, not as an EPIPE here.
  child.stdin.on("error", () => {});
  const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    /** Seconds for one request (see bench/ladder-run.ts), timed inside the child. */
    async time(request: { run: "ladder"; out: string } | { run: "encodes" }): Promise<number> {
      return (await this.measure(request)).seconds;
    },
    /** Everything the child measured of one request: seconds, and for encodes CPU seconds and minor page faults. */
    async measure(request: { run: "ladder"; out: string } | { run: "encodes" }): Promise<{ seconds: number; cpuSeconds: number; pageFaults: number }> {
      child.stdin.write(JSON.stringify(request) + "\n");
      const answer = await answers.next();
      if (answer.done) throw new Error(`bench/ladder-run.ts exited ${await exited} on ${JSON.stringify(request)}`);
      return JSON.parse(answer.value) as { seconds: number; cpuSeconds: number; pageFaults: number };
    },
    async close(): Promise<void> {
      child.stdin.end();
      await exited;
    },
  };
}

export async function ladder(work: string, sample: string): Promise<Figure[]> {
  const logo = path.join(work, "logo.png");
  await sharp({ create: { width: 600, height: 200, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0.7 } } }).png().toFile(logo);
  const figures: Figure[] = [];

  // Rotunda: decode once, watermark, 12 ladder steps, thumbnail (no smaller sizes, tiles or card here).
  // Rotunda and the floor alternate, three runs each, so a busy moment of the
  // machine does not fall on one side only; medians are reported.
  const runs: number[] = [];
  const floorRuns: number[] = [];
  const tunedFloorRuns: number[] = [];
  const hasFloor = await has("cjpeg");
  const ppm = path.join(work, "decoded.ppm");
  const floorArgs = ["-c", floorScript, "floor", sample, ppm, work, ...QUALITIES.map(String)];
  // Rotunda runs with the settings its launcher gives; the floor and ImageMagick with
  // this process's environment, as they would on their own (and the floor once more
  // with Rotunda's settings).
  const tunedEnv = onGlibc() ? imageMemoryEnv(process.env) : undefined;
  const rotunda = rotundaSide(sample, logo, tunedEnv ?? process.env);
  // Where the settings apply, Rotunda once more without them, alternating with the rest;
  // and, for the encodes, with the mmap threshold alone: what huge pages add to it.
  const untuned = tunedEnv ? rotundaSide(sample, logo, process.env) : undefined;
  const thresholdOnly = tunedEnv
    ? rotundaSide(sample, logo, { ...process.env, GLIBC_TUNABLES: `glibc.malloc.mmap_threshold=${IMAGE_MALLOC_TUNABLES["glibc.malloc.mmap_threshold"]}` })
    : undefined;
  const untunedRuns: number[] = [];
  const encodeRuns: Array<{ seconds: number; cpuSeconds: number; pageFaults: number }> = [];
  const untunedEncodeRuns: typeof encodeRuns = [];
  const thresholdOnlyEncodeRuns: typeof encodeRuns = [];
  try {
    for (let i = 0; i < 3; i++) {
      runs.push(await rotunda.time({ run: "ladder", out: path.join(work, `rotunda-${i}`) }));
      if (untuned) untunedRuns.push(await untuned.time({ run: "ladder", out: path.join(work, `untuned-${i}`) }));
      if (hasFloor) {
        // One shell runs the floor's processes: spawned from this process, each
        // fork would copy the page tables of its few hundred MB (sharp, buffers)
        // and add ~20 ms per cjpeg to the floor.
        floorRuns.push(await secondsOf(() => run("sh", floorArgs)));
        if (tunedEnv) tunedFloorRuns.push(await secondsOf(() => run("sh", floorArgs, { env: tunedEnv })));
      }
    }
    // Where the time goes: the same 12 encodes alone, from an already decoded buffer.
    for (let i = 0; i < 3; i++) {
      encodeRuns.push(await rotunda.measure({ run: "encodes" }));
      if (untuned) untunedEncodeRuns.push(await untuned.measure({ run: "encodes" }));
      if (thresholdOnly) thresholdOnlyEncodeRuns.push(await thresholdOnly.measure({ run: "encodes" }));
    }
  } finally {
    await rotunda.close();
    await untuned?.close();
    await thresholdOnly?.close();
  }
  const rotundaSeconds = round(median(runs));
  const encodes = "of which: 12 sharp JPEG encodes (Huffman-optimised) from the decoded buffer, 2 at a time";
  const of = (runs: typeof encodeRuns, key: "seconds" | "cpuSeconds" | "pageFaults") => median(runs.map((r) => r[key]));
  if (untunedEncodeRuns.length) {
    // CPU time and page faults show what the settings change even on a busy machine, where wall time wanders.
    const untunedBaseline = (key: "seconds" | "cpuSeconds" | "pageFaults", digits = 2) => ({ name: "glibc's default malloc", value: round(of(untunedEncodeRuns, key), digits) });
    figures.push({ name: encodes, value: round(of(encodeRuns, "seconds")), unit: "s", baseline: untunedBaseline("seconds") });
    figures.push({ name: "CPU time of those encodes (user + system), with the glibc malloc settings", value: round(of(encodeRuns, "cpuSeconds")), unit: "s", baseline: untunedBaseline("cpuSeconds") });
    figures.push({ name: "minor page faults of those encodes, with the glibc malloc settings", value: round(of(encodeRuns, "pageFaults"), 0), unit: "faults", baseline: untunedBaseline("pageFaults", 0) });
    const thresholdBaseline = (key: "cpuSeconds" | "pageFaults", digits = 2) => ({ name: "the mmap threshold alone, without huge pages", value: round(of(thresholdOnlyEncodeRuns, key), digits) });
    figures.push({ name: "the same CPU time, against the mmap threshold alone", value: round(of(encodeRuns, "cpuSeconds")), unit: "s", baseline: thresholdBaseline("cpuSeconds") });
    figures.push({ name: "the same page faults, against the mmap threshold alone", value: round(of(encodeRuns, "pageFaults"), 0), unit: "faults", baseline: thresholdBaseline("pageFaults", 0) });
  } else {
    figures.push({ name: encodes, value: round(of(encodeRuns, "seconds")), unit: "s" });
  }
  const name = "watermark + 12-step ladder + thumbnail (6720×3360)";
  figures.push(hasFloor
    ? { name, value: rotundaSeconds, unit: "s", baseline: { name: "libjpeg-turbo floor: djpeg + 12× cjpeg -optimize, 2 at a time", value: round(median(floorRuns)) }, target: "≤ 1.1× baseline" }
    : { name, value: rotundaSeconds, unit: "s", target: "floor missing: apt-get install libjpeg-turbo-progs" });
  if (untunedRuns.length) {
    figures.push({ name: "the same ladder with the glibc malloc settings (GLIBC_TUNABLES) the launcher gives", value: rotundaSeconds, unit: "s", baseline: { name: "glibc's default malloc", value: round(median(untunedRuns)) } });
  }
  if (tunedFloorRuns.length) {
    // cjpeg gains from the same settings: the ratio against this floor is the stricter one.
    figures.push({ name: "the same, against the floor run with the glibc malloc settings Rotunda runs with", value: rotundaSeconds, unit: "s", baseline: { name: "floor with those settings", value: round(median(tunedFloorRuns)) } });
  }

  if ((await has("composite")) && (await has("convert")) && (await run("convert", ["-version"]).then((r) => /ImageMagick/.test(r.stdout), () => false))) {
    const old = await secondsOf(() => run("sh", ["-c", imageMagickScript, "old-way", sample, logo, work, ...QUALITIES.map(String)]));
    figures.push({ name: "speed-up over the old ImageMagick way (composite + 13 convert processes)", value: round(old / rotundaSeconds, 1), unit: "×", baseline: { name: "ImageMagick", value: round(old), unit: "s" }, target: "≥ 5×" });
  } else {
    figures.push({ name: "speed-up over the old ImageMagick way", value: 0, unit: "×", target: "baseline missing: apt-get install imagemagick" });
  }
  return figures;
}

/**
 * `rotunda process` over `count` unique THETA-sized originals, RSS sampled every
 * 250 ms over the whole process tree: the launcher, the process it runs the
 * command in, and ExifTool's perl processes. `glibcDefaults` runs the command in
 * the launcher's own process, without the malloc settings (the launcher takes
 * ROTUNDA_LAUNCHER_CHILD=1 to mean it is already the child that has them).
 */
export async function memory(work: string, sample: string, count: number, glibcDefaults = false): Promise<Figure[]> {
  const gallery = path.join(work, "memory-gallery");
  const dist = path.join(work, "memory-dist");
  await mkdir(gallery, { recursive: true });
  const bytes = await readFile(sample);
  for (let i = 0; i < count; i++) await writeFile(path.join(gallery, `pano-${String(i).padStart(4, "0")}.jpg`), uniqueCopy(bytes, i));
  const env = { ...process.env, CI: "1", ...(glibcDefaults ? { ROTUNDA_LAUNCHER_CHILD: "1" } : {}) };
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "src/cli/rotunda.js"), "process", "--input", gallery, "--output", dist], { stdio: ["ignore", "pipe", "inherit"], env });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  const samples: number[] = [];
  let peak = 0;
  const timer = setInterval(async () => {
    const m = await treeMemoryOf(child.pid!);
    if (m) {
      samples.push(m.rssMb);
      peak = Math.max(peak, m.peakMb);
    }
  }, 250);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`rotunda process exited ${code}: ${output}`);
  // Growth: the highest RSS in the last quarter of the run vs in the second quarter.
  const q = Math.floor(samples.length / 4);
  const second = Math.max(...samples.slice(q, 2 * q));
  const last = Math.max(...samples.slice(3 * q));
  await rm(gallery, { recursive: true, force: true });
  await rm(dist, { recursive: true, force: true });
  if (glibcDefaults) {
    return [
      { name: `the same peak RSS with glibc's default malloc, in one process`, value: peak, unit: "MB" },
      { name: "throughput of that run", value: round(count / seconds, 2), unit: "pictures/s" },
    ];
  }
  return [
    { name: `peak RSS processing ${count} THETA-sized originals (every default output; all its processes, ExifTool's included)`, value: peak, unit: "MB", target: "≤ 1024 MB" },
    { name: "RSS growth from the 2nd to the last quarter of that run", value: round(last - second, 1), unit: "MB", target: "no growth with the number of pictures" },
    { name: `throughput of that run (${availableParallelism()} cores)`, value: round(count / seconds, 2), unit: "pictures/s" },
  ];
}

/** A no-op rebuild: `count` originals already processed, nothing changed. */
export async function noop(work: string, count: number): Promise<Figure[]> {
  const gallery = path.join(work, "noop-gallery");
  const dist = path.join(work, "noop-dist");
  await mkdir(gallery, { recursive: true });
  const base = await sharp({ create: { width: 512, height: 256, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 30 } } }).jpeg().toBuffer();
  for (let i = 0; i < count; i++) await writeFile(path.join(gallery, `p${i}.jpg`), uniqueCopy(base, i));
  const config = parseConfig({});
  const first = await processGallery({ inputDir: gallery, outputDir: dist, config });
  if (first.failed.length) throw new Error(`setup failed: ${first.failed[0]!.message}`);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    let made = -1;
    runs.push(await secondsOf(async () => {
      made = (await processGallery({ inputDir: gallery, outputDir: dist, config })).made.length;
    }));
    if (made !== 0) throw new Error(`no-op rebuild made ${made} pictures`);
  }
  await rm(gallery, { recursive: true, force: true });
  await rm(dist, { recursive: true, force: true });
  return [{ name: `no-op process rebuild of ${count} processed originals`, value: round(median(runs), 3), unit: "s", target: "≤ 1 s" }];
}


export async function runBench(): Promise<Figure[]> {
  const noopCount = countFromEnv("BENCH_NOOP_COUNT", 1000);
  const memoryCount = countFromEnv("BENCH_PROCESS_COUNT", 200);
  const work = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), "rotunda-bench-process-"));
  try {
    const sample = await thetaSample(work);
    const local = path.join(work, "original.jpg");
    await copyFile(sample, local);
    const figures = [
      ...(await ladder(work, local)),
      ...(noopCount > 0 ? await noop(work, noopCount) : []),
      ...(memoryCount > 0 ? await memory(work, local, memoryCount) : []),
      ...(memoryCount > 0 && onGlibc() ? await memory(work, local, memoryCount, true) : []),
    ];
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export { runBench as run };

await runIfMain(import.meta, "process", runBench);
