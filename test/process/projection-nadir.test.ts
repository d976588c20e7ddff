import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import sharp from "sharp";
import { nadirOverlay, renderPerspective } from "../../src/process/projection/index.ts";

/** A round logo: red disc (anti-aliased alpha), pure green but fully transparent outside. Optional blue mark at the top. */
async function discLogo(size: number, mark = false): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 4);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x + 0.5 - c, y + 0.5 - c);
      const a = Math.max(0, Math.min(1, c - r + 0.5));
      const o = (y * size + x) * 4;
      const inMark = mark && Math.abs(x + 0.5 - c) < size * 0.06 && y > size * 0.06 && y < size * 0.2;
      if (a > 0) data.set(inMark ? [0, 0, 255, Math.round(a * 255)] : [255, 0, 0, Math.round(a * 255)], o);
      else data.set([0, 255, 0, 0], o);
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer();
}

describe("nadirOverlay", () => {
  const W = 2048;
  const H = 1024;
  const angle = 30;
  let logo: Buffer;
  before(async () => {
    logo = await discLogo(400);
  });

  test("the overlay is a full-width band from the cap's edge to the bottom row", async () => {
    const ov = await nadirOverlay(logo, { width: W, height: H }, { angle });
    assert.equal(ov.width, W);
    assert.equal(ov.top + ov.height, H);
    assert.ok(Math.abs(ov.top - H * (1 - angle / 180)) <= 2, `top ${ov.top}`);
    assert.equal(ov.data.length, ov.width * ov.height * 4);
  });

  test("bottom row is all logo colour; alpha falls off at the cap's edge; no colour from transparent pixels", async () => {
    const ov = await nadirOverlay(logo, { width: W, height: H }, { angle });
    const at = (x: number, r: number) => Array.from(ov.data.subarray((r * W + x) * 4, (r * W + x) * 4 + 4));
    for (let x = 0; x < W; x++) assert.deepEqual(at(x, ov.height - 1), [255, 0, 0, 255], `bottom row x=${x}`);
    const rowAngle = 180 / H;
    let partialRows = 0;
    for (let r = 0; r < ov.height; r++) {
      const fromNadir = 180 - (ov.top + r + 0.5) * rowAngle; // degrees from the nadir, row centre
      const alphas = [0, 300, 1024, 1500, 2047].map((x) => at(x, r)[3]!);
      if (fromNadir < angle - 3 * rowAngle) assert.ok(alphas.every((a) => a === 255), `row ${r} (${fromNadir}°) inside: ${alphas}`);
      else if (fromNadir > angle + 1.5 * rowAngle) assert.ok(alphas.every((a) => a === 0), `row ${r} (${fromNadir}°) outside: ${alphas}`);
      else if (alphas.some((a) => a > 0 && a < 255)) partialRows++;
    }
    assert.ok(partialRows >= 1, "soft edge");
    for (let k = 0; k < ov.width * ov.height; k++) {
      if (ov.data[k * 4 + 3]! > 0) assert.ok(ov.data[k * 4 + 1]! <= 1, `green bleeding at ${k % W},${Math.floor(k / W)}`);
    }
  });

  test("the opacity scales the overlay's alpha", async () => {
    const ov = await nadirOverlay(logo, { width: W, height: H }, { angle, opacity: 0.5 });
    const o = ((ov.height - 1) * W + 10) * 4;
    assert.ok(Math.abs(ov.data[o + 3]! - 128) <= 1);
  });

  async function composeAndLookDown(logoPng: Buffer, rotate = 0) {
    const grey = Buffer.alloc(W * H * 3, 128);
    const ov = await nadirOverlay(logoPng, { width: W, height: H }, { angle, rotate });
    const { data, info } = await sharp(grey, { raw: { width: W, height: H, channels: 3 } })
      .composite([{ input: ov.data, raw: { width: ov.width, height: ov.height, channels: 4 }, top: ov.top, left: 0 }])
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 3);
    const size = 401;
    const view = renderPerspective({ data, width: W, height: H, channels: 3 }, { yaw: 0, pitch: -90, hfov: 90 }, { width: size, height: size });
    return { view, size, f: size / 2 / Math.tan(Math.PI / 4) };
  }

  test("looking straight down the composited picture shows a round disc of the right size", async () => {
    const { view, size, f } = await composeAndLookDown(logo);
    const c = size / 2;
    const red = (x: number, y: number) => view.data[(Math.floor(y) * size + Math.floor(x)) * 3]!;
    const radii: number[] = [];
    for (let k = 0; k < 24; k++) {
      const phi = (k * 2 * Math.PI) / 24 + 0.1;
      // walk out until red drops below halfway between the disc (255) and the grey (128)
      let prev = red(c, c);
      let r = 0;
      for (let s = 0.25; s < c - 2; s += 0.25) {
        const v = red(c + s * Math.cos(phi), c + s * Math.sin(phi));
        if (v < 191.5 && prev >= 191.5) {
          r = s;
          break;
        }
        prev = v;
      }
      assert.ok(r > 0, `edge not found at ${phi}`);
      radii.push(r);
    }
    const min = Math.min(...radii);
    const max = Math.max(...radii);
    assert.ok(max - min <= 2, `radii ${radii.map((r) => r.toFixed(2)).join(" ")}`);
    const expected = f * Math.tan((angle * Math.PI) / 180);
    const mean = radii.reduce((a, b) => a + b) / radii.length;
    assert.ok(Math.abs(mean - expected) <= 2, `mean radius ${mean}, expected ${expected}`);
  });

  test("the logo's top points to yaw `rotate` (upright when looking down at yaw 0)", async () => {
    const marked = await discLogo(400, true);
    const blueSide = async (rotate: number) => {
      const { view, size } = await composeAndLookDown(marked, rotate);
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const o = (y * size + x) * 3;
          if (view.data[o + 2]! > 200 && view.data[o]! < 60) {
            sx += x - size / 2;
            sy += y - size / 2;
            n++;
          }
        }
      }
      assert.ok(n > 20, "mark visible");
      return [sx / n, sy / n] as const;
    };
    const [x0, y0] = await blueSide(0);
    assert.ok(y0 < -40 && Math.abs(x0) < 3, `rotate 0: mark at ${x0},${y0} (expected top)`);
    const [x90, y90] = await blueSide(90);
    assert.ok(x90 > 40 && Math.abs(y90) < 3, `rotate 90: mark at ${x90},${y90} (expected right)`);
  });

  test("partial panorama: the overlay is the full-sphere one cut to the picture", async () => {
    const full = await nadirOverlay(logo, { width: W, height: H }, { angle });
    // picture = columns 1500…2047 and 0…499 (across the seam), rows 700…949 of the sphere
    const crop = { fullWidth: W, fullHeight: H, left: 1500, top: 700 };
    const part = await nadirOverlay(logo, { width: 1048, height: 250 }, { angle, crop });
    assert.equal(part.width, 1048);
    assert.equal(part.top, full.top - 700);
    assert.equal(part.top + part.height, 250);
    for (const [i, r] of [
      [0, 0],
      [600, part.height - 1],
      [1047, 40],
      [300, 60],
    ] as const) {
      const fi = (1500 + i) % W;
      const fr = part.top + r + 700 - full.top;
      const a = Array.from(part.data.subarray((r * 1048 + i) * 4, (r * 1048 + i) * 4 + 4));
      const b = Array.from(full.data.subarray((fr * W + fi) * 4, (fr * W + fi) * 4 + 4));
      assert.deepEqual(a, b, `${i},${r}`);
    }
    const missed = await nadirOverlay(logo, { width: W, height: 300 }, { angle, crop: { fullWidth: W, fullHeight: H, left: 0, top: 100 } });
    assert.equal(missed.height, 0);
  });

  test("SVG logos are accepted", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="5" fill="#00f"/></svg>');
    const ov = await nadirOverlay(svg, { width: W, height: H }, { angle: 15 });
    const o = ((ov.height - 1) * W + 5) * 4;
    assert.deepEqual(Array.from(ov.data.subarray(o, o + 4)), [0, 0, 255, 255]);
  });
});
