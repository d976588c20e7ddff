// Rotunda's own site: the Rotunda plugin plus the Nunjucks settings its layouts
// need. renderSite applies it directly, and eleventy.config.ts wraps it for
// Eleventy's own command line, so a TypeScript config file is never imported at
// run time.
import type { UserConfig } from "@11ty/eleventy";
import rotundaPlugin from "./plugin.ts";

export function rotundaSite(eleventyConfig: UserConfig): void {
  eleventyConfig.addPlugin(rotundaPlugin);
  // Every {{ value }} is HTML-escaped unless a filter marks it safe.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  eleventyConfig.setTemplateFormats(["njk"]);
  eleventyConfig.setIncludesDirectory("_includes");
}
