// A serve render after a caption edit renders only the pages whose data changed,
// and the site is still whole: every panorama's embed page and oEmbed document,
// every bundle, and a sitemap that lists the pages left as they were.
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
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
