// Start-up of the `rotunda` command: what its esbuild bundle saves a user against
// running the TypeScript sources through tsx (`node --import tsx src/cli/main.ts`).
//  - `rotunda --version`: the launcher and the dispatcher alone;
//  - `rotunda build --help`: everything a build loads (sharp, Eleventy, the stages) before it starts;
//  - the first start after a source changed, which builds the bundle again;
//  - peak RSS of `rotunda build --help` both ways.
// Each is run BENCH_CLI_RUNS times (default 7), the ways alternating; medians are reported.
// Both ways start warm: the bundle exists and tsx's own transform cache is filled.
//
//   node --import tsx bench/cli.ts        (or npm run bench -- cli)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { median, REPO_ROOT, round, runIfMain, timedNode, type Figure, type TimedRun } from "./common.ts";

const LAUNCHER = path.join(REPO_ROOT, "src/cli/rotunda.js");
const MAIN = path.join(REPO_ROOT, "src/cli/main.ts");

/** Runs node with `args` to its end: wall time and peak RSS. */
const runNode = (args: string[], env: NodeJS.ProcessEnv): Promise<TimedRun> => timedNode(args, { env });

export async function runBench(): Promise<Figure[]> {
  const runs = Math.max(1, Number(process.env.BENCH_CLI_RUNS ?? 7));
  const work = await mkdtemp(path.join(tmpdir(), "rotunda-bench-cli-"));
  const cache = { ROTUNDA_CACHE_DIR: path.join(work, "cache") };
  const bundled = (args: string[]) => runNode([LAUNCHER, ...args], cache);
  const viaTsx = (args: string[]) => runNode(["--import", "tsx", MAIN, ...args], {});
  const figures: Figure[] = [];
  try {
    for (const args of [["--version"], ["build", "--help"]]) {
      await bundled(args); // builds the bundle
      await viaTsx(args); // fills tsx's cache
      const launcher: TimedRun[] = [];
      const tsx: TimedRun[] = [];
      const rebuilds: TimedRun[] = [];
      for (let i = 0; i < runs; i++) {
        launcher.push(await bundled(args));
        tsx.push(await viaTsx(args));
        // A source change: the next start builds a new bundle (an empty cache folder stands for it).
        if (args[0] === "build") rebuilds.push(await runNode([LAUNCHER, ...args], { ROTUNDA_CACHE_DIR: path.join(work, `fresh-${i}`) }));
      }
      const label = `rotunda ${args.join(" ")}`;
      figures.push({
        name: `start-up to exit of \`${label}\` (bundle)`,
        value: round(median(launcher.map((r) => r.seconds))),
        unit: "s",
        baseline: { name: "the sources through tsx", value: round(median(tsx.map((r) => r.seconds))) },
      });
      if (rebuilds.length) {
        figures.push({ name: "the same, first start after a source changed (builds the bundle)", value: round(median(rebuilds.map((r) => r.seconds))), unit: "s", baseline: { name: "the sources through tsx", value: round(median(tsx.map((r) => r.seconds))) } });
        figures.push({
          name: `peak RSS of \`${label}\` (bundle)`,
          value: round(median(launcher.map((r) => r.peakMb)), 1),
          unit: "MB",
          baseline: { name: "the sources through tsx", value: round(median(tsx.map((r) => r.peakMb)), 1) },
        });
      }
    }
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export { runBench as run };

await runIfMain(import.meta, "cli", runBench);
