import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderPerspective } from "../../src/process/projection/index.ts";
import { directionColour, makeEquirect, maxDiff, pannellumDirection, pixel, type V3 } from "./projection-helpers.ts";

/** libpannellum's eye ray of output pixel centre (i + 0.5, j + 0.5), in the world, re-derived with its rotateMatrix. */
function rayOf(yaw: number, pitch: number, hfov: number, w: number, h: number, i: number, j: number): V3 {
  const f = w / 2 / Math.tan((hfov * Math.PI) / 360);
  const fwd = pannellumDirection(yaw, pitch);
  const right = pannellumDirection(yaw + 90, 0);
  const up = pannellumDirection(yaw, pitch + 90);
  const ex = i + 0.5 - w / 2;
  const ey = h / 2 - j - 0.5;
  const d = [0, 1, 2].map((k) => fwd[k]! * f + right[k]! * ex + up[k]! * ey) as V3;
  const l = Math.hypot(...d);
  return [d[0] / l, d[1] / l, d[2] / l];
}

describe("renderPerspective", () => {
  const eq = makeEquirect(2048, 1024, directionColour);

  test("output size and channels exact", () => {
    const r = renderPerspective(eq, { yaw: 10, pitch: 5, hfov: 90 }, { width: 1200, height: 630 });
    assert.equal(r.width, 1200);
    assert.equal(r.height, 630);
    assert.equal(r.channels, 3);
    assert.equal(r.data.length, 1200 * 630 * 3);
  });

  test("yaw 0, pitch 0: the centre pixel is the equirectangular's centre", () => {
    // Odd size: the centre pixel's centre is exactly on the optical axis.
    const r = renderPerspective(eq, { yaw: 0, pitch: 0, hfov: 90 }, { width: 301, height: 201 });
    assert.ok(maxDiff(pixel(r, 150, 100), pixel(eq, 1023.5, 511.5)) <= 1, `${pixel(r, 150, 100)} vs ${pixel(eq, 1024, 512)}`);
    assert.ok(maxDiff(pixel(r, 150, 100), directionColour([0, 0, -1])) <= 1);
  });

  test("yaw 90 looks at 3/4 of the width, yaw -90 at 1/4, yaw 180 at the seam", () => {
    for (const [yaw, x] of [
      [90, 1536],
      [-90, 512],
      [180, 0],
    ] as const) {
      const r = renderPerspective(eq, { yaw, pitch: 0, hfov: 60 }, { width: 101, height: 101 });
      const want = pixel(eq, x, 512);
      assert.ok(maxDiff(pixel(r, 50, 50), want) <= 2, `yaw ${yaw}: ${pixel(r, 50, 50)} vs ${want}`);
    }
  });

  test("every pixel is where libpannellum's camera would put it (with pitch and roll 0)", () => {
    for (const [yaw, pitch, hfov] of [
      [30, 20, 100],
      [-150, -50, 70],
      [0, 90, 90],
    ] as const) {
      const w = 160;
      const h = 90;
      const r = renderPerspective(eq, { yaw, pitch, hfov }, { width: w, height: h });
      for (const [i, j] of [
        [0, 0],
        [159, 0],
        [0, 89],
        [159, 89],
        [80, 45],
        [40, 70],
      ] as const) {
        const want = directionColour(rayOf(yaw, pitch, hfov, w, h, i, j));
        assert.ok(maxDiff(pixel(r, i, j), want) <= 2, `view ${yaw},${pitch} pixel ${i},${j}: ${pixel(r, i, j)} vs ${want}`);
      }
    }
  });

  test("vertical lines in the equirectangular (meridians) stay vertical", () => {
    // White picture with 3 px black lines at yaw 0 and yaw 20°.
    const W = 4096;
    const lineAt = [W / 2, W / 2 + (20 / 360) * W];
    const lines = makeEquirect(W, 2048, (_d, i) => (lineAt.some((x) => Math.abs(i + 0.5 - x) < 1.6) ? [0, 0, 0] : [255, 255, 255]));
    for (const pitch of [0, 25]) {
      const w = 400;
      const r = renderPerspective(lines, { yaw: 0, pitch, hfov: 60 }, { width: w, height: 300 });
      const centroids = (x0: number, x1: number): number[] => {
        const cs: number[] = [];
        for (let j = 10; j < 290; j += 20) {
          let s = 0;
          let m = 0;
          for (let i = x0; i < x1; i++) {
            const dark = 255 - r.data[(j * w + i) * 3]!;
            s += dark * (i + 0.5);
            m += dark;
          }
          assert.ok(m > 0, `row ${j}: line not found`);
          cs.push(s / m);
        }
        return cs;
      };
      // yaw 0 stays on the centre column, whatever the pitch
      for (const c of centroids(180, 220)) assert.ok(Math.abs(c - 200) < 0.3, `pitch ${pitch}: centre line at ${c}`);
      if (pitch === 0) {
        // any meridian is vertical in a level view
        const cs = centroids(300, 360);
        const mean = cs.reduce((a, b) => a + b) / cs.length;
        const expected = 200 + Math.tan((20 * Math.PI) / 180) * (200 / Math.tan((30 * Math.PI) / 180));
        assert.ok(Math.abs(mean - expected) < 0.5, `20° line at ${mean}, expected ${expected}`);
        for (const c of cs) assert.ok(Math.abs(c - mean) < 0.3, `20° line wobbles: ${cs}`);
      }
    }
  });

  test("wide views of fine detail are filtered, not aliased", () => {
    // 1 px black/white columns: a correctly filtered wide view is an even grey.
    const stripes = makeEquirect(4096, 2048, (_d, i) => (i % 2 ? [255, 255, 255] : [0, 0, 0]));
    const stats = (ss?: number) => {
      const r = renderPerspective(stripes, { yaw: 0, pitch: 0, hfov: 120 }, { width: 300, height: 50 }, ss ? { supersample: ss } : undefined);
      let s = 0;
      let s2 = 0;
      const n = r.width * r.height;
      for (let k = 0; k < n; k++) {
        const v = r.data[k * 3]!;
        s += v;
        s2 += v * v;
      }
      const mean = s / n;
      return { mean, sd: Math.sqrt(s2 / n - mean * mean) };
    };
    const filtered = stats();
    assert.ok(Math.abs(filtered.mean - 127.5) < 4, `mean ${filtered.mean}`);
    assert.ok(filtered.sd < 25, `filtered sd ${filtered.sd}`);
    const naive = stats(1);
    assert.ok(naive.sd > filtered.sd * 2, `naive sd ${naive.sd} vs filtered ${filtered.sd}`);
  });
});
