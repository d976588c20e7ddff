// The dev server's latency as an author sees it, from the file write to the
// viewer's load event (`<html data-viewer="loaded">`) in headless Chromium:
//   - a caption edit → the open page reloaded and its viewer loaded (target ≤ 1 s)
//   - a new THETA-sized picture (6720×3360) copied in → its page open, viewer loaded (target ≤ 3 s),
//     (quick recipe first; the follow-up run that completes it is reported too)
//
//   node --import tsx bench/serve.ts
//
// `rotunda serve` runs as a child process, as `npm start` does. Input: theta-z1-like.jpg
// from $ROTUNDA_SAMPLES or ../shared/samples (beside the repo), else a generated
// 6720×3360 JPEG. Each run appends a few bytes after the JPEG's end so its content hash
// is new: processing is never skipped as "already seen". Medians are reported.
// Env: BENCH_SERVE_EDITS (5), BENCH_SERVE_PICTURES (3).
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { formatBytes } from "../src/format.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { makeEquirect } from "../test/support/pictures.ts";
import { startServe, type ServeProcess } from "../test/serve/helpers.ts";
import { median, printFigures, thetaSample, writeResults, type Figure } from "./common.ts";

/** The wall-clock time (ms since the epoch, same clock as Date.now() here) of the page's viewer load event. */
const RECORD_LOAD = `new MutationObserver(() => {
  if (document.documentElement.dataset.viewer === "loaded" && !window.__loadedAt) window.__loadedAt = Date.now();
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-viewer"] });`; // <html> does not exist yet when init scripts run

async function loadedAt(page: Page, condition: string, arg: string, timeout: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([cond, a]) => (new Function("arg", `return (${cond})`)(a) && (window as { __loadedAt?: number }).__loadedAt) || false,
    [condition, arg] as const,
    { timeout, polling: 10 },
  );
  return (await handle.jsonValue()) as number;
}

/** Copies `count` new THETA-sized pictures in, one at a time, as an author would: the
 * card appears on the open index, a click, the viewer loads. Medians, in ms. */
async function newPictures(server: ServeProcess, page: Page, gallery: string, staging: string, sample: Buffer, count: number, tag: string) {
  const viewable: number[] = [];
  const processing: number[] = [];
  const completing: number[] = [];
  for (let i = 0; i < count; i++) {
    const slug = `${tag}-${i}`;
    const staged = path.join(staging, `${slug}.jpg`);
    await writeFile(staged, Buffer.concat([sample, Buffer.from(`rotunda-bench ${slug} ${Date.now()}`)]));
    // The completing run of the previous picture reloads the open page: let it settle first.
    await new Promise((r) => setTimeout(r, 500));
    await page.goto(server.url).catch(() => page.goto(server.url));
    const from = server.output().length;
    const t0 = Date.now();
    await copyFile(staged, path.join(gallery, `${slug}.jpg`));
    await page.waitForSelector(`.gallery a[href="/${slug}/"]`, { timeout: 120_000 });
    await page.click(`.gallery a[href="/${slug}/"]`);
    viewable.push((await loadedAt(page, "location.pathname === arg", `/${slug}/`, 60_000)) - t0);
    const line = await server.waitFor(/rebuilt \([^)]*\)[^\n]*process ([\d.]+) s, render ([\d.]+) s/, { timeoutMs: 5_000, from });
    processing.push(Number(line[1]) * 1000);
    // Let the follow-up run complete the picture (ladder, tiles, card) before the next one.
    const done = await server.waitFor(/rebuilt \(completing the new pictures\)[^\n]*process ([\d.]+) s/, { timeoutMs: 120_000, from });
    completing.push(Number(done[1]) * 1000);
  }
  return { viewable: median(viewable), processing: Math.round(median(processing)), completing: Math.round(median(completing)) };
}

export async function run(): Promise<Figure[]> {
  const edits = Number(process.env.BENCH_SERVE_EDITS ?? 5);
  const pictures = Number(process.env.BENCH_SERVE_PICTURES ?? 3);
  const work = await mkdtemp(path.join(os.tmpdir(), "rotunda-bench-serve-"));
  const gallery = path.join(work, "gallery");
  const staging = path.join(work, "staging");
  await mkdir(gallery);
  await mkdir(staging);
  const sample = await thetaSample(work);
  const meta = await sharp(sample).metadata();
  const sampleBytes = await readFile(sample);
  await makeEquirect(path.join(gallery, "hall.jpg"), 2048, 1024, 1);
  const caption = (text: string) => `---\ntitle: Hall\n---\n${text}\n`;
  await writeFile(path.join(gallery, "hall.md"), caption("start"));

  let server = await startServe(["--input", gallery, "--output", path.join(work, "dist"), "--port", "0"]);
  const browser = await launchBrowser();
  const figures: Figure[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(RECORD_LOAD);
    const page = await context.newPage();

    // The floor: a plain reload of the same page, nothing rebuilt.
    await page.goto(new URL("/hall/", server.url).href);
    await loadedAt(page, "true", "", 30_000);
    const reloads: number[] = [];
    for (let i = 0; i < edits; i++) {
      const t0 = Date.now();
      await page.reload();
      reloads.push((await loadedAt(page, "true", "", 30_000)) - t0);
    }

    const editTimes: number[] = [];
    const rebuildTimes: number[] = [];
    for (let i = 0; i < edits; i++) {
      const marker = `edit-${i}-${Date.now()}`;
      const from = server.output().length;
      const t0 = Date.now();
      await writeFile(path.join(gallery, "hall.md"), caption(`Caption ${marker}.`));
      const t1 = await loadedAt(page, `document.querySelector(".caption")?.textContent?.includes(arg)`, marker, 30_000);
      editTimes.push(t1 - t0);
      const line = await server.waitFor(/rebuilt \(hall\.md\)[^\n]* · ([\d.]+) s\n/, { timeoutMs: 5_000, from });
      rebuildTimes.push(Number(line[1]) * 1000);
      await new Promise((r) => setTimeout(r, 300));
    }
    const floor = { name: "plain reload of the page, nothing rebuilt (median)", value: median(reloads) };
    figures.push({ name: "serve: caption edit → page reloaded, viewer loaded (median)", value: median(editTimes), unit: "ms", baseline: floor, target: "≤ 1000 ms" });
    figures.push({ name: `serve: caption edit → viewer loaded (worst of ${edits})`, value: Math.max(...editTimes), unit: "ms", baseline: floor });
    figures.push({ name: "serve: of which the rebuild (process + render, median, from the serve log)", value: Math.round(median(rebuildTimes)), unit: "ms" });

    const size = `${meta.width}×${meta.height}, ${formatBytes(sampleBytes.length)}`;
    const full = await newPictures(server, page, gallery, staging, sampleBytes, pictures, "full");
    figures.push({ name: `serve: new picture (${size}) copied in → its viewer loaded (median)`, value: full.viewable, unit: "ms", target: "≤ 3000 ms" });
    figures.push({ name: "serve: of which processing that picture (quick recipe: one variant, thumbnail, preview, metadata)", value: full.processing, unit: "ms" });
    figures.push({ name: "serve: then the follow-up run completing it (ladder, sizes, tiles, social card)", value: full.completing, unit: "ms" });
    await context.close();
  } finally {
    await browser.close();
    await server.stop().catch((error: Error) => console.error(error.message));
    await rm(work, { recursive: true, force: true });
  }
  return figures;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const figures = await run();
  printFigures("serve", figures);
  console.log(`\nwritten to ${await writeResults("serve", figures)}`);
}
