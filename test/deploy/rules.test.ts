// Unit tests of the deploy rules: hashed paths, headers, phases, the s3 URL,
// plan diffing, the `_headers` file and what the local scan leaves out.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  CACHE_HTML,
  CACHE_IMMUTABLE,
  CACHE_SHORT,
  cacheControlFor,
  contentTypeFor,
  isHashedPath,
  listSiteFiles,
  makePlan,
  parseS3Url,
  phaseOf,
  headersFileFor,
  scanSite,
  type LocalFile,
  type RemoteObject,
} from "../../src/deploy/index.ts";
import { remoteMediaResolver } from "../../src/deploy/check.ts";
import { explainS3Error } from "../../src/deploy/s3-target.ts";
import { tempPath } from "../../src/files.ts";

describe("isHashedPath", () => {
  const hashed = [
    "media/hall-0a1b2c3d4e-1024-q80.jpg",
    "media/hall-0a1b2c3d4e.json",
    "media/tiles/hall-0a1b2c3d4e/1/f0_0.jpg",
    "assets/viewer-3fa2b1c9.js",
    "assets/viewer.3fa2b1c9.css",
    "deadbeefcafe.png",
    "media/0123456789abcdef/x.jpg",
  ];
  const unhashed = [
    "index.html",
    "hall/index.html",
    "404.html",
    "sitemap.xml",
    "robots.txt",
    "favicon.ico",
    "media/tour-20240612.jpg", // a date, not a hash
    "media/pano-1700000000.jpg", // a timestamp
    "assets/viewer-3fa2b1c.js", // 7 hex chars: too short
    "assets/viewer-3FA2B1C9.js", // uppercase is not how the build writes hashes
    "assets/viewer-3fa2b1c9x.js", // not delimited
  ];
  for (const p of hashed) it(`hashed: ${p}`, () => assert.equal(isHashedPath(p), true));
  for (const p of unhashed) it(`not hashed: ${p}`, () => assert.equal(isHashedPath(p), false));
});

describe("headers", () => {
  it("content types for the site's files", () => {
    assert.equal(contentTypeFor("index.html"), "text/html; charset=utf-8");
    assert.equal(contentTypeFor("media/a-0a1b2c3d4e-1024-q80.jpg"), "image/jpeg");
    assert.equal(contentTypeFor("media/A.JPEG"), "image/jpeg");
    assert.equal(contentTypeFor("assets/viewer-3fa2b1c9.js"), "text/javascript; charset=utf-8");
    assert.equal(contentTypeFor("assets/viewer-3fa2b1c9.css"), "text/css; charset=utf-8");
    assert.equal(contentTypeFor("media/a-0a1b2c3d4e.json"), "application/json; charset=utf-8");
    assert.equal(contentTypeFor("sitemap.xml"), "application/xml; charset=utf-8");
    assert.equal(contentTypeFor("icon.svg"), "image/svg+xml");
    assert.equal(contentTypeFor("media/a.webp"), "image/webp");
    assert.equal(contentTypeFor("LICENSE"), "application/octet-stream");
  });
  it("cache control: immutable when hashed, revalidate for HTML and unhashed files", () => {
    assert.equal(cacheControlFor("media/a-0a1b2c3d4e-1024-q80.jpg"), CACHE_IMMUTABLE);
    assert.equal(cacheControlFor("index.html"), CACHE_HTML);
    assert.equal(cacheControlFor("robots.txt"), CACHE_SHORT);
    assert.equal(CACHE_IMMUTABLE, "public, max-age=31536000, immutable");
    assert.match(CACHE_HTML, /max-age=0, must-revalidate/);
    assert.match(CACHE_SHORT, /max-age=300, must-revalidate/);
  });
  it("HTML is never immutable, even under a hash-like folder", () => {
    assert.equal(cacheControlFor("cafe0123beef/index.html"), CACHE_HTML);
  });
  it("phases: assets, then pages, then home pages, then feeds", () => {
    assert.equal(phaseOf("media/a-0a1b2c3d4e-1024-q80.jpg"), "assets");
    assert.equal(phaseOf("favicon.ico"), "assets");
    assert.equal(phaseOf("hall/index.html"), "pages");
    assert.equal(phaseOf("index.html"), "home");
    assert.equal(phaseOf("404.html"), "home");
    assert.equal(phaseOf("sitemap.xml"), "feeds");
    assert.equal(phaseOf("feed.xml"), "feeds");
    assert.equal(phaseOf("robots.txt"), "feeds");
    assert.equal(phaseOf("media/a-0a1b2c3d4e.json"), "assets");
  });
});

describe("parseS3Url", () => {
  it("bucket and prefix, prefix normalised to end in /", () => {
    assert.deepEqual(parseS3Url("s3://my-site/www"), { bucket: "my-site", prefix: "www/" });
    assert.deepEqual(parseS3Url("s3://my-site/a//b/"), { bucket: "my-site", prefix: "a/b/" });
    assert.deepEqual(parseS3Url("s3://my-site"), { bucket: "my-site", prefix: "" });
    assert.deepEqual(parseS3Url("s3://my-site/"), { bucket: "my-site", prefix: "" });
  });
  it("rejects what is not an s3 URL", () => {
    for (const bad of ["my-site", "s3:/my-site", "https://my-site/x", "s3:///x", "s3://b/../x", "s3://a b/x"]) {
      assert.throws(() => parseS3Url(bad), { name: "DeployError" }, bad);
    }
  });
});

describe("explainS3Error", () => {
  it("an endpoint that cannot be reached is one line naming it, whatever the system error", () => {
    const target = parseS3Url("s3://site/www");
    const cases: Array<[string, string]> = [
      ["ECONNREFUSED", "connection refused"],
      ["ENOTFOUND", "unknown host"],
      ["EHOSTUNREACH", "host unreachable"],
    ];
    for (const [code, why] of cases) {
      const error = new Error(`connect ${code}`, { cause: Object.assign(new Error(code), { code }) });
      const explained = explainS3Error(error, "https://s3.example.invalid", target);
      assert.equal(explained?.message, `cannot reach https://s3.example.invalid: ${why}`);
      assert.equal(explained?.kind, "endpoint");
    }
    assert.equal(explainS3Error(new Error("something else"), "https://s3.example.invalid", target), undefined);
  });

  it("a server that keeps failing after the retries is one line naming it", () => {
    const target = parseS3Url("s3://site/www");
    const slowDown = Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    assert.equal(explainS3Error(slowDown, "http://127.0.0.1:9000", target)?.message, "http://127.0.0.1:9000 keeps failing (SlowDown, HTTP 503): try again later");
    const reset = new Error("socket hang up", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
    assert.equal(explainS3Error(reset, "http://127.0.0.1:9000", target)?.message, "http://127.0.0.1:9000 keeps failing (ECONNRESET): try again later");
    assert.equal(explainS3Error(Object.assign(new Error("bad"), { name: "InvalidArgument", $metadata: { httpStatusCode: 400 } }), "x", target), undefined);
  });
});

describe("makePlan", () => {
  const file = (relPath: string, md5: string, size = 10): LocalFile => ({ relPath, absPath: `/x/${relPath}`, size, md5 });
  const md5 = (c: string) => c.repeat(32);
  const remoteOf = (...objects: RemoteObject[]) => new Map(objects.map((o) => [o.key, o]));

  it("uploads new and changed files in phase order, keeps unchanged ones, lists stale keys", () => {
    const local = [file("index.html", md5("1")), file("hall/index.html", md5("2")), file("media/hall-0a1b2c3d4e.json", md5("3")), file("sitemap.xml", md5("4"))];
    const remote = remoteOf(
      { key: "www/index.html", size: 10, etag: md5("9") }, // changed content
      { key: "www/hall/index.html", size: 10, etag: md5("2") }, // same
      { key: "www/sitemap.xml", size: 11, etag: md5("4") }, // same md5, other size: changed
      { key: "www/media/old-0b1b2c3d4e.json", size: 10, etag: md5("5") }, // stale asset
      { key: "www/old/index.html", size: 10, etag: md5("6") }, // stale page
    );
    const plan = makePlan(local, remote, "www/");
    assert.deepEqual(
      plan.uploads.map((u) => [u.key, u.phase, u.reason]),
      [
        ["www/media/hall-0a1b2c3d4e.json", "assets", "new"],
        ["www/index.html", "home", "changed"],
        ["www/sitemap.xml", "feeds", "changed"],
      ],
    );
    assert.deepEqual(plan.unchanged.map((f) => f.relPath), ["hall/index.html"]);
    assert.deepEqual(plan.stale, ["www/old/index.html", "www/media/old-0b1b2c3d4e.json"], "stale pages go before stale assets");
  });

  it("never lists as stale the cache's records (dot-keys) nor media the pages use from the bucket", () => {
    const remote = remoteOf(
      { key: "www/.rotunda-cache/aa-bb.json", size: 10, etag: md5("1") },
      { key: "www/media/0123456789ab/full-q85-abc.jpg", size: 10, etag: md5("2") },
      { key: "www/media/0123456789ab/tiles-abc/1/f0_0.jpg", size: 10, etag: md5("3") },
      { key: "www/media/0123456789ab/full-q20-old.jpg", size: 10, etag: md5("4") },
    );
    const inBucket = remoteMediaResolver({ url: "s3://b/www", folders: { "media/0123456789ab": ["full-q85-abc.jpg", "tiles-abc"] } });
    const plan = makePlan([file("index.html", md5("5"))], remote, "www/", inBucket);
    assert.deepEqual(plan.stale, ["www/media/0123456789ab/full-q20-old.jpg"], "only what no page uses and no record is");
  });

  it("multipart ETags compare by the stored MD5, and count as changed when it is unknown", () => {
    const local = [file("big-0a1b2c3d4e.jpg", md5("a"), 99), file("big2-0a1b2c3d4e.jpg", md5("b"), 99)];
    const remote = remoteOf(
      { key: "big-0a1b2c3d4e.jpg", size: 99, etag: "0123456789abcdef0123456789abcdef-3", md5: md5("a") },
      { key: "big2-0a1b2c3d4e.jpg", size: 99, etag: "0123456789abcdef0123456789abcdef-3" },
    );
    const plan = makePlan(local, remote, "");
    assert.deepEqual(plan.unchanged.map((f) => f.relPath), ["big-0a1b2c3d4e.jpg"]);
    assert.deepEqual(plan.uploads.map((u) => u.key), ["big2-0a1b2c3d4e.jpg"]);
  });

  it("puts the rule headers on each upload", () => {
    const [u] = makePlan([file("assets/viewer-3fa2b1c9.js", md5("c"))], new Map(), "").uploads;
    assert.deepEqual(u?.headers, { contentType: "text/javascript; charset=utf-8", cacheControl: CACHE_IMMUTABLE });
  });
});

describe("_headers", () => {
  it("one rule per fully hashed folder, exact paths elsewhere, none for pages (the hosts' default), no overlaps", () => {
    const { text } = headersFileFor([
      "index.html",
      "404.html",
      "hall/index.html",
      "robots.txt",
      "assets/viewer-3fa2b1c9.js",
      "assets/viewer-3fa2b1c9.css",
      "media/hall-0a1b2c3d4e-1024-q80.jpg",
      "media/hall-0a1b2c3d4e.json",
      "media/tiles/hall-0a1b2c3d4e/1/f0_0.jpg",
      "media/poster.jpg", // unhashed: /media cannot be one rule
    ]);
    const rules = new Map<string, string>();
    const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
    for (let i = 0; i < lines.length; i += 2) rules.set(lines[i] as string, (lines[i + 1] as string).trim());
    assert.deepEqual(Object.fromEntries(rules), {
      "/assets/*": `Cache-Control: ${CACHE_IMMUTABLE}`,
      "/media/hall-0a1b2c3d4e-1024-q80.jpg": `Cache-Control: ${CACHE_IMMUTABLE}`,
      "/media/hall-0a1b2c3d4e.json": `Cache-Control: ${CACHE_IMMUTABLE}`,
      "/media/poster.jpg": `Cache-Control: ${CACHE_SHORT}`,
      "/media/tiles/*": `Cache-Control: ${CACHE_IMMUTABLE}`,
      "/robots.txt": `Cache-Control: ${CACHE_SHORT}`,
    });
  });
  it("stays within Cloudflare Pages' 100 rules for a gallery of 500 panoramas", () => {
    const files = ["index.html", "404.html", "robots.txt", "assets/site-3fa2b1c9.css", "assets/viewer-3fa2b1c9.js"];
    for (let i = 0; i < 500; i++) {
      const hash = (0xa0000000 + i).toString(16);
      files.push(`pano-${i}/index.html`, `pano-${i}/compare/index.html`, `media/${hash}/full-w6720-q85-${hash}.jpg`, `media/${hash}/tiles-${hash}/1/f0_0.jpg`);
    }
    const { text } = headersFileFor(files);
    const rules = text.split("\n").filter((l) => l.startsWith("/"));
    assert.deepEqual(rules, ["/assets/*", "/media/*", "/robots.txt"]);
  });

  it("warns when _headers has more rules than Cloudflare Pages reads", () => {
    // Unhashed files in media/: the folder cannot be one rule, each file needs its own.
    const result = headersFileFor(Array.from({ length: 101 }, (_, i) => `media/poster-${i}.jpg`));
    assert.equal(result.rules, 101);
    assert.match(result.warning ?? "", /_headers has 101 rules and Cloudflare Pages reads only the first 100: .*\/media\/poster-0\.jpg/);
  });
});

describe("local scan", () => {
  const tmp = mkdtemp(path.join(os.tmpdir(), "rotunda-deploy-unit-"));
  after(async () => rm(await tmp, { recursive: true, force: true }));

  it("skips dotfiles, dot-folders, _headers and .br/.gz siblings; _headers for what it lists", async () => {
    const dir = await tmp;
    const put = async (rel: string, body = rel) => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), body);
    };
    await put("index.html", "hello");
    await put("index.html.br");
    await put("index.html.gz");
    await put("archive.tar.gz"); // no "archive.tar" beside it: a real file, deployed
    await put(".rotunda/manifest.json");
    await put(".DS_Store");
    await put("media/.hidden/x.jpg");
    await put("media/a-0a1b2c3d4e.jpg");
    await put("_headers", "old");
    assert.deepEqual((await listSiteFiles(dir)).map((f) => f.relPath), ["archive.tar.gz", "index.html", "media/a-0a1b2c3d4e.jpg"]);
    const scanned = await scanSite(dir);
    assert.equal(scanned.find((f) => f.relPath === "index.html")?.md5, "5d41402abc4b2a76b9719d911017c592"); // md5("hello")
    assert.equal(scanned.find((f) => f.relPath === "index.html")?.size, 5);

    const { text, rules } = headersFileFor((await listSiteFiles(dir)).map((f) => f.relPath));
    assert.equal(rules, 2);
    assert.match(text, /^\/archive\.tar\.gz\n  Cache-Control: public, max-age=300, must-revalidate$/m);
    assert.match(text, /^\/media\/\*\n  Cache-Control: public, max-age=31536000, immutable$/m);
    assert.doesNotMatch(text, /rotunda\/|DS_Store|_headers\n|\.br/);
  });

  it("never lists a build's temp files: tempPath names and folders ending .tmp, with all they hold", async () => {
    const dir = path.join(await tmp, "temps");
    const put = async (rel: string) => {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), rel);
    };
    await put("index.html");
    await put("media/hall-0a1b2c3d4e-1024-q80.jpg");
    await put(path.relative(dir, tempPath(path.join(dir, "media/hall-0a1b2c3d4e-2048-q80.jpg"))));
    await put("media/yard-1b2c3d4e5f-1024-q80.jpg.31337.0.tmp");
    await put("index.html.4242.12.tmp");
    await put("media/tiles/yard-1b2c3d4e5f.31337.1.tmp/1/f0_0.jpg");
    await put("media/tiles/hall-0a1b2c3d4e.tmp/1/f0_0.jpg");
    await put("media/tiles/hall-0a1b2c3d4e/1/f0_0.jpg");
    await put("notes.tmp"); // the site's own file, not a name a build makes
    assert.deepEqual((await listSiteFiles(dir)).map((f) => f.relPath), [
      "index.html",
      "media/hall-0a1b2c3d4e-1024-q80.jpg",
      "media/tiles/hall-0a1b2c3d4e/1/f0_0.jpg",
      "notes.tmp",
    ]);
  });
});
