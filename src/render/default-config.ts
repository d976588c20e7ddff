// The Eleventy configuration of a site that has none of its own: Rotunda's site
// plugin and the settings it needs (see src/render/eleventy.ts).
import type { UserConfig } from "@11ty/eleventy";
import { config, rotundaSite } from "./site.ts";

export { config };

export default function (eleventyConfig: UserConfig): void {
  eleventyConfig.addPlugin(rotundaSite);
}
