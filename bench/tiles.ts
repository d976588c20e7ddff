// Multires tile generation: writeMultires (src/process/projection) on a THETA
// Z1-sized equirectangular, next to Pannellum's own generate.py (nona + Pillow)
// on the same picture; plus the social card and nadir patch.
//
//   node --import tsx bench/tiles.ts
//
// Input: theta-z1-like.jpg from $ROTUNDA_SAMPLES or ../shared/samples (beside
// the repo), else a generated 6720×3360 JPEG. The baseline needs Debian's
// hugin-tools, python3-pil and python3-numpy (run with /usr/bin/python3); when
// they are missing the baseline is reported as missing.
// Env: BENCH_TILES_RUNS (3, writeMultires runs; the median is reported, the
// first run also on its own),
// BENCH_TILES_BASELINE=0 to skip generate.py, BENCH_TILES_DIR (os.tmpdir()).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { median, REPO_ROOT, round, type Figure } from "./common.ts";
import { nadirOverlay, renderPerspective, writeMultires, type RawImage } from "../src/process/projection/index.ts";

const repoRoot = REPO_ROOT;
const generatePy = path.join(repoRoot, "node_modules/pannellum/utils/multires/generate.py");
const PYTHON = "/usr/bin/python3"; // not a pyenv shim: the Debian packages are for this one


function findSample(): string | undefined {
  const dirs = [process.env.ROTUNDA_SAMPLES, path.resolve(repoRoot, "../shared/samples")].filter((d): d is string => !!d);
  for (const d of dirs) {
    const f = path.join(d, "theta-z1-like.jpg");
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** A 6720×3360 stand-in with detail everywhere (gradients plus noise), saved as JPEG q95. */
async function generateSample(file: string): Promise<void> {
  const W = 6720;
  const H = 3360;
  const data = Buffer.alloc(W * H * 3);
  let seed = 12345;
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < W; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = (seed >>> 24) - 128;
      const o = (j * W + i) * 3;
      data[o] = Math.max(0, Math.min(255, (i * 255) / W + n * 0.3));
      data[o + 1] = Math.max(0, Math.min(255, (j * 255) / H + n * 0.3));
      data[o + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(i / 40) * Math.cos(j / 30) + n * 0.3));
    }
  }
  await sharp(data, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
}

/** CPU seconds of this process's waited-for children (Linux /proc; undefined elsewhere). */
function childrenCpu(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // after the command: state is field 3, cutime 16 and cstime 17 (1-based in proc(5))
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Peak resident set of this process so far (VmHWM), in MB; undefined off Linux. */
function peakRssMb(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** Why the generate.py baseline cannot run here, or undefined when it can. */
function baselineMissing(): string | undefined {
  if (process.env.BENCH_TILES_BASELINE === "0") return "skipped (BENCH_TILES_BASELINE=0)";
  if (!existsSync(generatePy)) return "generate.py not found";
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (!onPath("nona")) return "nona not found (apt-get install hugin-tools)";
  const py = spawnSync(PYTHON, ["-c", "import PIL, numpy"], { stdio: "ignore" });
  if (py.status !== 0) return "Pillow/numpy missing (apt-get install python3-pil python3-numpy)";
  return undefined;
}

export async function run(): Promise<Figure[]> {
  const runs = Math.max(1, Number(process.env.BENCH_TILES_RUNS ?? 3));
  const work = await mkdtemp(path.join(process.env.BENCH_TILES_DIR ?? os.tmpdir(), "rotunda-bench-tiles-"));
  const figures: Figure[] = [];
  try {
    let input = findSample();
    let inputName = "theta-z1-like.jpg";
    if (!input) {
      input = path.join(work, "generated-6720.jpg");
      inputName = "generated 6720×3360";
      await generateSample(input);
    }

    // Decode once (what the pipeline does), timed apart.
    let t = performance.now();
    const { data, info } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
    const decodeS = (performance.now() - t) / 1000;
    const raw: RawImage = { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };

    const times: number[] = [];
    const cpu: number[] = [];
    let result: Awaited<ReturnType<typeof writeMultires>> | undefined;
    for (let r = 0; r < runs; r++) {
      const out = path.join(work, `ours-${r}`);
      const c0 = process.cpuUsage();
      t = performance.now();
      result = await writeMultires(raw, out);
      times.push((performance.now() - t) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
      await rm(out, { recursive: true, force: true });
    }
    const ours = median(times);
    const ourCpu = median(cpu);
    const peakMb = peakRssMb();

    const missing = baselineMissing();
    let baseline: number | undefined;
    let baselineCpu: number | undefined;
    if (!missing) {
      const out = path.join(work, "generate-py");
      const cpu0 = childrenCpu();
      t = performance.now();
      const p = spawnSync(PYTHON, [generatePy, "-o", out, "-q", "75", input], { encoding: "utf8" });
      const s = (performance.now() - t) / 1000;
      const cpu1 = childrenCpu();
      if (p.status === 0) {
        baseline = s;
        if (cpu0 !== undefined && cpu1 !== undefined) baselineCpu = cpu1 - cpu0;
      } else console.error(`generate.py failed (${p.status}): ${p.stderr.slice(-500)}`);
    }
    const baselineName = "pannellum generate.py (nona + Pillow)";
    const label = `${inputName}, cube ${result!.cubeSize}, ${result!.maxLevel} levels, ${result!.files} files`;

    figures.push({ name: `decode ${info.width}×${info.height} JPEG to raw (sharp)`, value: round(decodeS), unit: "s" });
    figures.push({
      name: `writeMultires, decode excluded (${label})`,
      value: round(ours),
      unit: "s",
      ...(baseline !== undefined ? { baseline: { name: baselineName, value: round(baseline) } } : {}),
    });
    figures.push({
      name: "writeMultires + decode",
      value: round(ours + decodeS),
      unit: "s",
      ...(baseline !== undefined ? { baseline: { name: baselineName, value: round(baseline) } } : {}),
    });
    if (baseline !== undefined) {
      figures.push({
        name: "speed-up over generate.py (decode included)",
        value: round(baseline / (ours + decodeS), 1),
        unit: "×",
        baseline: { name: "target", value: 5 },
      });
    } else {
      console.error(`generate.py baseline missing: ${missing ?? "it failed"}`);
      figures.push({ name: `generate.py baseline missing: ${missing ?? "it failed"}`, value: 0, unit: "s" });
    }
    figures.push({ name: "writeMultires first call", value: round(times[0]!), unit: "s" });
    figures.push({
      name: "writeMultires CPU time (all threads)",
      value: round(ourCpu),
      unit: "s",
      ...(baselineCpu !== undefined ? { baseline: { name: "generate.py CPU time (python + nona)", value: round(baselineCpu) } } : {}),
    });
    if (baselineCpu !== undefined) {
      // Wall times suffer when other jobs share the 2 cores; CPU time much less.
      figures.push({ name: "CPU-time ratio generate.py / writeMultires", value: round(baselineCpu / ourCpu, 1), unit: "×" });
    }
    figures.push({ name: "load average (1 min) at the end, 2 cores", value: round(os.loadavg()[0]!), unit: "" });
    figures.push({ name: "multires output", value: round(result!.bytes / 1e6), unit: "MB" });
    if (peakMb !== undefined) {
      figures.push({ name: "peak RSS after decode + writeMultires runs (VmHWM)", value: round(peakMb, 0), unit: "MB" });
    }

    // Social card and nadir patch on the same decode.
    const card = () => renderPerspective(raw, { yaw: 30, pitch: -5, hfov: 100 }, { width: 1200, height: 630 });
    card(); // warm-up
    t = performance.now();
    card();
    figures.push({ name: "renderPerspective 1200×630 (hfov 100, supersampled)", value: round(performance.now() - t, 0), unit: "ms" });

    const logo = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><circle cx="50" cy="50" r="49" fill="#246"/></svg>',
    );
    await nadirOverlay(logo, raw, { angle: 20 }); // warm-up
    t = performance.now();
    await nadirOverlay(logo, raw, { angle: 20 });
    figures.push({ name: "nadirOverlay (20° cap, SVG logo)", value: round(performance.now() - t, 0), unit: "ms" });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return figures;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const figures = await run();
  for (const f of figures) {
    const base = f.baseline ? `   (${f.baseline.name}: ${f.baseline.value} ${f.unit})` : "";
    console.log(`${f.name}: ${f.value} ${f.unit}${base}`);
  }
  await mkdir(path.join(repoRoot, "bench/results"), { recursive: true });
  await writeFile(path.join(repoRoot, "bench/results/tiles.json"), JSON.stringify(figures, null, 2) + "\n");
}
