// The prebuild: pull from the configured cameras (when there are any), then
// process every original into the output folder and its manifest. `rotunda build`
// runs this, then the Eleventy render; run it alone with
//   node --import tsx scripts/prebuild.ts [content] [dist]
import path from "node:path";
import { loadConfig, type GalleryConfig } from "../src/config.ts";
import { processGallery, type ProcessOptions, type ProcessResult } from "../src/process/index.ts";

export interface PrebuildOptions {
  inputDir: string;
  outputDir: string;
  /** Parsed gallery config; read from the input folder when absent. */
  config?: GalleryConfig;
  /** Skip the camera pull even when cameras are configured. */
  skipPull?: boolean;
  /** Progress hooks for the process stage. */
  reporter?: Pick<ProcessOptions, "onStart" | "onPicture">;
  log?: (line: string) => void;
}

export interface PrebuildResult {
  /** Cameras that failed during the pull (the build goes on with what is on disk). */
  pullFailures: number;
  process: ProcessResult;
}

export async function prebuild(options: PrebuildOptions): Promise<PrebuildResult> {
  const config = options.config ?? (await loadConfig(options.inputDir));
  const log = options.log ?? ((line: string) => console.log(line));
  let pullFailures = 0;
  if (config.cameras.length > 0 && !options.skipPull) {
    // Loaded only when needed: a gallery without cameras never loads the camera client.
    const { pullGallery } = await import("../src/pull/index.ts");
    const { formatSummary } = await import("../src/cli/commands/pull.ts");
    const { createProgress } = await import("../src/cli/progress.ts");
    const progress = createProgress("pull");
    const result = await pullGallery({ galleryDir: options.inputDir, cameras: config.cameras, pull: config.pull, sink: progress });
    progress.done();
    log(formatSummary(result));
    pullFailures = result.cameras.filter((c) => c.failed > 0 || c.errors.length > 0).length;
  } else if (config.cameras.length === 0) {
    log("pull: no cameras configured, building from what is on disk");
  }
  const result = await processGallery({ inputDir: options.inputDir, outputDir: options.outputDir, config, ...options.reporter });
  return { pullFailures, process: result };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input = "content", output = "dist"] = process.argv.slice(2);
  const { process: result } = await prebuild({ inputDir: path.resolve(input), outputDir: path.resolve(output) });
  const { processSummary } = await import("../src/cli/report.ts");
  console.log(processSummary(result));
  process.exitCode = result.failed.length > 0 ? 1 : 0;
}
