// The dev server's Cache-Control follows deploy's rule for hashed files
// (src/deploy/headers.ts); everything else is revalidated, pages always.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CACHE_IMMUTABLE, cacheControlFor } from "../../src/deploy/headers.ts";
import { devCacheControl } from "../../src/serve/http.ts";

test("hashed media and bundles are immutable in dev, as on the deployed site", () => {
  for (const url of ["/media/hall-0a1b2c3d4e-1024-q80.jpg", "/media/tiles/hall-0a1b2c3d4e/1/f0_0.jpg", "/assets/viewer-3fa2b1c9.js?v=2"]) {
    assert.equal(devCacheControl(url), CACHE_IMMUTABLE, url);
  }
});

test("where serve and deploy used to disagree, both now follow the hash in the name", () => {
  // Unhashed files under media/ and assets/ were immutable in dev only; deploy revalidates them.
  for (const url of ["/media/videos/talk.mp4", "/assets/logo.png"]) {
    assert.notEqual(cacheControlFor(url.slice(1)), CACHE_IMMUTABLE, url);
    assert.equal(devCacheControl(url), "no-cache", url);
  }
  // A hashed file outside media/ and assets/ was no-cache in dev only; deploy makes it immutable.
  assert.equal(cacheControlFor("favicon-3fa2b1c9.ico"), CACHE_IMMUTABLE);
  assert.equal(devCacheControl("/favicon-3fa2b1c9.ico"), CACHE_IMMUTABLE);
});

test("pages are revalidated in dev whatever their slug looks like", () => {
  for (const url of ["/", "/alpha/", "/alpha/index.html", "/tour-0a1b2c3d4e/", "/tour-0a1b2c3d4e", "/404.html", "/sitemap.xml"]) {
    assert.equal(devCacheControl(url), "no-cache", url);
  }
});
