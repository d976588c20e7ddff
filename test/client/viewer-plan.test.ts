// The viewer's start-up decisions, without a browser: what Pannellum is given for a
// page's data on a device (cube tiles, or the variant that suits it), where the
// comparison page starts, and when the viewer does not start at all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { constrainView, equirectangularScene, firstTiles, openingView, planViewer, sceneLabel, type Device, type PageData } from "../../src/client/viewer-plan.ts";
import { viewerData } from "../../src/render/filters.ts";
import { completeRecord } from "../support/manifest.ts";

/** The page data render writes for `mode`, as the browser parses it. */
const pageData = (mode: "view" | "compare", record = completeRecord()): PageData => JSON.parse(viewerData(record, mode)) as PageData;

const LAPTOP: Device = { maxTextureSize: 16384, viewportWidth: 1280, devicePixelRatio: 1, saveData: false };
const record = completeRecord();
const url = (width: number, quality = 85) => `/media/${"b".repeat(12)}/w${width}-q${quality}-0123456789.jpg`;

describe("a panorama's page", () => {
  test("a device with WebGL gets the cube tiles and their overview, with GPano's view and the compass", () => {
    const plan = planViewer(pageData("view"), LAPTOP, false)!;
    const { files: _files, bytes: _bytes, overview, ...multiRes } = record.tiles!;
    assert.deepEqual(plan.first, { type: "multires", multiRes: { ...multiRes, overview: { url: overview!.url, faceSize: 128 } } });
    assert.equal(sceneLabel(plan.first), "multires");
    assert.deepEqual(plan.base, {
      autoLoad: true,
      ignoreGPanoXMP: true,
      showControls: true,
      ...record.viewer,
      compass: true,
    });
  });

  test("the compass only where north is known", () => {
    const { northOffset: _north, ...viewer } = record.viewer;
    assert.equal(planViewer({ ...pageData("view"), viewer }, LAPTOP, false)!.base.compass, false);
  });

  test("an address with #view= opens there; any other fragment leaves GPano's view", () => {
    const plan = planViewer(pageData("view"), LAPTOP, false, "#view=200,-5,80")!;
    assert.deepEqual([plan.base.yaw, plan.base.pitch, plan.base.hfov], [200, -5, 80]);
    const other = planViewer(pageData("view"), LAPTOP, false, "#details")!;
    assert.deepEqual([other.base.yaw, other.base.pitch, other.base.hfov], [40, -5, 90]);
    assert.deepEqual(openingView(pageData("view"), "#view=1,2,3"), { yaw: 1, pitch: 2, hfov: 3 });
    assert.deepEqual(openingView(pageData("view"), ""), { yaw: 40, pitch: -5, hfov: 90 });
  });

  test("autorotation: off unless the page asks for it, and never for a reader who prefers reduced motion", () => {
    assert.equal(planViewer(pageData("view"), LAPTOP, false)!.base.autoRotate, undefined);
    const asking = pageData("view");
    asking.viewer.autoRotate = -2;
    assert.equal(planViewer(asking, LAPTOP, false)!.base.autoRotate, -2);
    assert.equal(planViewer(asking, { ...LAPTOP, reducedMotion: true }, false)!.base.autoRotate, undefined);
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

describe("the first view's tiles, fetched before the viewer starts", () => {
  // A THETA Z1's tiles (cube 2136, levels 267 … 2136 px), opening at yaw 0, pitch 0, hfov 70.
  const theta = (): PageData => {
    const data = pageData("view");
    data.multiRes = { ...data.multiRes!, cubeResolution: 2136, basePath: "/t", overview: { url: "/t/overview.jpg", faceSize: 128 } };
    data.viewer = { ...data.viewer, yaw: 0, pitch: 0, hfov: 70 };
    return data;
  };

  test("the overview, then the view's level nearest the centre first: level 3 at 1×, level 4 at 2×", () => {
    assert.deepEqual(firstTiles(theta(), "", { width: 1000, height: 576 }, 1).slice(0, 2), ["/t/overview.jpg", "/t/3/f1_1.jpg"]);
    assert.deepEqual(firstTiles(theta(), "", { width: 1000, height: 576 }, 1).slice(1).sort(), ["/t/3/f0_0.jpg", "/t/3/f0_1.jpg", "/t/3/f1_0.jpg", "/t/3/f1_1.jpg"]);
    const twoX = firstTiles(theta(), "", { width: 1000, height: 576 }, 2);
    assert.equal(twoX.length, 9);
    assert.ok(twoX.slice(1).every((u) => u.startsWith("/t/4/f")));
  });

  test("the address's view counts, and so do the limits Pannellum applies to it", () => {
    const looking = firstTiles(theta(), "#view=90,0,70", { width: 1000, height: 576 }, 1);
    assert.ok(looking.slice(1).every((u) => u.startsWith("/t/3/r")), looking.join(" "));
    // hfov 10 is below Pannellum's floor (min(50, 1000 / (2136 / 90 · 0.9)) = 46.8): level 4, not finer.
    assert.ok(firstTiles(theta(), "#view=0,0,10", { width: 1000, height: 576 }, 1).slice(1).every((u) => u.startsWith("/t/4/")));
  });

  test("without an overview, level 1 under the view's level; none without tiles or without a frame", () => {
    const data = theta();
    delete data.multiRes!.overview;
    assert.deepEqual(firstTiles(data, "", { width: 1000, height: 576 }, 1)[0], "/t/1/f0_0.jpg");
    assert.deepEqual(firstTiles({ ...data, multiRes: undefined }, "", { width: 1000, height: 576 }, 1), []);
    assert.deepEqual(firstTiles(data, "", { width: 0, height: 0 }, 1), []);
  });

  test("Pannellum's limits: field of view, pitch within the picture, yaw within a partial panorama", () => {
    const canvas = { width: 1000, height: 500 };
    assert.deepEqual(constrainView({ yaw: 0, pitch: 0, hfov: 10 }, {}, canvas), { yaw: 0, pitch: 0, hfov: 50 });
    assert.deepEqual(constrainView({ yaw: 0, pitch: 0, hfov: 170 }, {}, canvas), { yaw: 0, pitch: 0, hfov: 120 });
    // hfov 90 on a 2:1 canvas is 53.1° high: the pitch stops 26.6° short of the pole.
    const up = constrainView({ yaw: 0, pitch: 89, hfov: 90 }, {}, canvas);
    assert.ok(Math.abs(up.pitch - (90 - 26.565)) < 0.01, String(up.pitch));
    assert.deepEqual(constrainView({ yaw: 100, pitch: 0, hfov: 60 }, { minYaw: -90, maxYaw: 90 }, canvas).yaw, 60);
  });
});
