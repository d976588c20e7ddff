import { parseCommandArgs, type Command } from "../command.ts";
import { runSiteBuild } from "../site-build.ts";

export const command: Command = {
  name: "process",
  summary: "make the web variants, thumbnails and metadata of every original",
  help: `Usage: rotunda process [--input <gallery dir>] [--output <dist dir>] [--allow-other-files]

Makes the web outputs of every picture in the gallery folder (recursively) into
<output>/media/ and writes the manifest the render reads. Unchanged pictures cost
nothing. The pages are not rendered, so nothing is removed yet: the next
\`rotunda build\` renders them and removes the outputs no page uses any more.

Options:
  --input, -i          gallery folder (default: content)
  --output, -o         site folder (default: dist)
  --allow-other-files  the output folder may hold files of your own too

Exit codes: 0 all pictures done; 1 some pictures failed (listed); 2 bad options,
config or output folder.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      "allow-other-files": { type: "boolean", default: false },
    });
    return runSiteBuild({ command: "process", input: values.input, output: values.output, pull: false, render: false, allowOtherFiles: values["allow-other-files"] });
  },
};
