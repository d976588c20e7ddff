import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ManifestError, manifestPath, readManifest, validateManifest, writeManifest, type Manifest, type PanoramaRecord } from "../src/manifest.ts";

export function sampleRecord(slug = "lobby"): PanoramaRecord {
  return {
    id: slug,
    slug,
    source: { path: `${slug}.jpg`, hash: "a".repeat(64), bytes: 1234, format: "jpeg" },
    title: "Lobby",
    captureDate: "2026-11-01T09:00:00+09:00",
    width: 2048,
    height: 1024,
    variants: [{ url: "/media/aaaaaaaaaaaa/w2048-q85-0123456789.jpg", width: 2048, height: 1024, quality: 85, bytes: 1000 }],
    thumbnail: { url: "/media/aaaaaaaaaaaa/thumb-0123456789.jpg", width: 640, height: 320, bytes: 100 },
    preview: { url: "/media/aaaaaaaaaaaa/preview-0123456789.jpg", width: 128, height: 64, bytes: 10 },
    metadata: { url: "/media/aaaaaaaaaaaa/metadata-0123456789.json", bytes: 50 },
    metadataTable: [{ label: "Camera", value: "RICOH THETA Z1" }],
    viewer: { yaw: 0, pitch: 0, hfov: 100, haov: 360, vaov: 180, vOffset: 0 },
  };
}

const manifest = (panoramas: PanoramaRecord[]): Manifest => ({
  version: 1,
  generator: "rotunda",
  gallery: { title: "Test" },
  panoramas,
  failures: [],
});

test("a manifest round-trips through write and read, atomically", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-manifest-"));
  const written = manifest([sampleRecord("lobby"), sampleRecord("roof")]);
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
