import assert from "node:assert/strict";
import { test } from "node:test";
import { panoGeometry, viewerConfig, wrapDegrees, type GPano, type PanoGeometry } from "../../src/process/gpano.ts";

const geometry = (w: number, h: number, g?: GPano): PanoGeometry => {
  const result = panoGeometry(w, h, g);
  if ("error" in result) throw new Error(result.error);
  return result;
};

test("a 2:1 picture with no GPano at all is a full sphere with default view", () => {
  const g = geometry(4096, 2048);
  assert.equal(g.full, true);
  assert.deepEqual(viewerConfig(g), { yaw: 0, pitch: 0, hfov: 100, haov: 360, vaov: 180, vOffset: 0 });
});

test("a full sphere with a THETA-style GPano block: heading, initial view, FOV", () => {
  // As a RICOH THETA Z1 writes it: PoseHeadingDegrees may be negative.
  const gpano: GPano = {
    ProjectionType: "equirectangular",
    FullPanoWidthPixels: 6720, FullPanoHeightPixels: 3360,
    CroppedAreaImageWidthPixels: 6720, CroppedAreaImageHeightPixels: 3360, CroppedAreaLeftPixels: 0, CroppedAreaTopPixels: 0,
    PoseHeadingDegrees: -54.1, PosePitchDegrees: 0, PoseRollDegrees: 0,
    InitialViewHeadingDegrees: 30, InitialViewPitchDegrees: -10, InitialHorizontalFOVDegrees: 70,
  };
  const config = viewerConfig(geometry(6720, 3360, gpano), gpano);
  assert.deepEqual(config, { yaw: 30, pitch: -10, hfov: 70, haov: 360, vaov: 180, vOffset: 0, northOffset: 305.9 });
});

test("GPano pixel fields of a larger original are scaled to a resized picture", () => {
  const gpano: GPano = { FullPanoWidthPixels: 7168, FullPanoHeightPixels: 3584, CroppedAreaImageWidthPixels: 7168, CroppedAreaImageHeightPixels: 3584, CroppedAreaLeftPixels: 0, CroppedAreaTopPixels: 0 };
  const g = geometry(2048, 1024, gpano);
  assert.equal(g.full, true);
  assert.equal(viewerConfig(g, gpano).haov, 360);
});

test("a partial panorama: angles of view, vertical offset, limits", () => {
  // 240° × 120° cut from a 3072×1536 sphere, 256 px below its top, 512 px from its left.
  const gpano: GPano = {
    FullPanoWidthPixels: 3072, FullPanoHeightPixels: 1536,
    CroppedAreaImageWidthPixels: 2048, CroppedAreaImageHeightPixels: 1024, CroppedAreaLeftPixels: 512, CroppedAreaTopPixels: 256,
    PoseHeadingDegrees: 10,
  };
  const g = geometry(2048, 1024, gpano);
  assert.equal(g.full, false);
  const config = viewerConfig(g, gpano);
  assert.equal(config.haov, 240);
  assert.equal(config.vaov, 120);
  assert.equal(config.vOffset, 0); // centred vertically
  assert.equal(config.minPitch, -60);
  assert.equal(config.maxPitch, 60);
  assert.equal(config.minYaw, -120);
  assert.equal(config.maxYaw, 120);
  // Centred horizontally too (512 + 2048/2 = 1536 = half of 3072): heading unchanged.
  assert.equal(config.northOffset, 10);
});

test("a partial panorama above the horizon and off-centre", () => {
  // Top band: rows 0..512 of a 4000×2000 sphere, columns 0..1000.
  const gpano: GPano = { FullPanoWidthPixels: 4000, FullPanoHeightPixels: 2000, CroppedAreaImageWidthPixels: 1000, CroppedAreaImageHeightPixels: 500, CroppedAreaLeftPixels: 0, CroppedAreaTopPixels: 0, PoseHeadingDegrees: 0 };
  const config = viewerConfig(geometry(1000, 500, gpano), gpano);
  assert.equal(config.vaov, 45);
  assert.equal(config.vOffset, 67.5); // centre 22.5° below the zenith
  assert.equal(config.haov, 90);
  // The picture's centre is at column 500 of 4000: 135° left of the sphere's centre.
  assert.equal(config.northOffset, 225);
});

test("a picture that is not 2:1 and has no GPano is refused with the reason", () => {
  const result = panoGeometry(4000, 3000);
  assert.ok("error" in result);
  assert.match(result.error, /4000×3000, not 2:1/);
  const fisheye = panoGeometry(2000, 1000, { ProjectionType: "cylindrical" });
  assert.ok("error" in fisheye && /only equirectangular/.test(fisheye.error));
});

test("angles wrap into (−180, 180]", () => {
  assert.equal(wrapDegrees(190), -170);
  assert.equal(wrapDegrees(-180), 180);
  assert.equal(wrapDegrees(720), 0);
});
