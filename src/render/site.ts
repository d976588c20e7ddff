// A Rotunda site as one Eleventy plugin: `eleventyConfig.addPlugin(rotundaSite)` in
// the site's eleventy.config.ts. Eleventy's input is the site's content folder:
// every Markdown or Nunjucks file there that is not a picture's sidecar or an
// album's _album.md (process lists them in the manifest) is a page of the
// publisher's, at its path, in the page.njk layout. Rotunda's pages (home,
// panoramas, listings, embeds, feed, sitemap, robots.txt) come from its layouts/,
// each replaceable by a file of the same name in the site's layouts/
// (templates.ts). Text files get `.br` and `.gz` siblings unless rotunda.json
// says `"precompress": false`.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { UserConfig } from "@11ty/eleventy";
import { readManifest } from "../manifest.ts";
import { siteDirOf } from "../output/index.ts";
import { cacheNunjucksCompiles } from "./compile-cache.ts";
import { publisherKey } from "./incremental.ts";
import { LAYOUTS_DIR } from "./paths.ts";
import { handoffOf } from "./handoff.ts";
import rotundaPlugin, { type RotundaPluginOptions } from "./plugin.ts";
import { precompressFolder } from "./precompress.ts";
import { createEnvironment, siteTemplates, templateFolders } from "./templates.ts";

/**
 * Eleventy settings a plugin cannot make, for the site's config file to export
 * (`export { config } from "rotunda/eleventy"`): pages in Markdown and Nunjucks,
 * Markdown read through Nunjucks so a page can hold `{% panorama "slug", { … } %}`.
 */
export const config = {
  templateFormats: ["md", "njk"],
  markdownTemplateEngine: "njk",
  htmlTemplateEngine: "njk",
};

export interface RotundaSiteOptions extends RotundaPluginOptions {
  /** The site's layouts/ folder, whose files replace Rotunda's by name; by default `layouts/` in the working folder. */
  layouts?: string;
}

/** A path as a glob that matches only itself: file names may hold `(`, `{`, `*`… */
function escapeGlob(file: string): string {
  return file.replace(/[\\*?[\]{}()!+@]/g, "\\$&");
}

/** The layout of the publisher's pages unless a page names another (or `layout: false`). */
export const PAGE_LAYOUT = "page.njk";

export async function rotundaSite(eleventyConfig: UserConfig, options: RotundaSiteOptions = {}): Promise<void> {
  const handoff = handoffOf(eleventyConfig);
  const siteLayouts = options.layouts ?? (handoff ? handoff.layoutsDir ?? undefined : path.resolve("layouts"));
  const siteDir = options.outputDir ?? siteDirOf(eleventyConfig.directories.output);
  const manifest = handoff?.manifest ?? (await readManifest(siteDir));
  cacheNunjucksCompiles();
  eleventyConfig.addPlugin(rotundaPlugin, {
    ...options,
    outputDir: siteDir,
    ...(handoff?.manifest ? { manifest: handoff.manifest } : {}),
    ...(handoff?.incremental ? { incremental: handoff.incremental } : {}),
  });
  memoizeUrlFilter(eleventyConfig);

  // Rotunda's templates and the site's, in one environment; pages that need absolute URLs only with a baseUrl.
  const folders = templateFolders(LAYOUTS_DIR, siteLayouts);
  eleventyConfig.setLibrary("njk", createEnvironment(folders));
  const input = eleventyConfig.directories.input;
  // Eleventy finds a page's `layout:` in its includes folder, named relative to the input.
  const includes = path.posix.relative(input, eleventyConfig.directories.layouts ?? eleventyConfig.directories.includes) || "_includes";
  const templates = siteTemplates(folders, includes);
  for (const page of templates.pages) {
    if (page.data.requiresBaseUrl === true && !manifest.gallery.baseUrl) continue;
    eleventyConfig.addTemplate(page.path, page.content, page.data);
  }
  for (const layout of templates.layouts) eleventyConfig.addTemplate(layout.path, layout.content, layout.data);

  // The publisher's pages, as process found them: Eleventy does not look for templates in the content
  // folder (a gallery's thousands of sidecars would each be a pattern to skip), it is given the pages, each
  // at its own path so messages name its file.
  eleventyConfig.ignores.add("**/*.md");
  eleventyConfig.ignores.add("**/*.njk");
  const contentDir = path.resolve(eleventyConfig.directories.input);
  // Nor are the built site's files, when the site folder lies inside the gallery.
  if (!path.relative(contentDir, siteDir).startsWith("..")) eleventyConfig.ignores.add(`${escapeGlob(path.relative(process.cwd(), siteDir).split(path.sep).join("/"))}/**`);
  // A gallery's pictures are often left out of git; its pages are no less pages for that.
  eleventyConfig.setUseGitIgnore(false);
  const pages: Array<{ path: string; text: string }> = [];
  for (const page of manifest.pages) {
    const text = (await readFile(path.join(contentDir, page), "utf8").catch(() => undefined))?.replace(/^\uFEFF/, "");
    if (text === undefined) continue;
    pages.push({ path: page, text });
    eleventyConfig.addTemplate(page, text);
  }
  // What the gallery's pages may show of the publisher's: serve's incremental render compares it.
  if (handoff?.incremental) handoff.incremental.publisherKey = await publisherKey(pages, eleventyConfig.directories.data);
  eleventyConfig.addGlobalData("layout", PAGE_LAYOUT);
  // Eleventy keeps layouts for the process's life, each with the environment of the build that first
  // used it; a process that builds more than once (serve, tests) needs each build's own.
  eleventyConfig.setUseTemplateCache(false);

  if (manifest.gallery.precompress !== false) {
    eleventyConfig.on("eleventy.after", async ({ directories, runMode }: { directories: { output: string }; runMode?: string }) => {
      // A preview is served as it is; a build's output gets its siblings.
      if (runMode === "serve") return;
      const output = path.resolve(directories.output);
      const published = siteDirOf(output);
      await precompressFolder(output, published !== output && existsSync(published) ? published : undefined);
    });
  }
}

/**
 * Eleventy's `url` filter (the site's pathPrefix) remembered per URL within a
 * build: it tries each URL as an absolute one first, an exception per call for
 * the site-absolute URLs every page is full of.
 */
function memoizeUrlFilter(eleventyConfig: UserConfig): void {
  const url = eleventyConfig.getFilter("url") as (this: unknown, url: string, pathPrefix?: string) => string;
  const known = new Map<string, string>();
  eleventyConfig.on("eleventy.before", () => known.clear());
  eleventyConfig.addFilter("url", function (this: unknown, value: string, pathPrefix?: string) {
    if (pathPrefix !== undefined || typeof value !== "string") return url.call(this, value, pathPrefix);
    let done = known.get(value);
    if (done === undefined) known.set(value, (done = url.call(this, value)));
    return done;
  });
}
