// What a reader gets, in a real browser (headless Chromium, WebGL through
// SwiftShader): the page paints the panorama before any script runs, the first
// view's tiles are on their way once that paint is on the screen, before the
// viewer's script has run, a 2× screen fetches no finer level than it resolves,
// the page works without JavaScript and without WebGL; deep links, the
// view-changed event, and controls that every reader can reach and use. No
// assertion here depends on how long anything takes, beyond the page reporting
// its first paint within the three seconds it waits for it at most.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import sharp from "sharp";
import { browseSite, closeSite } from "../support/browser.ts";
import { buildOnce } from "../support/build.ts";
import { ROOT } from "../support/cli.ts";
import type { StaticServer } from "../support/static-server.ts";
import { waitUntil } from "../support/processes.ts";

let work: string;
let server: StaticServer;
let browser: Browser;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-reader-"));
  const dist = path.join(work, "dist");
  const report = await buildOnce(path.join(ROOT, "content"), dist, { title: "Reader tests" });
  assert.deepEqual(report.process.failed, []);
  ({ server, browser } = await browseSite(dist));
});

after(() => closeSite({ server, browser }, work));

const TILE = /\/tiles-[0-9a-f]+\/(\d+)\/([fbudlr])(\d+)_(\d+)\.jpg$/;
const VIEWER_JS = /\/assets\/viewer-[0-9a-f]+\.js$/;

type ViewerWindow = Window & { rotundaViewer: Pannellum.Viewer };

function loaded(page: Page) {
  return page.waitForFunction(() => ["loaded", "error", "unsupported"].includes(document.documentElement.dataset.viewer ?? ""), null, { timeout: 60_000 });
}

/** Until the first view is drawn sharp: every tile it wants is on the GPU. */
function sharp_(page: Page) {
  return page.waitForFunction(() => {
    const viewer = (window as unknown as ViewerWindow).rotundaViewer;
    return document.documentElement.dataset.viewer === "loaded" && !viewer.getRenderer().isLoading();
  }, null, { timeout: 60_000 });
}

/** Serves the page with its viewer data changed, as the gallery's render would write it. */
async function withPageData(page: Page, pathname: string, change: (data: Record<string, unknown>) => void): Promise<void> {
  await page.route(server.url + pathname, async (route: Route) => {
    const response = await route.fetch();
    const html = await response.text();
    const patched = html.replace(/(<script type="application\/json" id="rotunda-viewer-data">)([\s\S]*?)(<\/script>)/, (_m, open: string, json: string, close: string) => {
      const data = JSON.parse(json) as Record<string, unknown>;
      change(data);
      return open + JSON.stringify(data).replace(/</g, "\\u003c") + close;
    });
    await route.fulfill({ response, body: patched });
  });
}

async function frameStats(page: Page) {
  const png = await page.locator(".viewer-frame").screenshot();
  const stats = await sharp(png).stats();
  return stats.channels.slice(0, 3).reduce((s, c) => s + c.stdev, 0) / 3;
}

const view = (page: Page) =>
  page.evaluate(() => {
    const v = (window as unknown as ViewerWindow).rotundaViewer;
    return { yaw: v.getYaw(), pitch: v.getPitch(), hfov: v.getHfov() };
  });

/** Holds the right arrow key in the viewer until the view has turned 10°, and lets go: the view glides on a moment (Pannellum's inertia). */
async function turnAndLetGo(page: Page): Promise<void> {
  const start = await view(page);
  await page.locator("#viewer").focus();
  await page.keyboard.down("ArrowRight");
  await page.waitForFunction((y) => (window as unknown as ViewerWindow).rotundaViewer.getYaw() > y + 10, start.yaw);
  await page.keyboard.up("ArrowRight");
}

describe("a panorama visible at once and sharp soon", () => {
  test("the page paints the initial view from its own HTML before the viewer's script has run", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    let scriptAsked = false;
    await page.route(VIEWER_JS, (route) => {
      scriptAsked = true;
      return route.abort();
    });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    const placeholder = page.locator(".viewer-frame img.viewer-placeholder");
    assert.ok(await placeholder.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 60 && img.src.startsWith("data:image/jpeg")));
    assert.ok(scriptAsked, "the script was asked for and never arrived");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.viewer), undefined, "no viewer started");
    const box = (await page.locator(".viewer-frame").boundingBox())!;
    assert.ok(box.height > 300);
    assert.ok((await frameStats(page)) > 8, "the frame shows a picture, not a blank");
    await page.close();
  });

  test("the page paints its placeholder, styled, while every stylesheet and script it links is still on its way", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const held: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/assets\/.+\.(css|js)$/, async (route) => {
      held.push(new URL(route.request().url()).pathname);
      await released;
      await route.abort();
    });
    // Painted by Element Timing's account: the browser presented a frame with the placeholder in it.
    await page.addInitScript(() => {
      const w = window as unknown as { placeholderPainted?: boolean };
      new PerformanceObserver((list) => {
        if (list.getEntries().some((e) => (e as PerformanceEntry & { identifier: string }).identifier === "panorama-placeholder")) w.placeholderPainted = true;
      }).observe({ type: "element", buffered: true });
    });
    try {
      await page.goto(server.url + "/summit/", { waitUntil: "commit" });
      await page.waitForFunction(() => (window as unknown as { placeholderPainted?: boolean }).placeholderPainted === true, null, { timeout: 30_000 });
      assert.ok(held.some((p) => /\/viewer-[0-9a-f]+\.css$/.test(p)), `the viewer's stylesheet is held: ${held.join(" ")}`);
      assert.ok(held.some((p) => VIEWER_JS.test(p)), `the viewer's script is held: ${held.join(" ")}`);
      const style = await page.evaluate(() => {
        const frame = document.querySelector(".viewer-frame")!;
        const img = frame.querySelector("img.viewer-placeholder")!;
        const s = getComputedStyle(img);
        return { frameHeight: frame.getBoundingClientRect().height, position: s.position, objectFit: s.objectFit, width: img.getBoundingClientRect().width };
      });
      assert.ok(style.frameHeight > 300, `the frame has its height: ${JSON.stringify(style)}`);
      assert.deepEqual([style.position, style.objectFit], ["absolute", "cover"], "the placeholder fills the frame");
      assert.ok(style.width > 900, `across the frame: ${JSON.stringify(style)}`);
      assert.equal(await page.locator("h1").evaluate((h) => getComputedStyle(h).fontSize), "25.6px", "the title styled by the site's stylesheet");
      assert.ok((await frameStats(page)) > 8, "the frame shows a picture, not a blank");
    } finally {
      release();
      await page.close();
    }
  });

  test("the first view's tiles are requested once the first paint is on the screen, while the viewer's script is still on its way, each once", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const tiles: string[] = [];
    page.on("request", (r) => TILE.test(r.url()) || /overview\.jpg$/.test(r.url()) ? tiles.push(new URL(r.url()).pathname) : undefined);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let scriptHeld = false;
    await page.route(VIEWER_JS, async (route) => {
      scriptHeld = true;
      await held;
      await route.continue();
    });
    await page.goto(server.url + "/summit/", { waitUntil: "commit" });
    await page.waitForFunction(() => (window as unknown as { rotundaPrefetch?: Map<string, unknown> }).rotundaPrefetch !== undefined, null, { timeout: 30_000 });
    await page.waitForFunction(() => performance.getEntriesByType("resource").filter((e) => /\/tiles-/.test(e.name)).length >= 3, null, { timeout: 30_000 });
    assert.ok(scriptHeld, "the viewer's script was requested and is being held");
    const early = [...tiles];
    assert.ok(early.some((t) => t.endsWith("/overview.jpg")), `the overview is among them: ${early.join(" ")}`);
    assert.ok(early.some((t) => TILE.test(t)), "and tiles");
    // Requests that finish before the first paint count as what it waited for (Lighthouse's
    // simulation replays them ahead of it), and they would compete with what it needs.
    const order = await page.evaluate(() => ({
      paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      tiles: Math.min(...performance.getEntriesByType("resource").filter((e) => /\/tiles-/.test(e.name)).map((e) => e.startTime)),
    }));
    assert.ok(order.paint !== undefined && order.tiles >= order.paint, `the first tile is asked for at ${order.tiles} ms, the first paint was at ${order.paint} ms`);
    release();
    await sharp_(page);
    const counts = new Map<string, number>();
    for (const t of tiles) counts.set(t, (counts.get(t) ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], "no tile is fetched twice");
    const prefetchLeft = await page.evaluate(() => [...((window as unknown as { rotundaPrefetch: Map<string, unknown> }).rotundaPrefetch.keys())]);
    assert.deepEqual(prefetchLeft, [], "the viewer used every tile fetched early: the boot script and the viewer agree");
    await page.close();
  });

  test("a 2× phone fetches no finer level than it resolves; a 2× laptop screen gets the finer one", async () => {
    const levels = async (viewport: { width: number; height: number }) => {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 2 });
      const page = await context.newPage();
      const requested: number[] = [];
      page.on("request", (r) => {
        const m = TILE.exec(r.url());
        if (m) requested.push(Number(m[1]));
      });
      await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
      await sharp_(page);
      const drawn = await page.evaluate(() => (window as unknown as ViewerWindow).rotundaViewer.getRenderer().getCanvas().width);
      await context.close();
      return { requested, drawn };
    };
    // 328 CSS px × 2 at hfov 90: level 1 (488 px faces) gives 488 · tan 45° / 656 = 0.74 texels per device pixel.
    // Stock Pannellum would take level 2 (656 > 512 · tan 45° · 0.707).
    const phone = await levels({ width: 360, height: 740 });
    assert.equal(phone.drawn, 656);
    assert.deepEqual([...new Set(phone.requested)], [1], `levels ${phone.requested.join(",")}`);
    const laptop = await levels({ width: 1000, height: 800 });
    assert.ok(laptop.requested.includes(2) && !laptop.requested.includes(1), `levels ${laptop.requested.join(",")}`);
  });

  test("the embed control and the footer are drawn only once the reader scrolls near them", async () => {
    // A 300 px window puts both far below the fold (beyond the margin in which the browser
    // draws ahead, which grows with the window); checkVisibility counts content a
    // content-visibility: auto ancestor skips as not visible.
    const page = await browser.newPage({ viewport: { width: 1000, height: 300 } });
    await page.goto(server.url + "/summit/", { waitUntil: "load" });
    // The browser decides at a rendering update, which may come after "load" on a busy machine.
    const skipped = await page
      .waitForFunction(() => [".embed-code summary", ".site-footer a"].every((s) => !document.querySelector(s)!.checkVisibility({ contentVisibilityAuto: true })), null, { timeout: 10_000 })
      .then(() => true, () => false);
    assert.ok(skipped, "skipped while far below the fold");
    assert.equal(await page.locator("h1").evaluate((h) => h.checkVisibility({ contentVisibilityAuto: true })), true);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction(() => [".embed-code summary", ".site-footer a"].every((s) => document.querySelector(s)!.checkVisibility({ contentVisibilityAuto: true })));
    assert.ok((await page.locator(".site-footer a").boundingBox())!.height > 0);
    await page.close();
  });

  test("without JavaScript: the thumbnail, the title, the caption and the details", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    const img = page.locator("#viewer img.viewer-fallback");
    await img.waitFor();
    // Loaded, however long that takes (the page's load event may come first: the viewer's script puts this one there).
    await img.evaluate((i: HTMLImageElement) => i.decode());
    assert.ok(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 100));
    assert.equal(await page.locator("h1").textContent(), "Granite summit");
    assert.ok((await page.locator(".caption p").count()) >= 1);
    assert.ok((await page.locator("table.meta tr").count()) >= 3);
    // Styled as with JavaScript: the site's stylesheet needs no script to apply.
    const styled = await page.evaluate(() => {
      const frame = document.querySelector(".viewer-frame")!;
      return {
        frame: [getComputedStyle(frame).backgroundColor, frame.getBoundingClientRect().height > 300],
        fallback: getComputedStyle(document.querySelector("#viewer img.viewer-fallback")!).objectFit,
        title: getComputedStyle(document.querySelector("h1")!).fontSize,
        caption: getComputedStyle(document.querySelector(".caption p")!).maxWidth,
        details: [getComputedStyle(document.querySelector("table.meta")!).borderCollapse, getComputedStyle(document.querySelector("table.meta th")!).textAlign],
      };
    });
    assert.deepEqual(styled, { frame: ["rgb(0, 0, 0)", true], fallback: "cover", title: "25.6px", caption: "720px", details: ["collapse", "left"] });
    await context.close();
  });

  test("without WebGL: the viewer does not start and the page shows the thumbnail, title, caption and details", async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, type: string, ...rest: unknown[]) {
        if (/webgl/.test(type)) return null;
        return (getContext as (...a: unknown[]) => RenderingContext | null).call(this, type, ...rest);
      } as typeof getContext;
    });
    const page = await context.newPage();
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.viewer), "unsupported");
    const img = page.locator("#viewer img.viewer-fallback");
    await img.waitFor();
    // Loaded, however long that takes (the page's load event may come first: the viewer's script puts this one there).
    await img.evaluate((i: HTMLImageElement) => i.decode());
    assert.ok(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 100));
    assert.equal(await page.locator("h1").textContent(), "Granite summit");
    assert.ok((await page.locator("table.meta tr").count()) >= 3);
    assert.ok((await frameStats(page)) > 8);
    await context.close();
  });
});

describe("deep links and the view-changed event", () => {
  test("an address with #view= opens there; turning rewrites it without new history entries", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url + "/summit/#view=200,-5,80", { waitUntil: "domcontentloaded" });
    await loaded(page);
    const opened = await view(page);
    assert.ok(Math.abs(opened.yaw - -160) < 0.01 && Math.abs(opened.pitch + 5) < 0.01 && Math.abs(opened.hfov - 80) < 0.01, JSON.stringify(opened));
    assert.equal(new URL(page.url()).hash, "#view=200,-5,80", "opening does not rewrite the address");
    const entries = await page.evaluate(() => history.length);
    await page.locator("#viewer").focus();
    await page.keyboard.down("ArrowRight");
    await page.waitForFunction(() => (window as unknown as ViewerWindow).rotundaViewer.getYaw() > -159);
    await page.keyboard.up("ArrowRight");
    await page.waitForFunction(() => {
      const v = (window as unknown as ViewerWindow).rotundaViewer;
      const m = /^#view=([\d.]+),(-?[\d.]+),([\d.]+)$/.exec(location.hash);
      return m && Math.abs(((Number(m[1]) - v.getYaw() + 540) % 360) - 180) < 0.06 && location.hash !== "#view=200,-5,80";
    }, null, { timeout: 30_000 });
    assert.equal(await page.evaluate(() => history.length), entries, "no new history entries");
    await page.close();
  });

  test("editing the address's #view= turns the viewer there", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await page.evaluate(() => (location.hash = "#view=90,10,60"));
    await page.waitForFunction(() => Math.abs((window as unknown as ViewerWindow).rotundaViewer.getYaw() - 90) < 0.01);
    const v = await view(page);
    assert.ok(Math.abs(v.pitch - 10) < 0.01 && Math.abs(v.hfov - 60) < 0.01);
    await page.close();
  });

  test("an address edited while the view still glides from a turn ends the glide: the view stays where the address says", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await turnAndLetGo(page);
    await page.evaluate(() => (location.hash = "#view=90,10,60"));
    await page.waitForTimeout(1500);
    const v = await view(page);
    assert.ok(Math.abs(v.yaw - 90) < 0.01 && Math.abs(v.pitch - 10) < 0.01 && Math.abs(v.hfov - 60) < 0.01, `the view the address asks for (${JSON.stringify(v)})`);
    await page.close();
  });

  test("copy link to this view copies the page's address with the view on screen", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const page = await context.newPage();
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await page.evaluate(() => (window as unknown as ViewerWindow).rotundaViewer.lookAt(12, 34, 70, false));
    const copy = page.getByRole("button", { name: "Copy link to this view" });
    await copy.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Link to this view copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/summit/#view=34,12,70`);
    await context.close();
  });

  test("rotunda:view: once on load, then at most once per animation frame while the view changes, with the compass heading", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.addInitScript(`
      window.frames_ = 0;
      window.events = [];
      requestAnimationFrame(function count() { window.frames_++; requestAnimationFrame(count); });
      document.addEventListener("rotunda:view", (e) => window.events.push({ frame: window.frames_, detail: e.detail }));
    `);
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length >= 1);
    const box = (await page.locator("#viewer").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2, { steps: 20 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length >= 5);
    const events = await page.evaluate(() => (window as unknown as { events: { frame: number; detail: Record<string, number> }[] }).events);
    const first = events[0]!.detail;
    assert.deepEqual(Object.keys(first).sort(), ["heading", "hfov", "pitch", "yaw"]);
    assert.ok(Math.abs(first.heading! - 305.9) < 0.01, "the summit opens at yaw 0, north offset 305.9");
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.frame > events[i - 1]!.frame, `events ${i - 1} and ${i} in one frame`);
    for (const { detail } of events) {
      const off = (((detail.heading! - detail.yaw! - 305.9) % 360) + 360) % 360;
      assert.ok(off < 0.01 || off > 359.99, `heading ${detail.heading} at yaw ${detail.yaw}`);
    }
    await page.waitForFunction(() => {
      const list = (window as unknown as { events: { detail: { yaw: number } }[] }).events;
      return Math.abs(list[list.length - 1]!.detail.yaw - (window as unknown as ViewerWindow).rotundaViewer.getYaw()) < 1e-6;
    });
    await page.close();
  });

  test("no heading where north is unknown", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await withPageData(page, "/summit/", (data) => delete (data.viewer as Record<string, unknown>).northOffset);
    await page.addInitScript(() => {
      const w = window as unknown as { details: Record<string, number>[] };
      w.details = [];
      document.addEventListener("rotunda:view", (e) => w.details.push((e as CustomEvent).detail));
    });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await page.waitForFunction(() => (window as unknown as { details: unknown[] }).details.length >= 1);
    const detail = await page.evaluate(() => (window as unknown as { details: Record<string, number>[] }).details[0]);
    assert.deepEqual(Object.keys(detail!).sort(), ["hfov", "pitch", "yaw"]);
    assert.equal(await page.locator(".pnlm-compass").isVisible(), false, "and no compass");
    await page.close();
  });
});

describe("controls every reader can reach", () => {
  async function tabStops(page: Page) {
    const stops: { name: string; role: string; inViewer: boolean }[] = [];
    await page.locator("body").focus();
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return undefined;
        const viewer = document.getElementById("viewer")!;
        return {
          name: el.getAttribute("aria-label") ?? el.textContent?.trim() ?? "",
          role: el.getAttribute("role") ?? el.tagName.toLowerCase(),
          inViewer: viewer.contains(el),
        };
      });
      if (!info) break;
      stops.push(info);
    }
    return stops;
  }

  test("Tab reaches the viewer and each of its controls, each with a name and a role", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await withPageData(page, "/summit/", (data) => {
      data.neighbours = { previous: { url: "/ridge-partial/", title: "Ridge" }, next: { url: "/summit-looking-back/", title: "Summit, looking back" } };
    });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    const stops = (await tabStops(page)).filter((s) => s.inViewer);
    const names = stops.map((s) => s.name);
    for (const name of ["360° view of Granite summit", "Zoom in", "Zoom out", "Copy link to this view", "Previous picture: Ridge", "Next picture: Summit, looking back"]) {
      assert.ok(names.includes(name), `${name} in ${JSON.stringify(names)}`);
    }
    assert.ok(names.some((n) => /^Compass: facing north-west \(306°\)\. Turn to face north$/.test(n)), JSON.stringify(names));
    for (const s of stops) {
      assert.ok(s.name.length > 0, `a control without a name: ${JSON.stringify(s)}`);
      assert.ok(["application", "button", "a"].includes(s.role), `a control without a role: ${JSON.stringify(s)}`);
    }
    await page.close();
  });

  test("keyboard: arrows turn, + and − zoom, Enter and Space press a control, the compass faces north", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, reducedMotion: "reduce" });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    const start = await view(page);
    await page.locator("#viewer").focus();
    await page.keyboard.down("ArrowLeft");
    await page.waitForFunction((y) => (window as unknown as ViewerWindow).rotundaViewer.getYaw() < y - 1, start.yaw);
    await page.keyboard.up("ArrowLeft");
    await page.keyboard.down("ArrowUp");
    await page.waitForFunction((p) => (window as unknown as ViewerWindow).rotundaViewer.getPitch() > p + 1, start.pitch);
    await page.keyboard.up("ArrowUp");
    const before = (await view(page)).hfov;
    await page.keyboard.down("+");
    await page.waitForFunction((h) => (window as unknown as ViewerWindow).rotundaViewer.getHfov() < h - 1, before);
    await page.keyboard.up("+");
    const zoomed = (await view(page)).hfov;
    await page.keyboard.down("-");
    await page.waitForFunction((h) => (window as unknown as ViewerWindow).rotundaViewer.getHfov() > h + 1, zoomed);
    await page.keyboard.up("-");

    const zoomIn = page.getByRole("button", { name: "Zoom in" });
    await zoomIn.focus();
    const h0 = (await view(page)).hfov;
    await page.keyboard.press("Enter");
    await page.waitForFunction((h) => (window as unknown as ViewerWindow).rotundaViewer.getHfov() < h - 1, h0);
    const h1 = (await view(page)).hfov;
    await page.getByRole("button", { name: "Zoom out" }).focus();
    await page.keyboard.press(" ");
    await page.waitForFunction((h) => (window as unknown as ViewerWindow).rotundaViewer.getHfov() > h + 1, h1);

    const compass = page.getByRole("button", { name: /^Compass: facing/ });
    await compass.focus();
    await page.keyboard.press("Enter");
    // North is yaw −305.9 + 360 = 54.1 in this picture.
    await page.waitForFunction(() => Math.abs((window as unknown as ViewerWindow).rotundaViewer.getYaw() - 54.1) < 0.01);
    await page.waitForFunction(() => /^Compass: facing north \(0°\)/.test(document.querySelector(".pnlm-compass")!.getAttribute("aria-label")!));
    await page.close();
  });

  test("the compass turns the view to north and it stays there, even pressed while the view still glides from a turn", async () => {
    // Reduced motion: the compass jumps instead of turning, and the glide left from the arrow key
    // (Pannellum's inertia) would carry the view on past north.
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 }, reducedMotion: "reduce" });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    await turnAndLetGo(page);
    await page.getByRole("button", { name: /^Compass: facing/ }).focus();
    await page.keyboard.press("Enter");
    await page.waitForTimeout(1500);
    // North is yaw −305.9 + 360 = 54.1 in this picture.
    const yaw = (await view(page)).yaw;
    assert.ok(Math.abs(yaw - 54.1) < 0.01, `the view faces north and stays there (yaw ${yaw})`);
    await page.close();
  });

  test("full screen is a toggle button that says whether it is on", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    const toggle = page.getByRole("button", { name: "Full screen" });
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    await toggle.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.fullscreenElement?.id === "viewer");
    await page.waitForFunction(() => document.querySelector(".pnlm-fullscreen-toggle-button")!.getAttribute("aria-pressed") === "true");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.fullscreenElement === null);
    await page.close();
  });

  test("device orientation on a phone: a control the reader turns on, off until then", async () => {
    const context = await browser.newContext({
      viewport: { width: 400, height: 800 },
      userAgent: "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
    await loaded(page);
    const tilt = (alpha: number) =>
      page.evaluate((a) => window.dispatchEvent(new DeviceOrientationEvent("deviceorientation", { alpha: a, beta: 90, gamma: 0, absolute: false })), alpha);
    const control = page.getByRole("button", { name: "Look around by moving your device" });
    assert.equal(await control.getAttribute("aria-pressed"), "false");
    const yaw0 = (await view(page)).yaw;
    for (const a of [0, 30, 60]) await tilt(a);
    assert.equal((await view(page)).yaw, yaw0, "the device's movements do nothing until the reader asks");
    await control.focus();
    await page.keyboard.press("Enter");
    // Pannellum marks the control on, and aria-pressed follows, once it starts listening.
    await page.locator('.pnlm-orientation-button[aria-pressed="true"]').waitFor({ timeout: 10_000 });
    // Pannellum ignores its first ten readings (stale ones on iOS), then follows the device; the
    // control may start listening a moment after the press, so the device keeps moving until it does.
    let alpha = 0;
    await waitUntil(async () => {
      await tilt((alpha += 3) % 360);
      return Math.abs((await view(page)).yaw - yaw0) > 1;
    }, "the view to follow the device");
    await context.close();
  });

  test("previous and next picture: links on the viewer, ← and → on the page, Page Up and Page Down in the viewer", async () => {
    const neighbours = { previous: { url: "/ridge-partial/", title: "Ridge" }, next: { url: "/summit-looking-back/", title: "Summit, looking back" } };
    const open = async () => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await withPageData(page, "/summit/", (data) => (data.neighbours = neighbours));
      await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
      await loaded(page);
      return page;
    };
    let page = await open();
    const next = page.getByRole("link", { name: "Next picture: Summit, looking back" });
    assert.equal(await next.getAttribute("href"), "/summit-looking-back/");
    assert.equal(await next.getAttribute("aria-keyshortcuts"), "ArrowRight PageDown");
    await page.locator("h1").click();
    await page.keyboard.press("ArrowRight");
    await page.waitForURL(server.url + "/summit-looking-back/");
    await page.close();

    page = await open();
    await page.locator("#viewer").focus();
    await page.keyboard.press("PageUp");
    await page.waitForURL(server.url + "/ridge-partial/");
    await page.close();

    page = await open();
    const yaw = (await view(page)).yaw;
    await page.locator("#viewer").focus();
    // Held until the view moves: a press whose key goes up before the viewer's next frame turns nothing.
    await page.keyboard.down("ArrowRight");
    await page.waitForFunction((y) => (window as unknown as ViewerWindow).rotundaViewer.getYaw() !== y, yaw);
    await page.keyboard.up("ArrowRight");
    assert.equal(new URL(page.url()).pathname, "/summit/", "in the viewer the arrows turn the view");
    await page.close();
  });

  test("autorotation only when the page asks for it, and never for a reader who prefers reduced motion", async () => {
    const turns = async (context: BrowserContext, ask: boolean) => {
      const page = await context.newPage();
      await withPageData(page, "/summit/", (data) => ask && ((data.viewer as Record<string, number>).autoRotate = -10));
      await page.goto(server.url + "/summit/", { waitUntil: "domcontentloaded" });
      await loaded(page);
      const yaw = (await view(page)).yaw;
      // Sixty frames, however long they take.
      await page.evaluate(`new Promise((resolve) => {
        let n = 0;
        requestAnimationFrame(function step() { if (++n >= 60) resolve(); else requestAnimationFrame(step); });
      })`);
      const moved = Math.abs((await view(page)).yaw - yaw) > 0.01;
      await page.close();
      return moved;
    };
    const plain = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const reduced = await browser.newContext({ viewport: { width: 1000, height: 800 }, reducedMotion: "reduce" });
    assert.equal(await turns(plain, false), false, "off by default");
    assert.equal(await turns(plain, true), true, "on when the page asks");
    assert.equal(await turns(reduced, true), false, "never under prefers-reduced-motion");
    await plain.close();
    await reduced.close();
  });
});
