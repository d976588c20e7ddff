// A serve render after a caption edit renders only the pages whose data changed,
// and the site is still whole: every panorama's embed page and oEmbed document,
// every bundle, and a sitemap that lists the pages left as they were.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { buildSite, type BuildMemory } from "../../src/build/index.ts";
import { parseConfig } from "../../src/config.ts";
import { findBrokenLinks } from "../../src/deploy/check.ts";
import { OutputFolder } from "../../src/output/index.ts";
import { servedGallery, type ServedGallery } from "../support/build.ts";

const BASE = "https://pano.example.org/";
const CONFIG = parseConfig({ baseUrl: BASE, precompress: false, process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } });
const SLUGS = ["hall", "gate", "bay"];

let gallery: string;
let output: OutputFolder;
let memory: BuildMemory;

async function siteFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !path.relative(dir, e.parentPath).startsWith(".rotunda"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

let served: ServedGallery;

before(async () => {
  served = await servedGallery("rotunda-incremental-site-");
  ({ gallery, output, memory } = served);
});

after(() => served?.close());

test("a caption edit in serve renders its page alone and leaves the site whole", async () => {
  const first = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
  await writeFile(path.join(gallery, "hall.md"), "---\ntitle: Hall\n---\nSecond caption.\n");
  memory.process.note([path.join(gallery, "hall.md")]);
  const second = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
  assert.ok(second.render!.pages < first.render!.pages, `${second.render!.pages} pages rendered again of ${first.render!.pages}`);
  assert.match(await readFile(path.join(output.dir, "hall/index.html"), "utf8"), /Second caption\./);

  const files = await siteFiles(output.dir);
  for (const slug of SLUGS) {
    for (const file of [`${slug}/index.html`, `${slug}/embed/index.html`, `${slug}/oembed.json`]) assert.ok(files.includes(file), file);
  }
  assert.deepEqual(await findBrokenLinks(output.dir, files), []);
  const sitemap = await readFile(path.join(output.dir, "sitemap.xml"), "utf8");
  for (const url of ["", "hall/", "gate/", "bay/", "albums/", "albums/yard/"]) assert.ok(sitemap.includes(`<loc>${BASE}${url}</loc>`), `sitemap: ${BASE}${url}`);
});

test("a site with its own eleventy.config.ts renders incrementally too, and in full when its pages' front matter or data change", async () => {
  const site = await servedGallery("rotunda-incremental-config-");
  try {
    // What `rotunda init` writes, importing Rotunda from this checkout.
    const config = path.join(site.work, "eleventy.config.ts");
    const entry = new URL("../../src/render/eleventy.ts", import.meta.url).href;
    await writeFile(config, `import rotunda from ${JSON.stringify(entry)};\nexport { config } from ${JSON.stringify(entry)};\nexport default function (eleventyConfig) {\n  eleventyConfig.addPlugin(rotunda);\n}\n`);
    await writeFile(path.join(site.gallery, "about.md"), "---\ntitle: About\n---\nWho we are.\n");
    const build = async () => (await buildSite({ inputDir: site.gallery, output: site.output, config: CONFIG, mode: "serve", memory: site.memory, eleventyConfig: config })).render!.pages;
    const edit = async (file: string, text: string) => {
      await writeFile(path.join(site.gallery, file), text);
      site.memory.process.note([path.join(site.gallery, file)]);
    };
    const all = await build();

    await edit("hall.md", "---\ntitle: Hall\n---\nSecond caption.\n");
    const afterCaption = await build();
    assert.ok(afterCaption < all, `a caption edit rendered ${afterCaption} of ${all} pages`);
    assert.match(await readFile(path.join(site.output.dir, "hall/index.html"), "utf8"), /Second caption\./);

    await edit("about.md", "---\ntitle: About\n---\nWho we are, and where.\n");
    const afterBody = await build();
    assert.ok(afterBody < all, `an edit of a page's body rendered ${afterBody} of ${all} pages`);
    assert.match(await readFile(path.join(site.output.dir, "about/index.html"), "utf8"), /where\./);

    await edit("about.md", "---\ntitle: About us\n---\nWho we are, and where.\n");
    assert.equal(await build(), all, "a page's front matter is what a layout may list on every page: all are rendered");

    await mkdir(path.join(site.gallery, "_data"));
    await writeFile(path.join(site.gallery, "_data", "company.json"), '{ "name": "Acme" }\n');
    assert.equal(await build(), all, "the data folder is every page's: all are rendered");
    assert.deepEqual(await findBrokenLinks(site.output.dir, await siteFiles(site.output.dir)), []);
  } finally {
    await site.close();
  }
});
