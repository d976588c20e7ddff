import { parseCommandArgs, type Command } from "../command.ts";
// The build (Eleventy, sharp, the S3 client) is loaded once the arguments are read: --help needs none of it.
const loadBuild = () => import("../site-build.ts");

export const command: Command = {
  name: "build",
  summary: "pull (when cameras are configured), process, then render the site",
  help: `Usage: rotunda build [--input <gallery dir>] [--output <dist dir>] [--no-pull]
                     [--cache s3://bucket/prefix [--endpoint URL]] [--allow-other-files]

Builds the gallery into a static site ready for a CDN: pulls new pictures from
the cameras in <input>/rotunda.json (if any), processes every original, then
renders the pages with Eleventy. Any folder of equirectangular pictures builds,
with or without sidecars and config.

The working folder is the site: its eleventy.config.ts and layouts/ (templates
that replace Rotunda's by name) are used when it has them, and every .md or .njk
file in the gallery folder that is not a picture's sidecar is a page of its own.

Rotunda deletes only files it wrote itself, and only once the new pages are in
place. It refuses an output folder that is the gallery or contains it, one that
another rotunda is writing to, and one that holds files it did not write.

In a folder where shards (\`rotunda process --shard k/n\`) left their outputs, a
build processes only what they did not and replaces their partial manifests.

Options:
  --input, -i          gallery folder (default: content)
  --output, -o         site folder (default: dist)
  --no-pull            do not contact cameras, build from what is on disk
  --cache URL          s3://bucket/prefix of the bucket cache (default: rotunda.json's
                       cache.url): pictures another run made come from there, and the
                       site then refers to their media in that bucket (deploy there)
  --endpoint URL       the cache's S3-compatible endpoint (default: cache.endpoint)
  --allow-other-files  build into a folder that holds files of your own too (they
                       are never deleted or overwritten; remembered for later builds)

Exit codes: 0 built; 1 built, but some pictures or cameras failed, or pictures
could not be put in the cache (listed); 2 bad options, config, output folder or
cache; 3 the site could not be rendered.`,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      "no-pull": { type: "boolean", default: false },
      cache: { type: "string" },
      endpoint: { type: "string" },
      "allow-other-files": { type: "boolean", default: false },
    });
    const { runSiteBuild } = await loadBuild();
    return runSiteBuild({
      command: "build",
      input: values.input,
      output: values.output,
      pull: !values["no-pull"],
      render: true,
      allowOtherFiles: values["allow-other-files"],
      ...(values.cache !== undefined ? { cache: values.cache } : {}),
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint } : {}),
    });
  },
};
