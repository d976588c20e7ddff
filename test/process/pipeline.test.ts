// The process stage's outputs, read back from disk: never trusting the code that made them.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ExifTool } from "exiftool-vendored";
import sharp from "sharp";
import type { ProcessResult } from "../../src/process/index.ts";
import { explainDecodeError } from "../../src/process/pipeline.ts";
import { buildOnce } from "../support/build.ts";
import { jpegQuality } from "../support/jpeg.ts";
import { makeEquirect, pixelBomb, writeTags } from "../support/pictures.ts";

const exiftool = new ExifTool({ maxProcs: 1 });
after(() => exiftool.end());

const THETA_TAGS = {
  Make: "RICOH", Model: "RICOH THETA Z1", SerialNumber: "10100001", "EXIF:DateTimeOriginal": "2026:11:01 09:00:00", "EXIF:OffsetTimeOriginal": "+09:00",
  "EXIF:GPSLatitude": 34.6937, "EXIF:GPSLatitudeRef": "N", "EXIF:GPSLongitude": 135.5023, "EXIF:GPSLongitudeRef": "E",
  "XMP-GPano:ProjectionType": "equirectangular", "XMP-GPano:FullPanoWidthPixels": 2048, "XMP-GPano:FullPanoHeightPixels": 1024,
  "XMP-GPano:CroppedAreaImageWidthPixels": 2048, "XMP-GPano:CroppedAreaImageHeightPixels": 1024, "XMP-GPano:CroppedAreaLeftPixels": 0,
  "XMP-GPano:CroppedAreaTopPixels": 0, "XMP-GPano:PoseHeadingDegrees": -54.1, "XMP-GPano:InitialHorizontalFOVDegrees": 70,
};

async function gallery(): Promise<{ dir: string; dist: string }> {
  const work = await mkdtemp(path.join(tmpdir(), "rotunda-pipeline-"));
  const dir = path.join(work, "content");
  await mkdir(dir);
  return { dir, dist: path.join(work, "dist") };
}

/** Process, then the build's sweep of what no page uses (a build renders in between). */
const run = async (dir: string, dist: string, config: object = {}, quick = false): Promise<ProcessResult & { removed: number }> => {
  const report = await buildOnce(dir, dist, config, { quick });
  return { ...report.process, removed: report.render!.removed };
};

async function allFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map((f) => path.join(dir, f));
}

describe("a THETA-like original", () => {
  let dir: string;
  let dist: string;
  let result: ProcessResult;
  before(async () => {
    ({ dir, dist } = await gallery());
    await makeEquirect(path.join(dir, "lobby.jpg"), 2048);
    await writeTags(path.join(dir, "lobby.jpg"), THETA_TAGS);
    result = await run(dir, dist, { process: { sizes: [1024, 512] } });
  });

  test("the quality ladder: 12 full-size JPEGs whose quantisation tables say their quality", async () => {
    const p = result.manifest.panoramas[0]!;
    assert.deepEqual(p.ladder!.map((v) => v.quality), [95, 90, 85, 80, 75, 70, 65, 60, 50, 40, 30, 20]);
    let previous = Infinity;
    for (const step of p.ladder!) {
      const bytes = await readFile(path.join(dist, step.url));
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.width, 2048);
      assert.equal(meta.height, 1024);
      assert.equal(jpegQuality(bytes), step.quality, `${step.url} is really quality ${step.quality}`);
      assert.equal(bytes.length, step.bytes);
      assert.ok(bytes.length < previous, "lower quality, fewer bytes");
      previous = bytes.length;
    }
  });

  test("the size ladder and the viewer's variants", async () => {
    const p = result.manifest.panoramas[0]!;
    assert.deepEqual(p.variants.map((v) => [v.width, v.height, v.quality]), [[2048, 1024, 85], [1024, 512, 85], [512, 256, 85]]);
    for (const v of p.variants) {
      const bytes = await readFile(path.join(dist, v.url));
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.width, v.width);
      assert.equal(jpegQuality(bytes), 85);
    }
    assert.equal(p.thumbnail.width, 640);
    assert.equal((await sharp(path.join(dist, p.preview.url)).metadata()).width, p.preview.width);
    const card = await sharp(path.join(dist, p.socialCard!.url)).metadata();
    assert.deepEqual([card.width, card.height], [1200, 630]);
  });

  test("the placeholder: the initial view in about a kilobyte, the social card's view in its middle", async () => {
    const p = result.manifest.panoramas[0]!;
    const jpeg = Buffer.from(p.placeholder!.dataUri.replace(/^data:image\/jpeg;base64,/, ""), "base64");
    assert.ok(jpeg.length < 2000, `${jpeg.length} bytes`);
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, p.placeholder!.width, p.placeholder!.height], [60, 96, 60, 96]);
    // Both show hfov 70 across their width; the card's 1200×630 is the placeholder's middle band.
    const band = Math.round((60 * 630) / 1200); // rows of the placeholder the card covers
    const top = Math.round((96 - band) / 2);
    // Red and green run smoothly with the direction in this picture (blue is a fine checkerboard).
    const difference = (other: Buffer) => {
      let sum = 0;
      for (let i = 0; i < other.length; i += 3) sum += Math.abs(other[i]! - data[top * 60 * 3 + i]!) + Math.abs(other[i + 1]! - data[top * 60 * 3 + i + 1]!);
      return sum / ((other.length / 3) * 2);
    };
    const card = path.join(dist, p.socialCard!.url);
    const same = difference(await sharp(card).resize(60, band, { fit: "fill" }).raw().toBuffer());
    assert.ok(same < 6, `mean difference ${same.toFixed(1)}`);
    const turned = difference(await sharp(card).rotate(180).resize(60, band, { fit: "fill" }).raw().toBuffer());
    assert.ok(turned > 3 * same, `another view would not match (${turned.toFixed(1)})`);
  });

  test("GPano XMP in a resized variant, read back with ExifTool, describes that variant", async () => {
    const v = result.manifest.panoramas[0]!.variants.find((x) => x.width === 1024)!;
    const tags = (await exiftool.read(path.join(dist, v.url))) as Record<string, unknown>;
    assert.equal(tags.ProjectionType, "equirectangular");
    assert.equal(tags.UsePanoramaViewer, true);
    assert.equal(tags.FullPanoWidthPixels, 1024);
    assert.equal(tags.FullPanoHeightPixels, 512);
    assert.equal(tags.CroppedAreaImageWidthPixels, 1024);
    assert.equal(tags.CroppedAreaImageHeightPixels, 512);
    assert.equal(tags.PoseHeadingDegrees, -54.1);
    assert.equal(tags.SerialNumber, undefined);
    assert.equal(tags.GPSLatitude, undefined);
  });

  test("no serial number anywhere in the output and no GPS in what is published, by default", async () => {
    for (const file of await allFiles(dist)) {
      if ((await stat(file)).isDirectory()) continue;
      const bytes = await readFile(file);
      assert.ok(!bytes.includes("10100001"), `${file} carries the serial number`);
      // The build's state folder (never deployed or served) keeps positions for places and tours.
      if (path.relative(dist, file).startsWith(".rotunda")) continue;
      if (file.endsWith(".jpg")) {
        const tags = (await exiftool.read(file)) as Record<string, unknown>;
        assert.ok(!Object.keys(tags).some((k) => k.startsWith("GPS")), `${file} carries GPS`);
      } else {
        assert.doesNotMatch(bytes.toString("utf8"), /GPS|34\.69|135\.50/, `${file} carries GPS`);
      }
    }
    const meta = JSON.parse(await readFile(path.join(dist, result.manifest.panoramas[0]!.metadata.url), "utf8"));
    assert.equal(meta.DateTimeOriginal, "2026-11-01T09:00:00+09:00");
    assert.equal(result.manifest.panoramas[0]!.captureDate, "2026-11-01T09:00:00+09:00");
  });

  test("GPS is published when the publisher turns it on, in the JSON and the table", async () => {
    const gps = await run(dir, path.join(dist, "..", "dist-gps"), { process: { publishGps: true, tiles: false, qualities: [85] } });
    const p = gps.manifest.panoramas[0]!;
    const meta = JSON.parse(await readFile(path.join(dist, "..", "dist-gps", p.metadata.url), "utf8"));
    assert.equal(meta.GPSLatitude, 34.6937);
    assert.ok(p.metadataTable.some((r) => r.label === "Location" && r.value.startsWith("34.69370")));
    assert.equal(meta.SerialNumber, undefined, "serials never, even then");
  });
});

describe("watermark and nadir patch", () => {
  test("the logo lands at its position with its opacity; the nadir band is the patch's colour", async () => {
    const { dir, dist } = await gallery();
    // A uniform grey picture, so any change is the overlays'.
    await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(path.join(dir, "grey.png"));
    await sharp({ create: { width: 100, height: 50, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } }).png().toFile(path.join(dir, "logo.png"));
    await writeFile(path.join(dir, "nadir.svg"), `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle cx="100" cy="100" r="100" fill="#ff0000"/></svg>`);
    const result = await run(dir, dist, {
      process: {
        qualities: [95], sizes: [], tiles: false, socialCard: false,
        watermark: { file: "logo.png", position: "+300+200", opacity: 0.5 },
        nadir: { file: "nadir.svg", angle: 20 },
      },
    });
    assert.deepEqual(result.failed, [], JSON.stringify(result.failed));
    const p = result.manifest.panoramas.find((x) => x.source.path === "grey.png")!;
    const { data, info } = await sharp(path.join(dist, p.ladder![0]!.url)).raw().toBuffer({ resolveWithObject: true });
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const near = (a: number[], b: number[], tol = 12) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);
    // Half-transparent blue over grey: (64, 64, 191).
    assert.ok(near(px(350, 225), [64, 64, 191]), `watermark at +300+200, got ${px(350, 225)}`);
    assert.ok(near(px(290, 225), [128, 128, 128]), "left of the logo is untouched");
    assert.ok(near(px(350, 260), [128, 128, 128]), "below the logo is untouched");
    // The nadir cap of 20°: the bottom 20/180 of the rows (111 px) are red across the whole width.
    for (const x of [0, 500, 1000, 1999]) {
      assert.ok(near(px(x, 999), [255, 0, 0], 20), `bottom row red at x=${x}, got ${px(x, 999)}`);
      assert.ok(near(px(x, 1000 - 100), [255, 0, 0], 20), `red at 18° from the nadir, x=${x}`);
      assert.ok(near(px(x, 1000 - 125), [128, 128, 128]), `grey beyond the cap at 22.5°, x=${x}`);
    }
    // A change of watermark re-makes the outputs under new names.
    await sharp({ create: { width: 100, height: 50, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 1 } } }).png().toFile(path.join(dir, "logo.png"));
    const again = await run(dir, dist, {
      process: { qualities: [95], sizes: [], tiles: false, socialCard: false, watermark: { file: "logo.png", position: "+300+200", opacity: 0.5 }, nadir: { file: "nadir.svg", angle: 20 } },
    });
    assert.deepEqual(again.made, ["grey.png"]);
    assert.notEqual(again.manifest.panoramas[0]!.ladder![0]!.url, p.ladder![0]!.url);
  });

  test("a missing watermark file is a configuration error naming it", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "a.jpg"), 256);
    await assert.rejects(run(dir, dist, { process: { watermark: { file: "nope.png" } } }), /process\.watermark\.file: .*nope\.png: file not found/);
  });
});

describe("incremental", () => {
  const config = { process: { qualities: [80, 60], sizes: [512], tiles: false } };
  let dir: string;
  let dist: string;
  before(async () => {
    ({ dir, dist } = await gallery());
    await makeEquirect(path.join(dir, "a.jpg"), 1024, 512, 1);
    await makeEquirect(path.join(dir, "b.jpg"), 1024, 512, 2);
    await makeEquirect(path.join(dir, "c.jpg"), 1024, 512, 3);
    const first = await run(dir, dist, config);
    assert.equal(first.made.length, 3);
  });

  test("nothing changed: no image work, same manifest", async () => {
    const result = await run(dir, dist, config);
    assert.deepEqual(result.made, []);
    assert.equal(result.unchanged.length, 3);
  });

  test("touched (same bytes, new mtime): hashed again, no image work", async () => {
    const future = new Date(Date.now() + 60_000);
    await utimes(path.join(dir, "a.jpg"), future, future);
    const result = await run(dir, dist, config);
    assert.deepEqual(result.made, []);
  });

  test("moved to another folder: same outputs, no image work", async () => {
    const before = (await run(dir, dist, config)).manifest.panoramas.find((p) => p.slug === "c")!;
    await mkdir(path.join(dir, "east"));
    await writeFile(path.join(dir, "east", "c.jpg"), await readFile(path.join(dir, "c.jpg")));
    await rm(path.join(dir, "c.jpg"));
    const result = await run(dir, dist, config);
    assert.deepEqual(result.made, []);
    assert.deepEqual(result.manifest.panoramas.find((p) => p.slug === "c")!.variants, before.variants);
  });

  test("edited: only that picture is re-made", async () => {
    await makeEquirect(path.join(dir, "b.jpg"), 1024, 512, 99);
    const result = await run(dir, dist, config);
    assert.deepEqual(result.made, ["b.jpg"]);
  });

  test("deleted: its outputs leave the output folder and the manifest", async () => {
    const before = await run(dir, dist, config);
    const gone = before.manifest.panoramas.find((p) => p.slug === "a")!;
    await rm(path.join(dir, "a.jpg"));
    const result = await run(dir, dist, config);
    assert.ok(!result.manifest.panoramas.some((p) => p.slug === "a"));
    assert.ok(result.removed >= 5);
    for (const ref of [...gone.variants, ...gone.ladder!, gone.thumbnail, gone.metadata]) {
      await assert.rejects(stat(path.join(dist, ref.url)), `${ref.url} removed`);
    }
    await assert.rejects(stat(path.join(dist, path.dirname(gone.thumbnail.url))), "its media folder removed");
  });

  test("an option changed: every picture re-made under new names, old ones removed", async () => {
    const before = await run(dir, dist, config);
    const result = await run(dir, dist, { process: { ...config.process, qualities: [70] } });
    assert.equal(result.made.length, before.manifest.panoramas.length);
    assert.deepEqual(result.manifest.panoramas[0]!.ladder!.map((v) => v.quality), [70]);
    for (const ref of before.manifest.panoramas.flatMap((p) => p.ladder!)) await assert.rejects(stat(path.join(dist, ref.url)));
  });
});

describe("unusual and bad inputs", () => {
  test("each bad file gets one line naming it and its cause; the rest builds", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "good.jpg"), 512);
    const good = await readFile(path.join(dir, "good.jpg"));
    await writeFile(path.join(dir, "truncated.jpg"), good.subarray(0, good.length >> 1));
    await writeFile(path.join(dir, "zero.jpg"), "");
    await writeFile(path.join(dir, "text.jpg"), "hello, not a picture\n");
    await sharp({ create: { width: 400, height: 300, channels: 3, background: "#777" } }).jpeg().toFile(path.join(dir, "four-three.jpg"));
    // A pixel bomb: a tiny PNG whose header declares 60000 × 30000 pixels.
    await writeFile(path.join(dir, "bomb.png"), await pixelBomb(60000, 30000));
    const result = await run(dir, dist, { process: { tiles: false, qualities: [80] } });
    const why = Object.fromEntries(result.failed.map((f) => [f.source, f.message]));
    assert.match(why["truncated.jpg"]!, /truncated or corrupt/);
    assert.match(why["zero.jpg"]!, /empty file/);
    assert.match(why["text.jpg"]!, /not a picture/);
    assert.match(why["four-three.jpg"]!, /400×300, not 2:1/);
    assert.match(why["bomb.png"]!, /pixel limit/);
    assert.deepEqual(result.manifest.panoramas.map((p) => p.source.path), ["good.jpg"]);
    assert.equal(result.manifest.failures.length, 5);
  });

  test("a decode whose message was lost is named as truncated or corrupt picture data", () => {
    // libvips shares one error buffer between threads: when several decodes fail at once, one can
    // clear another's message, and sharp then says "Unknown error", or nothing.
    assert.equal(explainDecodeError(new Error("Unknown error")), "truncated or corrupt picture data");
    assert.equal(explainDecodeError(new Error("")), "truncated or corrupt picture data");
    assert.equal(explainDecodeError(new Error("VipsJpeg: something else\nmore")), "VipsJpeg: something else", "other messages keep their first line");
  });

  test("a 4:3 picture is accepted as a partial panorama when GPano says so", async () => {
    const { dir, dist } = await gallery();
    await sharp({ create: { width: 800, height: 600, channels: 3, background: "#357" } }).jpeg().toFile(path.join(dir, "partial.jpg"));
    await writeTags(path.join(dir, "partial.jpg"), {
      "XMP-GPano:ProjectionType": "equirectangular", "XMP-GPano:FullPanoWidthPixels": 2400, "XMP-GPano:FullPanoHeightPixels": 1200,
      "XMP-GPano:CroppedAreaImageWidthPixels": 800, "XMP-GPano:CroppedAreaImageHeightPixels": 600,
      "XMP-GPano:CroppedAreaLeftPixels": 800, "XMP-GPano:CroppedAreaTopPixels": 300,
    });
    const result = await run(dir, dist, { process: { tiles: true, qualities: [80], sizes: [] } });
    assert.deepEqual(result.failed, []);
    const v = result.manifest.panoramas[0]!.viewer;
    assert.equal(v.haov, 120);
    assert.equal(v.vaov, 90);
    assert.ok(result.manifest.panoramas[0]!.tiles);
  });

  test("PNG (by content, even named .jpg), CMYK and 16-bit originals become sRGB JPEGs", async () => {
    const { dir, dist } = await gallery();
    await sharp({ create: { width: 512, height: 256, channels: 3, background: "#3a7" } }).png().toFile(path.join(dir, "really-png.jpg"));
    await sharp({ create: { width: 512, height: 256, channels: 3, background: "#c33" } }).toColourspace("cmyk").jpeg().toFile(path.join(dir, "cmyk.jpg"));
    await sharp({ create: { width: 512, height: 256, channels: 3, background: "#2255aa" } }).toColourspace("rgb16").png().toFile(path.join(dir, "deep.png"));
    assert.equal((await sharp(path.join(dir, "cmyk.jpg")).metadata()).space, "cmyk");
    assert.equal((await sharp(path.join(dir, "deep.png")).metadata()).depth, "ushort");
    const result = await run(dir, dist, { process: { tiles: false, qualities: [90], sizes: [] } });
    assert.deepEqual(result.failed, []);
    const colours: Record<string, number[]> = {};
    for (const p of result.manifest.panoramas) {
      const out = sharp(path.join(dist, p.variants[0]!.url));
      const meta = await out.metadata();
      assert.equal(meta.space, "srgb");
      assert.equal(meta.channels, 3);
      assert.equal(meta.depth, "uchar");
      const stats = await out.stats();
      colours[p.source.path] = stats.channels.map((c) => Math.round(c.mean));
      assert.equal(p.source.format, p.source.path === "cmyk.jpg" ? "jpeg" : "png");
    }
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);
    assert.ok(near(colours["really-png.jpg"]!, [0x33, 0xaa, 0x77]), `PNG colour kept: ${colours["really-png.jpg"]}`);
    // sRGB → CMYK → sRGB is not exact (gamut, profiles): clearly the same red is what counts.
    const [r, g, b] = colours["cmyk.jpg"]!;
    assert.ok(r! > 180 && g! < 80 && b! < 80, `CMYK converted to sRGB: ${colours["cmyk.jpg"]}`);
    assert.ok(near(colours["deep.png"]!, [0x22, 0x55, 0xaa]), `16-bit converted to 8-bit sRGB: ${colours["deep.png"]}`);
  });

  test("identical copies in one run share one set of outputs, neither fails", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "a.jpg"), 1024, 512, 21);
    for (const copy of ["b.jpg", "c.jpg"]) await writeFile(path.join(dir, copy), await readFile(path.join(dir, "a.jpg")));
    const result = await run(dir, dist, { process: { qualities: [80, 60] } });
    assert.deepEqual(result.failed, []);
    const [a, b, c] = ["a", "b", "c"].map((slug) => result.manifest.panoramas.find((p) => p.slug === slug)!);
    assert.equal(a!.variants[0]!.url, b!.variants[0]!.url);
    assert.equal(b!.tiles!.basePath, c!.tiles!.basePath);
    const leftovers = (await readdir(path.join(dist, "media"), { recursive: true })).filter((f) => f.includes(".tmp"));
    assert.deepEqual(leftovers, []);
  });

  test("an output folder inside the gallery is not read back as pictures", async () => {
    const { dir } = await gallery();
    await makeEquirect(path.join(dir, "one.jpg"), 512, 256, 51);
    const inside = path.join(dir, "site");
    await run(dir, inside, { process: { qualities: [80], tiles: false } });
    const again = await run(dir, inside, { process: { qualities: [80], tiles: false } });
    assert.deepEqual(again.manifest.panoramas.map((p) => p.slug), ["one"]);
  });
});

describe("quick, then complete (the dev server's first look)", () => {
  test("quick makes only the viewer's variant and small outputs; the next full run completes it and drops the quick extras", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "big.jpg"), 4800, 2400, 5);
    const quick = await run(dir, dist, {}, true);
    const q = quick.manifest.panoramas[0]!;
    assert.deepEqual(q.variants.map((v) => v.width), [4096]);
    assert.deepEqual(q.ladder, []);
    assert.equal(q.tiles, undefined);
    assert.equal(q.socialCard, undefined);
    await stat(path.join(dist, q.variants[0]!.url));
    // A second quick run does nothing more.
    assert.deepEqual((await run(dir, dist, {}, true)).made, []);
    const full = await run(dir, dist);
    assert.deepEqual(full.made, ["big.jpg"]);
    const f = full.manifest.panoramas[0]!;
    assert.equal(f.ladder!.length, 12);
    assert.ok(f.tiles && f.socialCard);
    assert.ok(f.variants.some((v) => v.url === q.variants[0]!.url), "the quick 4096 variant is the full recipe's own file, kept");
    assert.deepEqual((await run(dir, dist)).made, []);
  });

  test("a picture narrower than 4096 px keeps its quick variant's file through completion", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "small.jpg"), 2048, 1024, 6);
    const quick = (await run(dir, dist, {}, true)).manifest.panoramas[0]!;
    const full = (await run(dir, dist)).manifest.panoramas[0]!;
    assert.equal(full.variants[0]!.url, quick.variants[0]!.url);
    await stat(path.join(dist, quick.variants[0]!.url));
  });
});

describe("sidecars", () => {
  test("---js front matter is refused, and a new picture whose sidecar is broken stays out; dates keep their offset", async () => {
    const { dir, dist } = await gallery();
    for (const [name, seed] of [["js", 31], ["dated", 32], ["broken", 33]] as const) await makeEquirect(path.join(dir, `${name}.jpg`), 512, 256, seed);
    await writeFile(path.join(dir, "js.md"), "---js\n{ title: require('os').userInfo().username }\n---\n");
    await writeFile(path.join(dir, "dated.md"), "---\ntitle: Dated\ndate: 2026-06-14T09:30:00-04:00\n---\n");
    await writeFile(path.join(dir, "broken.md"), "---\ndraft: yes\n---\n");
    const result = await run(dir, dist, { process: { qualities: [80], tiles: false } });
    const why = Object.fromEntries(result.failed.map((f) => [f.source, f.message]));
    assert.match(why["js.md"]!, /not read: use YAML/);
    assert.match(why["broken.md"]!, /draft/);
    assert.deepEqual(result.manifest.panoramas.map((p) => p.slug), ["dated"]);
    assert.equal(result.manifest.panoramas[0]!.captureDate, "2026-06-14T09:30:00-04:00");
  });

  test("a published picture whose sidecar breaks stays, with its last good text", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "dated.jpg"), 512, 256, 32);
    await writeFile(path.join(dir, "dated.md"), "---\ntitle: Dated\ndate: 2026-06-14T09:30:00-04:00\n---\n");
    const first = await run(dir, dist, { process: { qualities: [80], tiles: false } });
    assert.deepEqual(first.failed, []);
    await writeFile(path.join(dir, "dated.md"), "---\ntitle: [unclosed\n---\n");
    const again = await run(dir, dist, { process: { qualities: [80], tiles: false } });
    assert.ok(again.failed.some((f) => f.source === "dated.md"));
    const dated = again.manifest.panoramas.find((p) => p.slug === "dated")!;
    assert.equal(dated.title, "Dated");
    assert.equal(dated.captureDate, "2026-06-14T09:30:00-04:00");
  });
});

describe("location stays private without publishGps", () => {
  test("nested location tags and the time zone worked out from GPS are not published", async () => {
    const { dir, dist } = await gallery();
    await makeEquirect(path.join(dir, "paris.jpg"), 512, 256, 41);
    await writeTags(path.join(dir, "paris.jpg"), {
      "EXIF:DateTimeOriginal": "2026:06:14 09:30:00",
      "EXIF:GPSLatitude": 48.8584, "EXIF:GPSLatitudeRef": "N", "EXIF:GPSLongitude": 2.2945, "EXIF:GPSLongitudeRef": "E",
      "XMP-iptcExt:LocationCreated": [{ City: "Paris", GPSLatitude: "48.8584" }],
    });
    const result = await run(dir, dist, { process: { qualities: [80], tiles: false } });
    const p = result.manifest.panoramas[0]!;
    const json = await readFile(path.join(dist, p.metadata.url), "utf8");
    assert.doesNotMatch(json, /Paris|48\.85|GPS|Europe\//);
    assert.equal(p.captureDate, "2026-06-14T09:30:00", "no zone worked out from GPS");
  });
});

describe("sidecars as authors save them", () => {
  test("a caption without front matter and front matter after a byte order mark both publish their picture", async () => {
    const { dir, dist } = await gallery();
    for (const [name, seed] of [["bay", 61], ["dock", 62]] as const) await makeEquirect(path.join(dir, `${name}.jpg`), 512, 256, seed);
    await writeFile(path.join(dir, "bay.md"), "Sunset over the loading bay.\n\nMore.\n");
    await writeFile(path.join(dir, "dock.md"), "\uFEFF---\ntitle: The dock\n---\nAt dawn.\n");
    const result = await run(dir, dist, { process: { qualities: [80], tiles: false, socialCard: false } });
    assert.deepEqual(result.failed, []);
    const bySlug = Object.fromEntries(result.manifest.panoramas.map((p) => [p.slug, p]));
    assert.equal(bySlug.bay!.caption, "Sunset over the loading bay.\n\nMore.");
    assert.equal(bySlug.dock!.title, "The dock");
    assert.equal(bySlug.dock!.caption, "At dawn.");
  });
});
