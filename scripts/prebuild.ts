// The prebuild, as the design card names it: pull from the configured cameras
// (when there are any), then process every original into the output folder and
// its manifest, without rendering. A thin entry point over the one build that
// `rotunda build` runs (src/build/):
//   node --import tsx scripts/prebuild.ts [content] [dist]
import { runSiteBuild } from "../src/cli/site-build.ts";

const [input = "content", output = "dist"] = process.argv.slice(2);
try {
  process.exitCode = await runSiteBuild({ command: "process", input, output, pull: true, render: false, allowOtherFiles: false });
} catch (error) {
  console.error(`prebuild: ${(error as Error).message}`);
  process.exitCode = 3;
}
