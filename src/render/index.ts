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

/** Renders every page; returns how many files Eleventy wrote. */
export async function renderSite(options: RenderOptions): Promise<number> {
  const eleventy = new Eleventy(LAYOUTS_DIR, path.resolve(options.outputDir), {
    configPath: ELEVENTY_CONFIG,
    quietMode: options.quiet ?? true,
  });
  const written = (await eleventy.write()) as unknown;
  // Eleventy 3 resolves to [passthroughCopies, templates]; count the templates.
  const templates = Array.isArray(written) ? (written as unknown[]).flat() : [];
  return templates.filter((t) => t && typeof t === "object" && "outputPath" in t && (t as { outputPath: unknown }).outputPath).length;
}
