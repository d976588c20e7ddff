// What a site's eleventy.config.ts imports, as `rotunda/eleventy`:
//
//   import rotunda from "rotunda/eleventy";
//   export { config } from "rotunda/eleventy";
//   export default function (eleventyConfig) {
//     eleventyConfig.addPlugin(rotunda);
//   }
//
// The default export builds a whole Rotunda site (src/render/site.ts); an existing
// Eleventy site that wants the gallery's data, filters and `panorama` shortcode in
// its own pages adds `rotundaPlugin` instead.
export { rotundaSite as default, rotundaSite, config, type RotundaSiteOptions } from "./site.ts";
export { default as rotundaPlugin, type RotundaPluginOptions } from "./plugin.ts";
