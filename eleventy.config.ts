// The demo site's Eleventy configuration, as `rotunda init` writes one for a new
// site: `rotunda build` and `rotunda serve` load it from the working folder. A
// site of one's own imports the same from "rotunda/eleventy".
import type { UserConfig } from "@11ty/eleventy";
import rotunda from "./src/render/eleventy.ts";

export { config } from "./src/render/eleventy.ts";

export default function (eleventyConfig: UserConfig): void {
  eleventyConfig.addPlugin(rotunda);
}
