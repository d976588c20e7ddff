// The viewer in a gallery built for real (small pictures made here, the one
// build in-process), in headless Chromium: a place shot on three dates with the
// camera turned differently each time, and a tour link between two pictures
// whose cameras faced different ways. Moving to another date keeps the compass
// direction (the yaw carried through both pictures' north offsets), pitch and
// field of view; the links say so as the reader turns; a tour hotspot is reached
// with Tab, has a name, and Enter follows it to the target's own address with
// the view carried. No assertion depends on how long anything takes.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { walkTree } from "../../src/files.ts";
import { browseSite, closeSite } from "../support/browser.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";
import type { StaticServer } from "../support/static-server.ts";

let work: string;
let server: StaticServer;
let browser: Browser;
let bayPages: string[];
let entrancePage: string;
let gatePage: string;

type ViewerWindow = Window & { rotundaViewer: Pannellum.Viewer };

const heading = (degrees: number) => ({ "XMP-GPano:PoseHeadingDegrees": degrees });

async function picture(gallery: string, rel: string, seed: number, north: number, sidecar: string): Promise<void> {
  const file = path.join(gallery, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await makeEquirect(file, 512, 256, seed);
  await writeTags(file, heading(north));
  await writeFile(file.replace(/\.jpg$/, ".md"), sidecar);
}

/** The URL path of the page whose viewer data has this title. */
async function pageTitled(dist: string, pages: string[], title: string): Promise<string> {
  for (const page of pages) {
    const html = await readFile(path.join(dist, page, "index.html"), "utf8");
    if (html.includes(`<h1>${title}</h1>`)) return page;
  }
  throw new Error(`no page titled ${title}`);
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-gallery-viewer-"));
  const gallery = path.join(work, "gallery");
  await mkdir(gallery);
  const bay = (day: number, north: number) =>
    picture(gallery, `Yard/bay-060${day}.jpg`, 10 + day, north, `---\ntitle: Loading bay, June ${day}\nplace: Loading bay\ndate: 2026-06-0${day}T08:00:00+09:00\n---\n`);
  await bay(1, 10);
  await bay(2, 55);
  await bay(3, 95);
  await picture(gallery, "entrance.jpg", 1, 0, "---\ntitle: Entrance\nlinks:\n  - { to: gate, yaw: 30, pitch: -5, label: Through the gate }\n---\n");
  await picture(gallery, "Yard/gate.jpg", 20, 120, "---\ntitle: Gate\n---\n");
  await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ title: "Plant 3", process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } }));
  const dist = path.join(work, "dist");
  const report = await buildOnce(gallery, dist);
  assert.deepEqual(report.process.failed, []);
  const pages = await panoramaPages(dist);
  bayPages = [await pageTitled(dist, pages, "Loading bay, June 1"), await pageTitled(dist, pages, "Loading bay, June 2"), await pageTitled(dist, pages, "Loading bay, June 3")];
  entrancePage = await pageTitled(dist, pages, "Entrance");
  gatePage = await pageTitled(dist, pages, "Gate");
  ({ server, browser } = await browseSite(dist));
});

after(() => closeSite({ server, browser }, work));

/** Every page in dist/ with a viewer (the comparison pages aside), as URL paths. */
async function panoramaPages(dist: string): Promise<string[]> {
  const pages: string[] = [];
  for (const entry of await walkTree(dist, { skipDotEntries: true })) {
    if (entry.name !== "index.html" || entry.relPath.endsWith("/compare/index.html")) continue;
    if ((await readFile(entry.absPath, "utf8")).includes('id="rotunda-viewer-data"')) pages.push(`/${path.posix.dirname(entry.relPath)}/`);
  }
  return pages;
}

function loaded(page: Page) {
  return page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
}

const viewOf = (page: Page) =>
  page.evaluate(() => {
    const v = (window as unknown as ViewerWindow).rotundaViewer;
    return { yaw: v.getYaw(), pitch: v.getPitch(), hfov: v.getHfov() };
  });

const pageData = (page: Page) =>
  page.evaluate(() => JSON.parse(document.getElementById("rotunda-viewer-data")!.textContent!) as { viewer: { northOffset?: number }; place?: { shots: { url: string; northOffset?: number }[] }; links?: { url: string; northOffset?: number; yaw: number; pitch: number }[] });

const wrap360 = (d: number) => ((d % 360) + 360) % 360;
const close = (a: number, b: number) => Math.abs(wrap360(a - b + 180) - 180) < 0.1;

/** A yaw as #view= writes it: [0, 360), a tenth of a degree. */
const hashYaw = (yaw: number) => String(Math.round(wrap360(yaw) * 10) / 10 % 360);

describe("moving between dates of a place keeps the compass direction", () => {
  test("open a shot at #view=30,-5,80, follow the link to the next date: the new page's #view= is the converted view and the viewer shows it", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${server.url}${bayPages[0]}#view=30,-5,80`);
    await loaded(page);
    const data = await pageData(page);
    const from = data.viewer.northOffset!;
    const to = data.place!.shots.find((s) => s.url.endsWith(bayPages[1]!))!.northOffset!;
    assert.notEqual(from, to, "the camera was turned between the two days");
    const expected = `#view=${hashYaw(30 + from - to)},-5,80`;
    assert.notEqual(expected, "#view=30,-5,80");

    const later = page.getByRole("link", { name: /^Later:/ });
    await page.waitForFunction((want) => document.querySelector<HTMLAnchorElement>("a.timeline-next")!.href.endsWith(want), expected);
    assert.equal(new URL(await later.evaluate((a: HTMLAnchorElement) => a.href)).pathname, bayPages[1]);
    await later.click();
    await page.waitForURL(`${server.url}${bayPages[1]}${expected}`);
    await loaded(page);
    const shown = await viewOf(page);
    assert.ok(close(shown.yaw, 30 + from - to), `yaw ${shown.yaw}`);
    assert.ok(Math.abs(shown.pitch + 5) < 0.1, `pitch ${shown.pitch}`);
    assert.ok(Math.abs(shown.hfov - 80) < 0.1, `hfov ${shown.hfov}`);
    await page.close();
  });

  test("the timeline's links and its list of every date follow the view as the reader turns", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    // The last view the viewer reported: the links are rewritten in the same event.
    await page.addInitScript(() => document.addEventListener("rotunda:view", (e) => ((window as unknown as { lastView: unknown }).lastView = (e as CustomEvent).detail)));
    await page.goto(`${server.url}${bayPages[1]}#view=0,0,90`);
    await loaded(page);
    const data = await pageData(page);
    const north = (url: string) => data.place!.shots.find((s) => new URL(s.url, server.url).pathname === url)!.northOffset!;
    const snapshot = () =>
      page.evaluate(() => ({
        view: (window as unknown as { lastView: { yaw: number; pitch: number; hfov: number } }).lastView,
        links: [...document.querySelectorAll<HTMLAnchorElement>(".timeline a[href]")].map((a) => a.href),
      }));
    const check = ({ view, links }: Awaited<ReturnType<typeof snapshot>>) => {
      for (const shot of [bayPages[0]!, bayPages[2]!]) {
        const toShot = links.filter((l) => new URL(l).pathname === shot);
        assert.equal(toShot.length, 2, `the timeline's step and the list of dates both link to ${shot}: ${links.join(" ")}`);
        const want = `#view=${hashYaw(view.yaw + data.viewer.northOffset! - north(shot))},${Math.round(view.pitch * 10) / 10 || 0},${Math.round(view.hfov * 10) / 10}`;
        for (const l of toShot) assert.equal(new URL(l).hash, want, `${l} carries the view ${JSON.stringify(view)}`);
      }
      const others = links.filter((l) => !bayPages.includes(new URL(l).pathname));
      assert.ok(others.length > 0 && others.every((l) => !l.includes("#view=")), `the link to the place's page carries no view: ${others.join(" ")}`);
    };
    check(await snapshot());

    await page.locator("#viewer").focus();
    await page.keyboard.down("ArrowRight");
    await page.waitForFunction(() => Math.abs((window as unknown as { lastView: { yaw: number } }).lastView.yaw) > 20);
    await page.keyboard.up("ArrowRight");
    const turned = await snapshot();
    assert.ok(Math.abs(turned.view.yaw) > 20);
    check(turned);
    await page.close();
  });
});

describe("tour hotspots", () => {
  test("Tab reaches the hotspot, which is named after its target, and Enter follows it to the target's address with the view carried", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(`${server.url}${entrancePage}`);
    await loaded(page);
    const data = await pageData(page);
    const link = data.links![0]!;
    assert.notEqual(data.viewer.northOffset, link.northOffset, "the two cameras faced different ways");

    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.matches("a.rotunda-hotspot") ?? false);
    }
    assert.ok(reached, "Tab reaches the hotspot");
    const name = await page.evaluate(() => document.activeElement!.getAttribute("aria-label"));
    assert.equal(name, "Go to Through the gate");
    assert.equal(await page.getByRole("link", { name: "Go to Through the gate" }).count(), 1, "an accessible name the page knows it by");
    // Focus turns the view to the hotspot; its link then carries that view.
    await page.waitForFunction(([yaw, pitch]) => {
      const v = (window as unknown as ViewerWindow).rotundaViewer;
      return Math.abs(v.getYaw() - yaw!) < 0.1 && Math.abs(v.getPitch() - pitch!) < 0.1;
    }, [link.yaw, link.pitch]);
    const hfov = Math.round((await viewOf(page)).hfov * 10) / 10;
    const expected = `#view=${hashYaw(link.yaw + data.viewer.northOffset! - link.northOffset!)},${link.pitch},${hfov}`;
    await page.waitForFunction((want) => (document.activeElement as HTMLAnchorElement).href.endsWith(want), expected);

    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}${gatePage}${expected}`);
    await loaded(page);
    const shown = await viewOf(page);
    assert.ok(close(shown.yaw, link.yaw + data.viewer.northOffset! - link.northOffset!), `yaw ${shown.yaw}`);
    assert.ok(Math.abs(shown.pitch - link.pitch) < 0.1, `pitch ${shown.pitch}`);
    assert.ok(Math.abs(shown.hfov - hfov) < 0.1, `hfov ${shown.hfov}`);
    await page.close();
  });
});
