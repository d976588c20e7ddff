// The render at scale, in one run:
//  1. A synthetic manifest (no images) of N panoramas in 50 albums, 500 places
//     and 200 tags, for each N in BENCH_RENDER_SIZES (default 5000,50000):
//     Rotunda's render (renderSite) against bare Eleventy 3 writing the same pages
//     from plain JSON data files through the same Nunjucks templates (a copy of
//     layouts/, with the template filters as plain functions and Eleventy's own
//     `url` filter), each in a child process of its own with its peak RSS; and, at
//     the first size, the render of BENCH_RENDER_BEFORE (a git revision, by
//     default the one before the gallery work; its src/ and layouts/ are taken
//     with `git archive`) on the same manifest. BENCH_RENDER_ROUNDS (default 2)
//     alternating rounds at the first size, one at the others; medians. A render that
//     fails is printed as such. Both run with the heap limit the launcher gives
//     `rotunda render` (src/cli/memory-settings.js).
//  2. A caption edit in `rotunda serve` on a gallery of BENCH_RENDER_SERVE (default
//     5000) copies of one small picture in the same albums, places and tags: from
//     writing the sidecar to the caption on the open page in headless Chromium
//     (and to its viewer loaded), BENCH_RENDER_EDITS (default 5) times; then the
//     same with the serve of BENCH_RENDER_BEFORE (its sidecars carry only the keys
//     it reads), once. BENCH_RENDER_SERVE=0 leaves this part out.
//
//   node --import tsx bench/render.ts        (or npm run bench -- render)
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { validateManifest, writeManifest, type ManifestInput, type PanoramaRecord } from "../src/manifest.ts";
import { buildGallery } from "../src/render/gallery.ts";
import { albumFeeds, galleryPages } from "../src/render/pages.ts";
import { availableMemory, heapEnv } from "../src/cli/memory-settings.js";
import { launchBrowser } from "../test/support/browser.ts";
import { startRotunda, type RotundaProcess } from "../test/support/cli.ts";
import { makeEquirect } from "../test/support/pictures.ts";
import { median, printFigures, REPO_ROOT, round, timedNode, writeResults, type Figure } from "./common.ts";

const ALBUMS = 50;
const PLACES = 500;
const TAGS = 200;
const LAYOUTS = path.join(REPO_ROOT, "layouts");

/** One panorama as a full process run records it (sizes, a ladder of four, tiles, a card), under its own media folder. */
function syntheticRecord(i: number): PanoramaRecord {
  const hash = (i + 1).toString(16).padStart(64, "0");
  const media = `/media/${hash.slice(0, 12)}`;
  const jpeg = (width: number, quality: number, bytes: number) => ({ url: `${media}/w${width}-q${quality}-0123456789.jpg`, width, height: width / 2, quality, bytes });
  const place = i % PLACES;
  // Places on a grid 25 m apart: each has neighbours within the default tour radius.
  const row = Math.floor(place / 25);
  const col = place % 25;
  const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / PLACES) * 86_400_000 + (i % 24) * 3_600_000);
  const slug = `picture-${i}`;
  return {
    id: slug,
    slug,
    source: { path: `album-${String(i % ALBUMS).padStart(2, "0")}/${slug}.jpg`, hash, bytes: 12_000_000, format: "jpeg" },
    title: `Picture ${i}`,
    caption: `What picture ${i} shows, in a sentence or two.\n\nAnd a second paragraph.`,
    captureDate: day.toISOString().replace(/\.000Z$/, "+00:00"),
    album: `album-${String(i % ALBUMS).padStart(2, "0")}`,
    tags: [`tag-${i % TAGS}`, `tag-${(i * 7 + 3) % TAGS}`],
    place: `Place ${place}`,
    gps: { lat: 48.85 + (row * 25) / 111_195, lng: 2.29 + (col * 25) / (111_195 * Math.cos((48.85 * Math.PI) / 180)) },
    width: 6720,
    height: 3360,
    variants: [jpeg(6720, 85, 9_000_000), jpeg(4096, 85, 2_500_000), jpeg(2048, 85, 700_000)],
    ladder: [jpeg(6720, 95, 20_000_000), jpeg(6720, 85, 9_000_000), jpeg(6720, 60, 4_000_000), jpeg(6720, 20, 1_000_000)],
    tiles: { basePath: `${media}/tiles-0123456789`, path: "/%l/%s%y_%x", fallbackPath: "/fallback/%s", extension: "jpg", tileResolution: 512, maxLevel: 4, cubeResolution: 2140, files: 520, bytes: 30_000_000 },
    socialCard: { url: `${media}/card-0123456789.jpg`, width: 1200, height: 630, bytes: 90_000 },
    thumbnail: { url: `${media}/thumb-0123456789.jpg`, width: 640, height: 320, bytes: 40_000 },
    preview: { url: `${media}/preview-0123456789.jpg`, width: 256, height: 128, bytes: 6_000 },
    metadata: { url: `${media}/metadata-0123456789.json`, bytes: 8_000 },
    metadataTable: [{ label: "Camera", value: "RICOH THETA Z1" }, { label: "Exposure", value: "1/250 s, f/2.1, ISO 80" }, { label: "Size", value: "6720 × 3360 px" }],
    viewer: { yaw: 0, pitch: 0, hfov: 100, haov: 360, vaov: 180, vOffset: 0, northOffset: (i * 37) % 360 },
  };
}

export function syntheticManifest(count: number): ManifestInput {
  const panoramas = Array.from({ length: count }, (_, i) => syntheticRecord(i));
  panoramas.sort((a, b) => Date.parse(b.captureDate!) - Date.parse(a.captureDate!) || a.title.localeCompare(b.title));
  return { version: 1, generator: "rotunda", gallery: { title: "Render benchmark", tourRadius: 30 }, panoramas, failures: [] };
}

interface RenderRun {
  pages: number;
  seconds: number;
  peakMb: number;
}

/**
 * This file again, as a child: `--child <mode> <dir> [<source tree>]`, timed, with
 * its peak RSS; with the heap limit the launcher gives `rotunda render`, the bare
 * baseline too.
 */
async function child(args: string[]): Promise<RenderRun> {
  const heap = heapEnv({}, process.execArgv, availableMemory());
  const run = await timedNode(["--import", "tsx", fileURLToPath(import.meta.url), "--child", ...args], heap ? { env: heap } : {});
  const result = /rotunda-bench-result=(\{.*\})/.exec(run.stdout)?.[1];
  if (!result) throw new Error(`${args.join(" ")} printed no result: ${run.stderr.slice(-2000)}`);
  return { ...(JSON.parse(result) as { pages: number; seconds: number }), peakMb: round(run.peakMb, 0) };
}

/** Why a child render failed, in a few words: its last line of error, or running out of memory. */
function failure(error: Error): string {
  const limit = /--max-old-space-size=(\d+)/.exec(heapEnv({}, process.execArgv, availableMemory())?.NODE_OPTIONS ?? "")?.[1];
  if (/heap out of memory|Allocation failed|signal 6/.test(error.message)) return `out of memory (heap limit ${limit ? `${limit} MB` : "Node's default"})`;
  return error.message.split("\n").find((line) => /Error:/.test(line))?.trim() ?? error.message.split("\n")[0]!;
}

/**
 * Writes JSON an array element at a time (a 50,000-record array is too long for
 * one string): `head`'s keys, then `items` under `key`; or the array alone.
 */
async function writeJson(file: string, items: readonly unknown[], head?: { object: object; key: string }): Promise<void> {
  const handle = await open(file, "w");
  try {
    if (head) await handle.write(`${JSON.stringify(head.object).slice(0, -1)}${Object.keys(head.object).length ? "," : ""}${JSON.stringify(head.key)}:`);
    await handle.write("[");
    for (let i = 0; i < items.length; i++) await handle.write((i ? "," : "") + JSON.stringify(items[i]));
    await handle.write(head ? "]}" : "]");
  } finally {
    await handle.close();
  }
}

/** Bundle URLs for the bare project's pages (no bundles are made). */
const BARE_ASSETS = Object.fromEntries(
  ["siteCss:site.css", "viewerJs:viewer.js", "viewerCss:viewer.css", "panoramasJs:panoramas.js", "panoramasCss:panoramas.css", "panoramaViewerJs:panorama-viewer.js", "panoramaViewerCss:panorama-viewer.css", "shareJs:share.js", "sideBySideJs:side-by-side.js", "sideBySideCss:side-by-side.css"].map((pair) => {
    const [key, file] = pair.split(":") as [string, string];
    return [key, `/assets/${file.replace(/\.(\w+)$/, "-000000000000.$1")}`];
  }),
);

/** Where the bare project's page lists are, as JSON files of at most PAGES_PER_FILE pages each. */
const BARE_PAGES = "pages-data";
const PAGES_PER_FILE = 2000;

/** The page lists back from their JSON files: `{ panoramas: [...], ... }`. */
async function readBarePages(dir: string): Promise<Record<string, unknown[]>> {
  const lists: Record<string, unknown[]> = {};
  for (const name of (await readdir(path.join(dir, BARE_PAGES))).sort()) {
    const key = name.slice(0, name.indexOf("."));
    (lists[key] ??= []).push(...(JSON.parse(await readFile(path.join(dir, BARE_PAGES, name), "utf8")) as unknown[]));
  }
  return lists;
}

/** The bare Eleventy project: the layouts copied, the data Rotunda's plugin gives them as plain JSON files. */
async function bareProject(dir: string, manifest: ManifestInput): Promise<void> {
  const site = path.join(dir, "site");
  await cp(LAYOUTS, site, { recursive: true });
  const checked = validateManifest(manifest);
  // As Rotunda does: the templates that need absolute URLs only with a baseUrl.
  if (!checked.gallery.baseUrl) {
    for (const name of await readdir(site)) {
      if (name.endsWith(".njk") && /^requiresBaseUrl: true$/m.test(await readFile(path.join(site, name), "utf8"))) await rm(path.join(site, name));
    }
  }
  const data = path.join(site, "_data");
  await mkdir(data, { recursive: true });
  // The page lists as JSON files of at most PAGES_PER_FILE pages: at 50,000 panoramas the
  // panorama pages' JSON (each page's place timeline written out) is beyond the longest
  // string Node reads. The child reads them back as the `rotundaPages` global data.
  const chunks = path.join(dir, BARE_PAGES);
  await mkdir(chunks, { recursive: true });
  const pages = galleryPages(checked);
  for (const [key, value] of Object.entries(pages)) {
    const list = value as unknown[];
    for (let i = 0; i * PAGES_PER_FILE < Math.max(list.length, 1); i++) {
      await writeJson(path.join(chunks, `${key}.${String(i).padStart(4, "0")}.json`), list.slice(i * PAGES_PER_FILE, (i + 1) * PAGES_PER_FILE));
    }
  }
  await writeJson(path.join(data, "rotundaAlbumFeeds.json"), albumFeeds(buildGallery(checked)));
  const { panoramas, ...rest } = checked;
  await writeJson(path.join(data, "rotunda.json"), panoramas, { object: { ...rest, comparable: [] }, key: "panoramas" });
  await writeFile(path.join(data, "rotundaAssets.json"), JSON.stringify(BARE_ASSETS));
}

/** The source tree of a git revision (src/, layouts/), beside this repository's node_modules. */
async function sourceTree(revision: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = spawn("git", ["archive", "--format=tar", revision, "src", "layouts", "package.json"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
    archive.stdout.pipe(tar.stdin);
    let err = "";
    archive.stderr.on("data", (d: Buffer) => (err += d));
    tar.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git archive ${revision}: ${err || `tar exited ${code}`}`))));
  });
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

async function renderComparison(work: string, sizes: number[], rounds: number, before: string | undefined): Promise<Figure[]> {
  const figures: Figure[] = [];
  let perPageAtFirst: number | undefined;
  const old = before ? await sourceTree(before, path.join(work, "before")).catch((error: Error) => (console.error(`  before: ${error.message}`), undefined)) : undefined;
  for (const [index, count] of sizes.entries()) {
    const dir = path.join(work, `n${count}`);
    const output = path.join(dir, "dist");
    const manifest = syntheticManifest(count);
    await writeManifest(output, manifest);
    await bareProject(dir, manifest);
    const runs = { rotunda: [] as RenderRun[], bare: [] as RenderRun[], before: [] as RenderRun[] };
    const label = `${count.toLocaleString("en")} panoramas`;
    // A render that fails (out of memory, at the largest sizes) is a figure of its own, not the end of the run.
    let bareFailed: string | undefined;
    for (let r = 0; r < (index === 0 ? rounds : 1); r++) {
      runs.rotunda.push(await child(["rotunda", output, REPO_ROOT]));
      if (!bareFailed) await child(["bare", dir]).then((run) => runs.bare.push(run), (error: Error) => (bareFailed = failure(error)));
      if (old && index === 0) runs.before.push(await child(["rotunda", output, old]));
    }
    const mid = (list: RenderRun[]) => ({ seconds: round(median(list.map((x) => x.seconds)), 1), peakMb: median(list.map((x) => x.peakMb)), pages: list[0]!.pages });
    const rotunda = mid(runs.rotunda);
    const bare = runs.bare.length > 0 ? mid(runs.bare) : undefined;
    figures.push({
      name: `render, ${label}: Rotunda renders ${rotunda.pages} pages`,
      value: rotunda.seconds,
      unit: "s",
      ...(bare
        ? { baseline: { name: `bare Eleventy 3, the same ${bare.pages} pages from JSON data through the same templates`, value: bare.seconds }, target: "≤ 1.2× baseline" }
        : { target: `≤ 1.2× bare Eleventy 3, which failed here: ${bareFailed}` }),
    });
    figures.push({ name: `render, ${label}: Rotunda's peak RSS`, value: rotunda.peakMb, unit: "MB", ...(bare ? { baseline: { name: "bare Eleventy's", value: bare.peakMb } } : {}) });
    const perPage = round((rotunda.seconds * 1000) / rotunda.pages, 2);
    figures.push({
      name: `render, ${label}: time per page`,
      value: perPage,
      unit: "ms",
      ...(perPageAtFirst !== undefined ? { baseline: { name: `at ${sizes[0]!.toLocaleString("en")}`, value: perPageAtFirst }, target: "≤ baseline" } : {}),
    });
    perPageAtFirst ??= perPage;
    if (runs.before.length > 0) {
      const then = mid(runs.before);
      figures.push({ name: `render, ${label}: before (${before}), ${then.pages} pages (no albums, tags, places or dates then)`, value: then.seconds, unit: "s" });
      figures.push({ name: `render, ${label}: before (${before}), time per page`, value: round((then.seconds * 1000) / then.pages, 2), unit: "ms", baseline: { name: "now", value: perPage } });
      figures.push({ name: `render, ${label}: before (${before}), peak RSS`, value: then.peakMb, unit: "MB" });
    }
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

/** A gallery of `count` copies of one small picture, in the benchmark's albums, with sidecars (`modern`: place and tags too). */
async function copiesGallery(dir: string, count: number, modern: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  const seed = path.join(dir, "..", `seed-${modern}.jpg`);
  await makeEquirect(seed, 512, 256, 1);
  const bytes = await readFile(seed);
  for (let i = 0; i < count; i++) {
    const album = path.join(dir, `album-${String(i % ALBUMS).padStart(2, "0")}`);
    if (i < ALBUMS) await mkdir(album);
    const name = `shot-${String(i).padStart(5, "0")}`;
    await writeFile(path.join(album, `${name}.jpg`), bytes);
    await writeFile(path.join(album, `${name}.md`), shotSidecar(i, `Caption ${i}.`, modern));
  }
}

function shotSidecar(i: number, caption: string, modern: boolean): string {
  const date = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / PLACES) * 86_400_000 + (i % 24) * 3_600_000).toISOString().replace(/\.000Z$/, "+00:00");
  const keys = modern ? `place: Place ${i % PLACES}\ntags: [tag-${i % TAGS}, tag-${(i * 7 + 3) % TAGS}]\n` : "";
  return `---\ntitle: Shot ${i}\ndate: ${date}\n${keys}---\n${caption}\n`;
}

/** The wall-clock times (ms since the epoch) of the page's HTML parsed and of its viewer loaded, recorded by the page itself. */
const RECORD_LOAD = `document.addEventListener("DOMContentLoaded", () => { window.__shownAt = Date.now(); });
new MutationObserver(() => {
  if (document.documentElement.dataset.viewer === "loaded" && !window.__loadedAt) window.__loadedAt = Date.now();
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-viewer"] });`;

/** Caption edits in a running serve: ms to the caption on the open page, and to its viewer loaded. */
async function captionEdits(server: RotundaProcess & { url: string }, page: Page, sidecar: string, i: number, modern: boolean, edits: number, timeout: number) {
  const shown: number[] = [];
  const loaded: number[] = [];
  const rebuilt: number[] = [];
  for (let n = 0; n < edits; n++) {
    // Every edit, the first included, starts the same time after its page's viewer loaded.
    await new Promise((r) => setTimeout(r, 300));
    const marker = `edit-${n}-${Date.now()}`;
    const from = server.output().length;
    const t0 = Date.now();
    await writeFile(sidecar, shotSidecar(i, `Caption ${marker}.`, modern));
    const at = await page.waitForFunction((m) => document.querySelector(".caption")?.textContent?.includes(m) && (window as { __shownAt?: number }).__shownAt, marker, { timeout, polling: 10 });
    shown.push(((await at.jsonValue()) as number) - t0);
    const viewer = await page.waitForFunction(() => (window as { __loadedAt?: number }).__loadedAt ?? false, null, { timeout, polling: 10 });
    loaded.push(((await viewer.jsonValue()) as number) - t0);
    const line = await server.waitFor(/rebuilt \([^)]*\.md\)[^\n]* · ([\d.]+) s\n/, { timeoutMs: timeout, from });
    rebuilt.push(Number(line[1]) * 1000);
  }
  return { shown: median(shown), loaded: median(loaded), rebuilt: Math.round(median(rebuilt)), worst: Math.max(...shown), first: shown[0]!, each: shown, rebuilds: rebuilt };
}

async function serveEdits(work: string, count: number, edits: number, before: string | undefined): Promise<Figure[]> {
  const figures: Figure[] = [];
  const browser = await launchBrowser();
  const old = before ? path.join(work, "before") : undefined;
  try {
    for (const who of ["now", ...(old ? ["before"] : [])] as const) {
      const modern = who === "now";
      const gallery = path.join(work, `serve-${who}`, "gallery");
      await copiesGallery(gallery, count, modern);
      const started = Date.now();
      const server = startRotunda(["serve", "--input", gallery, "--output", path.join(work, `serve-${who}`, "dist"), "--port", "0"], modern ? {} : { launcher: path.join(old!, "src/cli/rotunda.js") });
      try {
        const serving = await server.waitFor(/Serving (http:\/\/[^\s]+?:\d+\/)/, { timeoutMs: 60_000 });
        await server.waitFor(/Watching /, { timeoutMs: 1_800_000 });
        const firstBuild = Date.now() - started;
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await context.addInitScript(RECORD_LOAD);
        const page = await context.newPage();
        const i = 7;
        await page.goto(new URL(`/shot-${String(i).padStart(5, "0")}/`, serving[1]).href);
        await page.waitForFunction(() => (window as { __loadedAt?: number }).__loadedAt ?? false, null, { timeout: 60_000 });
        const sidecar = path.join(gallery, `album-${String(i % ALBUMS).padStart(2, "0")}`, `shot-${String(i).padStart(5, "0")}.md`);
        const result = await captionEdits(Object.assign(server, { url: serving[1]! }), page, sidecar, i, modern, modern ? edits : 1, modern ? 60_000 : 600_000);
        const label = `${count.toLocaleString("en")} pictures`;
        if (modern) {
          figures.push({ name: `serve, ${label}: caption edit → caption on the open page (median of ${edits})`, value: result.shown, unit: "ms", target: "≤ 1000 ms" });
          figures.push({ name: `serve, ${label}: caption edit → caption shown (worst of ${edits})`, value: result.worst, unit: "ms" });
          figures.push({ name: `serve, ${label}: caption edit → caption shown (the first edit, of ${result.each.join(", ")} ms in turn; rebuilds ${result.rebuilds.join(", ")} ms)`, value: result.first, unit: "ms" });
          figures.push({ name: `serve, ${label}: caption edit → its viewer loaded again (median)`, value: result.loaded, unit: "ms" });
          figures.push({ name: `serve, ${label}: of which the rebuild (process + render, from the serve log)`, value: result.rebuilt, unit: "ms" });
          figures.push({ name: `serve, ${label}: first build, start to watching`, value: round(firstBuild / 1000, 1), unit: "s" });
        } else {
          figures.push({ name: `serve, ${label}: before (${before}): caption edit → caption on the open page`, value: result.shown, unit: "ms" });
          figures.push({ name: `serve, ${label}: before (${before}): of which the rebuild`, value: result.rebuilt, unit: "ms" });
          figures.push({ name: `serve, ${label}: before (${before}): first build, start to watching`, value: round(firstBuild / 1000, 1), unit: "s" });
        }
        await context.close();
      } finally {
        await server.stop().catch((error: Error) => console.error(error.message));
        await rm(path.join(work, `serve-${who}`), { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return figures;
}

export async function run(): Promise<Figure[]> {
  const sizes = (process.env.BENCH_RENDER_SIZES ?? "5000,50000").split(",").map(Number).filter((n) => n > 0);
  const rounds = Math.max(1, Number(process.env.BENCH_RENDER_ROUNDS ?? 2));
  const before = process.env.BENCH_RENDER_BEFORE ?? "369fb91";
  const serveCount = Number(process.env.BENCH_RENDER_SERVE ?? 5000);
  const edits = Math.max(1, Number(process.env.BENCH_RENDER_EDITS ?? 5));
  const work = await mkdtemp(path.join(tmpdir(), "rotunda-bench-render-"));
  try {
    const figures = await renderComparison(work, sizes, rounds, before || undefined);
    if (serveCount > 0) figures.push(...(await serveEdits(work, serveCount, edits, before || undefined)));
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A child's work: one render, its page count and seconds on stdout. */
async function childMain(mode: string, dir: string, tree?: string): Promise<void> {
  const started = performance.now();
  let pages: number;
  if (mode === "rotunda") {
    const { renderSite } = (await import(path.join(tree!, "src/render/index.ts"))) as typeof import("../src/render/index.ts");
    // A gallery without pages of the publisher's own: an empty content folder beside the output.
    const contentDir = `${dir}-content`;
    await mkdir(contentDir, { recursive: true });
    pages = (await renderSite({ outputDir: dir, contentDir })).pages;
  } else {
    const { default: Eleventy } = await import("@11ty/eleventy");
    const { absoluteUrl, mapData, paragraphs, readableDate, sideBySideData, viewerData } = await import("../src/render/filters.ts");
    const { formatBytes } = await import("../src/format.ts");
    const { addPublisherFeatures } = await import("../src/render/publisher.ts");
    const { readManifest } = await import("../src/manifest.ts");
    const manifest = await readManifest(path.join(dir, "dist"));
    const rotundaPages = await readBarePages(dir);
    process.chdir(dir);
    const eleventy = new Eleventy("site", "out", {
      quietMode: true,
      configPath: false,
      config: (c: import("@11ty/eleventy").UserConfig) => {
        c.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
        c.setTemplateFormats(["njk"]);
        c.setIncludesDirectory("_includes");
        c.addGlobalData("rotundaPages", rotundaPages);
        const url = function (this: unknown, u: string) {
          return String(c.getFilter("url").call(this, u));
        };
        c.addFilter("rotundaUrl", url);
        c.addFilter("rotundaParagraphs", paragraphs);
        c.addFilter("rotundaBytes", formatBytes);
        c.addFilter("rotundaDate", readableDate);
        c.addFilter("rotundaAbsoluteUrl", (u: string, base?: string) => absoluteUrl(u, base));
        c.addFilter("rotundaViewerData", function (this: unknown, panorama, mode, page) {
          return viewerData(panorama, mode, (u) => url.call(this, u), page);
        });
        c.addFilter("rotundaMapData", function (this: unknown, page) {
          return mapData(page, (u) => url.call(this, u));
        });
        c.addFilter("rotundaSideBySideData", function (this: unknown, page) {
          return sideBySideData(page, (u) => url.call(this, u));
        });
        // The publisher's filters (meta tags, JSON-LD, embeds, feeds, sitemap) and the shortcode, as Rotunda's plugin adds them.
        addPublisherFeatures(c, { manifest: () => Promise.resolve(manifest), assets: () => Promise.resolve(BARE_ASSETS as never), galleryUrl: "/" });
      },
    });
    const [, templates] = (await eleventy.write()) as [unknown, unknown[]];
    pages = (templates.flat(2) as Array<{ outputPath?: unknown } | undefined>).filter((t) => typeof t?.outputPath === "string" && t.outputPath.endsWith(".html")).length;
  }
  console.log(`rotunda-bench-result=${JSON.stringify({ pages, seconds: (performance.now() - started) / 1000 })}`);
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv[2] === "--child") {
  await childMain(process.argv[3]!, process.argv[4]!, process.argv[5]);
} else if (isMain) {
  const figures = await run();
  printFigures("render", figures);
  console.log(`\nwritten to ${await writeResults("render", figures)}`);
}
