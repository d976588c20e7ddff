// The viewer's start-up decisions, without a browser: what Pannellum is given for a
// page's data on a device (cube tiles, or the variant that suits it), where the
// comparison page starts, and when the viewer does not start at all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { equirectangularScene, planViewer, sceneLabel, type Device, type PageData } from "../../src/client/viewer-plan.ts";
import { viewerData } from "../../src/render/filters.ts";
import { completeRecord } from "../support/manifest.ts";

/** The page data render writes for `mode`, as the browser parses it. */
const pageData = (mode: "view" | "compare", record = completeRecord()): PageData => JSON.parse(viewerData(record, mode)) as PageData;

const LAPTOP: Device = { maxTextureSize: 16384, viewportWidth: 1280, devicePixelRatio: 1, saveData: false };
const record = completeRecord();
const url = (width: number, quality = 85) => `/media/${"b".repeat(12)}/w${width}-q${quality}-0123456789.jpg`;

describe("a panorama's page", () => {
  test("a device with WebGL gets the cube tiles, with the page's preview and GPano's view", () => {
    const plan = planViewer(pageData("view"), LAPTOP, false)!;
    const { files: _files, bytes: _bytes, ...multiRes } = record.tiles!;
    assert.deepEqual(plan.first, { type: "multires", multiRes });
    assert.equal(sceneLabel(plan.first), "multires");
    assert.deepEqual(plan.base, {
      preview: record.preview.url,
      autoLoad: true,
      ignoreGPanoXMP: true,
      showControls: true,
      ...record.viewer,
    });
  });

  test("without tiles, the variant chosen for the device: screen, pixel ratio, initial view, saveData", () => {
    const untiled = pageData("view", { ...record, tiles: undefined });
    // 1280 px at GPano's 90° wants 5120 px of picture: the 8192 variant.
    assert.deepEqual(planViewer(untiled, LAPTOP, false)!.first, equirectangularScene(url(8192)));
    assert.equal(planViewer(untiled, { ...LAPTOP, saveData: true }, false)!.variant, url(4096), "half of it with saveData");
    assert.equal(planViewer(untiled, { ...LAPTOP, viewportWidth: 400 }, false)!.variant, url(2048), "a phone's 400 px want 1600");
    assert.equal(planViewer(untiled, { ...LAPTOP, viewportWidth: 400, devicePixelRatio: 3 }, false)!.variant, url(8192));
    const noView = { ...untiled, viewer: { ...untiled.viewer, hfov: undefined } };
    assert.equal(planViewer(noView, { ...LAPTOP, viewportWidth: 540 }, false)!.variant, url(2048), "Pannellum's own 100° when the page gives none: 1944 px");
    assert.equal(planViewer(untiled, { ...LAPTOP, viewportWidth: 540 }, false)!.variant, url(4096), "the page's 90°: 2160 px");
  });

  test("a viewport narrower than 320 px, or a pixel ratio of 0, counts as 320 px at ratio 1", () => {
    const small = (width: number) => ({ url: url(width), width, height: width / 2, quality: 85, bytes: width * 100 });
    const untiled = pageData("view", { ...record, tiles: undefined, variants: [...record.variants, small(1024), small(512)] });
    // 320 px at 90° want 1280 px: the 2048 variant; 100 px would want only 400, the 512 one.
    assert.equal(planViewer(untiled, { ...LAPTOP, viewportWidth: 100 }, false)!.variant, url(2048));
    // 1280 px at ratio 1 want 5120; at ratio 0 nothing would be wanted, and the smallest chosen.
    assert.equal(planViewer(untiled, { ...LAPTOP, devicePixelRatio: 0 }, false)!.variant, url(8192));
  });

  test("no WebGL, or a GPU too small for every variant: the viewer does not start, tiles or not", () => {
    assert.equal(planViewer(pageData("view"), { ...LAPTOP, maxTextureSize: 0 }, false), undefined);
    assert.equal(planViewer(pageData("view"), { ...LAPTOP, maxTextureSize: 1023 }, false), undefined, "the 2048 variant needs 1024");
    assert.ok(planViewer(pageData("view"), { ...LAPTOP, maxTextureSize: 1024 }, false), "it starts once the smallest variant fits");
  });

  test("a small GPU gets tiles still, and the variant it can take", () => {
    const plan = planViewer(pageData("view"), { ...LAPTOP, maxTextureSize: 2048 }, false)!;
    assert.equal(plan.first.type, "multires");
    assert.equal(plan.variant, url(4096));
  });
});

describe("the comparison page", () => {
  test("starts at the ladder step of the gallery's own quality, never on the tiles", () => {
    const data = pageData("compare");
    assert.equal(data.initial, url(8192, 85), "render names the gallery's quality");
    const plan = planViewer(data, LAPTOP, true)!;
    assert.deepEqual(plan.first, equirectangularScene(url(8192, 85)));
    assert.equal(plan.variant, url(8192, 85), "its ladder button is the one pressed");
    assert.equal(sceneLabel(plan.first), url(8192, 85));
  });

  test("without a step of the gallery's quality, the best quality the device takes", () => {
    const plan = planViewer({ ...pageData("compare"), initial: undefined }, LAPTOP, true)!;
    assert.equal(plan.variant, url(8192, 95));
  });

  test("the page's tiles are ignored there, even if it had some", () => {
    const data = { ...pageData("compare"), multiRes: pageData("view").multiRes };
    assert.ok(data.multiRes);
    assert.deepEqual(planViewer(data, LAPTOP, true)!.first, equirectangularScene(url(8192, 85)));
    assert.equal(planViewer(data, LAPTOP, false)!.first.type, "multires", "the same data off the comparison page");
  });

  test("a GPU that cannot take the full size does not start the viewer", () => {
    assert.equal(planViewer(pageData("compare"), { ...LAPTOP, maxTextureSize: 4095 }, true), undefined);
    assert.ok(planViewer(pageData("compare"), { ...LAPTOP, maxTextureSize: 4096 }, true));
  });
});
