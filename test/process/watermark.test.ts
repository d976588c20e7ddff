// Watermark and nadir logos whose size or place cannot work: refused as configuration
// errors before any picture is touched, or, when only some pictures are too small,
// one clear failure for each of those.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { parseConfig, type GalleryConfig } from "../../src/config.ts";
import { processGallery } from "../../src/process/index.ts";
import { PictureError } from "../../src/process/pipeline.ts";
import { loadOverlays, overlayLayers } from "../../src/process/watermark.ts";
import { runRotunda } from "../support/cli.ts";
import { makeEquirect, pixelBomb } from "../support/pictures.ts";

const workDirs: string[] = [];
after(async () => {
  await Promise.all(workDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A gallery of two small panoramas, and beside it (`../logos/`, so they are not
 * taken for pictures) the logos the cases below name.
 */
async function gallery(): Promise<{ dir: string; dist: string }> {
  const work = await mkdtemp(path.join(tmpdir(), "rotunda-watermark-"));
  workDirs.push(work);
  const dir = path.join(work, "content");
  const logos = path.join(work, "logos");
  await mkdir(dir);
  await mkdir(logos);
  await makeEquirect(path.join(dir, "wide.jpg"), 2048, 1024, 71);
  await makeEquirect(path.join(dir, "small.jpg"), 512, 256, 72);
  await sharp({ create: { width: 100, height: 50, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toFile(path.join(logos, "logo.png"));
  await sharp({ create: { width: 100, height: 400, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 1 } } }).png().toFile(path.join(logos, "tall.png"));
  // Headers only: decoding either would take gigabytes (bomb) or make a logo taller than any panorama (needle).
  await writeFile(path.join(logos, "bomb.png"), await pixelBomb(100000, 100000));
  await writeFile(path.join(logos, "needle.png"), await pixelBomb(100, 9000));
  return { dir, dist: path.join(work, "dist") };
}

/** Every file under `dir` with its size and modification time, or undefined when `dir` does not exist. */
async function snapshot(dir: string): Promise<string[] | undefined> {
  const entries = await readdir(dir, { recursive: true }).catch(() => undefined);
  if (!entries) return undefined;
  return Promise.all(entries.sort().map(async (f) => {
    const info = await stat(path.join(dir, f));
    return `${f} ${info.size} ${info.mtimeMs}`;
  }));
}

describe("rotunda build: an overlay no picture could hold is a configuration error", () => {
  const cases: Array<{ name: string; process: object; message: RegExp }> = [
    {
      name: "a watermark 100000 px wide",
      process: { watermark: { file: "../logos/logo.png", width: 100000 } },
      message: /process\.watermark\.width: 100000 px is wider than any picture: the largest panorama Rotunda decodes is 16384×8192 px/,
    },
    {
      name: "a watermark wider than 100% of the picture",
      process: { watermark: { file: "../logos/logo.png", width: "150%" } },
      message: /process\.watermark\.width: "150%" is not a width within the picture/,
    },
    {
      name: "a width that makes the logo taller than any picture",
      process: { watermark: { file: "../logos/tall.png", width: 8000 } },
      message: /process\.watermark\.width: 8000 makes this 100×400 logo 8000×32000 px, larger than any picture/,
    },
    {
      name: "a logo taller than any picture at its own size",
      process: { watermark: { file: "../logos/needle.png" } },
      message: /process\.watermark\.file: \S*needle\.png is 100×9000 px, larger than any picture/,
    },
    {
      name: "a position left of the picture",
      process: { watermark: { file: "../logos/logo.png", position: "-10+20" } },
      message: /process\.watermark\.position: "-10\+20" is outside the picture/,
    },
    {
      name: "a position beyond 100%",
      process: { watermark: { file: "../logos/logo.png", position: "+150%+2%" } },
      message: /process\.watermark\.position: "\+150%\+2%" is outside the picture/,
    },
    {
      name: "a position in pixels beyond the largest panorama",
      process: { watermark: { file: "../logos/logo.png", position: "+20000+100" } },
      message: /process\.watermark\.position: "\+20000\+100" is outside every picture/,
    },
    {
      name: "a watermark file whose header claims 100000×100000 px",
      process: { watermark: { file: "../logos/bomb.png", width: 200 } },
      message: /process\.watermark\.file: \S*bomb\.png is 100000×100000 px, more pixels than process\.pixelLimit \(134217728\)/,
    },
    {
      name: "a nadir logo whose header claims 100000×100000 px",
      process: { nadir: { file: "../logos/bomb.png" } },
      message: /process\.nadir\.file: \S*bomb\.png is 100000×100000 px, more pixels than process\.pixelLimit/,
    },
    {
      name: "a nadir logo larger than any picture",
      process: { nadir: { file: "../logos/needle.png" } },
      message: /process\.nadir\.file: \S*needle\.png is 100×9000 px, larger than any picture/,
    },
  ];
  let shared: { dir: string; dist: string };
  before(async () => {
    shared = await gallery();
  });
  for (const [i, c] of cases.entries()) {
    test(`${c.name}: exit 2, one message naming the key, no picture touched`, async () => {
      const dir = shared.dir;
      const dist = `${shared.dist}-${i}`;
      await writeFile(path.join(dir, "rotunda.json"), JSON.stringify({ process: c.process }));
      const result = await runRotunda(["build", "--input", dir, "--output", dist, "--no-pull"]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, c.message);
      assert.equal(result.stderr.trim().split("\n").filter((line) => /process\.(watermark|nadir)/.test(line)).length, 1, result.stderr);
      assert.equal(await snapshot(dist), undefined, "the output folder is not even created");
    });
  }

  test("a published site is left as it was", async () => {
    const { dir, dist } = await gallery();
    const fast = { qualities: [80], sizes: [], tiles: false, socialCard: false };
    await writeFile(path.join(dir, "rotunda.json"), JSON.stringify({ process: { ...fast, watermark: { file: "../logos/logo.png", width: "5%" } } }));
    const first = await runRotunda(["build", "--input", dir, "--output", dist, "--no-pull"]);
    assert.equal(first.code, 0, first.stderr);
    const before = await snapshot(dist);
    await writeFile(path.join(dir, "rotunda.json"), JSON.stringify({ process: { ...fast, watermark: { file: "../logos/logo.png", width: 100000 } } }));
    const second = await runRotunda(["build", "--input", dir, "--output", dist, "--no-pull"]);
    assert.equal(second.code, 2, second.stderr);
    assert.deepEqual(await snapshot(dist), before);
  });
});

describe("a watermark that fits the limits but not one picture", () => {
  const fast = { qualities: [80], sizes: [], tiles: false, socialCard: false };

  test("overlayLayers refuses it for that picture, before scaling the logo", async () => {
    const { dir } = await gallery();
    const config = parseConfig({ process: { watermark: { file: "../logos/logo.png", width: 1000 } } });
    const overlays = await loadOverlays(dir, config.process.watermark);
    assert.equal((await overlayLayers(overlays, 2048, 1024))[0]!.width, 1000);
    await assert.rejects(
      overlayLayers(overlays, 512, 256),
      (error: unknown) =>
        error instanceof PictureError && error.message === "the watermark would be 1000×500 px, larger than this 512×256 picture: give process.watermark.width as a percentage",
    );
    // A percentage fits every 2:1 picture when it fits the largest; a wider strip can still be too low for it.
    const tall = await loadOverlays(dir, parseConfig({ process: { watermark: { file: "../logos/tall.png", width: "10%" } } }).process.watermark);
    assert.equal((await overlayLayers(tall, 2048, 1024))[0]!.height, 820);
    await assert.rejects(overlayLayers(tall, 2048, 512), /the watermark would be 205×820 px, larger than this 2048×512 picture: give process\.watermark\.width a smaller percentage/);
    const far = await loadOverlays(dir, parseConfig({ process: { watermark: { file: "../logos/logo.png", position: "+1000+100" } } }).process.watermark);
    await assert.rejects(overlayLayers(far, 512, 256), /watermark position "\+1000\+100" is outside this 512×256 picture/);
  });

  test("the build publishes the pictures it fits and names each one it does not, with one line", async () => {
    const { dir, dist } = await gallery();
    const config = parseConfig({ process: { ...fast, watermark: { file: "../logos/logo.png", width: 1000 } } }) as GalleryConfig;
    const result = await processGallery({ inputDir: dir, outputDir: dist, config });
    assert.deepEqual(result.manifest.panoramas.map((p) => p.source.path), ["wide.jpg"]);
    assert.deepEqual(result.failed, [
      { source: "small.jpg", message: "the watermark would be 1000×500 px, larger than this 512×256 picture: give process.watermark.width as a percentage" },
    ]);
    // The logo is on the picture it fits: blue where it lies, at the default +2%+2%.
    const wide = result.manifest.panoramas[0]!;
    const { data, info } = await sharp(path.join(dist, wide.ladder![0]!.url)).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const [r, g, b] = at(41 + 500, 20 + 250);
    assert.ok(b! > 200 && r! < 60 && g! < 60, `blue inside the watermark, got ${[r, g, b]}`);
  });
});
