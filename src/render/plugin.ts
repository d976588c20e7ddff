// Rotunda as an Eleventy plugin: `eleventyConfig.addPlugin(rotunda)` gives a site
// the gallery's data (the manifest, as `rotunda`), the hashed client bundles
// (`rotundaAssets`) and the filters the layouts use. It reads the manifest,
// never images.
import type { UserConfig } from "@11ty/eleventy";
import { formatBytes } from "../format.ts";
import { readManifest } from "../manifest.ts";
import { siteDirOf } from "../output/index.ts";
import { bundleClient } from "./assets.ts";
import { absoluteUrl, paragraphs, readableDate, viewerData } from "./filters.ts";

export interface RotundaPluginOptions {
  /** Where process wrote the manifest and media; defaults to the site folder Eleventy renders for. */
  outputDir?: string;
}

export default function rotundaPlugin(eleventyConfig: UserConfig, options: RotundaPluginOptions = {}): void {
  const siteDir = () => options.outputDir ?? siteDirOf(eleventyConfig.directories.output);
  // The manifest, plus the panoramas that have a quality ladder to compare.
  eleventyConfig.addGlobalData("rotunda", async () => {
    const manifest = await readManifest(siteDir());
    return { ...manifest, comparable: manifest.panoramas.filter((p) => (p.ladder?.length ?? 0) > 1) };
  });
  // Written beside the pages, wherever Eleventy writes them.
  eleventyConfig.addGlobalData("rotundaAssets", () => bundleClient(eleventyConfig.directories.output));
  eleventyConfig.addFilter("rotundaParagraphs", paragraphs);
  eleventyConfig.addFilter("rotundaBytes", formatBytes);
  eleventyConfig.addFilter("rotundaDate", readableDate);
  // The viewer's URLs sit in a JSON blob that no HTML URL rewriting reaches, so
  // they take the site's pathPrefix here, through Eleventy's own url filter.
  eleventyConfig.addFilter("rotundaViewerData", function (this: unknown, panorama, mode) {
    const url = eleventyConfig.getFilter("url");
    return viewerData(panorama, mode, (u) => String(url.call(this, u)));
  });
  eleventyConfig.addFilter("rotundaAbsoluteUrl", (url: string, baseUrl?: string) => absoluteUrl(url, baseUrl));
}
