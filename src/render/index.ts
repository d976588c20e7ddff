// The render stage: the manifest and the layouts → HTML pages in the output
// folder, through Eleventy with Rotunda's plugin (see eleventy.config.ts).
import path from "node:path";
import Eleventy from "@11ty/eleventy";

export { default as rotundaPlugin } from "./plugin.ts";

/** The project root: where eleventy.config.ts and layouts/ live. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const ELEVENTY_CONFIG = path.join(PROJECT_ROOT, "eleventy.config.ts");
export const LAYOUTS_DIR = path.join(PROJECT_ROOT, "layouts");

export interface RenderOptions {
  outputDir: string;
  quiet?: boolean;
}

export async function renderSite(options: RenderOptions): Promise<void> {
  const eleventy = new Eleventy(LAYOUTS_DIR, path.resolve(options.outputDir), {
    configPath: ELEVENTY_CONFIG,
    quietMode: options.quiet ?? true,
  });
  await eleventy.write();
}
