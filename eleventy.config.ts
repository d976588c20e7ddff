// Eleventy's configuration for Rotunda's own site: the pages in layouts/, and the
// Rotunda plugin that brings the gallery's data. An existing Eleventy site adds
// Rotunda the same way: `eleventyConfig.addPlugin(rotundaPlugin)`.
import path from "node:path";
import type { UserConfig } from "@11ty/eleventy";
import rotundaPlugin from "./src/render/plugin.ts";

// Relative to the working directory, as Eleventy wants it, so `rotunda build` works
// from any folder (an absolute input path breaks Eleventy's permalink handling).
const layouts = path.relative(process.cwd(), path.join(import.meta.dirname, "layouts")) || ".";

export default function (eleventyConfig: UserConfig) {
  eleventyConfig.addPlugin(rotundaPlugin);
  // Every {{ value }} is HTML-escaped unless a filter marks it safe.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  return {
    dir: { input: layouts, includes: "_includes" },
    templateFormats: ["njk"],
    htmlTemplateEngine: "njk",
  };
}
