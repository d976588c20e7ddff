// `rotunda serve` in the cases that need a server of their own (serve.test.ts shares
// one): errors an author makes in a template or from the start, pictures that
// arrive from a camera or are completed after a quick first look, and a serve
// whose launcher is killed. (Not named "pull", so `npm test -- pull` stays the
// pull stage's.)
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser } from "playwright-core";
import { startEmulator } from "../../src/pull/emulator/server.ts";
import { LAYOUTS_DIR } from "../../src/render/index.ts";
import { startDevServer } from "../../src/serve/index.ts";
import { launchBrowser } from "../support/browser.ts";
import { makeEquirect } from "../support/pictures.ts";
import { groupMembers } from "../support/cli.ts";
import { startServe } from "./helpers.ts";

let work: string;
let browser: Browser;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-serve-errors-"));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("an author's mistakes show on the page and are fixed without a restart", () => {
  test("a template error shows on the page and in the log; fixing the template recovers, no restart", async () => {
    const gallery = path.join(work, "t-gallery");
    const layouts = path.join(work, "t-layouts");
    await mkdir(gallery);
    await makeEquirect(path.join(gallery, "one.jpg"), 512, 256, 5);
    // The site's own version of the home page, as `rotunda init` sites have in layouts/.
    await mkdir(layouts);
    await cp(path.join(LAYOUTS_DIR, "index.njk"), path.join(layouts, "index.njk"));
    const lines: string[] = [];
    const server = await startDevServer({
      inputDir: gallery, outputDir: path.join(work, "t-dist"), port: 0, layoutsDir: layouts,
      log: (l) => lines.push(l), warn: (l) => lines.push(l),
    });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      assert.equal(await page.locator(".gallery a").count(), 1);
      const index = path.join(layouts, "index.njk");
      const good = await readFile(index, "utf8");
      await writeFile(index, good.replace("{% endif %}", "{{ broken( }}{% endif %}"));
      const banner = page.locator("#rotunda-problems");
      await banner.waitFor({ timeout: 10_000 });
      assert.match(await banner.textContent() ?? "", /Template.*index\.njk/s);
      assert.ok(lines.some((l) => /✗ template: .*index\.njk/.test(l)), lines.join("\n"));
      assert.equal(await page.locator(".gallery a").count(), 1, "the last good page is still there under the banner");

      await writeFile(index, good.replace("{% block listing %}", '{% block listing %}<p class="mended">Mended</p>'));
      await banner.waitFor({ state: "detached", timeout: 10_000 });
      await page.waitForFunction(() => document.querySelector(".mended")?.textContent === "Mended", null, { timeout: 10_000 });
      await page.close();
    } finally {
      await server.close();
    }
  });

  test("a gallery whose rotunda.json is bad from the start: served with the error, fixed without a restart", async () => {
    const gallery = path.join(work, "c-gallery");
    await mkdir(gallery);
    await makeEquirect(path.join(gallery, "first.jpg"), 512, 256, 6);
    await writeFile(path.join(gallery, "rotunda.json"), "{ not json");
    const server = await startServe(["--input", gallery, "--output", path.join(work, "c-dist"), "--port", "0"]);
    try {
      await server.waitFor(/✗ configuration: .*rotunda\.json: not valid JSON/, { timeoutMs: 5_000 });
      const page = await browser.newPage();
      await page.goto(server.url);
      const banner = page.locator("#rotunda-problems");
      assert.match(await banner.textContent() ?? "", /rotunda\.json: not valid JSON/);
      await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ title: "Now it builds" }));
      await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Now it builds", null, { timeout: 15_000 });
      assert.equal(await banner.count(), 0);
      await page.close();
    } finally {
      assert.equal((await server.stop()).code, 0);
    }
  });
});

describe("new pictures reach the open page", () => {
  test("--pull-every: pictures shot on a camera appear as they arrive", async () => {
    const camera = path.join(work, "camera");
    const gallery = path.join(work, "p-gallery");
    await mkdir(camera);
    await mkdir(gallery);
    await makeEquirect(path.join(camera, "R0010001.JPG"), 512, 256, 7);
    const emulator = await startEmulator({ dir: camera });
    // A second camera that is switched off: its failure is shown, the other's pictures still arrive.
    await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({
      title: "Pulled",
      cameras: [{ name: "lobby", url: emulator.url }, { name: "attic", url: "http://127.0.0.1:1" }],
      pull: { retries: 0 },
    }));
    const server = await startServe(["--input", gallery, "--output", path.join(work, "p-dist"), "--port", "0", "--pull-every", "1"]);
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      // Pulled pictures sit in the camera's folder, an album: the home page shows its card and theirs.
      await page.waitForFunction(() => document.querySelectorAll(".gallery.pictures a").length === 1, null, { timeout: 15_000 });
      await page.locator("#rotunda-problems").waitFor({ timeout: 10_000 });
      assert.match(await page.locator("#rotunda-problems").textContent() ?? "", /Camera pull\s*attic/);
      // A new shot on the camera: the open index shows it by itself.
      await makeEquirect(path.join(camera, "R0010002.JPG"), 512, 256, 8);
      await page.waitForFunction(() => document.querySelectorAll(".gallery.pictures a").length === 2, null, { timeout: 15_000 });
      await server.waitFor(/pull: 1 new picture\(s\) from lobby/, { timeoutMs: 5_000 });
      await page.close();
    } finally {
      await server.stop();
      await emulator.close();
    }
  });

  test("a new picture shows first with the quick recipe, then is completed in a follow-up run", async () => {
    const gallery = path.join(work, "q-gallery");
    const dist = path.join(work, "q-dist");
    await mkdir(gallery);
    await makeEquirect(path.join(gallery, "first.jpg"), 1024, 512, 9);
    const lines: string[] = [];
    const server = await startDevServer({ inputDir: gallery, outputDir: dist, port: 0, log: (l) => lines.push(l), warn: () => {} });
    try {
      const read = async () => JSON.parse(await readFile(path.join(dist, ".rotunda/manifest.json"), "utf8")) as { panoramas: Array<{ slug: string; tiles?: unknown; ladder?: unknown[]; socialCard?: unknown }> };
      // The start-up build has completed the picture already.
      let first = (await read()).panoramas.find((p) => p.slug === "first")!;
      assert.ok(first.tiles && first.socialCard && first.ladder!.length === 12, "complete after start-up");
      await makeEquirect(path.join(gallery, "second.jpg"), 1024, 512, 10);
      // Poll the manifest: the picture appears, then is completed.
      let second: (typeof first) | undefined;
      const deadline = Date.now() + 30_000;
      while (!(second?.tiles) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        second = (await read().catch(() => ({ panoramas: [] }))).panoramas.find((p) => p.slug === "second");
      }
      assert.ok(second?.tiles && second.socialCard && second.ladder!.length === 12, "completed by the follow-up run");
      const page = await browser.newPage();
      await page.goto(new URL("/second/", server.url).href);
      await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout: 30_000 });
      assert.ok(lines.some((l) => /rebuilt \(completing the new pictures\)/.test(l)), lines.join("\n"));
      first = (await read()).panoramas.find((p) => p.slug === "first")!;
      assert.ok(first.tiles, "the other picture untouched");
      await page.close();
    } finally {
      await server.close();
    }
  });
});

describe("stopping", () => {
  test("a serve whose launcher is killed outright stops too, port and all", async () => {
    const gallery = path.join(work, "k-gallery");
    await mkdir(gallery);
    await makeEquirect(path.join(gallery, "one.jpg"), 512, 256, 8);
    const server = await startServe(["--input", gallery, "--output", path.join(work, "k-dist"), "--port", "0"]);
    const members = await groupMembers(server.pid);
    assert.ok(members.length >= 2, "the launcher and the server it started");
    server.signal("SIGKILL"); // the launcher only: nothing can be forwarded
    let left = members;
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await sleep(100);
      left = await groupMembers(server.pid);
    }
    assert.deepEqual(left, [], "no process of it survives");
    await assert.rejects(fetch(server.url), "the port is closed");
  });
});
