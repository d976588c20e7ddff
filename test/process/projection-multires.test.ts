import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { cropBounds, multiresLayout, writeMultires, type MultiresResult } from "../../src/process/projection/index.ts";
import {
  PANNELLUM_FACES,
  directionColour,
  directionOf,
  faceOf,
  makeEquirect,
  maxDiff,
  pannellumDirection,
  pixel,
  readRaw,
  sampleEquirect,
  type Img,
  type V3,
} from "./projection-helpers.ts";

/** Expected tiles of a level the way libpannellum derives them from cubeResolution and maxLevel. */
function libpannellumLevel(cubeResolution: number, maxLevel: number, tileResolution: number, level: number) {
  const cubeSize = cubeResolution * Math.pow(2, level - maxLevel);
  assert.ok(Number.isInteger(cubeSize), `level ${level} size ${cubeSize} is not whole`);
  const numTiles = Math.ceil(cubeSize / tileResolution);
  const tileSize = (i: number) => (i < numTiles - 1 ? tileResolution : cubeSize - (numTiles - 1) * tileResolution);
  return { cubeSize, numTiles, tileSize };
}

async function listFiles(dir: string): Promise<string[]> {
  return ((await readdir(dir, { recursive: true })) as string[]).filter((f) => f.endsWith(".jpg")).sort();
}

/** Reads tiles back and looks up the colour a viewer would show in a direction. */
class TileReader {
  private cache = new Map<string, Promise<Img>>();
  constructor(
    private dir: string,
    private cfg: MultiresResult["config"],
  ) {}
  tile(file: string): Promise<Img> {
    let p = this.cache.get(file);
    if (!p) {
      p = readRaw(path.join(this.dir, file));
      this.cache.set(file, p);
    }
    return p;
  }
  /** Path of the tile per multiRes.path and the pixel inside it. */
  locate(dir: V3, level: number, only?: string) {
    const { face, s, t } = faceOf(dir, only);
    const size = this.cfg.cubeResolution * Math.pow(2, level - this.cfg.maxLevel);
    const px = Math.min(size - 1e-9, Math.max(0, s * size));
    const py = Math.min(size - 1e-9, Math.max(0, t * size));
    const T = this.cfg.tileResolution;
    const x = Math.floor(px / T);
    const y = Math.floor(py / T);
    const file =
      this.cfg.path.replace("%l", String(level)).replace("%s", face.name).replace("%y", String(y)).replace("%x", String(x)).slice(1) +
      "." +
      this.cfg.extension;
    return { file, x: px - x * T, y: py - y * T, face: face.name };
  }
  async at(dir: V3, level: number, only?: string): Promise<number[]> {
    const l = this.locate(dir, level, only);
    return pixel(await this.tile(l.file), l.x, l.y);
  }
  /** The overview: the six faces side by side in libpannellum's node order. */
  async overviewAt(dir: V3): Promise<number[]> {
    const { face, s, t } = faceOf(dir);
    const img = await this.tile("overview.jpg");
    const n = img.height;
    return pixel(img, PANNELLUM_FACES.indexOf(face) * n + Math.min(n - 1, s * n), t * n);
  }
  async fallbackAt(dir: V3): Promise<number[]> {
    const { face, s, t } = faceOf(dir);
    const img = await this.tile(this.cfg.fallbackPath.replace("%s", face.name).slice(1) + "." + this.cfg.extension);
    return pixel(img, s * img.width, t * img.height);
  }
}

describe("writeMultires", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "rotunda-multires-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("layout matches generate.py: levels, tile sizes, cube size", () => {
    // 6720 px THETA Z1: cube 2136, 4 levels of 2136, 1068, 534, 267.
    const l = multiresLayout(8 * Math.floor(6720 / Math.PI / 8));
    assert.equal(l.cubeSize, 2136);
    assert.equal(l.maxLevel, 4);
    assert.deepEqual(
      l.levels.map((x) => [x.level, x.size, x.tiles]),
      [
        [1, 267, 1],
        [2, 534, 2],
        [3, 1068, 3],
        [4, 2136, 5],
      ],
    );
    assert.equal(multiresLayout(1024, 512).maxLevel, 2);
    assert.equal(multiresLayout(1025, 512).maxLevel, 3);
    assert.equal(multiresLayout(300, 512).maxLevel, 1);
    assert.equal(multiresLayout(300, 512).tileResolution, 300);
  });

  describe("full panorama, coordinate-coded, 128 px tiles", () => {
    const W = 2048;
    const H = 1024;
    const eq = makeEquirect(W, H, directionColour);
    let res: MultiresResult;
    let out: string;
    let reader: TileReader;
    before(async () => {
      out = path.join(dir, "full");
      res = await writeMultires(eq, out, { tileSize: 128, quality: 95 });
      reader = new TileReader(out, res.config);
    });

    test("its config is what Pannellum's multiRes takes: tile paths, levels, tile and cube size", () => {
      assert.equal(res.cubeSize, 648); // 8·⌊2048/π/8⌋
      assert.equal(res.maxLevel, 4); // 648 / 128 → ceil(log2 5.06) + 1
      assert.deepEqual(res.config, {
        path: "/%l/%s%y_%x",
        fallbackPath: "/fallback/%s",
        extension: "jpg",
        tileResolution: 128,
        maxLevel: 4,
        cubeResolution: 648,
      });
    });

    test("every tile exists with the size libpannellum expects, nothing else", async () => {
      const files = await listFiles(out);
      const expected: string[] = [];
      const { cubeResolution, maxLevel, tileResolution } = res.config;
      for (let level = 1; level <= maxLevel; level++) {
        const L = libpannellumLevel(cubeResolution, maxLevel, tileResolution, level);
        // libpannellum's guess of the children's last tile size must match what exists one level up.
        if (level < maxLevel) {
          const lastTileSize = (L.cubeSize * 2) % tileResolution || tileResolution;
          const up = libpannellumLevel(cubeResolution, maxLevel, tileResolution, level + 1);
          assert.equal(up.tileSize(up.numTiles - 1), lastTileSize, `level ${level + 1} last tile`);
        }
        for (const f of PANNELLUM_FACES) {
          for (let y = 0; y < L.numTiles; y++) {
            for (let x = 0; x < L.numTiles; x++) {
              const name = `${level}/${f.name}${y}_${x}.jpg`;
              expected.push(name);
              const meta = await sharp(path.join(out, name)).metadata();
              assert.equal(meta.format, "jpeg");
              assert.deepEqual([meta.width, meta.height], [L.tileSize(x), L.tileSize(y)], name);
            }
          }
        }
      }
      for (const f of PANNELLUM_FACES) {
        expected.push(`fallback/${f.name}.jpg`);
        const meta = await sharp(path.join(out, "fallback", `${f.name}.jpg`)).metadata();
        assert.deepEqual([meta.width, meta.height], [648, 648]); // min(1024, cube size)
      }
      expected.push("overview.jpg");
      const overview = await sharp(path.join(out, "overview.jpg")).metadata();
      assert.deepEqual([overview.width, overview.height], [6 * 80, 80], "six faces side by side, no larger than the smallest level (81 px), in whole 8 px blocks");
      assert.deepEqual(res.overview, { file: "overview.jpg", faceSize: 80, bytes: (await stat(path.join(out, "overview.jpg"))).size });
      assert.deepEqual(files, expected.sort());
      assert.equal(res.files, files.length);
      assert.equal(res.files, 6 * (36 + 9 + 4 + 1) + 6 + 1);
      assert.ok(res.bytes > 0);
    });

    const directions: [string, number, number][] = [
      ["front", 0, 0],
      ["right", 90, 0],
      ["left", -90, 0],
      ["back", 180, 0],
      ["back, just right of the seam", -179.7, 10],
      ["back, just left of the seam", 179.7, -10],
      ["up", 0, 90],
      ["up, off-centre", 30, 70],
      ["down", 0, -90],
      ["down, off-centre", -120, -60],
      ["corner f/r/u", 44.9, 35.2],
      ["corner b/l/d", -135.1, -35.3],
      ["edge f/u", -20, 44],
    ];
    for (const [name, yaw, pitch] of directions) {
      test(`reassembled tiles show the panorama: ${name}`, async () => {
        const d = pannellumDirection(yaw, pitch);
        const want = directionColour(d);
        for (let level = 1; level <= res.maxLevel; level++) {
          const got = await reader.at(d, level);
          assert.ok(maxDiff(got, want) <= 6, `level ${level} ${JSON.stringify(reader.locate(d, level))}: ${got} vs ${want}`);
        }
        const fb = await reader.fallbackAt(d);
        assert.ok(maxDiff(fb, want) <= 6, `fallback: ${fb} vs ${want}`);
        const ov = await reader.overviewAt(d);
        assert.ok(maxDiff(ov, want) <= 8, `overview: ${ov} vs ${want}`);
      });
    }

    test("yaw 90 is the +x face 'r', pitch 90 is 'u' (Pannellum's convention)", () => {
      assert.equal(reader.locate(pannellumDirection(90, 0), 1).face, "r");
      assert.equal(reader.locate(pannellumDirection(-90, 0), 1).face, "l");
      assert.equal(reader.locate(pannellumDirection(180, 0), 1).face, "b");
      assert.equal(reader.locate(pannellumDirection(0, 90), 1).face, "u");
      assert.equal(reader.locate(pannellumDirection(0, -90), 1).face, "d");
    });

    test("no seams: pixels either side of every face edge are continuous", async () => {
      const size = res.cubeSize;
      const level = res.maxLevel;
      let checked = 0;
      for (const face of PANNELLUM_FACES) {
        for (const k of [0.02, 0.3, 0.5, 0.77, 0.98]) {
          // centre of the edge pixel and of the first pixel beyond each edge
          const inside = 0.5 / size;
          const edges: [number, number, number, number][] = [
            [inside, k, -inside, k],
            [1 - inside, k, 1 + inside, k],
            [k, inside, k, -inside],
            [k, 1 - inside, k, 1 + inside],
          ];
          for (const [s0, t0, s1, t1] of edges) {
            const d0 = directionOf(face, s0, t0);
            const d1 = directionOf(face, s1, t1);
            const a = await reader.at(d0, level, face.name);
            const b = await reader.at(d1, level);
            assert.notEqual(reader.locate(d1, level).face, face.name);
            // the colour field changes by at most ~0.6 per pixel here
            assert.ok(maxDiff(a, b) <= 5, `${face.name} edge (${s0},${t0}) → ${reader.locate(d1, level).face}: ${a} vs ${b}`);
            checked++;
          }
        }
      }
      assert.equal(checked, 6 * 5 * 4);
    });
  });

  test("pixel centres: tiles match a reference bilinear sampling of a fine pattern", async () => {
    // A pattern with 12–16 px periods: half a pixel of misalignment would cost
    // ~8 levels on average; the reference below samples the equirect itself.
    const W = 1024;
    const H = 512;
    // Grey, so JPEG chroma subsampling plays no part.
    const eq = makeEquirect(W, H, (_d, i, j) => {
      const v = Math.round(128 + 60 * Math.sin((2 * Math.PI * i) / 16) + 60 * Math.sin((2 * Math.PI * j) / 12));
      return [v, v, v];
    });
    const out = path.join(dir, "fine");
    const res = await writeMultires(eq, out, { cubeSize: 256, tileSize: 256, quality: 100 });
    assert.equal(res.maxLevel, 1);
    for (const name of ["f", "r", "b", "u", "d", "l"]) {
      const face = PANNELLUM_FACES.find((f) => f.name === name)!;
      const tile = await readRaw(path.join(out, "1", `${name}0_0.jpg`));
      let sum = 0;
      let n = 0;
      // every third pixel, plus the edge rows and columns (where the seams are)
      const coords = [...Array.from({ length: 86 }, (_, k) => k * 3), 1, 254, 255];
      for (const y of coords) {
        for (const x of coords) {
          const d = directionOf(face, (x + 0.5) / 256, (y + 0.5) / 256);
          const want = sampleEquirect(eq, d);
          const got = pixel(tile, x, y);
          for (let c = 0; c < 3; c++) sum += Math.abs(got[c]! - want[c]!);
          n += 3;
        }
      }
      // polar faces sample many source pixels per face pixel near the pole: JPEG of noise-like content
      const limit = name === "u" || name === "d" ? 4 : 2;
      assert.ok(sum / n < limit, `face ${name}: mean abs difference ${sum / n}`);
    }
  });

  test("partial panorama: placed in its sphere, background outside, empty tiles skipped", async () => {
    // A 1024×256 strip covering yaw −90°…+90°, pitch −22.5°…+22.5° of a 2048×1024 sphere.
    const full = makeEquirect(2048, 1024, directionColour);
    const crop = { fullWidth: 2048, fullHeight: 1024, left: 512, top: 384 };
    const strip = Buffer.alloc(1024 * 256 * 3);
    for (let j = 0; j < 256; j++) full.data.copy(strip, j * 1024 * 3, ((j + 384) * 2048 + 512) * 3, ((j + 384) * 2048 + 1536) * 3);
    const out = path.join(dir, "partial");
    const res = await writeMultires({ data: strip, width: 1024, height: 256, channels: 3 }, out, { crop, tileSize: 128, quality: 95 });
    assert.equal(res.cubeSize, 648);
    const reader = new TileReader(out, res.config);
    for (const [yaw, pitch] of [
      [0, 0],
      [60, 10],
      [-80, -15],
    ] as const) {
      const d = pannellumDirection(yaw, pitch);
      assert.ok(maxDiff(await reader.at(d, res.maxLevel), directionColour(d)) <= 6, `inside ${yaw},${pitch}`);
    }
    // Outside the strip but on a tile that holds some of it: background.
    const edgeTile = pannellumDirection(100, 0);
    const loc = reader.locate(edgeTile, res.maxLevel);
    assert.deepEqual(await reader.at(edgeTile, res.maxLevel), [0, 0, 0], loc.file);
    const files = await listFiles(out);
    assert.ok(!files.some((f) => /^\d\/[ud]/.test(f)), "no tiles for the empty up/down faces");
    assert.ok(!files.includes(`${res.maxLevel}/b2_2.jpg`), "no tile for the empty back face centre");
    for (const f of "fbudlr") assert.ok(files.includes(`fallback/${f}.jpg`));
    assert.equal(res.files, files.length);
    assert.deepEqual(cropBounds(crop, 1024, 256), { minYaw: -90, maxYaw: 90, minPitch: -22.5, maxPitch: 22.5 });
  });
});
