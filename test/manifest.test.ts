import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ManifestError, manifestPath, manifestText, readManifest, validateManifest, writeManifest, type Manifest, type PanoramaRecord } from "../src/manifest.ts";
import { completeRecord, sampleRecord } from "./support/manifest.ts";

const manifest = (panoramas: PanoramaRecord[]): Manifest => ({
  version: 1,
  generator: "rotunda",
  gallery: { title: "Test", albums: [], pageSize: 48, publishGps: false },
  panoramas,
  pages: [],
  failures: [],
});

test("a manifest round-trips through write and read, atomically", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-manifest-"));
  const written = manifest([sampleRecord("lobby"), completeRecord("roof")]);
  const file = await writeManifest(dir, written);
  assert.equal(file, manifestPath(dir));
  assert.deepEqual(await readManifest(dir), written);
  // No temp file left beside it.
  assert.deepEqual(await readdir(path.dirname(file)), ["manifest.json"]);
  assert.ok((await readFile(file, "utf8")).endsWith("\n"));
});

test("validation rejects what render could not use, naming the field", () => {
  const bad = manifest([{ ...sampleRecord(), variants: [] }]);
  assert.throws(() => validateManifest(bad, "x.json"), (e: Error) => e instanceof ManifestError && /variants/.test(e.message));
  const badSlug = manifest([{ ...sampleRecord(), slug: "Not A Slug" }]);
  assert.throws(() => validateManifest(badSlug), /slug/);
  const badHash = manifest([{ ...sampleRecord(), source: { ...sampleRecord().source, hash: "xyz" } }]);
  assert.throws(() => validateManifest(badHash), /source\.hash/);
  assert.throws(() => validateManifest({ ...manifest([]), version: 99 }), /version/);
});

test("two panoramas cannot share a slug", () => {
  assert.throws(() => validateManifest(manifest([sampleRecord("a"), sampleRecord("a")])), /share the slug "a"/);
});

test("reading a missing manifest says what to run", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-manifest-"));
  await assert.rejects(readManifest(dir), /no manifest; run `rotunda process`/);
});

test("the manifest's text is JSON.stringify's, two spaces deep, whatever it holds and after records change", () => {
  const plain = (m: Manifest) => Buffer.from(JSON.stringify(m, null, 2) + "\n");
  const records = [sampleRecord("lobby"), completeRecord("roof"), { ...sampleRecord("yard"), caption: "Line one\nline two, \"quoted\"" }];
  const text = (m: Manifest) => Buffer.concat(manifestText(m));
  for (const list of [[], records.slice(0, 1), records]) assert.ok(text(manifest(list)).equals(plain(manifest(list))), `${list.length} records`);
  const changed = [records[0]!, { ...records[1]!, title: "Roof, again" }, records[2]!];
  assert.ok(text(manifest(changed)).equals(plain(manifest(changed))), "a record made anew is written as it is now");
});

test("a checked write gives each record the schema's key order, and a later trusted write of the same records the same bytes", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-manifest-order-"));
  // The records as a caller may hold them: keys in another order than the schema's.
  const given = [sampleRecord("lobby"), completeRecord("roof")].map((r) => Object.fromEntries(Object.entries(r).reverse()) as PanoramaRecord);
  const m = manifest(given);
  const expected = JSON.stringify(validateManifest(m), null, 2) + "\n";
  assert.notEqual(expected, JSON.stringify(m, null, 2) + "\n", "the order differs");
  await writeManifest(dir, m);
  assert.equal(await readFile(manifestPath(dir), "utf8"), expected);
  await writeManifest(dir, m, { trusted: true });
  assert.equal(await readFile(manifestPath(dir), "utf8"), expected);
});
