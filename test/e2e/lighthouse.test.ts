// Lighthouse on the gallery's pages: the home page, an album, a tag, a place, its
// side-by-side dates, the map and a panorama page (with its timeline, tour hotspot
// and mini-map) reach accessibility, best practices and SEO of 95 or more
// (performance is the reader benchmark's). The demo gallery, with two of its
// pictures made the same place on two dates, a tour link between them, and
// positions published, its map's tiles from a local tile server.
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { buildOnce } from "../support/build.ts";
import { ROOT } from "../support/cli.ts";
import { assertScores, runLighthouse } from "../support/lighthouse.ts";
import { writeTags } from "../support/pictures.ts";
import { serveStatic, type StaticServer } from "../support/static-server.ts";
import { serveTiles, type TileServer } from "../support/tiles.ts";

let work: string;
let server: StaticServer;
let tiles: TileServer;

/** Adds front matter keys to a demo sidecar. */
async function addKeys(file: string, keys: string): Promise<void> {
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace(/^---\n/, `---\n${keys}`));
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-lighthouse-site-"));
  const content = path.join(work, "content");
  await cp(path.join(ROOT, "content"), content, { recursive: true });
  const pictures = path.join(content, "pictures");
  await addKeys(path.join(pictures, "summit.md"), "place: Summit\ndate: 2026-06-01T08:00:00+02:00\nlinks:\n  - { to: ridge-partial, yaw: 40, pitch: -5, label: Along the ridge }\n");
  await addKeys(path.join(pictures, "summit-looking-back.md"), "place: Summit\ndate: 2026-06-08T08:00:00+02:00\n");
  await writeTags(path.join(pictures, "summit.jpg"), { GPSLatitude: 46.5547, GPSLongitude: 7.9808 });
  await writeTags(path.join(pictures, "ridge-partial.jpg"), { GPSLatitude: 46.5561, GPSLongitude: 7.9791 });
  tiles = await serveTiles();
  const report = await buildOnce(content, path.join(work, "dist"), {
    title: "Rotunda demo gallery",
    process: { publishGps: true },
    map: { tiles: tiles.template, attribution: "Test tiles" },
  });
  assert.deepEqual(report.process.failed, []);
  server = await serveStatic(path.join(work, "dist"));
});

after(async () => {
  await server?.close();
  await tiles?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

for (const page of ["/", "/albums/pictures/", "/tags/summit/", "/places/summit/", "/places/summit/compare/", "/map/", "/summit/"]) {
  test(`${page}: accessibility, best practices and SEO at least 95`, async () => {
    const html = await (await fetch(server.url + page)).text();
    if (page === "/summit/") assert.match(html, /class="timeline/, "the panorama page shows its place's timeline");
    if (page === "/map/") assert.match(html, /href="\/summit\/"/, "the map lists the pictures with a position");
    const report = await runLighthouse(server.url + page, { categories: ["accessibility", "best-practices", "seo"] });
    assertScores(report, { accessibility: 0.95, "best-practices": 0.95, seo: 0.95 });
  });
}
