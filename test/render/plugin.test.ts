// The Rotunda plugin in an Eleventy site of its own (one template, no layouts of
// Rotunda's): the gallery's data, the filters under their template names, and the
// site's pathPrefix on the viewer's URLs, which sit in a JSON blob that Eleventy's
// own URL handling never reaches.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Eleventy from "@11ty/eleventy";
import { validateManifest, writeManifest, type ManifestInput } from "../../src/manifest.ts";
import { SITE_HANDOFF, type SiteHandoff } from "../../src/render/handoff.ts";
import rotundaPlugin from "../../src/render/plugin.ts";
import { ROOT } from "../support/cli.ts";
import { completeRecord, sampleRecord } from "../support/manifest.ts";

const TEMPLATE = `---
pagination:
  data: rotunda.panoramas
  size: 1
  alias: panorama
permalink: "/{{ panorama.slug }}/index.html"
---
<script type="application/json" id="view">{{ panorama | rotundaViewerData("view") | safe }}</script>
<script type="application/json" id="compare">{{ panorama | rotundaViewerData("compare") | safe }}</script>
<a id="thumbnail" href="{{ panorama.thumbnail.url | url }}">{{ panorama.variants[0].bytes | rotundaBytes }}</a>
<time>{{ panorama.captureDate | rotundaDate }}</time>
<div id="caption">{{ panorama.caption | rotundaParagraphs | safe }}</div>
<meta id="card" content="{{ panorama.socialCard.url | url | rotundaAbsoluteUrl(rotunda.gallery.baseUrl) if panorama.socialCard }}">
<p id="comparable">{{ rotunda.comparable | length }}</p>
`;

interface ViewerJson {
  variants: Array<{ url: string }>;
  preview: string;
  initial?: string;
  multiRes?: { basePath: string; path: string };
}

let work: string;
let input: string;
const tiled = { ...completeRecord("lobby"), caption: "<b>bold</b> & brave\n\nsecond" };
const manifest: ManifestInput = {
  version: 1,
  generator: "rotunda",
  gallery: { title: "Plugin test", baseUrl: "https://example.com/" },
  // A ladder of one step has nothing to compare.
  panoramas: [tiled, sampleRecord("roof"), { ...sampleRecord("hall"), ladder: sampleRecord().variants }],
  pages: [],
  failures: [],
};

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-plugin-"));
  input = path.join(work, "site");
  await mkdir(input);
  await writeFile(path.join(input, "panorama.njk"), TEMPLATE);
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The pages of the one-template site built with `pathPrefix`, by file (relative to its output folder). */
async function render(pathPrefix?: string): Promise<Map<string, string>> {
  const output = await mkdtemp(path.join(work, "out-"));
  await writeManifest(output, manifest);
  // Relative to the working directory: an absolute input breaks Eleventy's permalinks.
  const eleventy = new Eleventy(path.relative(process.cwd(), input), output, {
    configPath: false,
    quietMode: true,
    ...(pathPrefix ? { pathPrefix } : {}),
    config: (c) => c.addPlugin(rotundaPlugin),
  });
  await eleventy.write();
  const pages = new Map<string, string>();
  for (const file of await readdir(output, { recursive: true })) {
    if (file.endsWith(".html")) pages.set(file, await readFile(path.join(output, file), "utf8"));
  }
  return pages;
}

const element = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
const cardUrl = (html: string) => /id="card" content="([^"]*)"/.exec(html)?.[1];
const viewerJson = (html: string, id: "view" | "compare") => JSON.parse(element(html, id)!) as ViewerJson;
const urlsOf = (data: ViewerJson) => [...data.variants.map((v) => v.url), data.preview, data.initial, data.multiRes?.basePath].filter((u) => u !== undefined);

describe("the Rotunda plugin", () => {
  let plain: Map<string, string>;
  let prefixed: Map<string, string>;
  before(async () => {
    [plain, prefixed] = [await render(), await render("/gallery/")];
  });

  test("one page per panorama of the manifest, with the panoramas that have a ladder to compare", () => {
    assert.deepEqual([...plain.keys()].sort(), ["hall/index.html", "lobby/index.html", "roof/index.html"]);
    assert.equal(element(plain.get("lobby/index.html")!, "comparable"), "1", "only the panorama with more than one ladder step");
  });

  test("the filters under their template names: sizes, dates, escaped captions", () => {
    const page = plain.get("lobby/index.html")!;
    assert.equal(element(page, "thumbnail"), "9.0 MB");
    assert.match(page, /<time>1 November 2026, 09:00 \(UTC\+09:00\)<\/time>/);
    assert.match(page, /<div id="caption"><p>&lt;b&gt;bold&lt;\/b&gt; &amp; brave<\/p>\n<p>second<\/p><\/div>/);
  });

  test("without a pathPrefix the viewer's URLs are the manifest's", () => {
    const view = viewerJson(plain.get("lobby/index.html")!, "view");
    assert.deepEqual(view.variants.map((v) => v.url), tiled.variants.map((v) => v.url));
    assert.equal(view.multiRes?.basePath, tiled.tiles!.basePath);
    assert.equal(cardUrl(plain.get("lobby/index.html")!), `https://example.com${tiled.socialCard!.url}`);
  });

  test("with a pathPrefix every URL the viewer gets is under it: sizes, preview, tiles, ladder, starting step", () => {
    const page = prefixed.get("lobby/index.html")!;
    const view = viewerJson(page, "view");
    const compare = viewerJson(page, "compare");
    assert.deepEqual(view.variants.map((v) => v.url), tiled.variants.map((v) => `/gallery${v.url}`));
    assert.equal(view.preview, `/gallery${tiled.preview.url}`);
    assert.equal(view.multiRes?.basePath, `/gallery${tiled.tiles!.basePath}`);
    assert.equal(view.multiRes?.path, tiled.tiles!.path, "tile paths stay relative to their folder");
    assert.deepEqual(compare.variants.map((v) => v.url), tiled.ladder!.map((v) => `/gallery${v.url}`));
    assert.equal(compare.initial, `/gallery${tiled.ladder![1]!.url}`);
    for (const url of [...urlsOf(view), ...urlsOf(compare)]) assert.ok(url.startsWith("/gallery/media/"), url);
  });

  test("with a pathPrefix the other URLs are under it too, the social card's absolute one included", () => {
    const page = prefixed.get("lobby/index.html")!;
    assert.match(page, new RegExp(`id="thumbnail" href="/gallery${tiled.thumbnail.url}"`));
    assert.equal(cardUrl(page), `https://example.com/gallery${tiled.socialCard!.url}`);
  });
});

describe("an existing Eleventy site that adds the plugin in one line", () => {
  test("renders the panorama shortcode in its Markdown (Liquid) and Nunjucks pages, with the viewer's files beside them", async () => {
    const site = path.join(work, "blog");
    const output = path.join(site, "_site");
    await mkdir(path.join(site, "node_modules"), { recursive: true });
    // The site depends on Rotunda as an installed package would: node_modules/rotunda.
    await symlink(ROOT, path.join(site, "node_modules", "rotunda"));
    await writeFile(path.join(site, "eleventy.config.mjs"), `import { rotundaPlugin } from "rotunda/eleventy";
export default function (eleventyConfig) {
  eleventyConfig.addPlugin(rotundaPlugin);
}
`);
    await writeFile(path.join(site, "index.md"), "# My blog\n\nA room:\n\n{% panorama \"lobby\" %}\n");
    await writeFile(path.join(site, "tour.njk"), '<h1>Tour</h1>\n{% panorama "roof", { yaw: 45, height: "50vh" } %}\n');
    await writeManifest(output, manifest);
    const eleventy = new Eleventy(path.relative(process.cwd(), site), output, { configPath: path.join(site, "eleventy.config.mjs"), quietMode: true });
    await eleventy.write();

    const index = await readFile(path.join(output, "index.html"), "utf8");
    assert.match(index, /<h1>My blog<\/h1>/);
    assert.ok(index.includes(`<img class="rotunda-panorama__poster" src="${tiled.thumbnail.url}"`), "the thumbnail");
    assert.match(index, /<a href="\/lobby\/">Lobby<\/a>/, "a link to the panorama's page");
    const tour = await readFile(path.join(output, "tour", "index.html"), "utf8");
    const data = JSON.parse(/data-rotunda-viewer-data>([^<]*)</.exec(tour)![1]!) as { viewer: { yaw: number } };
    assert.equal(data.viewer.yaw, 45);
    assert.match(tour, /--rotunda-panorama-height: 50vh/);
    for (const url of [...index.matchAll(/(?:src|href|data-viewer-js|data-viewer-css)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!)) {
      await stat(path.join(output, url)).catch(() => assert.fail(`${url} is not in the site's output`));
    }
  });

  test("a slug that no panorama has is an error naming the page", async () => {
    const site = path.join(work, "blog-typo");
    const output = path.join(site, "_site");
    await mkdir(site, { recursive: true });
    await writeFile(path.join(site, "post.njk"), '{% panorama "lobyy" %}\n');
    await writeManifest(output, manifest);
    const eleventy = new Eleventy(path.relative(process.cwd(), site), output, { configPath: false, quietMode: true, config: (c) => c.addPlugin(rotundaPlugin) });
    eleventy.disableLogger();
    await assert.rejects(eleventy.write(), (error: Error) => {
      let messages = "";
      for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
        messages += `${e.message}\n`;
        e = (e as { originalError?: unknown }).originalError ?? e.cause;
      }
      assert.match(messages, /blog-typo\/post\.njk: \{% panorama "lobyy" %\}: no panorama has this slug \(the gallery has lobby, roof, hall\)/);
      return true;
    });
  });
});

describe("the plugin in Rotunda's own render", () => {
  /** The caption the one-template site shows for "hall" when the render's handoff holds `held` for `output`. */
  async function captionShown(output: string, pluginOutputDir: string | undefined, held: ManifestInput): Promise<string | undefined> {
    const site = await mkdtemp(path.join(work, "own-"));
    const eleventy = new Eleventy(path.relative(process.cwd(), input), site, {
      configPath: false,
      quietMode: true,
      config: (c) => {
        (c as unknown as Record<symbol, SiteHandoff>)[SITE_HANDOFF] = { layoutsDir: null, outputDir: output, manifest: validateManifest(held) };
        c.addPlugin(rotundaPlugin, pluginOutputDir ? { outputDir: pluginOutputDir } : {});
      },
    });
    await eleventy.write();
    return /<div id="caption">(.*?)<\/div>/s.exec(await readFile(path.join(site, "hall/index.html"), "utf8"))?.[1];
  }
  const captioned = (caption: string): ManifestInput => ({ ...manifest, panoramas: [{ ...sampleRecord("hall"), caption }] });

  test("uses the manifest the build holds for its output folder (its file may still be being written), and reads another folder's", async () => {
    const output = await mkdtemp(path.join(work, "dist-"));
    await writeManifest(output, captioned("On disk, older."));
    const other = await mkdtemp(path.join(work, "other-"));
    await writeManifest(other, captioned("Another gallery."));
    const held = captioned("Held by the build.");
    assert.equal(await captionShown(output, undefined, held), "<p>Held by the build.</p>");
    assert.equal(await captionShown(output, output, held), "<p>Held by the build.</p>", "named as the render's own folder");
    assert.equal(await captionShown(output, other, held), "<p>Another gallery.</p>");
  });
});
