// Eleventy's configuration for Rotunda's own site, for Eleventy's command line
// (`npx @11ty/eleventy`): the pages in layouts/ with the Rotunda plugin (see
// src/render/site.ts; `rotunda build` applies the same without this file). An
// existing Eleventy site adds Rotunda the same way: `eleventyConfig.addPlugin(rotundaPlugin)`.
import path from "node:path";
import type { UserConfig } from "@11ty/eleventy";
import { rotundaSite } from "./src/render/site.ts";

// Relative to the working directory, as Eleventy wants it (an absolute input path
// breaks Eleventy's permalink handling).
const layouts = path.relative(process.cwd(), path.join(import.meta.dirname, "layouts")) || ".";

export default function (eleventyConfig: UserConfig) {
  rotundaSite(eleventyConfig);
  return { dir: { input: layouts } };
}
