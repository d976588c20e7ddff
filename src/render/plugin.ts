// Rotunda as an Eleventy plugin: `eleventyConfig.addPlugin(rotunda)` gives a site
// the gallery's data (the manifest, as `rotunda`), every page of the gallery as
// descriptors (`rotundaPages`, see pages.ts), the hashed client bundles
// (`rotundaAssets`), the filters the layouts use and the `panorama` shortcode.
// It reads the manifest, never images; coordinates reach the templates only when
// the gallery publishes GPS.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { UserConfig } from "@11ty/eleventy";
import { formatBytes } from "../format.ts";
import { readManifest, type Manifest, type PanoramaRecord } from "../manifest.ts";
import { siteDirOf } from "../output/index.ts";
import { bundleClient, type BundleOptions, type ClientAssets } from "./assets.ts";
import { absoluteUrl, mapData, paragraphs, readableDate, sideBySideData, viewerData } from "./filters.ts";
import { addPublisherFeatures } from "./publisher.ts";
import type { CollectionItem } from "./discovery.ts";
import { buildGallery, publicRecord } from "./gallery.ts";
import { handoffOf } from "./handoff.ts";
import { folderKey, pageFile, type PageMemory } from "./incremental.ts";
import { albumFeeds, pagesOf, type AlbumFeed, type GalleryPages } from "./pages.ts";

/**
 * A render that writes only the gallery's pages whose data changed since the
 * last published one (serve); the publisher's own pages are rendered every time.
 */
export interface IncrementalRender {
  memory: PageMemory;
  /** A key of the layouts and the Eleventy configuration: when they change, every page is rendered. */
  layoutsKey: string;
  /**
   * Set by the site plugin (site.ts), which reads the publisher's pages: a key of
   * what they give every page (incremental.ts publisherKey); when it changes, every page is rendered.
   */
  publisherKey?: string;
  /** Filled in during the render: files of the site left as they are (pages, bundles). */
  kept: string[];
  /** Filled in during the render: pages rendered. */
  rendered?: number;
}

export interface RotundaPluginOptions {
  /** Where process wrote the manifest and media; defaults to the site folder Eleventy renders for. */
  outputDir?: string;
  /**
   * Where the panoramas' own pages are, for the shortcode's link: "/" (this site,
   * under its pathPrefix) by default, or the address of a gallery built elsewhere.
   */
  galleryUrl?: string;
  /** Rotunda's own renders in `serve` (src/render/index.ts). */
  incremental?: IncrementalRender;
  /** The manifest as the build that just wrote it holds it, instead of reading it back. */
  manifest?: Manifest;
}

/** The gallery's pages for one render: all of them, those rendered now, the files of those left as they are; the albums' feeds. */
interface SelectedPages {
  all: GalleryPages;
  rendered: GalleryPages;
  kept: ReadonlySet<string>;
  feeds: AlbumFeed[];
}

const CLIENT_DIR = path.resolve(import.meta.dirname, "../client");

export default function rotundaPlugin(eleventyConfig: UserConfig, options: RotundaPluginOptions = {}): void {
  const siteDir = () => options.outputDir ?? siteDirOf(eleventyConfig.directories.output);
  // Read once per build and shared by the global data, the shortcode and the gallery's pages;
  // a watching Eleventy builds again with fresh data.
  let manifest: Promise<Manifest> | undefined;
  let assets: Promise<ClientAssets> | undefined;
  let pages: Promise<SelectedPages> | undefined;
  // The same once made, for the sitemap's filter (global data is ready before any template renders).
  let selected: SelectedPages | undefined;
  // What templates and the shortcode see: positions only when the gallery publishes them.
  let visible: Promise<Manifest> | undefined;
  eleventyConfig.on("eleventy.before", () => {
    manifest = assets = pages = visible = selected = undefined;
  });
  // In Rotunda's own render of this site, the manifest the build holds (on disk it may still be being written).
  const given = () => {
    const handoff = handoffOf(eleventyConfig);
    const ours = handoff && (!options.outputDir || path.resolve(options.outputDir) === handoff.outputDir);
    return options.manifest ?? (ours ? handoff.manifest : undefined);
  };
  const loadManifest = () => (manifest ??= Promise.resolve(given() ?? readManifest(siteDir())));
  const loadAssets = () =>
    (assets ??= loadManifest().then((m) => clientAssets(eleventyConfig.directories.output, siteDir(), { map: m.gallery.publishGps }, options.incremental)));
  const loadPages = () => (pages ??= (async () => {
    const m = await loadManifest();
    const model = buildGallery(m);
    const all = pagesOf(model, m);
    const feeds = albumFeeds(model);
    const incremental = options.incremental;
    if (!incremental) return (selected = { all, rendered: all, kept: new Set<string>(), feeds });
    const shared = createHash("sha256")
      .update(JSON.stringify([incremental.layoutsKey, incremental.publisherKey ?? "", await loadAssets(), m.gallery, all.nav]))
      .digest("base64url");
    const selection = incremental.memory.select(all, shared);
    // A panorama page left as it is leaves its embed page and oEmbed document as they are: they show nothing else.
    const panoramaFiles = new Set(all.panoramas.map((p) => pageFile(p.url)));
    const companions = selection.kept
      .filter((file) => panoramaFiles.has(file))
      .flatMap((file) => {
        const folder = file.slice(0, -"index.html".length);
        return [`${folder}embed/index.html`, ...(m.gallery.baseUrl ? [`${folder}oembed.json`] : [])];
      });
    incremental.kept.push(...selection.kept, ...companions);
    incremental.rendered = selection.rendered;
    return (selected = { all, rendered: selection.pages, kept: new Set(selection.kept), feeds });
  })());
  const loadVisible = () => (visible ??= loadManifest().then((m) => ({ ...m, panoramas: m.panoramas.map((p) => publicRecord(p, m.gallery.publishGps)) })));
  const sources = { manifest: loadVisible, assets: loadAssets, galleryUrl: options.galleryUrl ?? "/" };

  // The manifest, plus the panoramas that have a quality ladder to compare.
  eleventyConfig.addGlobalData("rotunda", async () => {
    const m = await loadVisible();
    return { ...m, comparable: m.panoramas.filter((p) => (p.ladder?.length ?? 0) > 1) };
  });
  eleventyConfig.addGlobalData("rotundaPages", async () => (await loadPages()).rendered);
  eleventyConfig.addGlobalData("rotundaAlbumFeeds", async () => (await loadPages()).feeds);
  // Written beside the pages, wherever Eleventy writes them.
  eleventyConfig.addGlobalData("rotundaAssets", loadAssets);
  addPublisherFeatures(eleventyConfig, sources);
  listKeptPagesInSitemap(eleventyConfig, () => selected);
  eleventyConfig.addFilter("rotundaParagraphs", paragraphs);
  eleventyConfig.addFilter("rotundaBytes", formatBytes);
  eleventyConfig.addFilter("rotundaDate", readableDate);
  // Eleventy's url filter (the site's pathPrefix), remembered per URL: a gallery's pages repeat the same few thousand.
  const prefixed = new Map<string, string>();
  eleventyConfig.on("eleventy.before", () => prefixed.clear());
  const withPrefix = (context: unknown, url: string): string => {
    let done = prefixed.get(url);
    if (done === undefined) {
      done = String(eleventyConfig.getFilter("url").call(context, url));
      prefixed.set(url, done);
    }
    return done;
  };
  eleventyConfig.addFilter("rotundaUrl", function (this: unknown, url: string) {
    return withPrefix(this, url);
  });
  // The viewer's URLs sit in a JSON blob that no HTML URL rewriting reaches, so
  // they take the site's pathPrefix here, through Eleventy's own url filter.
  eleventyConfig.addFilter("rotundaViewerData", function (this: unknown, panorama, mode, page) {
    return viewerData(panorama, mode, (u) => withPrefix(this, u), page);
  });
  eleventyConfig.addFilter("rotundaMapData", function (this: unknown, page) {
    return mapData(page, (u) => withPrefix(this, u));
  });
  eleventyConfig.addFilter("rotundaSideBySideData", function (this: unknown, page) {
    return sideBySideData(page, (u) => withPrefix(this, u));
  });
  eleventyConfig.addFilter("rotundaAbsoluteUrl", (url: string, baseUrl?: string) => absoluteUrl(url, baseUrl));
}

/** The client bundles: made once per build, or in serve taken from the last render while their sources are unchanged. */
async function clientAssets(eleventyOutput: string, siteDir: string, bundles: BundleOptions, incremental: IncrementalRender | undefined): Promise<ClientAssets> {
  if (!incremental) return (await bundleClient(eleventyOutput, bundles)).assets;
  const require = createRequire(import.meta.url);
  const versions = await Promise.all(["pannellum/package.json", "leaflet/package.json"].map((p) => readFile(require.resolve(p), "utf8").catch(() => "")));
  const key = await folderKey(CLIENT_DIR, [...versions, JSON.stringify(bundles)].join("\n"));
  const known = incremental.memory.assets(key);
  if (known) {
    const present = await Promise.all(known.files.map((f) => stat(path.join(siteDir, f)).then(() => true, () => false)));
    if (present.every(Boolean)) {
      incremental.kept.push(...known.files);
      return known.assets;
    }
  }
  const made = await bundleClient(eleventyOutput, bundles);
  incremental.memory.rememberAssets(key, made);
  return made.assets;
}

/**
 * The sitemap's pages: those rendered now (Eleventy's collection) and, in a serve
 * render that left pages as they were, those from their descriptors.
 */
function listKeptPagesInSitemap(eleventyConfig: UserConfig, selection: () => SelectedPages | undefined): void {
  const sitemap = eleventyConfig.getFilter("rotundaSitemap") as (this: unknown, items: CollectionItem[], ...rest: unknown[]) => unknown;
  eleventyConfig.addFilter("rotundaSitemap", function (this: unknown, items: CollectionItem[], ...rest: unknown[]) {
    const pages = selection();
    const kept: CollectionItem[] = [];
    if (pages && pages.kept.size > 0) {
      for (const [key, list] of Object.entries(pages.all)) {
        if (key === "nav" || key === "compare") continue; // compare pages are noindex
        for (const page of list as Array<{ url: string }>) if (pages.kept.has(pageFile(page.url))) kept.push({ url: page.url, data: { entry: page as { panorama?: PanoramaRecord } } });
      }
    }
    return sitemap.call(this, [...items, ...kept], ...rest);
  });
}
