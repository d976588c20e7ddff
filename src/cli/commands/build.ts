import { access } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../../config.ts";
import { writeHeadersFile } from "../../deploy/index.ts";
import { renderSite } from "../../render/index.ts";
import { prebuild } from "../../../scripts/prebuild.ts";
import { parseCommandArgs, UsageError, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { processReporter, processSummary } from "../report.ts";

export const command: Command = {
  name: "build",
  summary: "pull (when cameras are configured), process, then render the site",
  help: `Usage: rotunda build [--input <gallery dir>] [--output <dist dir>] [--no-pull]

Builds the gallery into a static site ready for a CDN: pulls new pictures from
the cameras in <input>/rotunda.json (if any), processes every original, then
renders the pages with Eleventy. Any folder of equirectangular pictures builds,
with or without sidecars and config.

Options:
  --input, -i   gallery folder (default: content)
  --output, -o  site folder (default: dist)
  --no-pull     do not contact cameras, build from what is on disk

Exit codes: 0 built; 1 built, but some pictures or cameras failed (listed);
2 bad options or config; 3 the site could not be rendered.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      "no-pull": { type: "boolean", default: false },
    });
    const inputDir = path.resolve(values.input);
    const outputDir = path.resolve(values.output);
    try {
      await access(inputDir);
    } catch {
      throw new UsageError(`gallery folder ${inputDir} does not exist`);
    }
    const config = await loadConfig(inputDir);
    const started = performance.now();
    const reporter = processReporter();
    const result = await prebuild({ inputDir, outputDir, config, skipPull: values["no-pull"], reporter });
    reporter.progress()?.done();
    console.log(processSummary(result.process));
    const pages = (await renderSite({ outputDir })).size;
    const headers = await writeHeadersFile(outputDir);
    if (headers.warning) console.error(`warning: ${headers.warning}`);
    console.log(`render: ${pages} pages and ${path.basename(headers.file)} → ${path.relative(process.cwd(), outputDir) || "."} · build took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result.process.failed.length > 0 || result.pullFailures > 0 ? EXIT.partial : EXIT.ok;
  },
};
