// The live view end to end: frames the camera sent against frames the browser
// showed, and each frame's age when drawn (the camera's X-Sent-At to the moment
// the viewer rendered it), over BENCH_LIVE_SECONDS (60) at the emulator's native
// preview rate (1024×512 at 30 fps, as a THETA Z1 offers), with 5 viewers: the
// measured Chromium page and 4 more /stream readers. Rotunda's peak RSS over the
// run is printed. Targets (issue 17): ≥ 95 % of frames shown, median age ≤ 150 ms.
// Measured in the same run for comparison: frames that reached the page (what
// Rotunda delivers), and how many frames per second Pannellum alone draws in this
// browser turning a still panorama of the same size in the same window (what the
// renderer can do here at all: headless Chromium draws WebGL in software).
//
//   npm run bench -- live
//
// The emulator (`rotunda camera emulate`, Digest auth) and `rotunda camera live`
// run as child processes, as an operator would start them; the emulator turns
// ../shared/samples/pannellum-examplepano.jpg when it is there, else a test pattern.
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { liveBundle } from "../src/live/bundle.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { startRotunda } from "../test/support/cli.ts";
import { median, REPO_ROOT, round, treeMemoryOf, type Figure } from "./common.ts";

const SECONDS = Number(process.env.BENCH_LIVE_SECONDS ?? 60);
const EXTRA_VIEWERS = 4;
const USER = "THETAYL00000060";
const env = { ROTUNDA_BENCH_CAMERA_PASSWORD: "bench-Live-1" };

/** A /stream reader that takes everything as fast as it comes; returns its byte count and a stop. */
function reader(url: string): { bytes: () => number; stop: () => void } {
  let bytes = 0;
  const req = http.get(url, (res) => res.on("data", (chunk: Buffer) => (bytes += chunk.length)));
  req.on("error", () => {});
  return { bytes: () => bytes, stop: () => req.destroy() };
}

const VIEWPORT = { width: 1280, height: 720 };

/** Frames per second Pannellum draws here turning a still 1024×512 panorama, with nothing else going on. */
async function rendererCeiling(browser: Browser): Promise<number> {
  const bundle = await liveBundle();
  const jpeg = await sharp({ create: { width: 1024, height: 512, channels: 3, background: "#3a6" } }).jpeg().toBuffer();
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await page.setContent(`<style>${bundle.css.toString()}</style><div id="pano" style="width:100vw;height:100vh"></div>`);
    await page.addScriptTag({ content: bundle.js.toString() });
    return (await page.evaluate(`(async () => {
      const viewer = pannellum.viewer("pano", { type: "equirectangular", panorama: "data:image/jpeg;base64,${jpeg.toString("base64")}", autoLoad: true, autoRotate: -20 });
      await new Promise((resolve) => viewer.on("load", resolve));
      let frames = 0;
      const started = performance.now();
      await new Promise((resolve) => { const tick = () => { frames++; if (performance.now() - started < 5000) requestAnimationFrame(tick); else resolve(); }; requestAnimationFrame(tick); });
      return frames / ((performance.now() - started) / 1000);
    })()`)) as number;
  } finally {
    await page.close();
  }
}

export async function run(): Promise<Figure[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), "rotunda-bench-live-"));
  const pictures = path.join(work, "camera");
  await mkdir(pictures);
  const sample = path.resolve(REPO_ROOT, "../shared/samples/pannellum-examplepano.jpg");
  if (existsSync(sample)) await copyFile(sample, path.join(pictures, "R0010001.JPG"));
  const emulator = startRotunda(["camera", "emulate", "--dir", pictures, "--port", "0", "--user", USER, "--password-env", "ROTUNDA_BENCH_CAMERA_PASSWORD"], { env });
  const extra: Array<ReturnType<typeof reader>> = [];
  let live: ReturnType<typeof startRotunda> | undefined;
  const browser = await launchBrowser();
  try {
    const cameraUrl = (await emulator.waitFor(/at (http:\/\/\S+) /))[1]!;
    live = startRotunda(["camera", "live", "--camera", cameraUrl, "--user", USER, "--password-env", "ROTUNDA_BENCH_CAMERA_PASSWORD", "--port", "0"], { env });
    const url = (await live.waitFor(/Live view of \S+ at (http:\/\/\S+\/)/))[1]!;
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.viewer === "loaded" && Number(document.documentElement.dataset.frames ?? 0) > 30, null, { timeout: 60_000 });
    for (let i = 0; i < EXTRA_VIEWERS; i++) extra.push(reader(`${url}stream`));
    // Let the extra viewers connect and everything settle before the window opens.
    await page.waitForTimeout(2000);
    const snapshot = () => page.evaluate(() => {
      const s = (window as unknown as { rotundaLive: { received: number; shown: number; ages: number[]; lastFrame: number } }).rotundaLive;
      return { received: s.received, shown: s.shown, lastFrame: s.lastFrame, agesLength: s.ages.length, scale: document.documentElement.dataset.liveScale };
    });
    const start = await snapshot();
    const started = performance.now();
    let peakRss = 0;
    while (performance.now() - started < SECONDS * 1000) {
      await page.waitForTimeout(1000);
      peakRss = Math.max(peakRss, (await treeMemoryOf(live.pid))?.rssMb ?? 0);
    }
    const end = await snapshot();
    const elapsed = (performance.now() - started) / 1000;
    const ages = await page.evaluate(([from]) => (window as unknown as { rotundaLive: { ages: number[] } }).rotundaLive.ages.slice(from), [start.agesLength] as const);
    const tree = await treeMemoryOf(live.pid);
    const sent = end.lastFrame - start.lastFrame;
    const shown = end.shown - start.shown;
    const sorted = [...ages].sort((a, b) => a - b);
    const p90 = sorted[Math.floor(sorted.length * 0.9)] ?? 0;
    const extraMb = extra.map((r) => r.bytes() / 1e6);
    console.log(`  (extra viewers read ${extraMb.map((m) => m.toFixed(0)).join(", ")} MB; the page ${end.scale ? `lightened itself: ${end.scale}` : "drew full frames at full resolution"})`);
    await page.close();
    const ceiling = await rendererCeiling(browser);
    return [
      { name: "live.frames_sent_per_s", value: round(sent / elapsed, 1), unit: "fps" },
      { name: "live.frames_received_by_page_per_s", value: round((end.received - start.received) / elapsed, 1), unit: "fps", baseline: { name: "frames sent", value: round(sent / elapsed, 1) } },
      { name: "live.frames_shown_per_s", value: round(shown / elapsed, 1), unit: "fps", baseline: { name: "frames sent", value: round(sent / elapsed, 1) } },
      { name: "live.renderer_ceiling_per_s", value: round(ceiling, 1), unit: "fps" },
      { name: "live.shown_percent", value: round((100 * shown) / Math.max(1, sent), 1), unit: "%", target: "≥ 95 %" },
      { name: "live.frame_age_median_ms", value: Math.round(median(ages.length ? ages : [0])), unit: "ms", target: "≤ 150 ms" },
      { name: "live.frame_age_p90_ms", value: Math.round(p90), unit: "ms" },
      { name: "live.rotunda_peak_rss_5_viewers_mb", value: round(Math.max(peakRss, tree?.peakMb ?? 0), 1), unit: "MB" },
    ];
  } finally {
    for (const r of extra) r.stop();
    await browser.close();
    await live?.stop().catch(() => {});
    await emulator.stop().catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}

// Run directly: node --import tsx bench/live.ts
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { printFigures, writeResults } = await import("./common.ts");
  const figures = await run();
  printFigures("live", figures);
  await writeResults("live", figures);
}
