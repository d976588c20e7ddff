// What `rotunda build` and `rotunda process` share: open the output folder, run the
// one build (src/build/), print what it did, map it to an exit code.
import { access } from "node:fs/promises";
import path from "node:path";
import { buildSite, type BuildReport } from "../build/index.ts";
import { loadConfig } from "../config.ts";
import { OutputFolder } from "../output/index.ts";
import { prepareRecipe } from "../process/index.ts";
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
}

export async function runSiteBuild(args: SiteBuildArgs): Promise<number> {
  const started = performance.now();
  const inputDir = path.resolve(args.input);
  const outputDir = path.resolve(args.output);
  try {
    await access(inputDir);
  } catch {
    throw new UsageError(`gallery folder ${inputDir} does not exist`);
  }
  const config = await loadConfig(inputDir);
  // Every configuration problem, the logos' included, is found before the output folder is touched.
  const recipe = await prepareRecipe(inputDir, config);
  const output = await OutputFolder.open({ outputDir, inputDir, command: `rotunda ${args.command}`, allowOtherFiles: args.allowOtherFiles });
  let report: BuildReport;
  try {
    if (args.pull && config.cameras.length === 0) console.log("pull: no cameras configured, building from what is on disk");
    const pullProgress = args.pull && config.cameras.length > 0 ? createProgress("pull") : undefined;
    const processProgress = createProgress("process");
    try {
      // The working folder is the site: its layouts/ and eleventy.config.ts, when it has them.
      const site = siteFilesIn(process.cwd());
      report = await buildSite({ inputDir, output, config, recipe, pull: args.pull, pullProgress, processProgress, render: args.render, ...site });
    } finally {
      pullProgress?.done();
      processProgress.done();
    }
  } finally {
    await output.close();
  }
  if (report.pull) {
    const { formatSummary } = await import("./commands/pull.ts");
    console.log(formatSummary(report.pull));
  }
  console.log(processSummary(report.process));
  for (const w of report.process.warnings) console.error(`warning: ${w.source}: ${w.message}`);
  const where = path.relative(process.cwd(), outputDir) || ".";
  if (report.render) {
    const { pages, removed, headersWarning } = report.render;
    if (headersWarning) console.error(`warning: ${headersWarning}`);
    for (const warning of report.render.warnings) console.error(`warning: ${warning}`);
    if (removed > 0) console.log(`render: removed ${removed} outputs no page uses any more`);
    console.log(`render: ${pages} pages and _headers → ${where} · build took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.log(`process: pages not rendered; \`rotunda build\` renders them and removes outputs no page uses any more`);
  }
  const pullFailed = report.pull?.cameras.some((c) => c.failed > 0 || c.errors.length > 0) ?? false;
  return report.process.failed.length > 0 || pullFailed ? EXIT.partial : EXIT.ok;
}
