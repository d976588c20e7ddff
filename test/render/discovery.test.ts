// The panorama's JSON-LD says where it was taken only when the gallery publishes GPS.
import assert from "node:assert/strict";
import { test } from "node:test";
import { validateManifest } from "../../src/manifest.ts";
import { photographJsonLd } from "../../src/render/discovery.ts";
import { sampleRecord } from "../support/manifest.ts";

const record = { ...sampleRecord("quay"), gps: { lat: 51.5074, lng: -0.1278 } };
const galleryOf = (publishGps: boolean) =>
  validateManifest({ version: 1, generator: "rotunda", gallery: { title: "T", publishGps }, panoramas: [record], failures: [] }).gallery;
const jsonLd = (publishGps: boolean) => JSON.parse(photographJsonLd(record, galleryOf(publishGps), (u) => u)) as Record<string, unknown>;

test("JSON-LD carries contentLocation with publishGps, as schema.org GeoCoordinates", () => {
  assert.deepEqual(jsonLd(true).contentLocation, { "@type": "Place", geo: { "@type": "GeoCoordinates", latitude: 51.5074, longitude: -0.1278 } });
});

test("JSON-LD has no location, and no coordinate anywhere, without publishGps", () => {
  const text = photographJsonLd(record, galleryOf(false), (u) => u);
  assert.equal((JSON.parse(text) as Record<string, unknown>).contentLocation, undefined);
  assert.ok(!text.includes("51.5074") && !text.includes("0.1278"), text);
});
