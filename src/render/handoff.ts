// What Rotunda's own render (renderSite, index.ts) tells the site and the plugin
// about the render under way, on the Eleventy configuration it makes: one render,
// one configuration. A site rendered by plain Eleventy has none.
import type { UserConfig } from "@11ty/eleventy";
import type { Manifest } from "../manifest.ts";
import type { IncrementalRender } from "./plugin.ts";

export const SITE_HANDOFF = Symbol.for("rotunda.site");

export interface SiteHandoff {
  /** The site's layouts/ folder, or null for none. */
  layoutsDir: string | null;
  /** The manifest as the build that just made it holds it, instead of reading it back (it may still be being written). */
  manifest?: Manifest;
  /** The output folder the render is for (absolute): the manifest above is that folder's. */
  outputDir: string;
  /** Rotunda's own renders in `serve`: only the gallery's pages whose data changed. */
  incremental?: IncrementalRender;
}

export function handoffOf(eleventyConfig: UserConfig): SiteHandoff | undefined {
  return (eleventyConfig as unknown as Record<symbol, SiteHandoff | undefined>)[SITE_HANDOFF];
}
