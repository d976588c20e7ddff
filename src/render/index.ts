// The render stage: the manifest and the layouts → HTML pages in the output
// folder, through Eleventy with Rotunda's plugin (see eleventy.config.ts).
import { readdir, rm } from "node:fs/promises";
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

export async function renderSite(options: RenderOptions): Promise<number> {
  const eleventy = new Eleventy(LAYOUTS_DIR, path.resolve(options.outputDir), {
    configPath: ELEVENTY_CONFIG,
    quietMode: options.quiet ?? true,
  });
  const written = (await eleventy.write()) as unknown;
  // Eleventy 3 resolves to [passthroughCopies, templates].
  const pages = (Array.isArray(written) ? (written as unknown[]).flat() : [])
    .map((t) => (t && typeof t === "object" && "outputPath" in t ? (t as { outputPath: unknown }).outputPath : undefined))
    .filter((p): p is string => typeof p === "string")
    .map((p) => path.resolve(p));
  await removeStalePages(path.resolve(options.outputDir), new Set(pages));
  return pages.length;
}
