// The map and a place's side-by-side dates in a real browser (headless Debian
// Chromium, WebGL through SwiftShader), on a gallery built for real with GPS
// published and its map tiles served from 127.0.0.1: /map/ shows a marker per
// picture with GPS and asks the local tile server for tiles; a panorama page's
// mini-map turns its direction with the view; the side-by-side page keeps both
// viewers looking the same way in compass terms after a drag on either.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browseSite, closeSite, watchPage } from "../support/browser.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";
import type { StaticServer } from "../support/static-server.ts";
import { serveTiles, type TileServer } from "../support/tiles.ts";

const BAY = { lat: 35.6812, lng: 139.7671 };
const GATE = { lat: 35.6812, lng: 139.767321 };
/** The bay's three dates, each with the camera turned its own way. */
const BAY_NORTH: Record<string, number> = { "bay-0601": 10, "bay-0602": 40, "bay-0603": 95 };

let work: string;
let tiles: TileServer;
let server: StaticServer;
let browser: Browser;

async function picture(gallery: string, rel: string, seed: number, tags: Record<string, unknown>, sidecar: string): Promise<void> {
  const file = path.join(gallery, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await makeEquirect(file, 1024, 512, seed);
  if (Object.keys(tags).length > 0) await writeTags(file, tags);
  await writeFile(file.replace(/\.jpg$/, ".md"), sidecar);
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-map-"));
  const gallery = path.join(work, "gallery");
  const gps = (at: { lat: number; lng: number }) => ({ GPSLatitude: at.lat, GPSLongitude: at.lng });
  for (const [slug, north] of Object.entries(BAY_NORTH)) {
    const day = slug.slice(-1);
    await picture(gallery, `Yard/${slug}.jpg`, Number(day), { ...gps(BAY), "XMP-GPano:PoseHeadingDegrees": north }, `---\ntitle: Loading bay\nplace: Loading bay\ndate: 2026-06-0${day}T08:00:00+09:00\n---\n`);
  }
  await picture(gallery, "Yard/gate.jpg", 20, { ...gps(GATE), "XMP-GPano:PoseHeadingDegrees": 0 }, "---\ntitle: Gate\ndate: 2026-05-01T08:00:00+09:00\n---\n");
  await picture(gallery, "night.jpg", 30, {}, "---\ntitle: Night\ndate: 2026-04-01T22:00:00+09:00\n---\n");
  tiles = await serveTiles();
  const dist = path.join(work, "dist");
  const report = await buildOnce(gallery, dist, {
    title: "Plant 3",
    process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false, publishGps: true },
    map: { tiles: tiles.template, attribution: "Test tiles" },
  });
  assert.deepEqual(report.process.failed, []);
  ({ server, browser } = await browseSite(dist));
});

after(() => closeSite({ server, browser }, work, tiles));

describe("the map", () => {
  test("/map/ shows one marker per picture with GPS, each a named link, and asks the local tile server for tiles", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const { problems, foreign } = watchPage(page);
    const before = tiles.requests.length;
    await page.goto(server.url + "/map/");
    await page.waitForFunction(() => document.documentElement.dataset.map === "ready", null, { timeout: 30_000 });
    const markers = page.locator("#rotunda-map .leaflet-marker-icon");
    assert.equal(await markers.count(), 4, "the bay's three dates and the gate; the night has no GPS");
    const hrefs = await page.locator("#rotunda-map a.map-pin-link").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute("href")).sort());
    assert.deepEqual(hrefs, ["/bay-0601/", "/bay-0602/", "/bay-0603/", "/gate/"]);
    assert.equal(await page.locator("#rotunda-map").getByRole("link", { name: "Gate, 1 May 2026, 08:00 (UTC+09:00)", exact: true }).count(), 1, "the gate's marker is a link named by its title and date");
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("#rotunda-map .leaflet-tile")].some((t) => t.complete && t.naturalWidth > 0));
    assert.ok(tiles.requests.length > before, "tiles came from the local tile server");
    assert.ok(tiles.requests.slice(before).every((t) => /^\d+\/\d+\/\d+$/.test(t)));
    assert.match((await page.locator(".leaflet-control-attribution").textContent()) ?? "", /Test tiles/);
    // The list works without the map: every picture with its link.
    assert.deepEqual(await page.locator(".map-list a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))), ["/bay-0603/", "/bay-0602/", "/bay-0601/", "/gate/"]);

    // Tab reaches a marker's link; Enter follows it.
    const gate = page.locator('#rotunda-map a.map-pin-link[href="/gate/"]');
    await page.locator("#rotunda-map").focus();
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await gate.evaluate((a) => document.activeElement === a);
    }
    assert.ok(reached, "Tab reaches the gate's marker");
    await Promise.all([page.waitForURL(server.url + "/gate/"), page.keyboard.press("Enter")]);
    assert.deepEqual(problems, []);
    assert.deepEqual(foreign, [], "no request leaves 127.0.0.1");
    await page.close();
  });

  test("without JavaScript /map/ is a list of the pictures with their links", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url + "/map/");
    assert.equal(await page.locator("#rotunda-map").isVisible(), false);
    assert.deepEqual(await page.locator(".map-list a").evaluateAll((links) => links.map((a) => a.textContent)), ["Loading bay", "Loading bay", "Loading bay", "Gate"]);
    await context.close();
  });

  test("a panorama page's mini-map shows its spot and turns its direction with the view", async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const { problems, foreign } = watchPage(page);
    const before = tiles.requests.length;
    await page.goto(server.url + "/bay-0602/");
    await page.waitForFunction(() => document.documentElement.dataset.minimap === "ready", null, { timeout: 30_000 });
    assert.equal(await page.locator("#rotunda-minimap .minimap-position").count(), 1);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>("#rotunda-minimap .leaflet-tile")].some((t) => t.complete && t.naturalWidth > 0));
    assert.ok(tiles.requests.length > before, "the mini-map's tiles came from the local tile server");
    // The viewer reports its view (rotunda:view) once loaded and as it turns: the cone follows a drag.
    await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
    const headingNow = () => page.evaluate(() => {
      const v = (window as any).rotundaViewer;
      return Math.round((((v.getYaw() + v.getNorthOffset()) % 360) + 360) % 360) % 360;
    });
    const minimap = page.locator("#rotunda-minimap");
    await page.waitForFunction(() => document.querySelector("#rotunda-minimap")?.hasAttribute("data-heading"), null, { timeout: 30_000 });
    const start = Number(await minimap.getAttribute("data-heading"));
    assert.equal(start, await headingNow(), "the cone starts where the viewer looks");
    const box = (await page.locator("#viewer").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2, { steps: 12 });
    await page.mouse.up();
    await page.waitForFunction((h) => {
      const v = (window as any).rotundaViewer;
      const now = Math.round((((v.getYaw() + v.getNorthOffset()) % 360) + 360) % 360) % 360;
      const shown = document.querySelector("#rotunda-minimap")?.getAttribute("data-heading");
      return now !== h && shown === String(now);
    }, start, { timeout: 30_000, polling: 100 });
    assert.notEqual(Number(await minimap.getAttribute("data-heading")), start, "the cone turned with the view");

    const turn = (heading: number) =>
      page.evaluate((h) => document.dispatchEvent(new CustomEvent("rotunda:view", { detail: { yaw: h - 40, pitch: 0, hfov: 90, heading: h } })), heading);
    const wedge = page.locator("#rotunda-minimap .minimap-direction");
    await turn(90);
    assert.equal(await page.locator("#rotunda-minimap").getAttribute("data-heading"), "90");
    assert.equal(await wedge.getAttribute("visibility"), "visible");
    const east = await wedge.getAttribute("d");
    await turn(200);
    assert.equal(await page.locator("#rotunda-minimap").getAttribute("data-heading"), "200");
    assert.notEqual(await wedge.getAttribute("d"), east, "the cone turned");
    // A view whose north is unknown has no direction to show.
    await page.evaluate(() => document.dispatchEvent(new CustomEvent("rotunda:view", { detail: { yaw: 0, pitch: 0, hfov: 90 } })));
    assert.equal(await wedge.getAttribute("visibility"), "hidden");
    assert.equal(await page.locator("#rotunda-minimap").getAttribute("data-heading"), null);
    assert.deepEqual(problems, []);
    assert.deepEqual(foreign, []);
    await page.close();
  });
});

/** Both side-by-side viewers' views and north offsets. */
async function views(page: Page) {
  return page.evaluate(() =>
    (window as any).rotundaSideBySide.viewers().map((v: any) => ({ yaw: v.getYaw(), pitch: v.getPitch(), hfov: v.getHfov(), north: v.getNorthOffset() })),
  ) as Promise<Array<{ yaw: number; pitch: number; hfov: number; north: number }>>;
}

const headingOf = (v: { yaw: number; north: number }) => (((v.yaw + v.north) % 360) + 360) % 360;
const angleGap = (a: number, b: number) => Math.abs(((a - b + 540) % 360) - 180);

/** Waits until both viewers look the same way (heading, pitch, field of view); returns their views. */
async function waitLocked(page: Page) {
  // No named functions inside: the page runs this as it is, without the test's compiler helpers.
  await page.waitForFunction(() => {
    const [a, b] = (window as any).rotundaSideBySide.viewers();
    const gap = Math.abs(((a.getYaw() + a.getNorthOffset() - b.getYaw() - b.getNorthOffset() + 720 + 180) % 360) - 180);
    return gap < 0.05 && Math.abs(a.getPitch() - b.getPitch()) < 0.05 && Math.abs(a.getHfov() - b.getHfov()) < 0.05;
  }, null, { timeout: 30_000, polling: 100 }).catch(async (error: Error) => {
    throw new Error(`the two views never locked: ${JSON.stringify(await views(page))}`, { cause: error });
  });
  return views(page);
}

async function drag(page: Page, selector: string, dx: number, dy: number) {
  const box = (await page.locator(selector).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await page.mouse.up();
}

describe("a place's two dates side by side", () => {
  test("without JavaScript: the oldest and newest dates' thumbnails and links", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url + "/places/loading-bay/compare/");
    const images = page.locator(".side img.viewer-fallback");
    assert.equal(await images.count(), 2);
    for (const img of await images.all()) assert.ok(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0));
    assert.deepEqual(await page.locator(".side figcaption a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))), ["/bay-0601/", "/bay-0603/"]);
    assert.equal(await page.locator(".side-picker").first().isVisible(), false, "no pickers that cannot work");
    await context.close();
  });

  test("both views stay equal in compass terms after a drag, a zoom or the keys on either, and a picked date keeps the view", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const { problems, foreign } = watchPage(page);
    await page.goto(server.url + "/places/loading-bay/compare/?a=bay-0601&b=bay-0603");
    await page.waitForFunction(() => document.documentElement.dataset.sideBySide === "loaded", null, { timeout: 60_000 });
    const start = await waitLocked(page);
    assert.deepEqual(start.map((v) => Math.round(v.north)), [BAY_NORTH["bay-0601"], BAY_NORTH["bay-0603"]]);
    assert.ok(angleGap(start[0]!.yaw, start[1]!.yaw) > 80, "the yaws differ by the north offsets: the same heading, not the same yaw");

    await drag(page, "#side-a", -250, 40);
    const afterA = await waitLocked(page);
    assert.ok(angleGap(headingOf(afterA[0]!), headingOf(start[0]!)) > 10, `dragging the left view turned it (${headingOf(start[0]!)} → ${headingOf(afterA[0]!)})`);
    assert.ok(angleGap(headingOf(afterA[0]!), headingOf(afterA[1]!)) < 0.05);

    await drag(page, "#side-b", 300, -60);
    const afterB = await waitLocked(page);
    assert.ok(angleGap(headingOf(afterB[1]!), headingOf(afterA[1]!)) > 10, "dragging the right view turned it");
    assert.ok(Math.abs(afterB[0]!.pitch - afterA[0]!.pitch) > 1, "and the left one's pitch followed");

    const box = (await page.locator("#side-a").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 400);
    const zoomed = await page.waitForFunction((hfov) => {
      const [a, b] = (window as any).rotundaSideBySide.viewers();
      return Math.abs(a.getHfov() - hfov) > 5 && Math.abs(a.getHfov() - b.getHfov()) < 0.05 ? a.getHfov() : false;
    }, afterB[0]!.hfov, { timeout: 10_000 });
    assert.ok((await zoomed.jsonValue()) !== afterB[0]!.hfov);

    // The keyboard: Tab to the right viewer, hold an arrow key until it has turned; the left one follows.
    const beforeKeys = await views(page);
    await page.locator("#side-b").focus();
    await page.keyboard.down("ArrowLeft");
    await page.waitForFunction((yaw) => Math.abs((window as any).rotundaSideBySide.viewers()[1].getYaw() - yaw) > 10, beforeKeys[1]!.yaw, { timeout: 10_000 });
    await page.keyboard.up("ArrowLeft");
    const afterKeys = await waitLocked(page);
    assert.ok(angleGap(headingOf(afterKeys[0]!), headingOf(beforeKeys[0]!)) > 10, "the left view turned with the right one");

    // Another date on the left: it opens looking where the right one looks.
    await page.selectOption("#side-a-date", "bay-0602");
    await page.waitForFunction(() => (window as any).rotundaSideBySide.viewers()[0].getNorthOffset() === 40 && (window as any).rotundaSideBySide.viewers()[0].isLoaded() && document.documentElement.dataset.sideBySide === "loaded", null, { timeout: 60_000 });
    const picked = await waitLocked(page);
    assert.ok(angleGap(headingOf(picked[1]!), headingOf(afterKeys[1]!)) < 0.5, "the right view stayed where it was");
    assert.equal(new URL(page.url()).search, "?a=bay-0602&b=bay-0603");
    assert.equal(await page.locator("#side-a-link").getAttribute("href"), "/bay-0602/");
    assert.deepEqual(problems, []);
    assert.deepEqual(foreign, []);
    await page.close();
  });
});
