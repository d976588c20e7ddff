// What `rotunda build`, `rotunda process` and `rotunda render` share: open the
// output folder (alone, or beside the other shards), open the bucket cache when
// one is configured, run the one build (src/build/) or its render half, print
// what it did, map it to an exit code.
import { access } from "node:fs/promises";
import path from "node:path";
import { buildSite, renderBuild, type BuildReport } from "../build/index.ts";
import type { BucketCache } from "../cache/index.ts";
import { ConfigError, loadConfig, type CacheConfig } from "../config.ts";
import { formatBytes } from "../format.ts";
import { ManifestError } from "../manifest.ts";
import { OutputFolder } from "../output/index.ts";
import { parseShard, prepareRecipe, shardLabel, type Shard } from "../process/index.ts";
import { siteFilesIn } from "../render/index.ts";
import { UsageError } from "./command.ts";
import { EXIT } from "./exit-codes.ts";
import { createProgress } from "./progress.ts";
import { processSummary } from "./report.ts";

export interface SiteBuildArgs {
  command: "build" | "process";
  input: string;
  output: string;
  pull: boolean;
  render: boolean;
  allowOtherFiles: boolean;
  /** `k/n`: process only that shard (process only). */
  shard?: string;
  /** `s3://bucket/prefix` of the bucket cache, over rotunda.json's `cache.url`. */
  cache?: string;
  /** The cache's endpoint, over rotunda.json's `cache.endpoint`. */
  endpoint?: string;
}

/** The shard a `--shard k/n` names; a UsageError when it names none. */
export function shardOption(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if ("error" in shard) throw new UsageError(`--shard ${shard.error}`);
  return shard;
}

/** The cache the command line or rotunda.json asks for, opened (its bucket answers); undefined without one. */
async function openCache(args: Pick<SiteBuildArgs, "cache" | "endpoint">, configured: CacheConfig | undefined): Promise<BucketCache | undefined> {
  if (args.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(args.endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got "${args.endpoint}"`);
  const url = args.cache ?? configured?.url;
  if (url === undefined) {
    if (args.endpoint !== undefined) throw new UsageError("--endpoint is the cache's: give --cache s3://bucket/prefix too (or cache.url in rotunda.json)");
    return undefined;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Loaded only with a cache: a build without one never loads the S3 client.
  const { openBucketCache } = await import("../cache/index.ts");
  const endpoint = args.endpoint ?? (args.cache === undefined || args.cache === configured?.url ? configured?.endpoint : undefined);
  return openBucketCache({ url, ...(endpoint ? { endpoint } : {}), ...(configured?.region ? { region: configured.region } : {}) });
}

export async function runSiteBuild(args: SiteBuildArgs): Promise<number> {
  const started = performance.now();
  const inputDir = path.resolve(args.input);
  const outputDir = path.resolve(args.output);
  const shard = shardOption(args.shard);
  try {
    await access(inputDir);
  } catch {
    throw new UsageError(`gallery folder ${inputDir} does not exist`);
  }
  const config = await loadConfig(inputDir);
  // Every configuration problem, the logos' and the cache's included, is found before the output folder is touched.
  const recipe = await prepareRecipe(inputDir, config);
  const cache = await openCache(args, config.cache);
  let report: BuildReport;
  try {
    const command = `rotunda ${args.command}${shard ? ` --shard ${shard.index}/${shard.count}` : ""}`;
    const output = await OutputFolder.open({
      outputDir,
      inputDir,
      command,
      allowOtherFiles: args.allowOtherFiles,
      ...(shard ? { shard: shardLabel(shard) } : {}),
    });
    try {
      if (args.pull && config.cameras.length === 0) console.log("pull: no cameras configured, building from what is on disk");
      const pullProgress = args.pull && config.cameras.length > 0 ? createProgress("pull") : undefined;
      const processProgress = createProgress(shard ? `process ${shard.index}/${shard.count}` : "process");
      try {
        // The working folder is the site: its layouts/ and eleventy.config.ts, when it has them.
        const site = siteFilesIn(process.cwd());
        report = await buildSite({
          inputDir,
          output,
          config,
          recipe,
          pull: args.pull,
          pullProgress,
          processProgress,
          render: args.render,
          ...(shard ? { shard } : {}),
          ...(cache ? { store: cache } : {}),
          ...site,
        });
      } finally {
        pullProgress?.done();
        processProgress.done();
      }
    } finally {
      await output.close();
    }
  } finally {
    cache?.close();
  }
  if (report.pull) {
    const { formatSummary } = await import("./commands/pull.ts");
    console.log(formatSummary(report.pull));
  }
  console.log(processSummary(report.process));
  for (const w of report.process.warnings) console.error(`warning: ${w.source}: ${w.message}`);
  for (const f of report.process.storeFailed) console.error(`cache: ${f.source}: ${f.message}`);
  if (cache) {
    const { stats } = cache;
    console.log(
      `cache ${cache.url}: ${report.process.fromStore.length} taken, ${report.process.stored.length} put (${formatBytes(stats.bytesUp)}) · ` +
        `${stats.requests} requests, ${(stats.networkMs / 1000).toFixed(1)} s with requests in flight`,
    );
  }
  const where = path.relative(process.cwd(), outputDir) || ".";
  if (report.render) {
    const { pages, removed, headersWarning } = report.render;
    if (headersWarning) console.error(`warning: ${headersWarning}`);
    for (const warning of report.render.warnings) console.error(`warning: ${warning}`);
    if (removed > 0) console.log(`render: removed ${removed} outputs no page uses any more`);
    console.log(`render: ${pages} pages and _headers → ${where} · build took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else if (shard) {
    console.log(`process: shard ${shard.index}/${shard.count} done; once every shard is, \`rotunda render\` merges them and renders the pages`);
  } else {
    console.log(`process: pages not rendered; \`rotunda render\` (or \`rotunda build\`) renders them and removes outputs no page uses any more`);
  }
  const pullFailed = report.pull?.cameras.some((c) => c.failed > 0 || c.errors.length > 0) ?? false;
  return report.process.failed.length > 0 || report.process.storeFailed.length > 0 || pullFailed ? EXIT.partial : EXIT.ok;
}

export interface RenderArgs {
  /** The gallery folder, where the publisher's own pages are. */
  input: string;
  output: string;
  allowOtherFiles: boolean;
}

/** `rotunda render`: merge the partial manifests (or take the manifest), render, publish, sweep, complete. */
export async function runRender(args: RenderArgs): Promise<number> {
  const inputDir = path.resolve(args.input);
  const outputDir = path.resolve(args.output);
  try {
    await access(inputDir);
  } catch {
    throw new UsageError(`gallery folder ${inputDir} does not exist: render reads the publisher's own pages from it`);
  }
  try {
    await access(outputDir);
  } catch {
    throw new UsageError(`output folder ${outputDir} does not exist: run \`rotunda process\` (or its shards) into it first`);
  }
  const output = await OutputFolder.open({ outputDir, inputDir, command: "rotunda render", allowOtherFiles: args.allowOtherFiles });
  let report;
  try {
    // The working folder is the site: its layouts/ and eleventy.config.ts, when it has them.
    report = await renderBuild({ inputDir, output, ...siteFilesIn(process.cwd()) });
  } catch (error) {
    // Nothing to render is the publisher's to fix, like a configuration problem (exit 2).
    if (error instanceof ManifestError) throw new ConfigError(error.message);
    throw error;
  } finally {
    await output.close();
  }
  for (const w of report.warnings) console.error(`warning: ${w.source}: ${w.message}`);
  for (const f of report.failed) console.error(`  failed: ${f.source}: ${f.message}`);
  const { pages, panoramas, removed, headersWarning } = report.render;
  if (headersWarning) console.error(`warning: ${headersWarning}`);
  for (const warning of report.render.warnings) console.error(`warning: ${warning}`);
  if (removed > 0) console.log(`render: removed ${removed} outputs no page uses any more`);
  const merged = report.shards ? ` from ${report.shards} partial manifest${report.shards === 1 ? "" : "s"}` : "";
  const where = path.relative(process.cwd(), outputDir) || ".";
  console.log(`render: ${panoramas} panoramas${merged}, ${report.failed.length} failed · ${pages} pages and _headers → ${where} · ${(report.ms / 1000).toFixed(1)} s`);
  return report.failed.length > 0 ? EXIT.partial : EXIT.ok;
}
