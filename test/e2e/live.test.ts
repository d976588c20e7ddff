// The live view in headless Chromium against the emulator with Digest auth:
// `rotunda camera live` shows the preview moving in a viewer the operator turns;
// under `rotunda serve`, /_cameras/ leads to the same view, and Shoot leads to the
// new picture's page in the gallery. The camera pages answer on 127.0.0.1 only
// and never reach the built site.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startEmulator, type Emulator } from "../../src/pull/emulator/server.ts";
import { launchBrowser } from "../support/browser.ts";
import { imageStats, meanDifference } from "../support/screens.ts";
import { groupMembers, startRotunda, type RotundaProcess } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";
import { tempDir } from "../pull/helpers.ts";
import { listeningSockets, startServe, type ServeProcess } from "../serve/helpers.ts";

const USER = "THETAYL00000077";
const PASSWORD = "e2e-Live-Pass-9";
const env = { ROTUNDA_TEST_CAMERA_PASSWORD: PASSWORD };

let work = "";
let cleanup = async () => {};
let emulator: Emulator;
let browser: Browser;

before(async () => {
  ({ dir: work, cleanup } = await tempDir("rotunda-e2e-live-"));
  await mkdir(path.join(work, "camera"));
  await makeEquirect(path.join(work, "camera", "R0010001.JPG"), 1024, 512, 5);
  [emulator, browser] = await Promise.all([
    startEmulator({ dir: path.join(work, "camera"), username: USER, password: PASSWORD, captureMs: 300, previewFormat: { width: 640, height: 320, framerate: 30 } }),
    launchBrowser(),
  ]);
});

after(async () => {
  await browser?.close();
  await emulator?.close();
  await cleanup();
});

function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && problems.push(`console: ${m.text()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  return problems;
}

/** Waits until the live viewer has loaded and shown a few frames. */
async function liveViewerReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded" && Number(document.documentElement.dataset.frames ?? 0) >= 3, null, { timeout: 60_000 });
}

describe("rotunda camera live", () => {
  let live: RotundaProcess;
  let url = "";

  before(async () => {
    live = startRotunda(["camera", "live", "--camera", emulator.url, "--user", USER, "--password-env", "ROTUNDA_TEST_CAMERA_PASSWORD", "--port", "0"], { env });
    url = (await live.waitFor(/Live view of \S+ at (http:\/\/\S+\/)/))[1]!;
  });
  after(async () => {
    await live?.stop();
  });

  test("listens on 127.0.0.1 only", async () => {
    const sockets = (await Promise.all((await groupMembers(live.pid)).map(listeningSockets))).flat();
    assert.ok(sockets.length > 0);
    for (const socket of sockets) assert.equal(socket.address, "127.0.0.1");
  });

  test("the viewer shows the camera's frames moving, and a drag turns the view", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const problems = problemsOf(page);
    await page.goto(url);
    await liveViewerReady(page);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.live), "live");
    assert.match((await page.locator("#live-camera").textContent()) ?? "", /89%/, "the camera's battery is shown");
    const viewer = page.locator("#live-viewer");
    const box = (await viewer.boundingBox())!;
    const first = await imageStats(await viewer.screenshot());
    assert.ok(first.stdev > 10, `the viewer shows a picture (pixel stdev ${first.stdev.toFixed(1)})`);
    const frameBefore = await page.evaluate(() => (window as any).rotundaLive.lastFrame as number);
    await page.waitForTimeout(1000);
    const second = await imageStats(await viewer.screenshot());
    const frameAfter = await page.evaluate(() => (window as any).rotundaLive.lastFrame as number);
    assert.ok(frameAfter > frameBefore, `newer frames were shown (${frameBefore} → ${frameAfter})`);
    const moved = meanDifference(first.data, second.data);
    assert.ok(moved > 1, `the picture moved between two screenshots a second apart (mean difference ${moved.toFixed(2)})`);

    const yawBefore = await page.evaluate(() => (window as any).rotundaLive.viewer.getYaw() as number);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 + 20, { steps: 12 });
    await page.mouse.up();
    await page.waitForTimeout(500);
    const yawAfter = await page.evaluate(() => (window as any).rotundaLive.viewer.getYaw() as number);
    assert.ok(Math.abs(yawAfter - yawBefore) > 5, `dragging turned the view (yaw ${yawBefore} → ${yawAfter})`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe("rotunda serve: /_cameras/", () => {
  let serve: ServeProcess;
  let gallery = "";
  let dist = "";

  before(async () => {
    gallery = path.join(work, "gallery");
    dist = path.join(work, "dist");
    await mkdir(gallery);
    await makeEquirect(path.join(gallery, "hall.jpg"), 1024, 512, 2);
    await writeFile(
      path.join(gallery, "rotunda.json"),
      JSON.stringify({ title: "Live gallery", cameras: [{ name: "lobby", url: emulator.url, username: USER, passwordEnv: "ROTUNDA_TEST_CAMERA_PASSWORD" }] }),
    );
    // All interfaces, so that a request on another address (127.0.0.2) reaches serve at all.
    serve = await startServe(["--input", gallery, "--output", dist, "--port", "0", "--host", "0.0.0.0"], env);
  });
  after(async () => {
    await serve?.stop();
  });

  test("answers on 127.0.0.1 only: another address gets the gallery but no camera page or stream", async () => {
    await serve.waitFor(/Cameras live at http:\/\/127\.0\.0\.1:\d+\/_cameras\//);
    const local = await fetch(`http://127.0.0.1:${serve.port}/_cameras/`);
    assert.equal(local.status, 200);
    assert.match(await local.text(), /lobby/);
    assert.equal((await fetch(`http://127.0.0.2:${serve.port}/`)).status, 200, "serve answers there");
    for (const target of ["/_cameras/", "/_cameras/lobby/", "/_cameras/lobby/stream", "/_cameras/live.js"]) {
      assert.equal((await fetch(`http://127.0.0.2:${serve.port}${target}`)).status, 404, target);
    }
  });

  test("Shoot leads to the new picture's page in the gallery; nothing of the camera pages reaches dist/", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const problems = problemsOf(page);
    await page.goto(`http://127.0.0.1:${serve.port}/_cameras/`);
    await page.locator("a", { hasText: "lobby" }).click();
    await liveViewerReady(page);
    await page.locator("#live-shoot").click();
    const link = page.locator("#live-shot-page");
    await link.waitFor({ timeout: 90_000 });
    const href = await link.getAttribute("href");
    assert.match(href ?? "", /^\/r\d+\/$/, "the page of the new picture");
    await link.click();
    await page.waitForURL(`http://127.0.0.1:${serve.port}${href}`);
    await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 60_000 });
    assert.deepEqual(problems, []);
    await page.close();

    const files = await readdir(dist, { recursive: true, encoding: "utf8" });
    assert.ok(files.some((f) => f.startsWith("cameras") || f.includes(href!.slice(1, -1))), "the new picture was built");
    assert.deepEqual(files.filter((f) => f.includes("_cameras") || /(^|\/)live[.-]/.test(f)), [], "no camera page or live bundle in dist/");
    for (const file of files.filter((f) => /\.(html|js|css|json)$/.test(f))) {
      const text = await readFile(path.join(dist, file), "utf8").catch(() => "");
      assert.ok(!text.includes("rotunda-live-data") && !text.includes("_cameras"), `${file} carries nothing of the live view`);
      assert.ok(!text.includes(PASSWORD), `${file} carries no password`);
    }
  });
});
