// What the publisher's pages and the discovery templates use, registered by the
// plugin: the `panorama` shortcode, the head's meta data, JSON-LD, embeds, oEmbed,
// the sitemap's and the feed's entries, and the feed filters of
// @11ty/eleventy-plugin-rss (its functions, not its plugin: the plugin would add
// Eleventy's HTML <base> plugin, which prefixes URLs the templates already prefix).
import type { UserConfig } from "@11ty/eleventy";
import { convertHtmlToAbsoluteUrls, dateToRfc3339 } from "@11ty/eleventy-plugin-rss";
import type { PanoramaRecord } from "../manifest.ts";
import {
  embedCode,
  feedContent,
  feedDate,
  feedEntries,
  oembedDocument,
  pageMeta,
  photographJsonLd,
  sitemapEntries,
  type CollectionItem,
  type PageMetaInput,
} from "./discovery.ts";
import { addPanoramaShortcode, type ShortcodeSources } from "./shortcode.ts";

type Gallery = Parameters<typeof photographJsonLd>[1];

export function addPublisherFeatures(eleventyConfig: UserConfig, sources: ShortcodeSources): void {
  addPanoramaShortcode(eleventyConfig, sources);
  const prefixer = (context: unknown) => (u: string) => String(eleventyConfig.getFilter("url").call(context, u));
  eleventyConfig.addFilter("rotundaPageMeta", function (this: unknown, input: PageMetaInput) {
    return pageMeta(input, prefixer(this));
  });
  eleventyConfig.addFilter("rotundaJsonLd", function (this: unknown, panorama: PanoramaRecord, gallery: Gallery) {
    return photographJsonLd(panorama, gallery, prefixer(this));
  });
  eleventyConfig.addFilter("rotundaEmbedCode", function (this: unknown, panorama: PanoramaRecord, gallery: Gallery) {
    return embedCode(panorama, gallery, prefixer(this));
  });
  eleventyConfig.addFilter("rotundaOembed", function (this: unknown, panorama: PanoramaRecord, gallery: Gallery) {
    return oembedDocument(panorama, gallery, prefixer(this));
  });
  eleventyConfig.addFilter("rotundaSitemap", function (this: unknown, items: CollectionItem[], gallery: Gallery) {
    return sitemapEntries(items, gallery, prefixer(this));
  });
  eleventyConfig.addFilter("rotundaFeedEntries", (panoramas: PanoramaRecord[]) => feedEntries(panoramas));
  eleventyConfig.addFilter("rotundaFeedDate", feedDate);
  eleventyConfig.addFilter("rotundaFeedContent", function (this: unknown, panorama: PanoramaRecord) {
    return feedContent(panorama, prefixer(this));
  });
  eleventyConfig.addFilter("dateToRfc3339", dateToRfc3339);
  eleventyConfig.addFilter("htmlToAbsoluteUrls", async (html: string, base: string) => (html ? convertHtmlToAbsoluteUrls(html, base, { closingSingleTag: "slash" }) : ""));
}
