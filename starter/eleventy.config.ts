// The site's Eleventy configuration: `rotunda build` and `rotunda serve` load it.
// Add your own filters, shortcodes and plugins below the Rotunda plugin.
import rotunda from "rotunda/eleventy";

// Pages in Markdown and Nunjucks, Markdown read through Nunjucks (for the panorama shortcode).
export { config } from "rotunda/eleventy";

export default function (eleventyConfig: any) {
  eleventyConfig.addPlugin(rotunda);
}
