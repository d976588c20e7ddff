// What a new reader waits for: a THETA Z1-sized panorama opened in headless
// Chromium over a throttled network, on 1× and 2× screens, for Rotunda's page
// next to stock Pannellum (its own multires tiles made by generate.py, and a
// 4096 px JPEG with a preview) and a plain <img> page (the floor).
//
//   npm run bench -- reader
//
// Set-up, once (not needed by the tests or CI): the stock multires baseline needs
// Pannellum's utils/multires/generate.py and what it runs on,
//   apt-get install -y --no-install-recommends hugin-tools python3-pil python3-numpy
// and the browser, apt-get install -y --no-install-recommends chromium.
//
// Each run is a fresh browser (a warm-up page first, so SwiftShader's start-up is
// not billed to the page; the measured page then opens in the same tab), cache
// off, the network throttled through the DevTools protocol. "First visible" is
// the first paint of any part of the panorama (an image in the page, by Element
// Timing, or the first frame drawn after a WebGL texture upload; images without
// the attribute count when they are a largest contentful paint); "sharp" is the
// frame after the last texture upload of the initial view; "bytes to sharp"
// counts every response finished by then. Every page shows the same initial view
// in a viewer of the same size. Medians of BENCH_READER_RUNS runs.
//
// Input: theta-z1-like.jpg from $ROTUNDA_SAMPLES or ../shared/samples, else a
// generated one of that size. Env: BENCH_READER_RUNS (3); BENCH_READER_BEFORE=<dir>
// also measures the Rotunda checkout in <dir> (with its own node_modules or a
// link to these), as "Rotunda before"; BENCH_READER_DIR (os.tmpdir());
// BENCH_READER_LIGHTHOUSE_RUNS (3): Lighthouse's performance score (its mobile
// profile) of Rotunda's panorama and home pages and of stock multires' page.
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createGzip } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { launchBrowser } from "../test/support/browser.ts";
import { runLighthouse } from "../test/support/lighthouse.ts";
import { median, REPO_ROOT, round, runIfMain, thetaSample, type Figure } from "./common.ts";

const PYTHON = "/usr/bin/python3"; // not a pyenv shim: the Debian packages are for this one
const PANNELLUM = path.join(REPO_ROOT, "node_modules/pannellum");
const GENERATE_PY = path.join(PANNELLUM, "utils/multires/generate.py");

/** Network profiles as the DevTools protocol takes them (bytes per second, ms). */
const PROFILES = {
  "Fast 4G": { latency: 60, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (1.5e6 / 8) | 0 },
  "Slow 4G": { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (0.75e6 / 8) | 0 },
} as const;
type ProfileName = keyof typeof PROFILES;

/** The viewport every page is opened in; Rotunda's viewer frame in it sets the size of the others. */
const VIEWPORT = { width: 1032, height: 900 };
/** How long nothing may happen (no request in flight, no texture upload) before a page counts as settled. */
const QUIET_MS = 2500;
const PAGE_TIMEOUT_MS = 90_000;

interface Target {
  key: string;
  label: string;
  url: string;
  /** Shows a viewer (sharp is measured); the floor shows only an image. */
  viewer: boolean;
  /** Measured at device scale factor 2 as well. */
  twoX: boolean;
}

interface RunResult {
  firstVisible?: number;
  sharp?: number;
  bytesToSharp?: number;
  bytesTotal: number;
  uploads: number;
  tiles: number;
  maxLevel?: number;
}

// Runs in every page before its own scripts: notes texture uploads and the frames
// that show them, and image paints by Element Timing (Pannellum's preview is a CSS
// background on a div it creates, so that div gets the attribute as it appears).
const INSTRUMENT = `(() => {
  const rec = (window.__reader = { firstDraw: undefined, lastDraw: undefined, uploads: 0, images: [] });
  performance.setResourceTimingBufferSize(2000);
  let pending = 0;
  const proto = WebGLRenderingContext.prototype;
  const upload = proto.texImage2D;
  proto.texImage2D = function () { pending++; return upload.apply(this, arguments); };
  for (const name of ["drawElements", "drawArrays"]) {
    const draw = proto[name];
    proto[name] = function () {
      const result = draw.apply(this, arguments);
      if (pending) {
        const n = pending;
        pending = 0;
        requestAnimationFrame(() => {
          const t = performance.now();
          rec.uploads += n;
          if (rec.firstDraw === undefined) rec.firstDraw = t;
          rec.lastDraw = t;
        });
      }
      return result;
    };
  }
  const note = (list) => {
    for (const e of list.getEntries()) if (e.url) rec.images.push({ id: e.identifier ?? "lcp", t: e.renderTime || e.loadTime, url: e.url });
  };
  new PerformanceObserver(note).observe({ type: "element", buffered: true });
  new PerformanceObserver(note).observe({ type: "largest-contentful-paint", buffered: true });
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) {
      if (n.nodeType === 1 && n.classList.contains("pnlm-preview-img")) n.setAttribute("elementtiming", "pannellum-preview");
    }
  }).observe(document, { childList: true, subtree: true });
})();`;

const COLLECT = `(() => {
  const rec = window.__reader;
  const entries = [performance.getEntriesByType("navigation")[0], ...performance.getEntriesByType("resource")];
  const images = rec.images.filter((i) => i.t > 0).map((i) => i.t);
  const firstVisible = Math.min(...images, rec.firstDraw ?? Infinity);
  const sharp = rec.lastDraw;
  const tiles = entries.map((e) => /\\/(\\d+)\\/[fbudlr]\\d+_\\d+\\.\\w+$/.exec(e.name)).filter(Boolean);
  return {
    firstVisible: Number.isFinite(firstVisible) ? firstVisible : undefined,
    sharp,
    bytesToSharp: sharp === undefined ? undefined : entries.filter((e) => e.responseEnd <= sharp + 1).reduce((n, e) => n + e.transferSize, 0),
    bytesTotal: entries.reduce((n, e) => n + e.transferSize, 0),
    uploads: rec.uploads,
    tiles: tiles.length,
    maxLevel: tiles.length ? Math.max(...tiles.map((m) => Number(m[1]))) : undefined,
  };
})()`;

export async function run(): Promise<Figure[]> {
  const runs = Math.max(1, Number(process.env.BENCH_READER_RUNS ?? 3));
  const work = await mkdtemp(path.join(process.env.BENCH_READER_DIR ?? os.tmpdir(), "rotunda-bench-reader-"));
  const servers: Server[] = [];
  try {
    const sample = await thetaSample(work);
    const gallery = path.join(work, "gallery");
    await mkdir(gallery);
    await copyFile(sample, path.join(gallery, "theta-z1-like.jpg"));
    // The quality ladder is for the comparison page; one step keeps the build short.
    await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ title: "Reader benchmark", process: { qualities: [85] } }));

    const targets: Target[] = [];
    const serve = async (root: string) => {
      const server = await serveCompressed(root);
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };

    // Rotunda, this checkout (and the one before, when given).
    const rotundaDist = path.join(work, "rotunda");
    buildRotunda(REPO_ROOT, gallery, rotundaDist);
    const rotundaBase = await serve(rotundaDist);
    const rotundaUrl = rotundaBase + "/theta-z1-like/";
    const before = process.env.BENCH_READER_BEFORE;
    if (before) {
      const dist = path.join(work, "rotunda-before");
      buildRotunda(path.resolve(before), gallery, dist);
      targets.push({ key: "before", label: "Rotunda before", url: (await serve(dist)) + "/theta-z1-like/", viewer: true, twoX: true });
    }
    targets.push({ key: "rotunda", label: "Rotunda", url: rotundaUrl, viewer: true, twoX: true });

    // The same initial view and viewer size for every page.
    const manifest = JSON.parse(await readFile(path.join(rotundaDist, ".rotunda/manifest.json"), "utf8"));
    const record = manifest.panoramas[0];
    const view = { yaw: record.viewer.yaw, pitch: record.viewer.pitch, hfov: record.viewer.hfov };
    const frame = await frameSize(rotundaUrl);
    console.error(`reader: viewer ${frame.width}×${frame.height} CSS px, view ${JSON.stringify(view)}`);

    // The floor: a plain page with one small picture.
    const floorDir = path.join(work, "floor");
    await mkdir(floorDir);
    const floorBytes = await writeFloorImage(sample, path.join(floorDir, "picture.jpg"));
    await writeFile(
      path.join(floorDir, "index.html"),
      page("plain image", "", `<img src="picture.jpg" width="${frame.width}" height="${frame.height}" alt="Panorama" elementtiming="floor" style="display:block;object-fit:cover">`),
    );
    targets.unshift({ key: "floor", label: `a plain ${Math.round(floorBytes / 1000)} KB <img> (the floor)`, url: (await serve(floorDir)) + "/", viewer: false, twoX: false });

    // Stock Pannellum, from its own build, as its documentation shows it.
    const stockDir = path.join(work, "stock");
    await mkdir(stockDir);
    await copyFile(path.join(PANNELLUM, "build/pannellum.js"), path.join(stockDir, "pannellum.js"));
    await copyFile(path.join(PANNELLUM, "build/pannellum.css"), path.join(stockDir, "pannellum.css"));
    const stockUrl = await serve(stockDir);
    // A 4096 px JPEG with a preview.
    await sharp(sample).resize(4096, 2048, { kernel: "lanczos3" }).jpeg({ quality: 85 }).toFile(path.join(stockDir, "pano-4096.jpg"));
    await sharp(sample).resize(512, 256).jpeg({ quality: 60 }).toFile(path.join(stockDir, "preview.jpg"));
    await writeFile(
      path.join(stockDir, "equirect.html"),
      stockPage(frame, { type: "equirectangular", panorama: "pano-4096.jpg", preview: "preview.jpg", autoLoad: true, ...view }),
    );
    const stockEquirect: Target = { key: "equirect", label: "stock Pannellum, 4096 px JPEG + preview", url: `${stockUrl}/equirect.html`, viewer: true, twoX: false };
    const missing = generatePyMissing();
    let stockMultires: Target | undefined;
    if (missing) {
      console.error(`reader: stock multires baseline missing: ${missing}`);
    } else {
      const tiles = path.join(stockDir, "tiles");
      const generated = spawnSync(PYTHON, [GENERATE_PY, "-o", tiles, sample], { encoding: "utf8" });
      if (generated.status !== 0) throw new Error(`generate.py failed (${generated.status}): ${generated.stderr.slice(-500)}`);
      const config = JSON.parse(await readFile(path.join(tiles, "config.json"), "utf8"));
      await writeFile(
        path.join(stockDir, "multires.html"),
        stockPage(frame, { ...config, autoLoad: true, ...view, multiRes: { ...config.multiRes, basePath: "tiles" } }),
      );
      stockMultires = { key: "stock", label: "stock Pannellum multires (generate.py)", url: `${stockUrl}/multires.html`, viewer: true, twoX: true };
    }
    targets.splice(1, 0, stockEquirect, ...(stockMultires ? [stockMultires] : []));

    // Interleaved, so a busy moment on the machine spreads over every page; each run
    // starts one page later, so no page is always measured right after the same one
    // (in two runs with two builds swapped, the one measured second was slower, whichever it was).
    const results = new Map<string, RunResult[]>();
    for (let r = 0; r < runs; r++) {
      for (const target of targets.map((_, i) => targets[(i + r) % targets.length]!)) {
        for (const profile of Object.keys(PROFILES) as ProfileName[]) {
          for (const scale of target.twoX ? [1, 2] : [1]) {
            const key = `${target.key}|${profile}|${scale}`;
            const result = await measure(target, profile, scale);
            results.set(key, [...(results.get(key) ?? []), result]);
          }
        }
      }
      console.error(`reader: run ${r + 1}/${runs} done`);
    }
    const figures = report(targets, results, stockMultires, floorBytes);
    // Lighthouse's performance score (its own mobile profile, simulated Slow 4G) for
    // Rotunda's panorama page and home page, and stock multires' page.
    const lighthousePages = [
      { label: "Rotunda's panorama page", url: rotundaUrl, target: true },
      { label: "Rotunda's home page", url: rotundaBase + "/", target: true },
      ...(stockMultires ? [{ label: "stock Pannellum multires page", url: stockMultires.url, target: false }] : []),
    ];
    return [...figures, ...(await lighthouseFigures(lighthousePages, Math.max(1, Number(process.env.BENCH_READER_LIGHTHOUSE_RUNS ?? 3))))];
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await rm(work, { recursive: true, force: true });
  }
}

function buildRotunda(checkout: string, gallery: string, dist: string): void {
  const built = spawnSync(process.execPath, [path.join(checkout, "src/cli/rotunda.js"), "build", "--input", gallery, "--output", dist], {
    cwd: checkout,
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`rotunda build in ${checkout} failed (${built.status}): ${built.stderr.slice(-1000)}`);
}

/** The size of Rotunda's viewer frame in the benchmark's viewport. */
async function frameSize(url: string): Promise<{ width: number; height: number }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(url);
    const box = await page.locator(".viewer-frame").boundingBox();
    if (!box) throw new Error("Rotunda's page has no .viewer-frame");
    return { width: Math.round(box.width), height: Math.round(box.height) };
  } finally {
    await browser.close();
  }
}

/** The picture scaled to 640 px at the best JPEG quality that stays within 15 KB. */
async function writeFloorImage(sample: string, file: string): Promise<number> {
  for (let quality = 80; quality >= 10; quality -= 5) {
    const jpeg = await sharp(sample).resize(640, 320).jpeg({ quality, mozjpeg: true }).toBuffer();
    if (jpeg.length <= 15_000 || quality === 10) {
      await writeFile(file, jpeg);
      return jpeg.length;
    }
  }
  throw new Error("unreachable");
}

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>${head}<style>body{margin:0;padding:16px}</style></head>
<body>${body}</body></html>
`;
}

function stockPage(frame: { width: number; height: number }, config: object): string {
  return page(
    "stock Pannellum",
    `<link rel="stylesheet" href="pannellum.css"><script src="pannellum.js"></script><style>#panorama{width:${frame.width}px;height:${frame.height}px}</style>`,
    `<div id="panorama"></div><script>pannellum.viewer("panorama", ${JSON.stringify(config)});</script>`,
  );
}

function generatePyMissing(): string | undefined {
  if (!existsSync(GENERATE_PY)) return `${GENERATE_PY} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found (apt-get install python3)`;
  if (spawnSync("nona", ["--help"], { stdio: "ignore" }).error) return "nona not found (apt-get install hugin-tools)";
  if (spawnSync(PYTHON, ["-c", "import PIL, numpy"], { stdio: "ignore" }).status !== 0) return "Pillow/numpy missing (apt-get install python3-pil python3-numpy)";
  return undefined;
}

/** One page load in a fresh browser. */
async function measure(target: Target, profile: ProfileName, deviceScaleFactor: number): Promise<RunResult> {
  const browser: Browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor });
    // The page opens in the warm-up's tab, as a link a reader follows does: a new tab makes
    // Chromium reload its own omnibox pop-up (a WebUI page) while the measured page loads.
    const page = await context.newPage();
    await warmUp(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...PROFILES[profile] });
    await page.addInitScript(INSTRUMENT);
    const activity = trackActivity(page);
    await page.goto(target.url, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
    await activity.settled(target.viewer);
    const result = (await page.evaluate(COLLECT)) as RunResult;
    if (activity.failures.length) throw new Error(`${target.label}: ${activity.failures.join("; ")}`);
    return target.viewer ? result : { ...result, sharp: undefined, bytesToSharp: undefined };
  } finally {
    await browser.close();
  }
}

/** Starts the GPU process and SwiftShader before the measured page. */
async function warmUp(page: Page): Promise<void> {
  await page.setContent("<canvas width=64 height=64></canvas>");
  await page.evaluate(() => {
    const gl = document.querySelector("canvas")!.getContext("webgl")!;
    gl.clearColor(0.5, 0.5, 0.5, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    return new Promise((resolve) => requestAnimationFrame(resolve));
  });
}

/** Requests in flight and the last texture upload: a page is settled when both have been quiet a while. */
function trackActivity(page: Page) {
  let inFlight = 0;
  let last = Date.now();
  const failures: string[] = [];
  page.on("request", () => {
    inFlight++;
    last = Date.now();
  });
  const done = () => {
    inFlight--;
    last = Date.now();
  };
  page.on("requestfinished", done);
  page.on("requestfailed", (r) => {
    done();
    failures.push(`failed ${r.url()}`);
  });
  page.on("response", (r) => r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
  page.on("pageerror", (e) => failures.push(`page error ${e.message}`));
  return {
    failures,
    async settled(viewer: boolean): Promise<void> {
      const started = Date.now();
      let lastDraw: number | undefined;
      while (Date.now() - started < PAGE_TIMEOUT_MS) {
        await new Promise((r) => setTimeout(r, 250));
        const draw = (await page.evaluate("window.__reader.lastDraw")) as number | undefined;
        if (draw !== lastDraw) {
          lastDraw = draw;
          last = Date.now();
        }
        if (inFlight <= 0 && Date.now() - last >= QUIET_MS && (!viewer || lastDraw !== undefined)) return;
      }
      failures.push(`not settled after ${PAGE_TIMEOUT_MS / 1000} s`);
    },
  };
}

/** Serves a folder on 127.0.0.1 as a CDN would: gzip for text, index.html for folders. */
async function serveCompressed(root: string): Promise<Server> {
  const types: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".png": "image/png",
  };
  const server = createServer(async (req, res) => {
    let file = path.join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    try {
      if (!file.startsWith(root)) throw new Error("outside");
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      await stat(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const type = types[path.extname(file)] ?? "application/octet-stream";
    const text = /^(text\/|application\/json)/.test(type);
    res.writeHead(200, { "content-type": type, "cache-control": "no-cache", ...(text ? { "content-encoding": "gzip" } : {}) });
    const body = createReadStream(file);
    (text ? body.pipe(createGzip()) : body).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Lighthouse's performance score and its metrics per page, medians of `runs`. */
async function lighthouseFigures(pages: { label: string; url: string; target: boolean }[], runs: number): Promise<Figure[]> {
  const scores = new Map<string, number[]>();
  const metrics = new Map<string, Record<string, number>[]>();
  for (let r = 0; r < runs; r++) {
    for (const p of pages) {
      const lh = await runLighthouse(p.url, { categories: ["performance"] });
      scores.set(p.label, [...(scores.get(p.label) ?? []), lh.scores.performance!]);
      metrics.set(p.label, [...(metrics.get(p.label) ?? []), lh.metrics]);
    }
  }
  const rows = ["| page | Lighthouse performance | FCP | LCP | TBT | speed index |", "|---|---|---|---|---|---|"];
  const figures: Figure[] = [];
  for (const p of pages) {
    const score = median(scores.get(p.label)!);
    const m = (id: string) => median(metrics.get(p.label)!.map((x) => x[id]).filter((v): v is number => v !== undefined));
    rows.push(`| ${p.label} | ${Math.round(score * 100)} | ${(m("first-contentful-paint") / 1000).toFixed(2)} s | ${(m("largest-contentful-paint") / 1000).toFixed(2)} s | ${Math.round(m("total-blocking-time"))} ms | ${(m("speed-index") / 1000).toFixed(2)} s |`);
    figures.push({ name: `Lighthouse performance, ${p.label} (median of ${runs})`, value: Math.round(score * 100), unit: "", ...(p.target ? { target: "≥ 95" } : {}) });
  }
  console.log(`\n${rows.join("\n")}`);
  return figures;
}

function report(targets: Target[], results: Map<string, RunResult[]>, stock: Target | undefined, floorBytes: number): Figure[] {
  const value = (t: Target, profile: ProfileName, scale: number, pick: (r: RunResult) => number | undefined) => {
    const values = (results.get(`${t.key}|${profile}|${scale}`) ?? []).map(pick).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : round(ms / 1000));
  const cell = (v: number | undefined, digits = 2) => (v === undefined ? "–" : v.toFixed(digits));
  const profiles = Object.keys(PROFILES) as ProfileName[];

  const rows: string[] = [];
  rows.push("| page | first visible F4G / S4G | sharp 1× F4G / S4G | sharp 2× F4G / S4G | bytes to sharp 1× | finest level 1× / 2× |");
  rows.push("|---|---|---|---|---|---|");
  const figures: Figure[] = [];
  const floor = targets.find((t) => t.key === "floor")!;
  for (const t of targets) {
    const first = profiles.map((p) => seconds(value(t, p, 1, (r) => r.firstVisible)));
    const sharp1 = profiles.map((p) => seconds(value(t, p, 1, (r) => r.sharp)));
    const sharp2 = profiles.map((p) => (t.twoX ? seconds(value(t, p, 2, (r) => r.sharp)) : undefined));
    const bytes = value(t, "Fast 4G", 1, (r) => r.bytesToSharp);
    const levels = [1, 2].map((s) => value(t, "Fast 4G", s, (r) => r.maxLevel));
    rows.push(
      `| ${t.label} | ${first.map((v) => cell(v)).join(" / ")} s | ${t.viewer ? sharp1.map((v) => cell(v)).join(" / ") + " s" : "–"} | ${t.twoX ? sharp2.map((v) => cell(v)).join(" / ") + " s" : "–"} | ${bytes === undefined ? (t.key === "floor" ? `${(floorBytes / 1e6).toFixed(3)} MB` : "–") : `${(bytes / 1e6).toFixed(2)} MB`} | ${levels.map((l) => cell(l, 0)).join(" / ")} |`,
    );
    for (const [i, p] of profiles.entries()) {
      const fv = first[i];
      if (fv !== undefined) {
        const floorValue = seconds(value(floor, p, 1, (r) => r.firstVisible));
        figures.push({
          name: `${t.label}: first visible, ${p}`,
          value: fv,
          unit: "s",
          ...(t !== floor && floorValue !== undefined ? { baseline: { name: "plain <img>", value: floorValue } } : {}),
          ...(t.key === "rotunda" ? { target: "≤ 1.25× the plain <img>" } : {}),
        });
      }
      for (const [scale, list] of [
        [1, sharp1],
        [2, sharp2],
      ] as const) {
        const v = list[i];
        if (v === undefined) continue;
        const stock1 = stock && t !== stock ? seconds(value(stock, p, 1, (r) => r.sharp)) : undefined;
        figures.push({
          name: `${t.label}: sharp at ${scale}×, ${p}`,
          value: v,
          unit: "s",
          ...(stock1 !== undefined ? { baseline: { name: "stock multires at 1×", value: stock1 } } : {}),
          ...(t.key === "rotunda" ? { target: scale === 1 ? "≤ 0.6× stock multires" : "≤ stock multires at 1×" } : {}),
        });
      }
    }
    if (bytes !== undefined) {
      const stockBytes = stock && t !== stock ? value(stock, "Fast 4G", 1, (r) => r.bytesToSharp) : undefined;
      figures.push({
        name: `${t.label}: bytes to sharp at 1×`,
        value: round(bytes / 1e6, 3),
        unit: "MB",
        ...(stockBytes !== undefined ? { baseline: { name: "stock multires", value: round(stockBytes / 1e6, 3) } } : {}),
        ...(t.key === "rotunda" ? { target: "≤ stock multires" } : {}),
      });
    }
  }
  // Ratios the issue's goals are stated in.
  const rotunda = targets.find((t) => t.key === "rotunda")!;
  const ratioRows: string[] = [];
  for (const p of profiles) {
    const ours = (scale: number, pick: (r: RunResult) => number | undefined) => value(rotunda, p, scale, pick);
    const fv = ours(1, (r) => r.firstVisible);
    const floorFv = value(floor, p, 1, (r) => r.firstVisible);
    const stock1 = stock ? value(stock, p, 1, (r) => r.sharp) : undefined;
    const parts = [`first visible ${cell(fv && floorFv ? fv / floorFv : undefined)}× the floor (goal ≤ 1.25)`];
    if (stock1) {
      parts.push(`sharp 1× ${cell((ours(1, (r) => r.sharp) ?? NaN) / stock1)}× stock (goal ≤ 0.6)`);
      parts.push(`sharp 2× ${cell((ours(2, (r) => r.sharp) ?? NaN) / stock1)}× stock at 1× (goal ≤ 1)`);
    }
    ratioRows.push(`  ${p}: ${parts.join("; ")}`);
  }
  console.log(`\n${rows.join("\n")}\n\nRotunda's ratios:\n${ratioRows.join("\n")}`);
  return figures;
}

await runIfMain(import.meta, "reader", run);
