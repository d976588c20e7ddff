// The gallery in a real browser: headless Debian Chromium, WebGL through SwiftShader.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browseSite, closeSite, watchPage } from "../support/browser.ts";
import { imageStats, meanDifference } from "../support/screens.ts";
import { ROOT, runRotunda } from "../support/cli.ts";
import type { StaticServer } from "../support/static-server.ts";

let work: string;
let server: StaticServer;
let browser: Browser;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-e2e-"));
  const dist = path.join(work, "dist");
  const result = await runRotunda(["build", "--input", path.join(ROOT, "content"), "--output", dist]);
  assert.equal(result.code, 0, result.stderr);
  ({ server, browser } = await browseSite(dist));
});

after(() => closeSite({ server, browser }, work));

test("index → thumbnail → a viewer that loads, shows the picture and turns when dragged", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const { problems, foreign } = watchPage(page);
  await page.goto(server.url + "/");
  const cards = page.locator(".gallery.pictures a");
  assert.ok((await cards.count()) >= 3, "index shows the panoramas");
  const thumb = cards.first().locator("img");
  assert.ok(await thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), "thumbnail loaded");

  await cards.first().click();
  await page.waitForFunction(() => ["loaded", "error", "unsupported"].includes(document.documentElement.dataset.viewer ?? ""), null, { timeout: 60_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.viewer), "loaded");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.variant), "multires", "the cube tiles are what loads");
  await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => /\/tiles-[0-9a-f]+\/\d+\//.test(e.name)));

  const viewer = page.locator("#viewer");
  const box = (await viewer.boundingBox())!;
  assert.ok(box.height > 200, "the viewer has room");
  await page.waitForTimeout(300);
  const first = await imageStats(await viewer.screenshot());
  assert.ok(first.stdev > 10, `viewer is not blank (pixel stdev ${first.stdev.toFixed(1)})`);

  const yawBefore = await page.evaluate(() => (window as any).rotundaViewer.getYaw() as number);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 + 20, { steps: 12 });
  await page.mouse.up();
  await page.waitForTimeout(800);
  const yawAfter = await page.evaluate(() => (window as any).rotundaViewer.getYaw() as number);
  assert.ok(Math.abs(yawAfter - yawBefore) > 5, `dragging turned the view (yaw ${yawBefore} → ${yawAfter})`);
  const second = await imageStats(await viewer.screenshot());
  const diff = meanDifference(first.data, second.data);
  assert.ok(diff > 5, `the picture on screen changed after the drag (mean difference ${diff.toFixed(1)})`);

  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, [], "no request leaves 127.0.0.1");
  await page.close();
});

test("a panorama page keeps one WebGL context, the viewer's: the one that measured the device is let go", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript(() => {
    const made: WebGLRenderingContext[] = [];
    (window as any).webglContexts = made;
    const getContext = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, id: string, ...rest: unknown[]) {
      const context = (getContext as Function).call(this, id, ...rest);
      if (context && /webgl/.test(id) && !made.includes(context)) made.push(context);
      return context;
    } as typeof getContext;
  });
  await page.goto(server.url + "/");
  await page.locator(".gallery.pictures a").first().click();
  await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
  const contexts = await page.evaluate(() =>
    ((window as any).webglContexts as WebGLRenderingContext[]).map((gl) => ({ lost: gl.isContextLost(), inViewer: document.getElementById("viewer")!.contains(gl.canvas as HTMLCanvasElement) })),
  );
  assert.ok(contexts.length >= 2, `the device's measure and the viewer each asked for a context (${JSON.stringify(contexts)})`);
  assert.deepEqual(contexts.filter((c) => !c.lost), [{ lost: false, inViewer: true }], "only the viewer's context is live");
  await page.close();
});

test("nothing clips a viewer's canvas to rounded corners, on a panorama page or in a page's figure: that clip is drawn again with every frame", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  // The elements from the canvas up that clip what they hold to a rounded shape.
  const roundedClips = (canvas: HTMLCanvasElement) => {
    const found: string[] = [];
    for (let e: HTMLElement | null = canvas; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      const rounded = [s.borderTopLeftRadius, s.borderTopRightRadius, s.borderBottomLeftRadius, s.borderBottomRightRadius].some((r) => parseFloat(r) > 0);
      const clips = s.overflow !== "visible" || s.clipPath !== "none" || e === canvas;
      if (rounded && clips) found.push(`${e.tagName.toLowerCase()}.${e.className}`);
    }
    return found;
  };
  await page.goto(server.url + "/summit/");
  await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
  assert.deepEqual(await page.locator("#viewer canvas").evaluate(roundedClips), [], "the panorama page");
  await page.goto(server.url + "/about/");
  await page.locator("[data-rotunda-panorama]").first().scrollIntoViewIfNeeded();
  const figureCanvas = page.locator(".rotunda-panorama--live canvas").first();
  await figureCanvas.waitFor({ timeout: 60_000 });
  assert.deepEqual(await figureCanvas.evaluate(roundedClips), [], "the figure once its viewer draws");
  await page.close();
});

test("the viewer starts where GPano says: initial view and north offset from the manifest", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await page.goto(server.url + "/summit-looking-back/");
  await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
  const view = await page.evaluate(() => {
    const v = (window as any).rotundaViewer;
    return { yaw: v.getYaw(), north: v.getNorthOffset() };
  });
  assert.ok(Math.abs(view.yaw - 40) < 0.5, `initial yaw 40 (got ${view.yaw})`);
  assert.ok(Math.abs(view.north - 125.9) < 0.5, `north offset 125.9 (got ${view.north})`);
  await page.close();
});

test("without JavaScript the thumbnail, text and metadata still show", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/summit/");
  const img = page.locator("#viewer img.viewer-fallback");
  await img.waitFor();
  assert.ok(await img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().height > 100));
  assert.equal(await page.locator("h1").textContent(), "Granite summit");
  assert.ok((await page.locator("table.meta tr").count()) >= 3);
  await context.close();
});

test("the comparison page switches between ladder steps, keeping the view", async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const { problems, foreign } = watchPage(page);
  await page.goto(server.url + "/summit/compare/");
  await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
  const buttons = page.locator("#rotunda-ladder button");
  assert.equal(await buttons.count(), 12, "the default ladder has 12 qualities");
  const first = await page.evaluate(() => document.documentElement.dataset.variant);
  assert.match(first!, /-q85-/, "starts at the gallery's own quality");
  await page.evaluate(() => (window as any).rotundaViewer.setYaw(33, false));
  const q20 = buttons.filter({ hasText: "q20" });
  await q20.click();
  await page.waitForFunction(() => /-q20-/.test(document.documentElement.dataset.variant ?? "") && document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
  assert.equal(await q20.getAttribute("aria-pressed"), "true");
  const yaw = await page.evaluate(() => (window as any).rotundaViewer.getYaw() as number);
  assert.ok(Math.abs(yaw - 33) < 1, `view kept (yaw ${yaw})`);
  const shot = await imageStats(await page.locator("#viewer").screenshot());
  assert.ok(shot.stdev > 10, "q20 is shown, not blank");
  assert.deepEqual(problems, []);
  assert.deepEqual(foreign, []);
  await page.close();
});
