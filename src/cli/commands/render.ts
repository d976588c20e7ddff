import { parseCommandArgs, type Command } from "../command.ts";
// The render (Eleventy, the S3 client) is loaded once the arguments are read: --help needs none of it.
const loadBuild = () => import("../site-build.ts");

export const command: Command = {
  name: "render",
  summary: "merge the shards' partial manifests and render the site (the second half of build)",
  help: `Usage: rotunda render [--input <gallery dir>] [--output <dist dir>] [--allow-other-files]

The second half of \`rotunda build\`: merges the partial manifests that
\`rotunda process --shard k/n\` (or \`rotunda process\`) left in the output folder,
assigns the pages' URLs over the whole gallery, renders the pages, moves them into
place and removes the outputs no page uses any more. Without partial manifests it
renders the manifest as it is. Of the gallery folder it reads only the
publisher's own pages (Markdown and Nunjucks) that the manifest lists: the
pictures are what the shards made of them. Every shard of one sharding must be
there (one missing, or from another gallery or other settings, is refused,
naming it); the result is the same site, byte for byte, as one \`rotunda build\`
of the gallery.

Options:
  --input, -i          gallery folder, for its own pages (default: content)
  --output, -o         site folder (default: dist)
  --allow-other-files  the output folder may hold files of your own too

Exit codes: 0 rendered; 1 rendered, but some pictures failed in the shards (listed);
2 bad options, a missing or mismatched shard, nothing to render, or an output
folder in use; 3 the site could not be rendered.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      "allow-other-files": { type: "boolean", default: false },
    });
    const { runRender } = await loadBuild();
    return runRender({ input: values.input, output: values.output, allowOtherFiles: values["allow-other-files"] });
  },
};
