// `rotunda serve`: a live preview while authoring. The pieces:
//   watch.ts     chokidar on the gallery, layouts and browser code
//   queue.ts     debounce + one run at a time + one follow-up run
//   http.ts      Eleventy's dev server bound to one host, a problems banner on every page
//   pull.ts      optional camera polling (--pull-every)
//   problems.ts  what is wrong now, for the terminal and the banner
//   cameras.ts   /_cameras/: the configured cameras live, with a Shoot button (127.0.0.1 only)
// Each rebuild is the one build (src/build/) into the output folder this server
// holds locked for its lifetime: a new picture gets the quick recipe first, then a
// follow-up run completes it. A change reaches open pages as: event → (pictures:
// 100 ms of stable size) → 60 ms quiet → build (only what changed) → reload.
import path from "node:path";
import { buildMemory, buildSite, errorMessages, RenderError, type BuildMemory, type BuildReport } from "../build/index.ts";
import { createProgress } from "../cli/progress.ts";
import { loadConfig, type GalleryConfig } from "../config.ts";
import { OutputFolder } from "../output/index.ts";
import { LAYOUTS_DIR, PROJECT_ROOT } from "../render/index.ts";
import { CameraPages } from "./cameras.ts";
import { startHttpServer, urlFor, type HttpServer } from "./http.ts";
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
  /** The site's layouts/ (its files replace Rotunda's by name) and Eleventy config file; none and Rotunda's default when absent. */
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
/** The change that asks for the quick outputs of the last run to be completed. */
const COMPLETE = "(complete the quick outputs)";

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** What one rebuild gave: the build's report when it got that far, and what went wrong. */
interface Outcome {
  report?: BuildReport;
  problems: Problem[];
}

interface Context {
  inputDir: string;
  output: OutputFolder;
  layoutsDir?: string;
  eleventyConfig?: string;
  /** What the last builds did: a rebuild after a sidecar edit reads that file and renders the pages whose data changed. */
  memory: BuildMemory;
  log: (line: string) => void;
  warn: (line: string) => void;
}

export async function startDevServer(options: ServeOptions): Promise<DevServer> {
  const inputDir = path.resolve(options.inputDir);
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(line));
  const output = await OutputFolder.open({ outputDir: options.outputDir, inputDir, command: "rotunda serve" });
  const context: Context = {
    inputDir,
    output,
    ...(options.layoutsDir ? { layoutsDir: path.resolve(options.layoutsDir) } : {}),
    ...(options.eleventyConfig ? { eleventyConfig: path.resolve(options.eleventyConfig) } : {}),
    memory: buildMemory(),
    log,
    warn,
  };

  let buildProblems: Problem[] = [];
  let pullProblems: Problem[] = [];
  let config: GalleryConfig | undefined;
  const problems = () => [...buildProblems, ...pullProblems];

  let http: HttpServer | undefined;
  let watcher: SourceWatcher | undefined;
  let pullLoop: PullLoop | undefined;
  let runs = 0;
  const queue = new RebuildQueue(async (changes) => {
    runs++;
    const started = performance.now();
    const hadProblems = buildProblems.length > 0;
    // Edits get the quick recipe so a new picture shows at once; a follow-up run
    // (queued below, behind any newer edit) completes it: ladder, sizes, tiles, card.
    const completing = changes.length > 0 && changes.every((c) => c === COMPLETE);
    noteChanges(context, changes);
    const outcome = await rebuild(context, completing ? "full" : "quick", (c) => (config = c));
    reportRebuild(context, outcome, runs === 1 ? undefined : completing ? "completing the new pictures" : describeChanges(context, changes), buildProblems, performance.now() - started);
    buildProblems = outcome.problems;
    if (hadProblems && buildProblems.length === 0) log("  ✓ all problems fixed");
    http?.reload();
    if (!completing && (outcome.report?.process.made.length ?? 0) > 0) queue.trigger(COMPLETE);
  }, options.quietMs ?? 60, () => !watcher?.settling());

  const cameraPages = new CameraPages({
    inputDir,
    outputDir: output.dir,
    config: () => config,
    rebuild: async (file) => {
      queue.trigger(file);
      await queue.idle();
    },
    log: warn,
  });

  const close = async () => {
    await cameraPages.close();
    await pullLoop?.stop();
    await watcher?.close();
    // A rebuild in progress gets a moment to finish; a long one is abandoned.
    await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await http?.close();
    await output.close();
  };

  try {
    http = await startHttpServer({
      root: output.dir,
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 8080,
      banner: () => problemsBanner(problems()),
      routes: (req, res) => cameraPages.handle(req, res),
    });
    announce(context, http, options);
    watcher = await watchSources({
      roots: [...new Set([inputDir, LAYOUTS_DIR, CLIENT_DIR, ...(context.layoutsDir ? [context.layoutsDir] : []), ...(context.eleventyConfig ? [context.eleventyConfig] : [])])],
      exclude: [output.dir],
      onChange: (file) => queue.trigger(file),
      onError: (error) => warn(`watch: ${error.message}`),
    });
    queue.trigger("start");
    await queue.idle();
    log(`Watching ${shortPath(context, inputDir)} for changes (Ctrl-C stops)`);
    if (config && config.cameras.length > 0) {
      const host = options.host ?? "127.0.0.1";
      const local = ["127.0.0.1", "::1", "localhost"].includes(host) ? http.url : urlFor("127.0.0.1", http.port);
      log(`Cameras live at ${local}_cameras/ (this machine only)`);
    }
    if (options.pullEverySeconds !== undefined) {
      pullLoop = startPullLoop({
        everyMs: options.pullEverySeconds * 1000,
        inputDir,
        config: () => config,
        log,
        onPulled: (found, newPictures) => {
          const changed = JSON.stringify(found) !== JSON.stringify(pullProblems);
          if (changed) for (const p of found) warn(`  ✗ ${problemLine(p).replace(/\n/g, "\n    ")}`);
          pullProblems = found;
          if (newPictures > 0) queue.trigger("pull");
          else if (changed) http?.reload();
        },
      });
    }
  } catch (error) {
    await close();
    throw error;
  }

  return { url: http.url, port: http.port, idle: () => queue.idle(), problems, close };
}

/**
 * Tells process what changed: files in the gallery by path; anything else (the
 * start, a pull, completing quick outputs) makes the next run a full one. Edits
 * to the layouts or browser code change nothing process reads.
 */
function noteChanges(context: Context, changes: string[]): void {
  if (changes.some((c) => !path.isAbsolute(c))) context.memory.process.forgetAll();
  else context.memory.process.note(changes.filter((c) => c.startsWith(context.inputDir + path.sep)));
}

function announce(context: Context, http: HttpServer, options: ServeOptions): void {
  const requested = options.port ?? 8080;
  const taken = requested !== 0 && http.port !== requested ? ` (${requested} was taken)` : "";
  context.log(`Serving ${http.url}${taken}`);
  if (!["127.0.0.1", "localhost", "::1"].includes(options.host ?? "127.0.0.1")) {
    context.warn(`  note: listening on ${options.host}, so other machines on the network can see this preview`);
  }
}

/** A changed file named from the gallery (or the working folder) so log lines stay short. */
function shortPath(context: Context, file: string): string {
  const base = file.startsWith(context.inputDir + path.sep) ? context.inputDir : process.cwd();
  return file.startsWith(base + path.sep) ? path.relative(base, file) : file;
}

function describeChanges(context: Context, changes: string[]): string {
  return changes.length === 1 ? shortPath(context, changes[0]!) : `${changes.length} changes`;
}

/**
 * One rebuild: config, then the one build. Never throws: whatever the author broke
 * comes back as problems, and the last good pages stay served.
 */
async function rebuild(context: Context, recipe: "quick" | "full", onConfig: (config: GalleryConfig) => void): Promise<Outcome> {
  let config: GalleryConfig;
  try {
    config = await loadConfig(context.inputDir);
    onConfig(config);
  } catch (error) {
    // Keep serving the last good site; nothing is rebuilt with a config we cannot read.
    return { problems: [{ kind: "config", message: errorMessages(error) }] };
  }
  // Shown only when a rebuild lasts (a first build of a big gallery): caption edits never flash it.
  const progress = createProgress("process", 0, process.stderr, 500);
  try {
    const report = await buildSite({
      inputDir: context.inputDir,
      output: context.output,
      config,
      quick: recipe === "quick",
      layoutsDir: context.layoutsDir,
      eleventyConfig: context.eleventyConfig,
      mode: "serve",
      memory: context.memory,
      processProgress: progress,
    });
    const problems: Problem[] = report.process.failed.map((f) => ({ kind: /\.md$/i.test(f.source) ? "sidecar" : "picture", source: f.source, message: f.message }));
    for (const w of report.process.warnings) problems.push({ kind: "note", source: w.source, message: w.message });
    return { report, problems };
  } catch (error) {
    if (error instanceof RenderError) return { problems: [{ kind: "render", message: error.message }] };
    return { problems: [{ kind: "error", message: `the build stopped: ${errorMessages(error)}` }] };
  } finally {
    progress.done();
  }
}

/** One line per rebuild; new problems in full, those already shown only counted. */
function reportRebuild(context: Context, outcome: Outcome, what: string | undefined, before: Problem[], ms: number): void {
  const { report } = outcome;
  const made = report && report.process.made.length > 0 ? ` · ${report.process.made.length} made` : "";
  const steps = report?.render
    ? `${report.process.manifest.panoramas.length} panoramas${made} · process ${seconds(report.ms.process)}, render ${seconds(report.ms.render)}`
    : "pages not rebuilt, the last good ones stay";
  context.log(`[${clock()}] ${what === undefined ? "built" : `rebuilt (${what})`}: ${steps} · ${seconds(ms)}`);
  const shown = new Set(before.map(problemLine));
  const fresh = outcome.problems.filter((p) => !shown.has(problemLine(p)));
  for (const p of fresh) context.warn(`  ✗ ${problemLine(p).replace(/\n/g, "\n    ")}`);
  const still = outcome.problems.length - fresh.length;
  if (still > 0) context.warn(`  ✗ ${still} problem${still === 1 ? "" : "s"} shown before still there (listed on every page)`);
}
