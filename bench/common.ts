// What every benchmark shares: the figure format, the sample picture, results on
// disk, a timed child process, the entry of a benchmark file run on its own.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run where possible. */
  baseline?: { name: string; value: number; unit?: string };
  /** The target the issue sets, in words ("≤ 1.1× baseline"). */
  target?: string;
}

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");

/** THETA Z1-sized sample from $ROTUNDA_SAMPLES or ../shared/samples, else one generated to that size and weight. */
export async function thetaSample(workDir: string): Promise<string> {
  for (const dir of [process.env.ROTUNDA_SAMPLES, path.resolve(REPO_ROOT, "../shared/samples")]) {
    if (dir && existsSync(path.join(dir, "theta-z1-like.jpg"))) return path.join(dir, "theta-z1-like.jpg");
  }
  const file = path.join(workDir, "theta-z1-generated.jpg");
  if (!existsSync(file)) {
    const width = 6720;
    const height = 3360;
    const noise = await sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).raw().toBuffer();
    await sharp(noise, { raw: { width, height, channels: 3 } }).blur(1.2).jpeg({ quality: 95, chromaSubsampling: "4:4:4" }).toFile(file);
  }
  return file;
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n${title}`);
  for (const f of figures) {
    const unit = f.baseline?.unit ?? f.unit;
    const ratio = f.baseline && unit === f.unit ? `; ratio ${(f.value / f.baseline.value).toFixed(2)}` : "";
    const base = f.baseline ? `  (baseline ${f.baseline.name}: ${f.baseline.value} ${unit}${ratio})` : "";
    console.log(`  ${f.name}: ${f.value} ${f.unit}${base}${f.target ? `  target ${f.target}` : ""}`);
  }
}

export async function writeResults(name: string, figures: Figure[]): Promise<string> {
  const dir = path.join(REPO_ROOT, "bench", "results");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(figures, null, 2) + "\n");
  return file;
}

/** Seconds `fn` takes to settle. */
export async function secondsOf(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** A copy of a JPEG with a unique comment after SOI: new bytes (a new content hash), the same picture. */
export function uniqueCopy(jpeg: Buffer, n: number): Buffer {
  const text = Buffer.from(`rotunda bench copy ${n}`);
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), com, text, jpeg.subarray(2)]);
}

/** A whole number from the environment, or the default; anything else is an error. */
export function countFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name}=${value}: expected a whole number`);
  return Number(value);
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** RSS of one process now and at its peak (VmRSS, VmHWM), in MB. */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number } | undefined> {
  try {
    const { readFile } = await import("node:fs/promises");
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rssMb: round(kb("VmRSS") / 1024, 1), peakMb: round(kb("VmHWM") / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** A process and all its descendants (the launcher's child, ExifTool's perl processes…). */
async function processTree(pid: number): Promise<number[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  const parents = new Map<number, number[]>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!parents.has(ppid)) parents.set(ppid, []);
    parents.get(ppid)!.push(Number(name));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  return tree;
}

/**
 * Memory of a process with all its descendants: RSS now, summed, and the sum of
 * each one's own peak (an upper bound of the tree's peak: their peaks need not coincide).
 */
export async function treeMemoryOf(pid: number): Promise<{ rssMb: number; peakMb: number; processes: number } | undefined> {
  const each = (await Promise.all((await processTree(pid)).map(memoryOf))).filter((m) => m !== undefined);
  if (each.length === 0) return undefined;
  return { rssMb: round(each.reduce((n, m) => n + m.rssMb, 0), 1), peakMb: round(each.reduce((n, m) => n + m.peakMb, 0), 1), processes: each.length };
}

export interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** User and system time of the command and its children. */
  cpuSeconds: number;
  /** Its peak resident set size (GNU time's maximum RSS; 0 where it is missing). */
  peakMb: number;
}

/** Runs node with `args` to its end under GNU time: wall time, CPU time and peak RSS; rejects on a non-zero exit. */
export function timedNode(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "rotunda-bench-time=%U+%S+%M", process.execPath, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, CI: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`node ${args.join(" ")} exited ${code}:\n${stdout.slice(-2000)}${stderr.slice(-2000)}`));
      const [user, system, kb] = (/rotunda-bench-time=([\d.]+)\+([\d.]+)\+(\d+)/.exec(stderr) ?? [, "0", "0", "0"]).slice(1).map(Number);
      resolve({ code, stdout, stderr, seconds, cpuSeconds: user! + system!, peakMb: kb! / 1024 });
    });
  });
}

/** Runs a benchmark file's `runBench` when the file itself is run (`node --import tsx bench/<name>.ts`). */
export async function runIfMain(meta: ImportMeta, name: string, runBench: () => Promise<Figure[]>): Promise<void> {
  if (meta.url !== `file://${process.argv[1]}`) return;
  const figures = await runBench();
  printFigures(name, figures);
  console.log(`written to ${await writeResults(name, figures)}`);
}
