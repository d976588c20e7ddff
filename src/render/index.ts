// The render stage: the manifest and the layouts → HTML pages in the output
// folder, through Eleventy with Rotunda's site settings (site.ts).
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import Eleventy, { type UserConfig } from "@11ty/eleventy";
import { rotundaSite } from "./site.ts";

export { default as rotundaPlugin } from "./plugin.ts";

/** The project root: where layouts/ lives. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const LAYOUTS_DIR = path.join(PROJECT_ROOT, "layouts");

export interface RenderOptions {
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

/**
 * Eleventy never deletes: pages of pictures that were removed, renamed or made
 * drafts would stay in the output and be deployed. Removes every HTML file this
 * render did not write (media, assets and state are not pages), and folders left empty.
 */
async function removeStalePages(outputDir: string, written: Set<string>): Promise<void> {
  // Walked by hand so media/ (every tile) is never listed.
  const walk = async (dir: string, top: boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (top && (entry.name === "media" || entry.name === "assets")) continue;
        if (entry.name.startsWith(".")) continue;
        await walk(abs, false);
        if ((await readdir(abs)).length === 0) await rm(abs, { recursive: true, force: true });
      } else if (entry.name.endsWith(".html") && !written.has(abs)) {
        await rm(abs, { force: true });
      }
    }
  };
  await walk(outputDir, true);
}

/** Renders every page and removes the pages no longer made; returns the paths of the pages written. */
export async function renderSite(options: RenderOptions): Promise<Set<string>> {
  const outputDir = path.resolve(options.outputDir);
  const serve = options.mode === "serve";
  // Relative to the working directory: an absolute input breaks Eleventy's permalinks.
  const input = path.relative(process.cwd(), path.resolve(options.layoutsDir ?? LAYOUTS_DIR)) || ".";
  const eleventy = new Eleventy(input, outputDir, {
    configPath: options.eleventyConfig ?? false,
    quietMode: true,
    ...(serve ? { runMode: "serve" as const } : {}),
    config: (c: UserConfig) => {
      if (!options.eleventyConfig) rotundaSite(c);
      if (serve) c.setUseTemplateCache(false);
    },
  });
  if (serve) eleventy.disableLogger();
  // Eleventy 3 resolves to [passthroughCopies, templates]; paginated templates nest one level more.
  const [, templates] = (await eleventy.write()) as [unknown, unknown[]];
  const pages = new Set<string>();
  for (const entry of templates.flat(2) as Array<{ outputPath?: unknown } | undefined>) {
    if (typeof entry?.outputPath === "string") pages.add(path.resolve(entry.outputPath));
  }
  await removeStalePages(outputDir, pages);
  return pages;
}
