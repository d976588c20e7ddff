// A gallery built for real (small pictures made here, the one build in-process):
// nested folders with _album.md, tags, a place shot on three dates with the
// camera turned differently each time, explicit and automatic tour links, a
// draft album, and GPS published or not. Each listing holds exactly the right
// pictures in the right order, pagination splits at pageSize with rel links,
// every internal link resolves, and without publishGps no coordinate is anywhere
// in the output.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { findBrokenLinks } from "../../src/deploy/check.ts";
import { listSiteFiles } from "../../src/deploy/local.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";

const BAY = { lat: 35.6812, lng: 139.7671 };
/** 20 m east of the bay. */
const GATE = { lat: 35.6812, lng: 139.767321 };
/** About 300 m north: outside any tour radius. */
const ENTRANCE = { lat: 35.684, lng: 139.7671 };
/** The coordinates as any page or file would print them. */
const COORDINATES = /35\.68[0-9]|139\.76[0-9]/;

let work: string;
let gallery: string;

async function picture(rel: string, seed: number, tags: Record<string, unknown>, sidecar?: string): Promise<void> {
  const file = path.join(gallery, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await makeEquirect(file, 256, 128, seed);
  if (Object.keys(tags).length > 0) await writeTags(file, tags);
  if (sidecar !== undefined) await writeFile(file.replace(/\.jpg$/, ".md"), sidecar);
}

/** Signed degrees: exiftool-vendored writes the N/S and E/W references from the signs. */
const gps = (at: { lat: number; lng: number }) => ({ GPSLatitude: at.lat, GPSLongitude: at.lng });
const heading = (degrees: number) => ({ "XMP-GPano:PoseHeadingDegrees": degrees });

const CONFIG = {
  title: "Plant 3",
  pageSize: 2,
  process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false },
};

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-gallery-site-"));
  gallery = path.join(work, "gallery");
  await mkdir(gallery);
  await picture("entrance.jpg", 1, { ...gps(ENTRANCE), ...heading(0) }, "---\ntitle: Entrance\ntags: [outside]\nlinks:\n  - { to: gate, yaw: 30, pitch: -5, label: Through the gate }\ndate: 2026-05-20T08:00:00+09:00\n---\nWhere visitors sign in.\n");
  const bay = (day: number, north: number) =>
    picture(`Yard/bay-060${day}.jpg`, 10 + day, { ...gps(BAY), ...heading(north) }, `---\ntitle: Loading bay, June ${day}\nplace: Loading bay\ntags: [dock, outside]\ndate: 2026-06-0${day}T08:00:00+09:00\n---\n`);
  await bay(1, 10);
  await bay(2, 40);
  await bay(3, 95);
  await picture("Yard/gate.jpg", 20, { ...gps(GATE), ...heading(0) }, "---\ntitle: Gate\ndate: 2026-05-01T08:00:00+09:00\n---\n");
  await writeFile(path.join(gallery, "Yard", "_album.md"), "---\ntitle: The yard\norder: date-asc\ncover: gate.jpg\n---\nEverything outside.\n");
  await picture("Yard/Night Shift/night.jpg", 30, {}, "---\ntitle: Night\ndate: 2026-04-01T22:00:00+09:00\ntags: [Dock]\n---\n");
  await picture("Drafts/secret.jpg", 40, {}, "---\ntitle: Secret\n---\n");
  await writeFile(path.join(gallery, "Drafts", "_album.md"), "---\ndraft: true\n---\n");
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The hrefs of the picture cards (or album cards) on a page, in order. */
function cards(html: string, list: "pictures" | "albums"): string[] {
  const block = new RegExp(`<ul class="gallery ${list}">([\\s\\S]*?)</ul>`).exec(html)?.[1] ?? "";
  return [...block.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
}

function viewerJson(html: string): Record<string, unknown> {
  return JSON.parse(/<script type="application\/json" id="rotunda-viewer-data">([\s\S]*?)<\/script>/.exec(html)![1]!);
}

describe("a gallery with albums, tags, a place over time and tour links, GPS not published", () => {
  let dist: string;
  const page = (url: string) => readFile(path.join(dist, url, "index.html"), "utf8");

  before(async () => {
    dist = path.join(work, "dist-private");
    const report = await buildOnce(gallery, dist, CONFIG);
    assert.deepEqual(report.process.failed, []);
  });

  test("the home page: the top albums, then every picture newest first, split at pageSize with rel links", async () => {
    const home = await page("");
    assert.deepEqual(cards(home, "albums"), ["/albums/yard/"]);
    assert.deepEqual(cards(home, "pictures"), ["/bay-0603/", "/bay-0602/"]);
    assert.match(home, /<link rel="next" href="\/page\/2\/">/);
    assert.doesNotMatch(home, /rel="prev"/);
    assert.deepEqual(cards(await page("page/2"), "pictures"), ["/bay-0601/", "/entrance/"]);
    const last = await page("page/3");
    assert.deepEqual(cards(last, "pictures"), ["/gate/", "/night/"]);
    assert.match(last, /<link rel="prev" href="\/page\/2\/">/);
    assert.doesNotMatch(last, /rel="next"/);
    const yardCard = /<a href="\/albums\/yard\/">\s*<img src="([^"]+)"/.exec(home)![1]!;
    const gate = viewerJson(await page("gate"));
    assert.ok(yardCard.endsWith(".jpg") && (gate.preview as string).startsWith(yardCard.slice(0, yardCard.lastIndexOf("/"))), "the yard's card shows its cover, the gate");
  });

  test("an album lists its sub-albums and its own pictures in its order; a draft album is nowhere", async () => {
    const yard = await page("albums/yard");
    assert.match(yard, /<h1>The yard<\/h1>/);
    assert.match(yard, /Everything outside\./);
    assert.deepEqual(cards(yard, "albums"), ["/albums/yard/night-shift/"]);
    assert.deepEqual(cards(yard, "pictures"), ["/gate/", "/bay-0601/"], "date-asc, two to a page");
    assert.deepEqual(cards(await page("albums/yard/page/2"), "pictures"), ["/bay-0602/", "/bay-0603/"]);
    assert.deepEqual(cards(await page("albums/yard/night-shift"), "pictures"), ["/night/"]);
    assert.deepEqual(cards(await page("albums"), "albums"), ["/albums/yard/"]);
    const files = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.ok(!files.some((f) => f.startsWith("secret/") || f.startsWith("albums/drafts")), "nothing of the draft album is published");
  });

  test("tags, places and dates list exactly their pictures", async () => {
    assert.deepEqual(cards(await page("tags/dock"), "pictures"), ["/bay-0603/", "/bay-0602/"]);
    assert.deepEqual(cards(await page("tags/dock/page/2"), "pictures"), ["/bay-0601/", "/night/"], "Dock and dock are one tag");
    assert.deepEqual(cards(await page("tags/outside/page/2"), "pictures"), ["/bay-0601/", "/entrance/"]);
    const tags = await page("tags");
    assert.deepEqual([...tags.matchAll(/<a href="(\/tags\/[^"]+)"/g)].map((m) => m[1]), ["/tags/dock/", "/tags/outside/"]);
    assert.deepEqual(cards(await page("places/loading-bay"), "pictures"), ["/bay-0603/", "/bay-0602/"]);
    assert.deepEqual(cards(await page("places/loading-bay/page/2"), "pictures"), ["/bay-0601/"]);
    assert.deepEqual(cards(await page("dates/2026/06"), "pictures"), ["/bay-0603/", "/bay-0602/"]);
    assert.deepEqual(cards(await page("dates/2026/05"), "pictures"), ["/entrance/", "/gate/"]);
    assert.deepEqual(cards(await page("dates/2026/04"), "pictures"), ["/night/"]);
    assert.match(await page("dates"), /href="\/dates\/2026\/06\/"[^>]*>[\s\S]*?June 2026/);
  });

  test("a shot's page: its breadcrumb, its neighbours, the place's timeline with every date, its tour links, without JavaScript", async () => {
    const html = await page("bay-0602");
    const crumbs = /<nav class="breadcrumbs"[\s\S]*?<\/nav>/.exec(html)![0];
    assert.deepEqual([...crumbs.matchAll(/href="([^"]+)"/g)].map((m) => m[1]), ["/", "/albums/", "/albums/yard/"]);
    assert.match(html, /<a rel="prev" href="\/bay-0601\/">/);
    assert.match(html, /<a rel="next" href="\/bay-0603\/">/);
    assert.match(html, /class="timeline-previous" href="\/bay-0601\/"/);
    assert.match(html, /class="timeline-next" href="\/bay-0603\/"/);
    const dates = /<details class="timeline-dates">[\s\S]*?<\/details>/.exec(html)![0];
    assert.deepEqual([...dates.matchAll(/<li>[\s\S]*?<\/li>/g)].length, 3);
    assert.match(dates, /aria-current="page">2 June 2026, 08:00/);
    const data = viewerJson(html) as { place: { index: number; shots: Array<{ url: string; northOffset: number }> }; links: Array<{ url: string; yaw: number; northOffset: number }> };
    assert.equal(data.place.index, 1);
    assert.deepEqual(data.place.shots.map((s) => [s.url, s.northOffset]), [["/bay-0601/", 10], ["/bay-0602/", 40], ["/bay-0603/", 95]]);
    // The gate lies 20 m east of the bay; this shot's centre faces 40°: the gate is at yaw 50.
    assert.equal(data.links.length, 1);
    assert.equal(data.links[0]!.url, "/gate/");
    assert.ok(Math.abs(data.links[0]!.yaw - 50) < 1, `yaw ${data.links[0]!.yaw}`);
    assert.match(html, /<nav class="tour"[\s\S]*?<a href="\/gate\/">Gate<\/a>/);
    // From the gate (facing north), the bay lies west, by its shot nearest the gate's date.
    const gate = viewerJson(await page("gate")) as typeof data;
    assert.deepEqual(gate.links.map((l) => [l.url, Math.round(l.yaw), l.northOffset]), [["/bay-0601/", -90, 10]]);
    const entrance = await page("entrance");
    assert.deepEqual((viewerJson(entrance) as typeof data).links.map((l) => [l.url, l.yaw]), [["/gate/", 30]], "its sidecar's links");
    assert.match(entrance, /<a href="\/gate\/">Through the gate<\/a>/);
    assert.match(entrance, /rel="tag">outside<\/a>/);
  });

  test("a place's side-by-side page shows, without JavaScript, its oldest and newest shots' thumbnails and links", async () => {
    const html = await page("places/loading-bay/compare");
    const figures = [...html.matchAll(/<figure class="side">[\s\S]*?<\/figure>/g)].map((m) => m[0]);
    assert.equal(figures.length, 2);
    assert.deepEqual(figures.map((f) => /<figcaption><a [^>]*href="([^"]+)"/.exec(f)![1]), ["/bay-0601/", "/bay-0603/"]);
    assert.ok(figures.every((f) => /<img class="viewer-fallback" src="\/media\/[^"]+\.jpg"/.test(f)));
    assert.match(await page("places/loading-bay"), /<a href="\/places\/loading-bay\/compare\/">Two dates side by side<\/a>/);
    assert.match(await page("bay-0601"), /class="timeline-side-by-side" href="\/places\/loading-bay\/compare\/\?a=bay-0601&amp;b=bay-0602"/);
  });

  test("no map: no /map/, no map bundle, no page that loads one, no mini-map", async () => {
    const files = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.ok(!files.some((f) => f.startsWith("map/")), "no /map/");
    assert.ok(!files.some((f) => /^assets\/map-/.test(f)), "no map bundle");
    for (const file of files.filter((f) => f.endsWith(".html"))) {
      const html = await readFile(path.join(dist, file), "utf8");
      assert.doesNotMatch(html, /assets\/map-|rotunda-minimap|href="\/map\/"/, file);
    }
  });

  test("every internal link of every page resolves to a file", async () => {
    const files = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.ok(files.length > 30);
    assert.deepEqual(await findBrokenLinks(dist, files), []);
  });

  test("no coordinate anywhere in the output: pages, metadata, pictures", async () => {
    for (const file of await listSiteFiles(dist)) {
      if (file.relPath.endsWith(".jpg")) {
        const meta = await sharp(file.absPath).metadata();
        assert.equal(meta.exif, undefined, `${file.relPath} carries no EXIF`);
        assert.doesNotMatch(meta.xmp?.toString() ?? "", /GPS/i, `${file.relPath}'s XMP has no GPS`);
      } else {
        const text = await readFile(file.absPath, "latin1");
        assert.doesNotMatch(text, COORDINATES, file.relPath);
        assert.doesNotMatch(text, /"position"|GPSLatitude/, file.relPath);
      }
    }
  });
});

describe("the same gallery with GPS published", () => {
  test("panorama pages carry their position and the map's tiles; pictures without GPS none", async () => {
    const dist = path.join(work, "dist-public");
    await buildOnce(gallery, dist, { ...CONFIG, process: { ...CONFIG.process, publishGps: true }, map: { tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png", attribution: "Local tiles" } });
    const data = viewerJson(await readFile(path.join(dist, "gate", "index.html"), "utf8"));
    assert.deepEqual(data.position, GATE);
    assert.deepEqual(data.map, { tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png", attribution: "Local tiles" });
    const night = await readFile(path.join(dist, "night", "index.html"), "utf8");
    assert.equal(viewerJson(night).position, undefined);
    assert.equal(viewerJson(night).map, undefined);
    assert.doesNotMatch(night, /rotunda-minimap|assets\/map-/, "no mini-map without a position");
    const gate = await readFile(path.join(dist, "gate", "index.html"), "utf8");
    assert.match(gate, /<div id="rotunda-minimap"[^>]*hidden><\/div>/);
    assert.match(gate, /<script src="\/assets\/map-[0-9a-f]{12}\.js" defer><\/script>/);
    const map = await readFile(path.join(dist, "map", "index.html"), "utf8");
    const list = /<ul class="map-list">[\s\S]*?<\/ul>/.exec(map)![0];
    assert.deepEqual([...list.matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]), ["/bay-0603/", "/bay-0602/", "/bay-0601/", "/entrance/", "/gate/"], "every picture with GPS, newest first");
    const pins = JSON.parse(/<script type="application\/json" id="rotunda-map-data">([\s\S]*?)<\/script>/.exec(map)![1]!) as { pins: Array<{ url: string; lat: number; lng: number }>; tiles: string };
    assert.deepEqual(pins.pins.find((p) => p.url === "/gate/"), { ...pins.pins.find((p) => p.url === "/gate/"), ...GATE });
    assert.equal(pins.tiles, "http://127.0.0.1:9/{z}/{x}/{y}.png");
    assert.match(map, /<script src="\/assets\/map-[0-9a-f]{12}\.js" defer><\/script>/);
    const files = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.deepEqual(await findBrokenLinks(dist, files), []);
  });
});
