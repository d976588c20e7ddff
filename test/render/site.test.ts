// A site of the publisher's own, built in this process: pages of their own in the
// content folder (and the sidecars that are not pages), the panorama shortcode,
// replaced templates, and what feed readers and search engines read — the Atom
// feed, the sitemap, robots.txt, meta tags, JSON-LD — plus embeds, oEmbed and the
// precompressed siblings. XML is parsed by Chromium's own (strict) XML parser.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { NO_BASE_URL, RenderError } from "../../src/build/index.ts";
import { whyNotDeployable } from "../../src/deploy/check.ts";
import { listSiteFiles } from "../../src/deploy/index.ts";
import { readManifest } from "../../src/manifest.ts";
import { launchBrowser } from "../support/browser.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect } from "../support/pictures.ts";
import { serveStatic, type StaticServer } from "../support/static-server.ts";

const BASE = "https://pano.example.org/";
/** A caption that would end the JSON-LD script and add markup, were it not escaped. */
const HOSTILE = 'Lobby at dawn </script><img id="injected" src="x" onerror="window.pwned=1"><!-- & "quotes"';
/** Small and quick: one quality, no tiles; the social card stays (og:image). */
const PROCESS = { qualities: [85], sizes: [256], tiles: false };

let work: string;
let browser: Browser;

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !path.relative(dir, e.parentPath).startsWith(".rotunda"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/** A gallery of two pictures, a draft, a file that is no picture, and the publisher's own pages. */
async function makeGallery(dir: string, extra: Record<string, string> = {}): Promise<void> {
  await mkdir(path.join(dir, "yard"), { recursive: true });
  await makeEquirect(path.join(dir, "lobby.jpg"), 512, 256, 3);
  await put(path.join(dir, "lobby.md"), `---\ntitle: Lobby\ndate: 2026-05-02T08:00:00+02:00\ncredit: Photo by the site team\nlicense: CC BY 4.0\n---\n${HOSTILE}\n\nSecond paragraph.\n`);
  await makeEquirect(path.join(dir, "yard", "yard.jpg"), 512, 256, 4);
  await put(path.join(dir, "yard", "yard.md"), "---\ntitle: Yard\ndate: 2026-04-01T10:00:00Z\n---\nThe yard.\n");
  await makeEquirect(path.join(dir, "draft.jpg"), 512, 256, 5);
  await put(path.join(dir, "draft.md"), "---\ndraft: true\n---\n# Not a page\n");
  await put(path.join(dir, "unreadable.jpg"), "not a picture");
  await put(path.join(dir, "unreadable.md"), "# Not a page either\n");
  await put(path.join(dir, "yard", "_album.md"), "# An album's text, not a page\n");
  await put(path.join(dir, "about.md"), "---\ntitle: About us\ndescription: Who takes these.\n---\nWe shoot <em class=\"raw\">rounds</em> daily.\n\n<aside id=\"raw-html\">Raw HTML stays.</aside>\n");
  await put(path.join(dir, "news", "2026-06-opening.md"), "---\ntitle: Opening\n---\nThe plant opens.\n");
  await put(
    path.join(dir, "post.md"),
    [
      "---", "title: Two rooms", "---", "Two panoramas, far apart.", "",
      '{% panorama "lobby" %}', "",
      '<div style="height: 150vh"></div>', "",
      '{% panorama "yard", { yaw: 90, pitch: -10, hfov: 80, height: "40vh" } %}', "",
    ].join("\n"),
  );
  for (const [rel, text] of Object.entries(extra)) await put(path.join(dir, rel), text);
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-site-"));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The document's structure as Chromium's XML parser sees it, or its parse error. */
async function parseXml(page: Page, xml: string): Promise<{ error?: string; root?: string; namespace?: string | null }> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const error = doc.querySelector("parsererror");
    return error ? { error: error.textContent ?? "parse error" } : { root: doc.documentElement.localName, namespace: doc.documentElement.namespaceURI };
  }, xml);
}

describe("a site with a baseUrl", () => {
  let gallery: string;
  let dist: string;
  let server: StaticServer;
  let page: Page;
  let warnings: string[];

  before(async () => {
    gallery = path.join(work, "with-base");
    dist = path.join(work, "with-base-dist");
    await makeGallery(gallery);
    const report = await buildOnce(gallery, dist, { title: "Plant 3", description: "Daily rounds.", baseUrl: BASE, process: PROCESS });
    warnings = report.render!.warnings;
    server = await serveStatic(dist);
    page = await browser.newPage();
    await page.goto(`${server.url}/404.html`);
  });
  after(async () => {
    await page?.close();
    await server?.close();
  });

  test("the publisher's pages are at their paths, with raw HTML; no sidecar or _album.md is a page", async () => {
    const all = await files(dist);
    for (const p of ["about/index.html", "news/2026-06-opening/index.html", "post/index.html", "lobby/index.html", "yard/index.html"]) assert.ok(all.includes(p), p);
    for (const notAPage of ["draft/", "unreadable/", "yard/yard/", "yard/_album/", "_album/"]) {
      assert.ok(!all.some((f) => f.startsWith(notAPage)), `${notAPage} is no page`);
    }
    const about = await readFile(path.join(dist, "about/index.html"), "utf8");
    assert.match(about, /<h1>About us<\/h1>/);
    assert.match(about, /<aside id="raw-html">Raw HTML stays\.<\/aside>/);
    assert.match(about, /<em class="raw">rounds<\/em>/);
    assert.match(about, /<title>About us · Plant 3<\/title>/);
    const lobby = await readFile(path.join(dist, "lobby/index.html"), "utf8");
    assert.match(lobby, /<div class="caption"><p>Lobby at dawn &lt;\/script&gt;&lt;img/, "a sidecar's caption stays plain text");
    assert.deepEqual(warnings, []);
  });

  test("a post with two shortcodes: two thumbnails, links to their pages, the settings given", async () => {
    const post = await readFile(path.join(dist, "post/index.html"), "utf8");
    const manifest = await readManifest(dist);
    const figures = [...post.matchAll(/<figure class="rotunda-panorama"[\s\S]*?<\/figure>/g)].map((m) => m[0]);
    assert.equal(figures.length, 2);
    for (const [i, slug] of ["lobby", "yard"].entries()) {
      const panorama = manifest.panoramas.find((p) => p.slug === slug)!;
      assert.ok(figures[i]!.includes(`src="${panorama.thumbnail.url}"`), `${slug}'s thumbnail`);
      assert.ok(figures[i]!.includes(`href="/${slug}/"`), `a link to ${slug}'s page`);
    }
    const data = JSON.parse(/data-rotunda-viewer-data>([^<]*)</.exec(figures[1]!)![1]!) as { viewer: { yaw: number; pitch: number; hfov: number } };
    assert.deepEqual([data.viewer.yaw, data.viewer.pitch, data.viewer.hfov], [90, -10, 80]);
    assert.match(figures[1]!, /--rotunda-panorama-height: 40vh/);
  });

  test("the feed parses as Atom, with an entry per newest panorama, newest first, absolute links and thumbnails", async () => {
    const xml = await readFile(path.join(dist, "feed.xml"), "utf8");
    assert.deepEqual(await parseXml(page, xml), { root: "feed", namespace: "http://www.w3.org/2005/Atom" });
    const entries = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, "application/xml");
      return [...doc.getElementsByTagName("entry")].map((e) => ({
        title: e.getElementsByTagName("title")[0]?.textContent,
        link: e.getElementsByTagName("link")[0]?.getAttribute("href"),
        updated: e.getElementsByTagName("updated")[0]?.textContent,
        content: e.getElementsByTagName("content")[0]?.textContent,
      }));
    }, xml);
    assert.deepEqual(entries.map((e) => [e.title, e.link, e.updated]), [
      ["Lobby", `${BASE}lobby/`, "2026-05-02T06:00:00Z"],
      ["Yard", `${BASE}yard/`, "2026-04-01T10:00:00Z"],
    ]);
    const manifest = await readManifest(dist);
    assert.ok(entries[0]!.content!.includes(`<img src="${BASE}${manifest.panoramas[0]!.thumbnail.url.slice(1)}"`), entries[0]!.content!);
    assert.ok(entries[0]!.content!.includes("&lt;/script&gt;"), "the caption is text inside the entry's HTML");
    const home = await readFile(path.join(dist, "index.html"), "utf8");
    assert.match(home, new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="Plant 3" href="/feed.xml">`));
  });

  test("each album has its own feed: its pictures only, with the album's page as its link, found from the album's page", async () => {
    const xml = await readFile(path.join(dist, "albums/yard/feed.xml"), "utf8");
    assert.deepEqual(await parseXml(page, xml), { root: "feed", namespace: "http://www.w3.org/2005/Atom" });
    const feed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, "application/xml");
      return {
        self: doc.querySelector("feed > link[rel=self]")?.getAttribute("href"),
        alternate: doc.querySelector("feed > link[rel=alternate]")?.getAttribute("href"),
        entries: [...doc.getElementsByTagName("entry")].map((e) => e.getElementsByTagName("link")[0]?.getAttribute("href")),
      };
    }, xml);
    assert.deepEqual(feed, { self: `${BASE}albums/yard/feed.xml`, alternate: `${BASE}albums/yard/`, entries: [`${BASE}yard/`] });
    const album = await readFile(path.join(dist, "albums/yard/index.html"), "utf8");
    assert.match(album, /<link rel="alternate" type="application\/atom\+xml" title="[^"]*" href="\/albums\/yard\/feed\.xml">/);
  });

  test("the sitemap parses and lists every HTML page but the 404, embeds and noindex pages, with each panorama's picture", async () => {
    const xml = await readFile(path.join(dist, "sitemap.xml"), "utf8");
    assert.deepEqual(await parseXml(page, xml), { root: "urlset", namespace: "http://www.sitemaps.org/schemas/sitemap/0.9" });
    const urls = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, "application/xml");
      const IMAGE = "http://www.google.com/schemas/sitemap-image/1.1";
      return [...doc.getElementsByTagName("url")].map((u) => ({
        loc: u.getElementsByTagName("loc")[0]!.textContent!,
        images: [...u.getElementsByTagNameNS(IMAGE, "loc")].map((l) => l.textContent),
      }));
    }, xml);
    const pages = (await files(dist)).filter((f) => f.endsWith(".html"));
    const expected = [];
    for (const file of pages) {
      if (file === "404.html" || file.includes("/embed/")) continue;
      if ((await readFile(path.join(dist, file), "utf8")).includes('<meta name="robots" content="noindex">')) continue;
      expected.push(BASE + file.replace(/(^|\/)index\.html$/, "$1"));
    }
    assert.equal(expected.length, 11, `home, about, news, post, the two panoramas, the albums, the yard's album, the dates and their two months: ${expected.join(" ")}`);
    assert.deepEqual(urls.map((u) => u.loc).sort(), expected.sort());
    const manifest = await readManifest(dist);
    const lobby = manifest.panoramas.find((p) => p.slug === "lobby")!;
    assert.deepEqual(urls.find((u) => u.loc === `${BASE}lobby/`)!.images, [BASE + lobby.variants[0]!.url.slice(1)]);
    const robots = await readFile(path.join(dist, "robots.txt"), "utf8");
    assert.match(robots, /^User-agent: \*$/m);
    assert.match(robots, new RegExp(`^Sitemap: ${BASE}sitemap\\.xml$`, "m"));
  });

  test("every page has its canonical link, Open Graph and Twitter tags; a panorama page its picture", async () => {
    for (const file of ["index.html", "about/index.html", "post/index.html", "lobby/index.html", "news/2026-06-opening/index.html"]) {
      const html = await readFile(path.join(dist, file), "utf8");
      const url = BASE + file.replace(/(^|\/)index\.html$/, "$1");
      assert.ok(html.includes(`<link rel="canonical" href="${url}">`), `${file}: canonical`);
      assert.ok(html.includes(`<meta property="og:url" content="${url}">`), `${file}: og:url`);
      assert.match(html, /<meta property="og:title" content="[^"]+">/, `${file}: og:title`);
      assert.match(html, /<meta name="twitter:card" content="summary_large_image">/, `${file}: twitter:card`);
      assert.match(html, new RegExp(`<meta property="og:image" content="${BASE}media/[^"]+/card-[^"]+\\.jpg">`), `${file}: og:image`);
    }
    const embed = await readFile(path.join(dist, "lobby/embed/index.html"), "utf8");
    assert.ok(embed.includes(`<link rel="canonical" href="${BASE}lobby/">`), "an embed names its full page");
    assert.match(embed, /<meta name="robots" content="noindex">/);
    assert.doesNotMatch(await readFile(path.join(dist, "404.html"), "utf8"), /rel="canonical"/);
  });

  test("a panorama page carries the site stylesheet in its head, the bundle's own text; every other page links the bundle", async () => {
    const home = await readFile(path.join(dist, "index.html"), "utf8");
    const href = /<link rel="stylesheet" href="(\/assets\/site-[0-9a-f]+\.css)">/.exec(home)?.[1];
    assert.ok(href, "the home page links the site stylesheet");
    const css = (await readFile(path.join(dist, href))).toString("utf8").trim();
    for (const slug of ["lobby", "yard"]) {
      const html = await readFile(path.join(dist, slug, "index.html"), "utf8");
      const head = html.slice(0, html.indexOf("</head>"));
      assert.ok(head.includes(`<style>${css}</style>`), `${slug}: the stylesheet inlined in the head`);
      assert.doesNotMatch(html, /assets\/site-[0-9a-f]+\.css/, `${slug}: and not linked as well`);
      assert.deepEqual([...head.matchAll(/<link rel="stylesheet"/g)], [], `${slug}: no stylesheet the first paint waits for`);
    }
    for (const file of ["about/index.html", "albums/index.html", "404.html"]) {
      assert.ok((await readFile(path.join(dist, file), "utf8")).includes(`<link rel="stylesheet" href="${href}">`), file);
    }
  });

  test("JSON-LD: a Photograph with its fields, that a caption with </script> cannot break out of", async () => {
    const manifest = await readManifest(dist);
    const lobby = manifest.panoramas.find((p) => p.slug === "lobby")!;
    for (const panorama of manifest.panoramas) {
      const html = await readFile(path.join(dist, panorama.slug, "index.html"), "utf8");
      const blocks = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
      assert.equal(blocks.length, 1, `${panorama.slug}: one block`);
      const data = blocks[0]!;
      assert.deepEqual(data["@type"], ["Photograph", "ImageObject"]);
      for (const field of ["name", "dateCreated", "thumbnailUrl", "contentUrl", "width", "height", "url"]) assert.ok(field in data, `${panorama.slug}: ${field}`);
      assert.equal(data.contentUrl, BASE + panorama.variants[0]!.url.slice(1));
      assert.equal(data.width, panorama.variants[0]!.width);
      assert.ok(!("contentLocation" in data), "no location without publishGps");
    }
    await page.goto(`${server.url}/lobby/`);
    const inPage = await page.evaluate(() => ({
      blocks: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => JSON.parse(s.textContent!)),
      injected: document.getElementById("injected") !== null,
      pwned: (window as unknown as { pwned?: number }).pwned,
    }));
    assert.equal(inPage.injected, false, "the caption added no element");
    assert.equal(inPage.pwned, undefined);
    assert.equal(inPage.blocks.length, 1);
    assert.equal(inPage.blocks[0].description, HOSTILE, "the caption arrives whole, as text");
    assert.equal(inPage.blocks[0].creditText, lobby.credit);
    assert.deepEqual(inPage.blocks[0].license, { "@type": "CreativeWork", name: "CC BY 4.0" });
  });

  test("embeds: a viewer-only page, an oEmbed document found from the panorama page, the iframe code to copy", async () => {
    const lobby = await readFile(path.join(dist, "lobby/index.html"), "utf8");
    assert.ok(lobby.includes(`<link rel="alternate" type="application/json+oembed" href="${BASE}lobby/oembed.json" title="Lobby">`));
    const oembed = JSON.parse(await readFile(path.join(dist, "lobby/oembed.json"), "utf8")) as Record<string, unknown>;
    assert.equal(oembed.version, "1.0");
    assert.equal(oembed.type, "rich");
    assert.equal(oembed.provider_url, BASE);
    assert.match(String(oembed.html), new RegExp(`^<iframe src="${BASE}lobby/embed/" title="360° view: Lobby"`));
    const embed = await readFile(path.join(dist, "lobby/embed/index.html"), "utf8");
    assert.match(embed, /<figure class="rotunda-panorama rotunda-panorama--embed"/);
    assert.match(embed, /<a href="\/lobby\/" target="_blank" rel="noopener">Lobby<\/a>/, "a link back to the full page");
    assert.doesNotMatch(embed, /class="site-header"/, "the viewer alone");
    await page.goto(`${server.url}/lobby/`);
    await page.locator("details.embed-code summary").click();
    const area = page.getByLabel("HTML for another page");
    assert.equal(await area.inputValue(), oembed.html);
    const copy = page.getByRole("button", { name: "Copy the embed code" });
    assert.equal(await copy.isVisible(), true);
  });

  test("every .br and .gz beside a text file decompresses to it; deploy lists neither and finds the site whole", async () => {
    const all = await files(dist);
    const compressed = all.filter((f) => /\.(br|gz)$/.test(f));
    for (const kind of ["index.html", "feed.xml", "sitemap.xml", "lobby/oembed.json"]) {
      assert.ok(compressed.includes(`${kind}.br`) && compressed.includes(`${kind}.gz`), `${kind} has both`);
    }
    assert.ok(compressed.some((f) => /^assets\/panoramas-[0-9a-f]+\.js\.br$/.test(f)), "bundles too");
    assert.ok(!compressed.some((f) => f.startsWith("media/")), "not the pictures");
    for (const file of compressed) {
      const original = await readFile(path.join(dist, file.slice(0, -3)));
      const packed = await readFile(path.join(dist, file));
      const unpacked = file.endsWith(".br") ? brotliDecompressSync(packed) : gunzipSync(packed);
      assert.ok(unpacked.equals(original), `${file} is ${file.slice(0, -3)}`);
      assert.ok(packed.length < original.length, `${file} is smaller`);
    }
    const listed = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.ok(!listed.some((f) => /\.(br|gz)$/.test(f)), "deploy uploads no sibling");
    assert.equal(await whyNotDeployable(dist, listed), undefined);
    assert.doesNotMatch(await readFile(path.join(dist, "_headers"), "utf8"), /\.br|\.gz/);
  });

  test("a rebuild keeps the siblings right; precompress: false removes them", async () => {
    await put(path.join(gallery, "about.md"), "---\ntitle: About us\n---\nChanged.\n");
    await buildOnce(gallery, dist, { title: "Plant 3", baseUrl: BASE, process: PROCESS });
    const about = await readFile(path.join(dist, "about/index.html"));
    assert.ok(brotliDecompressSync(await readFile(path.join(dist, "about/index.html.br"))).equals(about), "the changed page's sibling is new");
    const index = await readFile(path.join(dist, "index.html"));
    assert.ok(gunzipSync(await readFile(path.join(dist, "index.html.gz"))).equals(index));
    await buildOnce(gallery, dist, { title: "Plant 3", baseUrl: BASE, process: PROCESS, precompress: false });
    assert.deepEqual((await files(dist)).filter((f) => /\.(br|gz)$/.test(f)), []);
  });
});

describe("sidecars are never pages", () => {
  test("not even when their names read as globs: parentheses, braces, brackets, stars", async () => {
    const gallery = path.join(work, "glob-names");
    const dist = path.join(work, "glob-names-dist");
    await mkdir(gallery, { recursive: true });
    const names = ["lobby (1)", "{hall,yard}", "[x] stair", "a*b"];
    for (const [i, name] of names.entries()) {
      await makeEquirect(path.join(gallery, `${name}.jpg`), 256, 128, 10 + i);
      await put(path.join(gallery, `${name}.md`), `---\ntitle: ${JSON.stringify(name)}\n---\nA caption.\n`);
    }
    const report = await buildOnce(gallery, dist, { process: { ...PROCESS, socialCard: false } });
    assert.equal(report.process.manifest.panoramas.length, 4);
    const folders = (await readdir(dist, { withFileTypes: true })).filter((e) => e.isDirectory() && !["assets", "media", ".rotunda"].includes(e.name)).map((e) => e.name);
    assert.deepEqual(folders.sort(), report.process.manifest.panoramas.map((p) => p.slug).sort(), "a folder per panorama, none from a sidecar");
  });
});

describe("a site without a baseUrl", () => {
  test("no feed, sitemap or oEmbed, no absolute links; robots.txt without a sitemap; one warning", async () => {
    const gallery = path.join(work, "no-base");
    const dist = path.join(work, "no-base-dist");
    await makeGallery(gallery);
    const report = await buildOnce(gallery, dist, { process: PROCESS });
    assert.deepEqual(report.render!.warnings, [NO_BASE_URL]);
    const all = await files(dist);
    for (const absent of ["feed.xml", "sitemap.xml", "lobby/oembed.json"]) assert.ok(!all.includes(absent), absent);
    for (const present of ["robots.txt", "lobby/embed/index.html", "about/index.html"]) assert.ok(all.includes(present), present);
    assert.doesNotMatch(await readFile(path.join(dist, "robots.txt"), "utf8"), /Sitemap/);
    for (const file of all.filter((f) => f.endsWith(".html"))) {
      const html = await readFile(path.join(dist, file), "utf8");
      assert.doesNotMatch(html, /rel="canonical"|og:url|og:image|application\/json\+oembed|application\/atom\+xml|https?:\/\/[^"]*\/media\//, file);
    }
    const lobby = await readFile(path.join(dist, "lobby/index.html"), "utf8");
    const jsonLd = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(lobby)![1]!) as { contentUrl: string };
    assert.match(jsonLd.contentUrl, /^\/media\//, "site-absolute URLs where either kind works");
  });
});

describe("mistakes in pages and templates", () => {
  test("a shortcode naming no panorama fails the build, naming the page and the slug", async () => {
    const gallery = path.join(work, "unknown-slug");
    await makeGallery(gallery, { "news/typo.md": "---\ntitle: Typo\n---\n{% panorama \"lobyy\" %}\n" });
    await assert.rejects(buildOnce(gallery, path.join(work, "unknown-slug-dist"), { process: PROCESS }), (error: Error) => {
      assert.ok(error instanceof RenderError);
      assert.match(error.message, /news\/typo\.md: \{% panorama "lobyy" %\}: no panorama has this slug \(the gallery has lobby, yard\)/);
      return true;
    });
  });

  test("a shortcode's unknown setting is named with the page", async () => {
    const gallery = path.join(work, "bad-setting");
    await makeGallery(gallery, { "bad.md": "{% panorama \"lobby\", { yaww: 3 } %}\n" });
    await assert.rejects(buildOnce(gallery, path.join(work, "bad-setting-dist"), { process: PROCESS }), /bad\.md: \{% panorama "lobby" %\}: unknown setting "yaww"/);
  });

  test("the site's templates replace Rotunda's by name; a typo in one names the file and line", async () => {
    const gallery = path.join(work, "overrides");
    const layouts = path.join(work, "overrides-layouts");
    const dist = path.join(work, "overrides-dist");
    await makeGallery(gallery);
    await put(path.join(layouts, "panorama.njk"), '{% extends "rotunda/panorama.njk" %}\n{% block main %}<p id="site-panorama">{{ panorama.title }}, our way</p>{{ super() }}{% endblock %}\n');
    await put(path.join(layouts, "_includes", "header.njk"), '<header id="site-header">{{ rotunda.gallery.title }}</header>\n');
    await buildOnce(gallery, dist, { title: "Ours", process: PROCESS }, { layoutsDir: layouts });
    const lobby = await readFile(path.join(dist, "lobby/index.html"), "utf8");
    assert.match(lobby, /<p id="site-panorama">Lobby, our way<\/p>/);
    assert.match(lobby, /<div id="viewer"/, "Rotunda's block kept through super()");
    assert.match(lobby.slice(0, lobby.indexOf("</head>")), /<style>[^<]+<\/style>/, "and the site stylesheet inlined in its head");
    for (const file of ["index.html", "about/index.html", "lobby/index.html", "404.html"]) {
      assert.match(await readFile(path.join(dist, file), "utf8"), /<header id="site-header">Ours<\/header>/, file);
    }
    await stat(path.join(dist, "yard/index.html"));

    await put(path.join(layouts, "_includes", "header.njk"), '<header>\n  {{ rotunda.gallery.title | rotundaTitle }}\n</header>\n');
    await assert.rejects(buildOnce(gallery, dist, { process: PROCESS }, { layoutsDir: layouts }), (error: Error) => {
      assert.ok(error instanceof RenderError);
      assert.match(error.message, /overrides-layouts\/_includes\/header\.njk:2:\d+: unknown filter "rotundaTitle"/);
      return true;
    });
    await put(path.join(layouts, "_includes", "header.njk"), "<header>\n{% if rotunda %}\n{% endfi %}\n</header>\n");
    await assert.rejects(buildOnce(gallery, dist, { process: PROCESS }, { layoutsDir: layouts }), /overrides-layouts\/_includes\/header\.njk:3:\d+: .*endfi/);
    assert.match(await readFile(path.join(dist, "lobby/index.html"), "utf8"), /id="site-panorama"/, "the published pages stay as they were");
  });
});
