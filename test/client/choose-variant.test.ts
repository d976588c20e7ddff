// The device-aware choice of the equirectangular variant: only what the GPU can
// take, and of that the smallest still sharp on this screen at the initial view.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chooseVariant, type VariantChoice } from "../../src/client/choose-variant.ts";

const variant = (width: number, quality = 85, height = width / 2): VariantChoice => ({
  url: `/media/w${width}-q${quality}.jpg`,
  width,
  height,
  bytes: width * 100,
  quality,
});
/** The process stage's default sizes, widest first as the manifest lists them. */
const SIZES = [variant(8192), variant(4096), variant(2048), variant(1024)];
/** A desktop screen, no high-DPI, Pannellum's default field of view, a large GPU. */
const DESKTOP = { maxTextureSize: 16384, screenWidth: 1000, pixelRatio: 1, hfov: 100 };

const widthFor = (device: Partial<typeof DESKTOP> & { saveData?: boolean }, variants = SIZES) =>
  chooseVariant(variants, { ...DESKTOP, ...device })?.width;

describe("chooseVariant", () => {
  test("the smallest variant at least as wide as the screen needs at the initial view: screenWidth·dpr·360/hfov", () => {
    assert.equal(widthFor({}), 4096, "1000 px at 100° needs 3600 px of picture");
    assert.equal(widthFor({ screenWidth: 500 }), 2048, "500 px needs 1800");
    assert.equal(widthFor({ screenWidth: 200 }), 1024, "200 px needs 720");
  });

  test("a variant exactly as wide as needed is enough", () => {
    assert.equal(widthFor({ screenWidth: 512, hfov: 90 }), 2048, "512 px at 90° needs exactly 2048");
    assert.equal(widthFor({ screenWidth: 513, hfov: 90 }), 4096);
  });

  test("a high-DPI screen needs its device pixels", () => {
    assert.equal(widthFor({ pixelRatio: 1 }), 4096);
    assert.equal(widthFor({ pixelRatio: 2 }), 8192, "2000 device pixels at 100° need 7200");
    assert.equal(widthFor({ screenWidth: 500, pixelRatio: 1.5 }), 4096, "750 device pixels need 2700");
  });

  test("a wider initial view needs fewer pixels; views narrower than 30° count as 30°", () => {
    assert.equal(widthFor({ screenWidth: 800, hfov: 100 }), 4096, "800 px at 100° needs 2880");
    assert.equal(widthFor({ screenWidth: 800, hfov: 150 }), 2048, "at 150°, 1920");
    assert.equal(widthFor({ screenWidth: 320, hfov: 30 }), 4096, "320 px at 30° needs 3840");
    assert.equal(widthFor({ screenWidth: 320, hfov: 10 }), 4096, "at 10° it would need 11520: counted as 30°");
  });

  test("saveData halves the pixels wanted", () => {
    assert.equal(widthFor({ saveData: false }), 4096);
    assert.equal(widthFor({ saveData: true }), 2048, "1800 instead of 3600");
  });

  test("when no variant is wide enough, the widest the GPU takes", () => {
    assert.equal(widthFor({ pixelRatio: 3 }), 8192, "10800 wanted, 8192 is the widest");
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 4096 }), 8192, "half of 8192 is 4096: it fits");
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 4095 }), 4096);
  });

  test("a variant fits only when half its width and its height are within MAX_TEXTURE_SIZE", () => {
    // Pannellum splits an equirectangular picture into two textures of width/2 × height.
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 2048 }), 4096);
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 2047 }), 2048);
    // A partial panorama taller than 2:1: its height is the limit.
    const tall = [variant(4000, 85, 3000), variant(2000, 85, 1500)];
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 2999 }, tall), 2000, "2000 wide fits, 3000 high does not");
    assert.equal(widthFor({ pixelRatio: 3, maxTextureSize: 3000 }, tall), 4000);
  });

  test("nothing when no variant fits: no WebGL (0), or a GPU too small for all", () => {
    assert.equal(chooseVariant(SIZES, { ...DESKTOP, maxTextureSize: 0 }), undefined);
    assert.equal(chooseVariant(SIZES, { ...DESKTOP, maxTextureSize: 511 }), undefined);
    assert.equal(chooseVariant([], DESKTOP), undefined);
  });

  test("among variants of the same width, the best quality; the order they come in does not matter", () => {
    const ladder = [variant(4096, 60), variant(4096, 95), variant(2048, 95), variant(4096, 85)];
    const chosen = chooseVariant(ladder, DESKTOP);
    assert.equal(chosen, ladder[1], "the very object given, quality 95 at 4096");
    assert.equal(chooseVariant([...ladder].reverse(), DESKTOP), ladder[1]);
    assert.equal(chooseVariant([...SIZES].reverse(), DESKTOP), SIZES[1]);
  });
});
