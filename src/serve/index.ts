// `rotunda serve`: a live preview while authoring. The pieces:
//   watch.ts  chokidar on the gallery, layouts and browser code
//   queue.ts  debounce + one run at a time + one follow-up run
//   build.ts  config → incremental process → Eleventy render; problems, never throws
//   http.ts   Eleventy's dev server bound to one host, a problems banner on every page
//   pull.ts   optional camera polling (--pull-every)
// A change reaches open pages as: event → (pictures: 100 ms of stable size) → 60 ms quiet →
// process (only what changed) → render (~0.1 s) → reload over the WebSocket.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { createProgress } from "../cli/progress.ts";
import type { Progress } from "../progress.ts";
import { LAYOUTS_DIR, PROJECT_ROOT } from "../render/index.ts";
import { Builder, type BuildOutcome } from "./build.ts";
import { startHttpServer } from "./http.ts";
import { problemLine, problemsBanner, type Problem } from "./problems.ts";
import { startPullLoop, type PullLoop } from "./pull.ts";
import { RebuildQueue } from "./queue.ts";
import { watchSources, type SourceWatcher } from "./watch.ts";

export { freePort } from "../ports.ts";
export type { Problem } from "./problems.ts";

export interface ServeOptions {
  inputDir: string;
  outputDir: string;
  /** Address to listen on: 127.0.0.1 unless the author opens it up. */
  host?: string;
  /** First port tried (the next free one is taken if it is busy); 0 lets the system pick. */
  port?: number;
  /** Poll the configured cameras this often (seconds); off when absent. */
  pullEverySeconds?: number;
  /** Eleventy's input and config (defaults: Rotunda's own). */
  layoutsDir?: string;
  eleventyConfig?: string;
  /** Quiet time gathering file events into one rebuild. */
  quietMs?: number;
  /** Progress lines (stdout by default) and problems (stderr by default). */
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface DevServer {
  url: string;
  port: number;
  /** Resolves when no rebuild is scheduled or running. */
  idle(): Promise<void>;
  problems(): Problem[];
  close(): Promise<void>;
}

const CLIENT_DIR = path.join(PROJECT_ROOT, "src/client");

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export async function startDevServer(options: ServeOptions): Promise<DevServer> {
  const inputDir = path.resolve(options.inputDir);
  const outputDir = path.resolve(options.outputDir);
  const layoutsDir = path.resolve(options.layoutsDir ?? LAYOUTS_DIR);
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(line));
  await mkdir(outputDir, { recursive: true });

  let buildProblems: Problem[] = [];
  let pullProblems: Problem[] = [];
  const problems = () => [...buildProblems, ...pullProblems];

  const http = await startHttpServer({
    root: outputDir,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 8080,
    banner: () => problemsBanner(problems()),
  });

  const requested = options.port ?? 8080;
  const taken = requested !== 0 && http.port !== requested ? ` (${requested} was taken)` : "";
  log(`Serving ${http.url}${taken}`);
  if (!["127.0.0.1", "localhost", "::1"].includes(options.host ?? "127.0.0.1")) {
    warn(`  note: listening on ${options.host}, so other machines on the network can see this preview`);
  }

  // Changed files named from the gallery (or the project) so log lines stay short.
  const shortPath = (file: string) => {
    const base = file.startsWith(inputDir + path.sep) ? inputDir : process.cwd();
    return file.startsWith(base + path.sep) ? path.relative(base, file) : file;
  };
  // A bar while pictures are processed (a first build of a big gallery takes a while); only on a terminal.
  // It appears with the first picture that needs work, so caption edits do not flash it.
  let progress: Progress | undefined;
  let total = 0;
  let seen = 0;
  const reporter = {
    onStart: (n: number) => void ((total = n), (seen = 0)),
    onPicture: (event: { relPath: string; outcome: string }) => {
      seen++;
      if (!progress && event.outcome !== "unchanged") {
        progress = createProgress("process", total);
        progress.tick(seen - 1); // the unchanged ones before it
      }
      progress?.tick(1, event.relPath);
    },
  };
  const builder = new Builder({ inputDir, outputDir, layoutsDir, eleventyConfig: options.eleventyConfig, reporter });
  let runs = 0;
  const report = (outcome: BuildOutcome, changes: string[], ms: number) => {
    const what = changes.length === 1 ? shortPath(changes[0]!) : `${changes.length} changes`;
    const made = outcome.made.length > 0 ? ` · ${outcome.made.length} made` : "";
    const steps = outcome.rendered ? `${outcome.panoramas} panoramas${made} · process ${seconds(outcome.processMs)}, render ${seconds(outcome.renderMs)}` : "pages not rebuilt, the last good ones stay";
    log(`[${clock()}] ${runs === 1 ? "built" : `rebuilt (${what})`}: ${steps} · ${seconds(ms)}`);
    // New problems in full; those already shown are only counted, so an edit elsewhere does not repeat them.
    const before = new Set(buildProblems.map(problemLine));
    const fresh = outcome.problems.filter((p) => !before.has(problemLine(p)));
    for (const p of fresh) warn(`  ✗ ${problemLine(p).replace(/\n/g, "\n    ")}`);
    const still = outcome.problems.length - fresh.length;
    if (still > 0) warn(`  ✗ ${still} problem${still === 1 ? "" : "s"} shown before still there (listed on every page)`);
  };

  const COMPLETE = "(complete the quick outputs)";
  const queue = new RebuildQueue(async (changes) => {
    runs++;
    const started = performance.now();
    const hadProblems = buildProblems.length > 0;
    // Edits get the quick recipe so a new picture shows at once; a follow-up run
    // (queued below, behind any newer edit) completes it: ladder, sizes, tiles, card.
    const completing = changes.length > 0 && changes.every((c) => c === COMPLETE);
    const outcome = await builder.run(completing ? "full" : "quick");
    progress?.done();
    progress = undefined;
    report(outcome, completing ? ["completing the new pictures"] : changes, performance.now() - started);
    buildProblems = outcome.problems;
    if (hadProblems && buildProblems.length === 0) log("  ✓ all problems fixed");
    http.reload();
    if (!completing && outcome.made.length > 0) queue.trigger(COMPLETE);
  }, options.quietMs ?? 60, () => !watcher?.settling());

  let watcher: SourceWatcher | undefined;
  let pullLoop: PullLoop | undefined;
  const close = async () => {
    await pullLoop?.stop();
    await watcher?.close();
    // A rebuild in progress gets a moment to write its manifest; a long one is abandoned.
    await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await http.close();
  };

  try {
    watcher = await watchSources({
      roots: [inputDir, layoutsDir, CLIENT_DIR],
      exclude: [outputDir],
      onChange: (file) => queue.trigger(file),
      onError: (error) => warn(`watch: ${error.message}`),
    });
    queue.trigger("start");
    await queue.idle();
    log(`Watching ${shortPath(inputDir)} for changes (Ctrl-C stops)`);
    if (options.pullEverySeconds !== undefined) {
      pullLoop = startPullLoop({
        everyMs: options.pullEverySeconds * 1000,
        inputDir,
        config: () => builder.config,
        log,
        onPulled: (found, newPictures) => {
          const changed = JSON.stringify(found) !== JSON.stringify(pullProblems);
          for (const p of found) if (changed) warn(`  ✗ ${problemLine(p).replace(/\n/g, "\n    ")}`);
          pullProblems = found;
          if (newPictures > 0) queue.trigger("pull");
          else if (changed) http.reload();
        },
      });
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    url: http.url,
    port: http.port,
    idle: () => queue.idle(),
    problems,
    close,
  };
}
