// The one build (src/build/), run in this process on a gallery folder: what
// `rotunda build` does, without the command line around it.
import { buildSite, type BuildReport } from "../../src/build/index.ts";
import { parseConfig } from "../../src/config.ts";
import { OutputFolder } from "../../src/output/index.ts";

export interface BuildOnceOptions {
  quick?: boolean;
  render?: boolean;
  /** The site's layouts/, whose templates replace Rotunda's. */
  layoutsDir?: string;
}

export async function buildOnce(inputDir: string, outputDir: string, config: object = {}, options: BuildOnceOptions = {}): Promise<BuildReport> {
  const output = await OutputFolder.open({ outputDir, inputDir, command: "test build" });
  try {
    return await buildSite({ inputDir, output, config: parseConfig(config), quick: options.quick, render: options.render, layoutsDir: options.layoutsDir });
  } finally {
    await output.close();
  }
}
