// The render stage: the manifest and the layouts → HTML pages, through Eleventy
// with Rotunda's site settings (site.ts). Reads the manifest, never images.
import { rm } from "node:fs/promises";
import path from "node:path";
import Eleventy, { type UserConfig } from "@11ty/eleventy";
import { STATE_DIR } from "../manifest.ts";
import { STAGING_DIR } from "../output/index.ts";
import { rotundaSite } from "./site.ts";

export { default as rotundaPlugin } from "./plugin.ts";

/** The project root: where layouts/ lives. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const LAYOUTS_DIR = path.join(PROJECT_ROOT, "layouts");

export interface RenderOptions {
  /** The output folder: the manifest is read from it, the pages are written to its staging folder. */
  outputDir: string;
  /** Eleventy's input (the layouts); Rotunda's own by default. */
  layoutsDir?: string;
  /**
   * An Eleventy config file of the caller's own, used instead of Rotunda's site
   * settings (src/render/site.ts); it adds the Rotunda plugin itself.
   */
  eleventyConfig?: string;
  /**
   * "serve": templates are re-read every time (Eleventy otherwise caches them for
   * the process's life) and Eleventy logs nothing; its errors reject as always.
   */
  mode?: "build" | "serve";
}

export interface RenderResult {
  /** Where the pages and bundles were written, to be moved into place (src/output/ publish). */
  stagingDir: string;
  pages: number;
  /** The site's pathPrefix, as every local URL in the pages carries it. */
  pathPrefix: string;
}

/**
 * Renders every page, and the client bundles, into the output folder's staging
 * folder: a render that fails midway (a template error, a full disk) leaves the
 * published pages as they were.
 */
export async function renderSite(options: RenderOptions): Promise<RenderResult> {
  const outputDir = path.resolve(options.outputDir);
  const stagingDir = path.join(outputDir, STATE_DIR, STAGING_DIR);
  await rm(stagingDir, { recursive: true, force: true });
  const serve = options.mode === "serve";
  // Relative to the working directory: an absolute input breaks Eleventy's permalinks.
  const input = path.relative(process.cwd(), path.resolve(options.layoutsDir ?? LAYOUTS_DIR)) || ".";
  const eleventy = new Eleventy(input, stagingDir, {
    configPath: options.eleventyConfig ?? false,
    quietMode: true,
    ...(serve ? { runMode: "serve" as const } : {}),
    config: (c: UserConfig) => {
      if (!options.eleventyConfig) rotundaSite(c);
      if (serve) c.setUseTemplateCache(false);
    },
  });
  if (serve) eleventy.disableLogger();
  let templates: unknown[];
  try {
    // Eleventy 3 resolves to [passthroughCopies, templates]; paginated templates nest one level more.
    [, templates] = (await eleventy.write()) as [unknown, unknown[]];
  } catch (error) {
    await rm(stagingDir, { recursive: true, force: true });
    throw error;
  }
  const pages = (templates.flat(2) as Array<{ outputPath?: unknown } | undefined>).filter((t) => typeof t?.outputPath === "string").length;
  const pathPrefix = (eleventy as unknown as { config?: { pathPrefix?: string } }).config?.pathPrefix ?? "/";
  return { stagingDir, pages, pathPrefix };
}
