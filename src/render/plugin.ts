// Rotunda as an Eleventy plugin: `eleventyConfig.addPlugin(rotunda)` gives a site
// the gallery's data (the manifest, as `rotunda`), the hashed client bundles
// (`rotundaAssets`), the filters the layouts use and the `panorama` shortcode.
// It reads the manifest, never images.
import type { UserConfig } from "@11ty/eleventy";
import { formatBytes } from "../format.ts";
import { readManifest, type Manifest } from "../manifest.ts";
import { siteDirOf } from "../output/index.ts";
import { bundleClient, type ClientAssets } from "./assets.ts";
import { absoluteUrl, paragraphs, readableDate, viewerData } from "./filters.ts";
import { addPublisherFeatures } from "./publisher.ts";

export interface RotundaPluginOptions {
  /** Where process wrote the manifest and media; defaults to the site folder Eleventy renders for. */
  outputDir?: string;
  /**
   * Where the panoramas' own pages are, for the shortcode's link: "/" (this site,
   * under its pathPrefix) by default, or the address of a gallery built elsewhere.
   */
  galleryUrl?: string;
}

export default function rotundaPlugin(eleventyConfig: UserConfig, options: RotundaPluginOptions = {}): void {
  const siteDir = () => options.outputDir ?? siteDirOf(eleventyConfig.directories.output);
  // Read and bundled once per build, for the global data and the shortcode alike.
  let manifest: Promise<Manifest> | undefined;
  let assets: Promise<ClientAssets> | undefined;
  eleventyConfig.on("eleventy.before", () => {
    manifest = undefined;
    assets = undefined;
  });
  const sources = {
    manifest: () => (manifest ??= readManifest(siteDir())),
    // Written beside the pages, wherever Eleventy writes them.
    assets: () => (assets ??= bundleClient(eleventyConfig.directories.output)),
    galleryUrl: options.galleryUrl ?? "/",
  };
  // The manifest, plus the panoramas that have a quality ladder to compare.
  eleventyConfig.addGlobalData("rotunda", async () => {
    const gallery = await sources.manifest();
    return { ...gallery, comparable: gallery.panoramas.filter((p) => (p.ladder?.length ?? 0) > 1) };
  });
  eleventyConfig.addGlobalData("rotundaAssets", () => sources.assets());
  addPublisherFeatures(eleventyConfig, sources);
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
