import path from "node:path";
import { loadConfig } from "../../config.ts";
import { processGallery } from "../../process/index.ts";
import { parseCommandArgs, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { processReporter, processSummary } from "../report.ts";

export const command: Command = {
  name: "process",
  summary: "make the web variants, thumbnails and metadata of every original",
  help: `Usage: rotunda process [--input <gallery dir>] [--output <dist dir>]

Makes the web outputs of every picture in the gallery folder (recursively) into
<output>/media/ and writes the manifest the render reads. Unchanged pictures cost
nothing; outputs of removed pictures are deleted.

Options:
  --input, -i   gallery folder (default: content)
  --output, -o  site folder (default: dist)

Exit codes: 0 all pictures done; 1 some pictures failed (listed); 2 bad options or config.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
    });
    const inputDir = path.resolve(values.input);
    const outputDir = path.resolve(values.output);
    const config = await loadConfig(inputDir);
    const reporter = processReporter();
    const result = await processGallery({ inputDir, outputDir, config, ...reporter });
    reporter.progress()?.done();
    console.log(processSummary(result));
    return result.failed.length > 0 ? EXIT.partial : EXIT.ok;
  },
};
