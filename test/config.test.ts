import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig, parseConfig } from "../src/config.ts";

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
