// npm run bench: every benchmark in one run, figures printed next to their
// baselines and targets, and written as JSON (bench/results/<name>.json, and
// all of them in bench/results/all.json) so they can be tracked.
//   npm run bench                 all
//   npm run bench -- process pull only those
import { printFigures, writeResults, type Figure } from "./common.ts";

const benches: Record<string, () => Promise<{ run: () => Promise<Figure[]> }>> = {
  process: () => import("./process.ts"),
  tiles: () => import("./tiles.ts"),
  pull: () => import("./pull.ts"),
  serve: () => import("./serve.ts"),
  render: () => import("./render.ts"),
  cli: () => import("./cli.ts"),
  live: () => import("./live.ts"),
  scale: () => import("./scale.ts"),
  reader: () => import("./reader.ts"),
  "tile-formats": () => import("./tile-formats.ts"),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
const all: Record<string, Figure[]> = {};
let failed = false;
for (const name of wanted.length ? wanted : Object.keys(benches)) {
  const started = performance.now();
  try {
    const figures = await (await benches[name]!()).run();
    all[name] = figures;
    printFigures(`${name} (${((performance.now() - started) / 1000).toFixed(0)} s)`, figures);
    await writeResults(name, figures);
  } catch (error) {
    failed = true;
    console.error(`\n${name}: benchmark failed: ${(error as Error).stack ?? error}`);
  }
}
console.log(`\nwritten to ${await writeResults("all", Object.values(all).flat())}`);
process.exitCode = failed ? 1 : 0;
