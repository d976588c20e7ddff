// What feed readers, search engines and other sites read: each page's canonical
// link, Open Graph and Twitter tags; a panorama's schema.org Photograph (JSON-LD),
// its embed code and oEmbed document; the sitemap's entries with their images;
// the feed's entries. Pure functions of the manifest and the page, handed to the
// templates as filters. What needs an absolute URL is there only when the
// gallery's public address (baseUrl) is known.
import type { Manifest, PanoramaRecord } from "../manifest.ts";
import { absoluteUrl, jsonForScript, paragraphs } from "./filters.ts";

type Gallery = Manifest["gallery"];
/** Adds the site's pathPrefix to a site-absolute URL. */
type Prefix = (url: string) => string;

/** A site-absolute URL as the public would use it, or undefined without a baseUrl. */
function publicUrl(url: string, gallery: Gallery, prefix: Prefix): string | undefined {
  return absoluteUrl(prefix(url), gallery.baseUrl);
}

/** The public URL when there is one, else the site-absolute one: for places where either works (JSON-LD, the embed code). */
function bestUrl(url: string, gallery: Gallery, prefix: Prefix): string {
  return publicUrl(url, gallery, prefix) ?? prefix(url);
}

/** Plain text of a caption for a description: its first paragraph on one line, at most `max` characters, cut at a word. */
export function summary(text: string | undefined, max = 200): string | undefined {
  if (!text) return undefined;
  const first = text.trim().split(/\n\s*\n/)[0]!.replace(/\s+/g, " ").trim();
  if (first.length <= max) return first || undefined;
  const cut = first.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2)).trimEnd()}…`;
}

export interface PageMetaInput {
  /** Eleventy's page.url: site-absolute, without the pathPrefix; false for a page that is not written. */
  url?: string | false;
  /** The page's own title (the site's is added). */
  title?: string;
  description?: string;
  /** The panorama the page shows, if any. */
  panorama?: PanoramaRecord;
  /** The page this one stands in for (an embed's full page), site-absolute. */
  canonical?: string;
  /** Kept out of search engines (and the sitemap). */
  noindex?: boolean;
  gallery: Gallery;
  /** The gallery's panoramas, newest first: a page of no panorama of its own is shown with the newest one's picture. */
  panoramas?: PanoramaRecord[];
}

export interface PageMeta {
  title: string;
  siteName: string;
  description: string;
  /** Absolute; absent without a baseUrl (and on pages kept out of search engines, other than embeds). */
  canonical?: string;
  image?: { url: string; width: number; height: number; alt: string };
  type: "website" | "article";
  noindex: boolean;
  /** The site's Atom feed, when there is one. */
  feed?: string;
}

/** What the head of a page says about it: canonical link, Open Graph and Twitter tags. */
export function pageMeta(input: PageMetaInput, prefix: Prefix): PageMeta {
  const { gallery, panorama } = input;
  const own = typeof input.url === "string" ? input.url : undefined;
  const canonicalPath = input.canonical ?? (input.noindex ? undefined : own);
  const pictured = panorama ?? input.panoramas?.[0];
  const card = pictured && (pictured.socialCard ?? pictured.thumbnail);
  const cardUrl = card && publicUrl(card.url, gallery, prefix);
  // Every page has one (search engines show it): the page's, its caption's, the gallery's, or what the page is.
  const description =
    input.description ?? summary(panorama?.caption) ?? gallery.description ?? (panorama ? `A 360° panorama: ${panorama.title}` : `${gallery.title}: 360° panoramas`);
  const feed = gallery.baseUrl ? prefix("/feed.xml") : undefined;
  return {
    // A listing's first page sets an empty title: the gallery's own.
    title: input.title || gallery.title,
    siteName: gallery.title,
    description,
    ...(canonicalPath && gallery.baseUrl ? { canonical: publicUrl(canonicalPath, gallery, prefix) } : {}),
    ...(card && cardUrl ? { image: { url: cardUrl, width: card.width, height: card.height, alt: pictured.title } } : {}),
    type: panorama ? "article" : "website",
    noindex: input.noindex === true,
    ...(feed ? { feed } : {}),
  };
}

const URL_LIKE = /^https?:\/\//i;

/**
 * A panorama as a schema.org Photograph (and ImageObject, for the picture's own
 * fields), as JSON safe inside a <script> element: a caption holding `</script>`
 * or `<!--` cannot end or disturb it. Where it was taken only when the gallery
 * publishes GPS.
 */
export function photographJsonLd(panorama: PanoramaRecord, gallery: Gallery, prefix: Prefix): string {
  const picture = panorama.variants[0]!;
  const caption = summary(panorama.caption, 5000);
  const data = {
    "@context": "https://schema.org",
    "@type": ["Photograph", "ImageObject"],
    name: panorama.title,
    ...(caption ? { description: caption } : {}),
    url: bestUrl(`/${panorama.slug}/`, gallery, prefix),
    ...(panorama.captureDate ? { dateCreated: panorama.captureDate } : {}),
    ...(panorama.credit ? { creditText: panorama.credit } : {}),
    ...(panorama.license ? { license: URL_LIKE.test(panorama.license) ? panorama.license : { "@type": "CreativeWork", name: panorama.license } } : {}),
    thumbnailUrl: bestUrl(panorama.thumbnail.url, gallery, prefix),
    contentUrl: bestUrl(picture.url, gallery, prefix),
    encodingFormat: "image/jpeg",
    width: picture.width,
    height: picture.height,
    ...(gallery.publishGps && panorama.gps
      ? { contentLocation: { "@type": "Place", geo: { "@type": "GeoCoordinates", latitude: panorama.gps.lat, longitude: panorama.gps.lng } } }
      : {}),
    isPartOf: { "@type": "WebSite", name: gallery.title, ...(gallery.baseUrl ? { url: publicUrl("/", gallery, prefix) } : {}) },
  };
  return jsonForScript(data);
}

/** The embed page of a panorama. */
export function embedPath(panorama: PanoramaRecord): string {
  return `/${panorama.slug}/embed/`;
}

export const EMBED_SIZE = { width: 640, height: 360 };

/** The iframe another site pastes to show the panorama (absolute with a baseUrl, else the script makes it so). */
export function embedCode(panorama: PanoramaRecord, gallery: Gallery, prefix: Prefix): string {
  const src = bestUrl(embedPath(panorama), gallery, prefix);
  const title = panorama.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<iframe src="${src}" title="360° view: ${title}" width="${EMBED_SIZE.width}" height="${EMBED_SIZE.height}" style="border:0;max-width:100%" loading="lazy" allow="fullscreen; accelerometer; gyroscope" allowfullscreen></iframe>`;
}

/** The panorama's oEmbed document (type "rich"); only with a baseUrl, since its iframe must say where it lives. */
export function oembedDocument(panorama: PanoramaRecord, gallery: Gallery, prefix: Prefix): string {
  if (!gallery.baseUrl) throw new Error("an oEmbed document needs the gallery's baseUrl");
  const thumb = panorama.thumbnail;
  const doc = {
    version: "1.0",
    type: "rich",
    title: panorama.title,
    provider_name: gallery.title,
    provider_url: publicUrl("/", gallery, prefix),
    ...(panorama.credit ? { author_name: panorama.credit } : {}),
    html: embedCode(panorama, gallery, prefix),
    width: EMBED_SIZE.width,
    height: EMBED_SIZE.height,
    thumbnail_url: publicUrl(thumb.url, gallery, prefix),
    thumbnail_width: thumb.width,
    thumbnail_height: thumb.height,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/** What the sitemap reads of an Eleventy collection item. */
export interface CollectionItem {
  url?: string | false;
  /** A panorama page's record is `panorama`, or `entry.panorama` on Rotunda's own (a PanoramaPage, src/render/pages.ts). */
  data?: { sitemap?: unknown; noindex?: unknown; panorama?: PanoramaRecord; entry?: { panorama?: PanoramaRecord }; permalink?: unknown };
}

export interface SitemapEntry {
  loc: string;
  images: string[];
}

/**
 * Every HTML page of the site that search engines should know, with the pictures
 * it shows (the image sitemap extension): not the 404 page, embeds or other pages
 * that say `sitemap: false` or `noindex: true`.
 */
export function sitemapEntries(items: CollectionItem[], gallery: Gallery, prefix: Prefix): SitemapEntry[] {
  const entries: SitemapEntry[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const url = item.url;
    if (typeof url !== "string" || !(url.endsWith("/") || url.endsWith(".html"))) continue;
    if (item.data?.sitemap === false || item.data?.noindex === true || seen.has(url)) continue;
    const loc = publicUrl(url, gallery, prefix);
    if (!loc) continue;
    seen.add(url);
    const panorama = item.data?.panorama ?? item.data?.entry?.panorama;
    const images = panorama && url === `/${panorama.slug}/` ? [publicUrl(panorama.variants[0]!.url, gallery, prefix)!] : [];
    entries.push({ loc, images });
  }
  return entries.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
}

/** How many panoramas the feed carries. */
export const FEED_ENTRIES = 20;

/** The newest panoramas with a capture date, newest first: the feed's entries (Atom needs each one's date). */
export function feedEntries(panoramas: PanoramaRecord[], limit = FEED_ENTRIES): PanoramaRecord[] {
  return panoramas
    .filter((p) => p.captureDate && !Number.isNaN(Date.parse(p.captureDate)))
    .sort((a, b) => Date.parse(b.captureDate!) - Date.parse(a.captureDate!))
    .slice(0, limit);
}

/** A capture date as the feed's date filters take it; the newest of `panoramas` without a date. */
export function feedDate(value: PanoramaRecord[] | string | undefined): Date {
  if (Array.isArray(value)) return new Date(Math.max(0, ...value.map((p) => Date.parse(p.captureDate ?? "")).filter((t) => !Number.isNaN(t))));
  return new Date(value ? Date.parse(value) : 0);
}

/** An entry's HTML: the thumbnail linking to the page, then the caption (site-absolute URLs, made absolute by the feed plugin's filter). */
export function feedContent(panorama: PanoramaRecord, prefix: Prefix): string {
  const thumb = panorama.thumbnail;
  const title = panorama.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const image = `<p><a href="${prefix(`/${panorama.slug}/`)}"><img src="${prefix(thumb.url)}" width="${thumb.width}" height="${thumb.height}" alt="${title}"></a></p>`;
  return [image, paragraphs(panorama.caption)].filter(Boolean).join("\n");
}
