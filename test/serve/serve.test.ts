// `rotunda serve` end to end: a child process on a temp gallery, driven with a
// real browser. Edits, new pictures, a corrupt picture, a bad config and front
// matter, a deletion and a burst must reach the open page by themselves.
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { CACHE_IMMUTABLE } from "../../src/deploy/headers.ts";
import { launchBrowser } from "../support/browser.ts";
import { makeEquirect } from "../support/pictures.ts";
import { groupMembers } from "../support/cli.ts";
import { listeningSockets, startServe, type ServeProcess } from "./helpers.ts";

let work: string;
let gallery: string;
let browser: Browser;
let server: ServeProcess;
let blocker: Server;
let blockedPort: number;
/** Pictures made once, copied in as an author would. */
let spare: string;

const sidecar = (title: string, caption: string) => `---\ntitle: ${title}\n---\n${caption}\n`;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-serve-"));
  gallery = path.join(work, "gallery");
  spare = path.join(work, "spare");
  await mkdir(gallery);
  await mkdir(spare);
  await makeEquirect(path.join(gallery, "alpha.jpg"), 1024, 512, 1);
  await writeFile(path.join(gallery, "alpha.md"), sidecar("Alpha hall", "The first caption."));
  await makeEquirect(path.join(gallery, "beta.jpg"), 1024, 512, 2);
  await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ title: "Serve test gallery" }));
  await makeEquirect(path.join(spare, "gamma.jpg"), 1024, 512, 3);
  // A port held on 127.0.0.1, so serve must move to the next one.
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  blockedPort = (blocker.address() as { port: number }).port;
  [server, browser] = await Promise.all([
    startServe(["--input", gallery, "--output", path.join(work, "dist"), "--port", String(blockedPort)]),
    launchBrowser(),
  ]);
});

after(async () => {
  await browser?.close();
  blocker?.close();
  if (server) {
    try {
      await server.stop();
    } catch {
      // reported by its own test
    }
  }
  if (work) await rm(work, { recursive: true, force: true });
});

async function open(pathname: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  await page.goto(new URL(pathname, server.url).href);
  return page;
}

const viewerLoaded = (page: Page, timeout = 30_000) =>
  page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded", null, { timeout });

describe("rotunda serve", () => {
  test("listens on 127.0.0.1 only, on the next free port when the asked one is taken", async () => {
    assert.match(server.output(), new RegExp(`Serving http://127\\.0\\.0\\.1:\\d+/ \\(${blockedPort} was taken\\)`));
    assert.ok(server.port > blockedPort);
    // The rotunda process and the one its launcher runs the server in (one process group).
    const sockets = (await Promise.all((await groupMembers(server.pid)).map(listeningSockets))).flat();
    assert.ok(sockets.length > 0, "the server's processes have a listening socket");
    assert.deepEqual(sockets, [{ address: "127.0.0.1", port: server.port }]);
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /Alpha hall/);
    assert.equal(response.headers.get("cache-control"), "no-cache", "pages are revalidated");
    const media = /src="(\/media\/[^"]+)"/.exec(html)?.[1];
    assert.ok(media, "the home page shows a picture");
    assert.equal((await fetch(new URL(media, server.url))).headers.get("cache-control"), CACHE_IMMUTABLE, `${media} carries its hash`);
  });

  test("runs in a child of the launcher with the image commands' glibc malloc settings", async () => {
    const setting = `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=${8 * 1024 * 1024}:glibc.malloc.hugetlb=1`;
    const has = async (pid: number) => (await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "")).split("\0").includes(setting);
    assert.equal(await has(server.pid), false, "the launcher runs with glibc's defaults");
    const others = (await groupMembers(server.pid)).filter((pid) => pid !== server.pid);
    assert.ok((await Promise.all(others.map(has))).some(Boolean), "the process it started has the settings");
  });

  test("malformed and hostile request targets get 400 or 404, and the server keeps answering", async () => {
    // Sent as raw bytes, as `curl --path-as-is` would: no client normalises them first.
    const raw = (target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = createConnection(server.port, "127.0.0.1", () => socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        let answer = "";
        socket.on("data", (d: Buffer) => (answer += d.toString("latin1")));
        socket.on("end", () => resolve(answer.split("\r\n", 1)[0]!));
        socket.on("error", reject);
      });
    const targets = [
      "/..%2f..%2fetc%2fpasswd", "/%E0%A4%A", "/%", "/%zz", "/..%5c..%5cetc%5cpasswd", "/a/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd", "/%00", "/index.html%00.jpg", "*", "http://example.com/", "/" + "a".repeat(5000),
      "/.rotunda/manifest.json", "/%2erotunda/manifest.json", "/media/../.rotunda/process-cache.json",
    ];
    for (const target of targets) {
      const status = await raw(target);
      assert.match(status, /^HTTP\/1\.1 (400|404) /, `${target.slice(0, 40)} → ${status}`);
    }
    // Images on a page the reader opens send the same requests: the server is still there.
    assert.equal((await fetch(server.url)).status, 200);
    assert.equal(await raw("/"), "HTTP/1.1 200 OK");
  });

  test("a caption edit shows on the open page without a manual reload, images untouched", async () => {
    const page = await open("/alpha/");
    await viewerLoaded(page);
    const from = server.output().length;
    await writeFile(path.join(gallery, "alpha.md"), sidecar("Alpha hall", "A caption written while watching."));
    await page.waitForFunction(() => document.querySelector(".caption")?.textContent?.includes("written while watching"), null, { timeout: 10_000 });
    const line = await server.waitFor(/rebuilt \(alpha\.md\)[^\n]*/, { timeoutMs: 5_000, from });
    assert.doesNotMatch(line[0], /made/, "no picture re-made for a caption");
    await viewerLoaded(page);
    await page.close();
  });

  test("a new picture copied in gets its page, on the index without a reload, and its viewer loads", async () => {
    const index = await open("/");
    assert.equal(await index.locator(".gallery a").count(), 2);
    await copyFile(path.join(spare, "gamma.jpg"), path.join(gallery, "gamma.jpg"));
    await index.waitForFunction(() => document.querySelectorAll(".gallery a").length === 3, null, { timeout: 15_000 });
    await index.locator('.gallery a[href="/gamma/"]').click();
    await viewerLoaded(index);
    assert.equal(await index.locator("h1").textContent(), "Gamma");
    await index.close();
  });

  test("a corrupt picture is shown as an error, the server keeps answering, and fixing it recovers", async () => {
    const page = await open("/");
    await writeFile(path.join(gallery, "delta.jpg"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)]));
    const banner = page.locator("#rotunda-problems");
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.textContent() ?? "", /delta\.jpg/);
    await server.waitFor(/✗ picture: delta\.jpg/, { timeoutMs: 5_000 });
    assert.equal((await fetch(new URL("/alpha/", server.url))).status, 200, "still serving the other pages");
    const other = await open("/alpha/");
    assert.match(await other.locator("#rotunda-problems").textContent() ?? "", /delta\.jpg/, "every page carries the banner");
    await other.close();

    const fixedFrom = server.output().length;
    await makeEquirect(path.join(gallery, "delta.jpg"), 1024, 512, 4);
    await banner.waitFor({ state: "detached", timeout: 15_000 });
    await page.waitForFunction(() => !!document.querySelector('.gallery a[href="/delta/"]'), null, { timeout: 10_000 });
    // Open the page once the completing run has rewritten it: Eleventy writes pages in
    // place, so a page fetched mid-write can come back cut short (and never reload).
    // The run then tells open pages to reload: open a new page once that is sent.
    await server.waitFor(/rebuilt \(completing the new pictures\)/, { timeoutMs: 30_000, from: fixedFrom });
    await page.close();
    await new Promise((r) => setTimeout(r, 200));
    const delta = await open("/delta/");
    await viewerLoaded(delta);
    await delta.close();
  });

  test("bad front matter and a bad rotunda.json show on the page and recover when fixed", async () => {
    const page = await open("/alpha/");
    const banner = page.locator("#rotunda-problems");
    await writeFile(path.join(gallery, "alpha.md"), "---\ntitle: [unclosed\n---\nOops\n");
    await banner.waitFor({ timeout: 10_000 });
    assert.match(await banner.textContent() ?? "", /alpha\.md.*front matter is not valid YAML/s);
    await writeFile(path.join(gallery, "alpha.md"), sidecar("Alpha hall", "Mended."));
    await banner.waitFor({ state: "detached", timeout: 10_000 });

    const config = await readFile(path.join(gallery, "rotunda.json"), "utf8");
    await writeFile(path.join(gallery, "rotunda.json"), '{ "title": "Serve test gallery", "tilte": 1 }');
    await banner.waitFor({ timeout: 10_000 });
    assert.match(await banner.textContent() ?? "", /unknown key "tilte"/);
    assert.equal((await fetch(server.url)).status, 200, "the last good pages stay served");
    await writeFile(path.join(gallery, "rotunda.json"), config.replace("Serve test gallery", "Renamed gallery"));
    await banner.waitFor({ state: "detached", timeout: 10_000 });
    await page.waitForFunction(() => document.title.includes("Renamed gallery"), null, { timeout: 10_000 });
    await page.close();
  });

  test("a deleted picture leaves the gallery and its page goes", async () => {
    const page = await open("/");
    assert.ok(await page.locator('.gallery a[href="/beta/"]').count());
    await rm(path.join(gallery, "beta.jpg"));
    await page.waitForFunction(() => !document.querySelector('.gallery a[href="/beta/"]'), null, { timeout: 10_000 });
    assert.equal((await fetch(new URL("/beta/", server.url))).status, 404);
    await page.close();
  });

  test("a burst of 50 pictures copied in at once is processed once each, in few runs", async () => {
    const burst = path.join(work, "burst");
    await mkdir(burst);
    for (let i = 0; i < 50; i++) await makeEquirect(path.join(burst, `burst-${String(i).padStart(2, "0")}.jpg`), 256, 128, 100 + i);
    const from = server.output().length;
    await Promise.all(Array.from({ length: 50 }, (_, i) => {
      const name = `burst-${String(i).padStart(2, "0")}.jpg`;
      return copyFile(path.join(burst, name), path.join(gallery, name));
    }));
    await server.waitFor(/rebuilt[^\n]*: 53 panoramas/, { timeoutMs: 60_000, from });
    const runs = [...server.output().slice(from).matchAll(/rebuilt [^\n]*/g)].map((m) => m[0]);
    const made = runs.reduce((sum, line) => sum + Number(/· (\d+) made/.exec(line)?.[1] ?? 0), 0);
    assert.equal(made, 50, `each picture made once:\n${runs.join("\n")}`);
    assert.ok(runs.length <= 3, `coalesced into few runs, got ${runs.length}:\n${runs.join("\n")}`);
  });

  test("stopped by its PID: exits 0, the port is free and no child process survives", async () => {
    const port = server.port;
    const { code } = await server.stop();
    assert.equal(code, 0);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once("error", reject).listen(port, "127.0.0.1", resolve));
    probe.close();
    server = undefined as unknown as ServeProcess;
  });
});
