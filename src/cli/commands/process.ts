import { parseCommandArgs, type Command } from "../command.ts";
// The build (Eleventy, sharp, the S3 client) is loaded once the arguments are read: --help needs none of it.
const loadBuild = () => import("../site-build.ts");

export const command: Command = {
  name: "process",
  summary: "make the web variants, thumbnails and metadata of every original (or of one shard)",
  help: `Usage: rotunda process [--input <gallery dir>] [--output <dist dir>] [--shard k/n]
                       [--cache s3://bucket/prefix [--endpoint URL]] [--allow-other-files]

Makes the web outputs of every picture in the gallery folder (recursively) into
<output>/media/ and writes the manifest the render reads. Unchanged pictures cost
nothing. The pages are not rendered, so nothing is removed yet: \`rotunda render\`
(or the next \`rotunda build\`) renders them and removes the outputs no page uses any more.

With --shard k/n only the originals whose content hash falls in shard k of n are
processed (the same ones on every machine), and a partial manifest is left for
\`rotunda render\` to merge. The n shards may run at the same time into one output
folder, or each into its own on its own machine: copy every shard's output folder
into one (as CI jobs' artifacts are gathered) and run \`rotunda render\` there.

Options:
  --input, -i          gallery folder (default: content)
  --output, -o         site folder (default: dist)
  --shard k/n          process only shard k of n (counted from 1: 1/3, 2/3, 3/3)
  --cache URL          s3://bucket/prefix of the bucket cache (default: rotunda.json's
                       cache.url): take what another run made from there, put what
                       this one makes; AWS credentials from the environment, as for deploy
  --endpoint URL       the cache's S3-compatible endpoint (default: cache.endpoint)
  --allow-other-files  the output folder may hold files of your own too

Exit codes: 0 all pictures done; 1 some pictures failed, or could not be put in the
cache (listed); 2 bad options, config, output folder or cache.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      shard: { type: "string" },
      cache: { type: "string" },
      endpoint: { type: "string" },
      "allow-other-files": { type: "boolean", default: false },
    });
    const { runSiteBuild } = await loadBuild();
    return runSiteBuild({
      command: "process",
      input: values.input,
      output: values.output,
      pull: false,
      render: false,
      allowOtherFiles: values["allow-other-files"],
      ...(values.shard !== undefined ? { shard: values.shard } : {}),
      ...(values.cache !== undefined ? { cache: values.cache } : {}),
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    });
  },
};
