// The render stage: the manifest, the site's content folder and the layouts → HTML
// pages (and feed, sitemap, robots.txt…), through Eleventy with the site's own
// eleventy.config.ts or Rotunda's default one. Reads the manifest, never images.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { UserConfig } from "@11ty/eleventy";
import { STATE_DIR, type Manifest } from "../manifest.ts";
import { STAGING_DIR } from "../output/index.ts";
import { contentKey, fileKey, type PageMemory } from "./incremental.ts";
import { LAYOUTS_DIR } from "./paths.ts";
import type { IncrementalRender } from "./plugin.ts";
import { SITE_HANDOFF, type SiteHandoff } from "./handoff.ts";

export { default as rotundaPlugin } from "./plugin.ts";
export { rotundaSite } from "./site.ts";
export { LAYOUTS_DIR, PROJECT_ROOT } from "./paths.ts";
export { PageMemory } from "./incremental.ts";

/** The Eleventy configuration of a site without one of its own. */
export const DEFAULT_CONFIG = path.join(import.meta.dirname, "default-config.ts");
/** The names a site's own Eleventy configuration may have, in the order Eleventy itself looks. */
const CONFIG_NAMES = ["eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", "eleventy.config.ts", "eleventy.config.mts"];

export interface SiteFiles {
  /** The site's layouts/, when it has one. */
  layoutsDir?: string;
  /** The site's Eleventy configuration file, when it has one. */
  eleventyConfig?: string;
}

/** What a site folder (`rotunda build`'s working folder) holds of its own: layouts/ and an Eleventy configuration. */
export function siteFilesIn(siteDir: string): SiteFiles {
  const layouts = path.join(siteDir, "layouts");
  const config = CONFIG_NAMES.map((name) => path.join(siteDir, name)).find((file) => existsSync(file));
  return { ...(existsSync(layouts) ? { layoutsDir: layouts } : {}), ...(config ? { eleventyConfig: config } : {}) };
}

export interface RenderOptions {
  /** The output folder: the manifest is read from it, the pages are written to its staging folder. */
  outputDir: string;
  /** The gallery folder: Eleventy's input, where the publisher's own pages are. */
  contentDir: string;
  /** The site's layouts/, whose files replace Rotunda's by name; none by default. */
  layoutsDir?: string;
  /**
   * The site's Eleventy config file (it adds Rotunda's site plugin itself);
   * Rotunda's default one (src/render/default-config.ts) otherwise.
   */
  eleventyConfig?: string;
  /**
   * "serve": templates are re-read every time (Eleventy otherwise caches them for
   * the process's life) and Eleventy logs nothing; its errors reject as always.
   */
  mode?: "build" | "serve";
  /**
   * What earlier renders into this output folder published (serve keeps one for
   * its life): only the gallery's pages whose data changed are rendered, and all
   * of them when the layouts, the Eleventy configuration file or what the
   * publisher's pages give every page changes (plugin.ts).
   */
  memory?: PageMemory;
  /** The manifest the build just wrote (it is read from the output folder otherwise). */
  manifest?: Manifest;
}

export interface RenderResult {
  /** Where the pages and bundles were written, to be moved into place (src/output/ publish). */
  stagingDir: string;
  /** Pages written now. */
  pages: number;
  /**
   * Files of the site that earlier renders wrote and that stay as they are
   * (pages whose data did not change, unchanged bundles): part of the site, not
   * in the staging folder.
   */
  kept: string[];
  /** Call once the staged files are published: the next render compares with this one. */
  published(): void;
  /** The site's pathPrefix, as every local URL in the pages carries it. */
  pathPrefix: string;
}

let typescript: Promise<void> | undefined;

/**
 * Lets this process import TypeScript: the site's eleventy.config.ts and the
 * Rotunda sources it imports. Under tsx already (tests, the launcher's fallback)
 * nothing is done; otherwise tsx's loader is registered, once.
 */
function loadTypeScript(): Promise<void> {
  typescript ??= import(new URL("./typescript-probe.ts", import.meta.url).href).then(
    () => undefined,
    async () => {
      const { register } = await import("tsx/esm/api");
      register();
    },
  );
  return typescript;
}

let eleventyModule: Promise<typeof import("@11ty/eleventy")> | undefined;
const loadEleventy = () => (eleventyModule ??= import("@11ty/eleventy"));

/**
 * Starts loading what a render needs before it has its manifest (Eleventy, and
 * TypeScript's loader for a `.ts` configuration), so a build does it while its
 * process step waits on workers and the network. A failure is the render's to report.
 */
export function prepareRender(eleventyConfig?: string): void {
  loadEleventy().catch(() => {});
  if (/\.[mc]?ts$/.test(eleventyConfig ?? DEFAULT_CONFIG)) loadTypeScript().catch(() => {});
}

/**
 * Renders every page, and the client bundles, into the output folder's staging
 * folder: a render that fails midway (a template error, a full disk) leaves the
 * published pages as they were.
 */
export async function renderSite(options: RenderOptions): Promise<RenderResult> {
  const outputDir = path.resolve(options.outputDir);
  const stagingDir = path.join(outputDir, STATE_DIR, STAGING_DIR);
  await rm(stagingDir, { recursive: true, force: true });
  const serve = options.mode === "serve";
  options.memory?.discard();
  const configPath = path.resolve(options.eleventyConfig ?? DEFAULT_CONFIG);
  if (/\.[mc]?ts$/.test(configPath)) await loadTypeScript();
  // Relative to the working directory: an absolute input breaks Eleventy's permalinks.
  const input = path.relative(process.cwd(), path.resolve(options.contentDir)) || ".";
  const layoutsDir = options.layoutsDir ? path.resolve(options.layoutsDir) : null;
  const incremental: IncrementalRender | undefined = options.memory
    ? { memory: options.memory, layoutsKey: (await contentKey(LAYOUTS_DIR)) + (layoutsDir ? await contentKey(layoutsDir) : "") + (await fileKey(configPath)), kept: [] }
    : undefined;
  const handoff: SiteHandoff = {
    layoutsDir,
    outputDir,
    ...(options.manifest ? { manifest: options.manifest } : {}),
    ...(incremental ? { incremental } : {}),
  };
  const { default: Eleventy } = await loadEleventy();
  const eleventy = new Eleventy(input, stagingDir, {
    configPath,
    quietMode: true,
    ...(serve ? { runMode: "serve" as const } : {}),
    config: (c: UserConfig) => {
      (c as unknown as Record<symbol, SiteHandoff>)[SITE_HANDOFF] = handoff;
      if (serve) c.setUseTemplateCache(false);
    },
  });
  if (serve) eleventy.disableLogger();
  let templates: unknown[];
  try {
    // Eleventy 3 resolves to [passthroughCopies, templates]; paginated templates nest one level more.
    [, templates] = (await eleventy.write()) as [unknown, unknown[]];
  } catch (error) {
    options.memory?.discard();
    await rm(stagingDir, { recursive: true, force: true });
    throw error;
  }
  const pages = (templates.flat(2) as Array<{ outputPath?: unknown } | undefined>).filter((t) => typeof t?.outputPath === "string" && t.outputPath.endsWith(".html")).length;
  const pathPrefix = (eleventy as unknown as { config?: { pathPrefix?: string } }).config?.pathPrefix ?? "/";
  return { stagingDir, pages, kept: incremental?.kept ?? [], published: () => options.memory?.commit(), pathPrefix };
}
