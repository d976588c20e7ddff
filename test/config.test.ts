import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, largestPanorama, loadConfig, parseConfig } from "../src/config.ts";

test("a gallery without rotunda.json gets the defaults", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-config-"));
  const config = await loadConfig(dir);
  assert.equal(config.title, "Rotunda gallery");
  assert.deepEqual(config.cameras, []);
  assert.equal(config.process.maxWidth, 8192);
  assert.equal(config.process.publishGps, false);
});

test("a typo in a key is an error naming the key and where it is", () => {
  assert.throws(() => parseConfig({ titel: "x" }), (e: Error) => e instanceof ConfigError && /unknown key "titel"/.test(e.message));
  assert.throws(() => parseConfig({ process: { maxwidth: 4096 } }), /process: unknown key "maxwidth"/);
});

test("camera errors name the camera", () => {
  const raw = { cameras: [{ name: "lobby", url: "not a url" }, { name: "roof", url: "http://10.0.0.2", passwrd: "x" }] };
  assert.throws(() => parseConfig(raw), (e: Error) => /cameras\[0\] \(lobby\)\.url/.test(e.message) && /cameras\[1\] \(roof\): unknown key "passwrd"/.test(e.message));
  assert.throws(() => parseConfig({ cameras: [{ name: "a", url: "http://x" }, { name: "a", url: "http://y" }] }), /used twice/);
  assert.throws(() => parseConfig({ cameras: [{ name: "../etc", url: "http://x" }] }), /names a folder/);
});

test("invalid JSON names the file", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-config-"));
  await writeFile(path.join(dir, "rotunda.json"), "{ title: 'x' }");
  await assert.rejects(loadConfig(dir), (e: Error) => e.message.includes(path.join(dir, "rotunda.json")) && /not valid JSON/.test(e.message));
});

test("watermark sizes and positions are held to the largest panorama process.pixelLimit admits", () => {
  assert.deepEqual(largestPanorama(16384 * 8192), { width: 16384, height: 8192 });
  assert.deepEqual(largestPanorama(1_000_000), { width: 1414, height: 707 });
  const watermark = (w: object, pixelLimit?: number) => parseConfig({ process: { ...(pixelLimit ? { pixelLimit } : {}), watermark: { file: "logo.png", ...w } } });
  assert.equal(watermark({ width: 16384, position: "+16384+8192" }).process.watermark?.width, 16384);
  assert.throws(() => watermark({ width: 16385 }), /process\.watermark\.width: 16385 px is wider than any picture: the largest panorama Rotunda decodes is 16384×8192 px/);
  assert.throws(() => watermark({ width: 1415 }, 1_000_000), /process\.watermark\.width: 1415 px .* 1414×707 px \(process\.pixelLimit 1000000\)/);
  assert.throws(() => watermark({ position: "+100+708" }, 1_000_000), /process\.watermark\.position: "\+100\+708" is outside every picture/);
  assert.equal(watermark({ width: "100%", position: "+100%+100%" }).process.watermark?.width, "100%");
  assert.throws(() => watermark({ width: "100.5%" }), /process\.watermark\.width: "100\.5%" is not a width within the picture/);
  assert.throws(() => watermark({ width: "0%" }), /process\.watermark\.width: "0%"/);
  assert.throws(() => watermark({ position: "+2%-1%" }), /process\.watermark\.position: "\+2%-1%" is outside the picture/);
});

test("a byte order mark before the JSON is ignored", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-config-"));
  await writeFile(path.join(dir, "rotunda.json"), '\uFEFF{ "title": "With a BOM" }');
  assert.equal((await loadConfig(dir)).title, "With a BOM");
});

test("precompress is on unless the gallery says false, and only a boolean", () => {
  assert.equal(parseConfig({}).precompress, true);
  assert.equal(parseConfig({ precompress: false }).precompress, false);
  assert.throws(() => parseConfig({ precompress: "no" }), (e: Error) => e instanceof ConfigError && /^precompress: /m.test(e.message));
});

test("baseUrl must be an http(s) URL", () => {
  assert.equal(parseConfig({ baseUrl: "https://pano.example.org/tours/" }).baseUrl, "https://pano.example.org/tours/");
  for (const bad of ["ftp://pano.example.org/", "javascript:alert(1)", "file:///srv/site", "pano.example.org"]) {
    assert.throws(() => parseConfig({ baseUrl: bad }), (e: Error) => e instanceof ConfigError && /^baseUrl: must be an http:\/\/ or https:\/\/ URL$/m.test(e.message), bad);
  }
});

test("pull.into must stay inside the gallery", () => {
  for (const good of ["cameras", "incoming/cameras", "./cameras", "a/../b"]) assert.equal(parseConfig({ pull: { into: good } }).pull.into, good);
  for (const bad of ["..", "../x", "../../x", "a/../../x", "/srv/pictures", "C:\\pictures", "..\\x"]) {
    assert.throws(() => parseConfig({ pull: { into: bad } }), (e: Error) => e instanceof ConfigError && /^pull\.into: must be a folder inside the gallery/m.test(e.message), bad);
  }
});

test("the gallery's navigation settings: defaults, and mistakes named by key", () => {
  const config = parseConfig({});
  assert.equal(config.pageSize, 48);
  assert.deepEqual(config.places, {});
  assert.deepEqual(config.tour, { radius: 30 });
  assert.equal(config.map.tiles, "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
  assert.match(config.map.attribution, /OpenStreetMap/);
  assert.equal(parseConfig({ tour: false }).tour, false);
  assert.deepEqual(parseConfig({ places: { byGps: 10 }, tour: { radius: 12 } }).places, { byGps: 10 });
  assert.equal(parseConfig({ cameras: [{ name: "dock", url: "http://10.0.0.2", place: "Loading bay" }] }).cameras[0]!.place, "Loading bay");
  for (const [raw, message] of [
    [{ pageSize: 0 }, /^pageSize: /m],
    [{ tour: true }, /^tour: use false \(no automatic links\) or \{ "radius": <metres> \}$/m],
    [{ tour: { radus: 3 } }, /^tour: unknown key "radus"$/m],
    [{ tour: { radius: -1 } }, /^tour\.radius: /m],
    [{ places: { byGps: "near" } }, /^places\.byGps: /m],
    [{ map: { tiles: "ftp://tiles/{z}/{x}/{y}.png" } }, /^map\.tiles: must be an http:\/\/ or https:\/\/ URL template$/m],
    [{ map: { tiles: "https://tiles.example/{z}.png" } }, /^map\.tiles: must contain \{z\}, \{x\} and \{y\}/m],
    [{ cameras: [{ name: "dock", url: "http://10.0.0.2", place: " " }] }, /^cameras\[0\] \(dock\)\.place: must name a place$/m],
  ] as const) {
    assert.throws(() => parseConfig(raw), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(raw));
  }
});

test("the bucket cache: an s3:// URL and an http(s) endpoint, nothing else", () => {
  const config = parseConfig({ cache: { url: "s3://gallery/site", endpoint: "https://s3.example.com", region: "auto" } });
  assert.deepEqual(config.cache, { url: "s3://gallery/site", endpoint: "https://s3.example.com", region: "auto" });
  assert.equal(parseConfig({}).cache, undefined);
  assert.throws(() => parseConfig({ cache: { url: "https://gallery/site" } }), /cache\.url: must be "s3:\/\/bucket\/prefix"/);
  assert.throws(() => parseConfig({ cache: { url: "s3://gallery", endpoint: "ftp://x" } }), /cache\.endpoint: must be an http:\/\/ or https:\/\/ URL/);
  assert.throws(() => parseConfig({ cache: { url: "s3://gallery", secret: "x" } }), /cache: unknown key "secret"/);
});
