// Which tiles a view needs, checked against a camera model written here from
// first principles (and against libpannellum's own cube, read from its source).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FACE_NAMES, levelFor, levelSize, quadInView, tileVertices, viewMatrix, visibleTiles, type TileSet } from "../../src/client/tile-plan.ts";
import { PANNELLUM_FACES, pannellumDirection } from "../process/projection-helpers.ts";

/** A THETA Z1's tiles: cube 2136, levels of 267, 534, 1068 and 2136 px, 512 px tiles. */
const THETA: TileSet = { basePath: "/t", path: "/%l/%s%y_%x", extension: "jpg", tileResolution: 512, maxLevel: 4, cubeResolution: 2136 };
const rad = Math.PI / 180;

type V3 = [number, number, number];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/** Whether a point of the cube shows on a width × height screen looking at (yaw, pitch) with hfov: a pinhole camera. */
function seen(p: V3, yaw: number, pitch: number, hfov: number, width: number, height: number): boolean {
  const forward = pannellumDirection(yaw, pitch);
  const right: V3 = [Math.cos(yaw * rad), 0, Math.sin(yaw * rad)];
  const up = cross(right, forward);
  const z = dot(p, forward);
  if (z <= 0) return false;
  const t = Math.tan((hfov * rad) / 2);
  return Math.abs(dot(p, right) / (z * t)) <= 1 && Math.abs(dot(p, up) / ((z * t * height) / width)) <= 1;
}

/** Whether any of a grid of points on a tile shows: the reference for quadInView. */
function tileSeen(tiles: TileSet, face: number, level: number, x: number, y: number, view: [number, number, number], w: number, h: number, n = 24): boolean {
  const v = tileVertices(tiles, face, level, x, y);
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const [a, b] = [i / n, j / n];
      const p = [0, 1, 2].map((k) => v[k]! + a * (v[3 + k]! - v[k]!) + b * (v[9 + k]! - v[k]!)) as V3;
      if (seen(p, ...view, w, h)) return true;
    }
  }
  return false;
}

function allTiles(tiles: TileSet, level: number) {
  const count = Math.ceil(levelSize(tiles, level) / tiles.tileResolution);
  const out: { face: number; x: number; y: number }[] = [];
  for (let face = 0; face < 6; face++) for (let y = 0; y < count; y++) for (let x = 0; x < count; x++) out.push({ face, x, y });
  return out;
}

describe("the level a view needs", () => {
  test("the coarsest with at least 1/√2 texel per screen pixel at the centre of the view", () => {
    // 1000 px across 70°: level 3 has 1068 · tan 35° / 1000 = 0.75 texels per pixel, level 2 half that.
    assert.equal(levelFor(THETA, 70 * rad, 1000), 3);
    // A 2× screen has twice the pixels: level 4, 0.75 texels per device pixel.
    assert.equal(levelFor(THETA, 70 * rad, 2000), 4);
    assert.equal(levelFor(THETA, 50 * rad, 1000), 4, "zoomed in");
    assert.equal(levelFor(THETA, 120 * rad, 1000), 2, "zoomed out: 534 · tan 60° / 1000 = 0.92");
    assert.equal(levelFor(THETA, 120 * rad, 400), 1, "a small frame: 267 · tan 60° / 400 = 1.16");
    assert.equal(levelFor(THETA, 30 * rad, 4000), 4, "never beyond the finest level");
  });
});

describe("the tiles a view shows", () => {
  test("the cube is libpannellum's own (createCube, read from its source)", () => {
    for (const [i, face] of PANNELLUM_FACES.entries()) {
      assert.equal(FACE_NAMES[i], face.name);
      assert.deepEqual(tileVertices({ ...THETA, maxLevel: 1, cubeResolution: 512 }, i, 1, 0, 0), face.v.flat());
    }
  });

  test("the last tile of a level holds the remainder: 88 px of the 2136 px face at level 4", () => {
    const v = tileVertices(THETA, 0, 4, 4, 4);
    // Front face, x from −1 (left) to 1, y from 1 (top) to −1: the tile starts 2048/2136 of the way.
    assert.ok(Math.abs(v[0]! - (-1 + (2 * 2048) / 2136)) < 1e-12);
    assert.ok(Math.abs(v[3]! - 1) < 1e-12, "and ends at the face's edge");
  });

  test("THETA Z1 opening view at 1000 × 576: only the four front tiles of level 3 (libpannellum's test takes ten)", () => {
    const tiles = visibleTiles(THETA, { yaw: 0, pitch: 0, hfov: 70 }, 1000, 576, 3);
    assert.deepEqual(tiles.map((t) => `${t.face}${t.y}_${t.x}`).sort(), ["f0_0", "f0_1", "f1_0", "f1_1"]);
    assert.equal(tiles[0]!.url, "/t/3/f1_1.jpg", "the tile nearest the centre first");
    // At 2×, level 4: the middle two rows of the front face, four columns.
    const twoX = visibleTiles(THETA, { yaw: 0, pitch: 0, hfov: 70 }, 2000, 1152, 4);
    assert.deepEqual(twoX.map((t) => `${t.face}${t.y}_${t.x}`).sort(), ["f1_0", "f1_1", "f1_2", "f1_3", "f2_0", "f2_1", "f2_2", "f2_3"]);
  });

  test("no tile that shows is ever left out, and hardly any that does not show is taken, over many views", () => {
    let seenCount = 0;
    let extra = 0;
    const views: [number, number, number, number, number][] = [];
    for (const yaw of [0, 37, 90, 135, -160, 180]) {
      for (const pitch of [0, 25, -60, 89]) {
        for (const [hfov, w, h] of [[70, 1000, 576], [100, 360, 640], [50, 1600, 900]] as const) views.push([yaw, pitch, hfov, w, h]);
      }
    }
    for (const [yaw, pitch, hfov, w, h] of views) {
      const m = viewMatrix({ yaw, pitch, hfov }, w, h);
      for (const level of [1, 3]) {
        for (const t of allTiles(THETA, level)) {
          const reference = tileSeen(THETA, t.face, level, t.x, t.y, [yaw, pitch, hfov], w, h);
          const ours = quadInView(m, tileVertices(THETA, t.face, level, t.x, t.y)) !== false;
          if (reference) {
            seenCount++;
            assert.ok(ours, `view ${yaw}/${pitch}/${hfov} ${w}×${h}: tile ${FACE_NAMES[t.face]}${t.y}_${t.x} of level ${level} shows but was left out`);
          } else if (ours) extra++;
        }
      }
    }
    assert.ok(seenCount > 500);
    // Only slivers thinner than the reference's grid may be taken without the grid seeing them.
    assert.ok(extra <= seenCount * 0.03, `${extra} tiles taken that do not show, of ${seenCount} that do`);
  });

  test("a tile is found through its parents as libpannellum finds it: the same set as testing every tile", () => {
    for (const [yaw, pitch, hfov] of [[10, 20, 60], [-100, -45, 90], [180, 80, 110]] as const) {
      const m = viewMatrix({ yaw, pitch, hfov }, 1200, 700);
      const flat = allTiles(THETA, 4).filter((t) => quadInView(m, tileVertices(THETA, t.face, 4, t.x, t.y)) !== false);
      const found = visibleTiles(THETA, { yaw, pitch, hfov }, 1200, 700, 4);
      assert.deepEqual(found.map((t) => `${t.face}${t.y}_${t.x}`).sort(), flat.map((t) => `${FACE_NAMES[t.face]}${t.y}_${t.x}`).sort());
    }
  });

  test("turning right looks at the right face; looking up at the top face", () => {
    const right = visibleTiles(THETA, { yaw: 90, pitch: 0, hfov: 60 }, 1000, 600, 1);
    assert.deepEqual(right.map((t) => t.face), ["r"]);
    const up = visibleTiles(THETA, { yaw: 0, pitch: 90, hfov: 60 }, 1000, 600, 1);
    assert.deepEqual(up.map((t) => t.face), ["u"]);
  });
});
