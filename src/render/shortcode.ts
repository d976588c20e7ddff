// `{% panorama "<slug>" %}` and `{% panorama "<slug>", { yaw: 90, pitch: -10, hfov: 80, height: "60vh" } %}`:
// a panorama inside any page. The page gets the thumbnail, a link to the
// panorama's own page and a button; a small script (panoramas.js) starts the
// viewer when the figure scrolls into view or the button is pressed, loading
// Pannellum then and only once however many figures the page has. Without
// JavaScript the thumbnail and the link stay.
import type { UserConfig } from "@11ty/eleventy";
import { escapeHtml } from "../format.ts";
import type { Manifest, PanoramaRecord } from "../manifest.ts";
import type { ClientAssets } from "./assets.ts";
import { jsonForScript, viewerData } from "./filters.ts";

/** How a page sets a figure up; every key is optional. */
export interface PanoramaSettings {
  /** The initial view, in degrees (the picture's own from GPano otherwise). */
  yaw?: number;
  pitch?: number;
  hfov?: number;
  /** The viewer's height once started: a CSS length (px, em, rem, vh, %, …). */
  height?: string;
}

/** A shortcode used wrongly: the message names the page. */
export class ShortcodeError extends Error {
  override name = "ShortcodeError";
}

const ANGLES: Record<"yaw" | "pitch" | "hfov", [number, number]> = { yaw: [-360, 360], pitch: [-90, 90], hfov: [10, 150] };
const CSS_LENGTH = /^\d+(\.\d+)?(px|em|rem|vh|svh|lvh|dvh|vw|%)$/;

/** Checks a page's settings: unknown keys and values out of range are errors naming the page. */
export function parseSettings(raw: unknown, where: string): PanoramaSettings {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ShortcodeError(`${where}: the panorama's settings must be an object like { yaw: 90, height: "60vh" }`);
  const settings: PanoramaSettings = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === "__keywords") continue; // Nunjucks marks keyword arguments so
    if (key === "yaw" || key === "pitch" || key === "hfov") {
      const [min, max] = ANGLES[key];
      if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
        throw new ShortcodeError(`${where}: ${key} must be a number of degrees from ${min} to ${max}, not ${JSON.stringify(value)}`);
      }
      settings[key] = value;
    } else if (key === "height") {
      if (typeof value !== "string" || !CSS_LENGTH.test(value)) throw new ShortcodeError(`${where}: height must be a CSS length like "60vh" or "480px", not ${JSON.stringify(value)}`);
      settings.height = value;
    } else {
      throw new ShortcodeError(`${where}: unknown setting "${key}" (known: yaw, pitch, hfov, height)`);
    }
  }
  return settings;
}

export interface FigureOptions {
  /** Adds the site's pathPrefix to a site-absolute URL. */
  prefix: (url: string) => string;
  assets: ClientAssets;
  /** The panorama's own page, as the link gives it. */
  pageUrl: string;
  /** On the embed page: the figure fills the frame and its link opens the full page in a new tab. */
  embed?: boolean;
}

/** The figure's HTML: thumbnail, start button, link, viewer data, and the two small files that bring it to life. */
export function panoramaFigure(panorama: PanoramaRecord, settings: PanoramaSettings, options: FigureOptions): string {
  const { prefix, assets } = options;
  const data = JSON.parse(viewerData(panorama, "view", prefix)) as { viewer: Record<string, unknown> };
  for (const key of ["yaw", "pitch", "hfov"] as const) if (settings[key] !== undefined) data.viewer[key] = settings[key];
  const title = escapeHtml(panorama.title);
  const height = settings.height ?? (options.embed ? "100vh" : undefined);
  const target = options.embed ? ' target="_blank" rel="noopener"' : "";
  const thumb = panorama.thumbnail;
  return [
    `<link rel="stylesheet" href="${escapeHtml(prefix(assets.panoramasCss))}">`,
    `<figure class="rotunda-panorama${options.embed ? " rotunda-panorama--embed" : ""}" data-rotunda-panorama` +
      ` data-viewer-js="${escapeHtml(prefix(assets.panoramaViewerJs))}" data-viewer-css="${escapeHtml(prefix(assets.panoramaViewerCss))}"` +
      `${height ? ` style="--rotunda-panorama-height: ${height}"` : ""}>`,
    `<div class="rotunda-panorama__frame">`,
    `<img class="rotunda-panorama__poster" src="${escapeHtml(prefix(thumb.url))}" width="${thumb.width}" height="${thumb.height}" alt="${title}" loading="${options.embed ? "eager" : "lazy"}" decoding="async">`,
    `<div class="rotunda-panorama__viewer" data-rotunda-viewer></div>`,
    `<button type="button" class="rotunda-panorama__start" data-rotunda-start hidden><span>Show the 360° view</span><span class="rotunda-panorama__hidden"> of ${title}</span></button>`,
    `</div>`,
    `<figcaption class="rotunda-panorama__caption"><a href="${escapeHtml(options.pageUrl)}"${target}>${title}</a> · 360° panorama</figcaption>`,
    `<script type="application/json" data-rotunda-viewer-data>${jsonForScript(data)}</script>`,
    `</figure>`,
    `<script src="${escapeHtml(prefix(assets.panoramasJs))}" defer></script>`,
  ].join("\n");
}

export interface ShortcodeSources {
  /** The manifest of this build. */
  manifest: () => Promise<Manifest>;
  /** The client bundles of this build. */
  assets: () => Promise<ClientAssets>;
  /** Where the panoramas' own pages are: "/" (the site itself) unless the plugin is told otherwise. */
  galleryUrl: string;
}

/** Registers `panorama` for Nunjucks, Liquid and JavaScript templates. */
export function addPanoramaShortcode(eleventyConfig: UserConfig, sources: ShortcodeSources): void {
  const url = (context: unknown, value: string) => String(eleventyConfig.getFilter("url").call(context, value));
  eleventyConfig.addShortcode("panorama", async function (this: { page?: { inputPath?: string; url?: string } }, slug: unknown, settings?: unknown) {
    const where = this.page?.inputPath ?? "a page";
    const [manifest, assets] = await Promise.all([sources.manifest(), sources.assets()]);
    const panorama = manifest.panoramas.find((p) => p.slug === slug);
    if (!panorama) {
      const known = manifest.panoramas.map((p) => p.slug);
      throw new ShortcodeError(
        `${where}: {% panorama ${JSON.stringify(slug)} %}: no panorama has this slug` +
          (known.length > 0 ? ` (the gallery has ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""})` : " (the gallery has no panoramas yet)"),
      );
    }
    const options = parseSettings(settings, `${where}: {% panorama "${panorama.slug}" %}`);
    return panoramaFigure(panorama, options, { prefix: (u) => url(this, u), assets, pageUrl: pageUrlOf(panorama, sources.galleryUrl, (u) => url(this, u)) });
  });
  // The embed page's figure: the panorama of the page, filling the frame.
  eleventyConfig.addFilter("rotundaEmbedFigure", function (this: unknown, panorama: PanoramaRecord, assets: ClientAssets) {
    const prefix = (u: string) => url(this, u);
    return panoramaFigure(panorama, {}, { prefix, assets, pageUrl: pageUrlOf(panorama, sources.galleryUrl, prefix), embed: true });
  });
}

/** The panorama's own page: under the site's pathPrefix, or under the gallery's address when it lives elsewhere. */
function pageUrlOf(panorama: PanoramaRecord, galleryUrl: string, prefix: (url: string) => string): string {
  if (/^https?:\/\//.test(galleryUrl)) return new URL(`${panorama.slug}/`, galleryUrl.endsWith("/") ? galleryUrl : `${galleryUrl}/`).toString();
  return prefix(`${galleryUrl.replace(/\/?$/, "/")}${panorama.slug}/`);
}
