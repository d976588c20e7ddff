// Benchmarks of Rotunda beyond one machine, side by side in one run:
//  1. the whole first build (`rotunda build` into an empty folder: process with every
//     default output, render) of BENCH_FIRST_COUNT (default 8) THETA-sized originals
//     against the seed's ImageMagick way on the same pictures, which does less:
//     per picture `composite` (watermark) and one `convert -quality Q` per ladder step
//     (12), one picture after another (apt-get install imagemagick; without it the
//     figure says so). Target: at least 3× faster. Also the CPU time and cores used
//     of a one-picture build.
//  2. the bucket as shared cache, against OpenStack Swift on 127.0.0.1 (as the tests
//     start it): `rotunda process --cache` of BENCH_CACHE_COUNT (default 200)
//     originals fills the cache (a figure of its own: throughput and what went up),
//     then a warm-cache `rotunda build --cache` on an empty output folder takes every
//     record from the bucket and renders without downloading any media. Target: at
//     most 10 s, with the share spent waiting on the network. The originals are
//     2048×1024 pictures each carrying padding (APP15 segments, which decoders skip)
//     up to a THETA file's 9 MB: hashing them costs what hashing THETA originals
//     does, while filling the cache stays minutes, not the hour that 200 THETA-sized
//     pictures' 11 GB of outputs take to go into Swift here.
// The render of 5,000 and 50,000 records is bench/render.ts's (npm run bench -- render).
// The load average is printed with each figure: the machine may be shared.
//
//   node --import tsx bench/scale.ts        (or npm run bench -- scale)
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import sharp from "sharp";
import { parseConfig } from "../src/config.ts";
import { countFromEnv, REPO_ROOT, round, runIfMain, thetaSample, timedNode, uniqueCopy, type Figure, type TimedRun } from "./common.ts";

const run = promisify(execFile);
const LAUNCHER = path.join(REPO_ROOT, "src/cli/rotunda.js");
const QUALITIES = parseConfig({}).process.qualities;

async function gallery(dir: string, sample: string | Buffer, count: number, from = 0): Promise<void> {
  await mkdir(dir, { recursive: true });
  const bytes = typeof sample === "string" ? await readFile(sample) : sample;
  for (let i = 0; i < count; i++) await writeFile(path.join(dir, `pano-${String(from + i).padStart(4, "0")}.jpg`), uniqueCopy(bytes, from + i));
}

/** The sample at 2048×1024, padded with APP15 segments (skipped by every decoder) to `bytes`. */
async function paddedSmallOriginal(sample: string, bytes: number): Promise<Buffer> {
  const small = await sharp(sample).resize(2048, 1024).jpeg({ quality: 90 }).toBuffer();
  const segments: Buffer[] = [];
  let size = small.length;
  for (let n = 0; size < bytes; n++) {
    const body = Buffer.alloc(65533, n % 251);
    const header = Buffer.alloc(4);
    header.writeUInt16BE(0xffef, 0);
    header.writeUInt16BE(body.length + 2, 2);
    segments.push(header, body);
    size += body.length + 4;
  }
  return Buffer.concat([small.subarray(0, 2), ...segments, small.subarray(2)]);
}

const load = () => `load ${loadavg()[0]!.toFixed(1)}`;

/** Runs the rotunda command to its end: wall time, and CPU time of it and its children. */
const rotunda = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<TimedRun> => timedNode([LAUNCHER, ...args], { env });

async function has(command: string): Promise<boolean> {
  return run("sh", ["-c", `command -v ${command}`]).then(() => true, () => false);
}

/** The seed's way, per picture one after another: composite, then one convert per ladder step. */
const imageMagickScript = `set -e
logo=$1; out=$2; shift 2
for sample in "$out"/in/*.jpg; do
  name=$(basename "$sample" .jpg)
  composite -geometry +3000+1600 "$logo" "$sample" "$out/$name-marked.ppm"
  for q in $QUALITIES; do convert "$out/$name-marked.ppm" -quality "$q" "$out/$name-$q.jpg"; done
  rm "$out/$name-marked.ppm"
done`;

export async function firstBuild(work: string, sample: string, count: number): Promise<Figure[]> {
  const input = path.join(work, "first-gallery");
  await gallery(input, sample, count);
  const figures: Figure[] = [];
  // One picture alone: what a shard with one new picture, or serve's follow-up, does.
  const one = path.join(work, "one-gallery");
  await gallery(one, sample, 1, 1000);
  const single = await rotunda(["build", "--no-pull", "--input", one, "--output", path.join(work, "one-dist")]);
  figures.push({ name: `one THETA-sized original, whole first build (${load()})`, value: round(single.seconds), unit: "s" });
  figures.push({ name: "cores used by that build (CPU time / wall time)", value: round(single.cpuSeconds / single.seconds), unit: "cores", target: "about 2 on 2 cores" });

  const rotundaRun = await rotunda(["build", "--no-pull", "--input", input, "--output", path.join(work, "first-dist")]);
  const name = `whole first build of ${count} THETA-sized originals (process with every default output, render; ${load()})`;
  if (!((await has("composite")) && (await has("convert")) && (await run("convert", ["-version"]).then((r) => /ImageMagick/.test(r.stdout), () => false)))) {
    figures.push({ name, value: round(rotundaRun.seconds), unit: "s", target: "baseline missing: apt-get install imagemagick" });
    return figures;
  }
  const logo = path.join(work, "logo.png");
  await sharp({ create: { width: 600, height: 200, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0.7 } } }).png().toFile(logo);
  const old = path.join(work, "imagemagick");
  await mkdir(path.join(old, "in"), { recursive: true });
  for (let i = 0; i < count; i++) await copyFile(path.join(input, `pano-${String(i).padStart(4, "0")}.jpg`), path.join(old, "in", `p${i}.jpg`));
  const started = performance.now();
  await run("sh", ["-c", imageMagickScript, "old-way", logo, old], { env: { ...process.env, QUALITIES: QUALITIES.join(" ") }, maxBuffer: 1 << 24 });
  const imageMagickSeconds = (performance.now() - started) / 1000;
  figures.push({ name, value: round(rotundaRun.seconds), unit: "s", baseline: { name: `the seed's ImageMagick way (composite + 12 convert per picture; less work; ${load()})`, value: round(imageMagickSeconds) } });
  figures.push({ name: "speed-up of the whole first build over the seed's ImageMagick way", value: round(imageMagickSeconds / rotundaRun.seconds, 1), unit: "×", target: "≥ 3×" });
  return figures;
}

export async function warmCache(work: string, sample: string, count: number): Promise<Figure[]> {
  const { createBucketWhenReady, s3Env, startSwift } = await import("../test/support/swift.ts");
  const swift = await startSwift();
  const env = s3Env(swift);
  try {
    await createBucketWhenReady(swift, "bench");
    const input = path.join(work, "cache-gallery");
    await gallery(input, await paddedSmallOriginal(sample, (await readFile(sample)).length), count);
    const cache = ["--cache", "s3://bench/site", "--endpoint", swift.endpoint];
    const fill = await rotunda(["process", "--input", input, "--output", path.join(work, "cache-fill"), ...cache], env);
    const put = /cache s3:\/\/\S+: \d+ taken, (\d+) put \(([^)]+)\)/.exec(fill.stdout);
    const figures: Figure[] = [
      { name: `rotunda process --cache of ${count} originals (2048×1024, 9 MB each) into an empty cache (${put?.[1]} put, ${put?.[2]}; ${load()})`, value: round(count / fill.seconds, 2), unit: "pictures/s" },
    ];
    await rm(path.join(work, "cache-fill"), { recursive: true, force: true });
    const warm = await rotunda(["build", "--no-pull", "--input", input, "--output", path.join(work, "cache-warm"), ...cache], env);
    const made = /· (\d+) made/.exec(warm.stdout)?.[1];
    if (made !== "0") throw new Error(`the warm-cache build made ${made} pictures:\n${warm.stdout}`);
    const network = Number(/([\d.]+) s with requests in flight/.exec(warm.stdout)?.[1] ?? NaN);
    const requests = /(\d+) requests/.exec(warm.stdout)?.[1];
    const processStep = Number(/· ([\d.]+) s\n/.exec(warm.stdout)?.[1] ?? NaN);
    const buildTook = Number(/build took ([\d.]+) s/.exec(warm.stdout)?.[1] ?? NaN);
    figures.push({
      name: `warm-cache build of ${count} originals on an empty output folder (records from the local Swift, no media downloaded; ${load()})`,
      value: round(warm.seconds),
      unit: "s",
      target: "≤ 10 s",
    });
    figures.push({ name: `of which with requests to the cache in flight (${requests} requests, up to 8 at a time, beside hashing the originals)`, value: round(network), unit: "s" });
    figures.push({ name: "the network's share of that build", value: round((100 * network) / warm.seconds, 0), unit: "%" });
    figures.push({ name: "of that build, the process step (hashing the originals, taking the records)", value: round(processStep), unit: "s" });
    figures.push({ name: "of that build, render, publish, sweep and complete", value: round(buildTook - processStep), unit: "s" });
    figures.push({ name: "of that build, the command's start and end (launcher, loading, configuration, the cache's first answer)", value: round(warm.seconds - buildTook), unit: "s" });
    return figures;
  } finally {
    await swift.stop();
  }
}

export async function runBench(): Promise<Figure[]> {
  const work = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), "rotunda-bench-scale-"));
  try {
    const sample = await thetaSample(work);
    const firstCount = countFromEnv("BENCH_FIRST_COUNT", 8);
    const cacheCount = countFromEnv("BENCH_CACHE_COUNT", 200);
    return [
      ...(firstCount > 0 ? await firstBuild(work, sample, firstCount) : []),
      ...(cacheCount > 0 ? await warmCache(work, sample, cacheCount) : []),
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export { runBench as run };

await runIfMain(import.meta, "scale", runBench);
