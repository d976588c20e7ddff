// The bucket as shared cache, against OpenStack Swift's S3 API started for this
// file (test/support/swift.ts), with a fault-injecting proxy in front of it where
// a test needs one (test/support/fault-proxy.ts). Shards run as a CI matrix would
// run them: `rotunda process --shard k/n --cache s3://…` in processes of their own.
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildSite } from "../../src/build/index.ts";
import { openBucketCache, RECORDS_DIR } from "../../src/cache/index.ts";
import { parseConfig } from "../../src/config.ts";
import { readManifest } from "../../src/manifest.ts";
import { createS3Client, deploy, listSiteFiles, parseS3Url } from "../../src/deploy/index.ts";
import { OutputFolder } from "../../src/output/index.ts";
import { runRotunda, startRotunda } from "../support/cli.ts";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";
import { createBucketWhenReady, s3Env, startSwift, type SwiftS3 } from "../support/swift.ts";

const BUCKET = "rotunda-cache";
let swift: SwiftS3;
let s3: S3Client;
let work: string;
let gallery: string;
let single: string;
const savedEnv = { ...process.env };
let env: NodeJS.ProcessEnv;

/** A record's key below the prefix (not a pack's: `.rotunda-cache/packs/…`). */
const isRecordKey = (key: string) => new RegExp(`^${RECORDS_DIR}/[0-9a-f]{64}-[^/]+\\.json$`).test(key);
const md5 = (b: Buffer | string) => createHash("md5").update(b).digest("hex");

/** Every key below `prefix` → its ETag (MD5 for single-part objects), the prefix cut off. */
async function listKeys(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key!.slice(prefix.length), (o.ETag ?? "").replace(/"/g, ""));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Site files (the state folder left out) → bytes. */
async function siteFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    if (!rel.startsWith(".rotunda")) out.set(rel, await readFile(path.join(dir, rel)));
  }
  return out;
}

/** Every record below `prefix` names only files the bucket holds, at their size and MD5; returns how many records there are. */
async function assertRecordsComplete(prefix: string): Promise<number> {
  const keys = await listKeys(prefix);
  const records = [...keys.keys()].filter(isRecordKey);
  for (const key of records) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: prefix + key }))).Body!.transformToString();
    const record = JSON.parse(body) as { files: Array<{ path: string; md5: string }> };
    for (const file of record.files) assert.equal(keys.get(file.path), file.md5, `${key} names ${file.path}, which the bucket holds as recorded`);
  }
  return records.length;
}

/** The bucket below `prefix`, but for the cache's records, holds exactly the site's files with their bytes. */
async function assertBucketEqualsSite(prefix: string, dist: string): Promise<void> {
  const keys = await listKeys(prefix);
  const site = await listSiteFiles(dist);
  const objects = [...keys.keys()].filter((k) => !k.startsWith(".")).sort();
  assert.deepEqual(objects, site.map((f) => f.relPath).sort(), "the bucket holds the site's files, no more, no fewer");
  for (const f of site) assert.equal(keys.get(f.relPath), md5(await readFile(f.absPath)), `${f.relPath} has the site's bytes`);
}

const shards = (dist: string, prefix: string, endpoint = swift.endpoint) =>
  [1, 2, 3].map((k) => startRotunda(["process", "--input", gallery, "--output", dist, "--shard", `${k}/3`, "--cache", `s3://${BUCKET}/${prefix}`, "--endpoint", endpoint], { env }));

before(async () => {
  swift = await startSwift();
  work = await mkdtemp(path.join(os.tmpdir(), "rotunda-cache-"));
  env = s3Env(swift);
  Object.assign(process.env, env);
  delete process.env.AWS_PROFILE;
  await createBucketWhenReady(swift, BUCKET);
  s3 = createS3Client({ endpoint: swift.endpoint });
  gallery = path.join(work, "gallery");
  await mkdir(path.join(gallery, "yard"), { recursive: true });
  for (let i = 0; i < 6; i++) await makeEquirect(path.join(gallery, `${i < 3 ? "" : "yard/"}pano-${i}.jpg`), 256, 128, i + 1);
  await writeFile(path.join(gallery, "pano-1.md"), "---\ntitle: Loading bay\n---\nThe east side.");
  single = path.join(work, "single");
  const built = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", single]);
  assert.equal(built.code, 0, built.output);
});
after(async () => {
  s3?.destroy();
  await swift?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  process.env = savedEnv;
});

describe("the bucket as shared cache", { timeout: 300_000 }, () => {
  test("three shards at once with the cache, then a render: the same site as one build; every record's media are in the bucket", async () => {
    const dist = path.join(work, "first");
    const results = await Promise.all(shards(dist, "site").map((s) => s.exited));
    for (const r of results) assert.equal(r.code, 0, r.output);
    assert.equal(results.map((r) => Number(/· (\d+) made/.exec(r.stdout)![1])).reduce((a, b) => a + b), 6, "each original made once");
    const rendered = await runRotunda(["render", "--input", gallery, "--output", dist]);
    assert.equal(rendered.code, 0, rendered.output);
    assert.deepEqual(await siteFiles(dist), await siteFiles(single), "the same files with the same bytes");
    assert.equal(await assertRecordsComplete("site/"), 6);
  });

  test("all shards again into empty folders: no original processed, no media downloaded, the same pages; deploy uploads only pages and bundles", async () => {
    const proxy = await startFaultProxy(swift.endpoint);
    try {
      const dist = path.join(work, "warm");
      const results = await Promise.all(shards(dist, "site", proxy.url).map((s) => s.exited));
      for (const r of results) {
        assert.equal(r.code, 0, r.output);
        assert.match(r.stdout, /· 0 made, 0 unchanged, 0 failed/, r.output);
      }
      assert.equal(results.map((r) => Number(/cache s3:\/\/\S+: (\d+) taken/.exec(r.stdout)![1])).reduce((a, b) => a + b), 6);
      // Media folders are listed (their keys are in the query, escaped); no media object is read or written.
      assert.deepEqual(proxy.requests.filter((r) => r.url.includes("/media/")), [], "no media downloaded");
      assert.ok(proxy.requests.some((r) => /prefix=site%2Fmedia%2F/.test(r.url)), "the media were checked by listing");
      // Each shard read the records from the pack its first run left: none was read on its own.
      const paths = proxy.requests.filter((r) => r.method === "GET").map((r) => decodeURIComponent(r.url));
      assert.deepEqual(paths.filter((u) => /\.rotunda-cache\/[0-9a-f]{64}-/.test(u)), [], "no record read on its own");
      assert.equal(paths.filter((u) => /\.rotunda-cache\/packs\/[^/]+\/[123]-of-3\.json/.test(u)).length, 3, "one pack read per shard");
      const rendered = await runRotunda(["render", "--input", gallery, "--output", dist]);
      assert.equal(rendered.code, 0, rendered.output);
      const pages = await siteFiles(dist);
      assert.ok(![...pages.keys()].some((f) => f.startsWith("media/")), "the media stay in the bucket");
      const expected = new Map([...(await siteFiles(single))].filter(([rel]) => !rel.startsWith("media/") && rel !== "_headers"));
      for (const [rel, bytes] of expected) assert.ok(pages.get(rel)?.equals(bytes), `${rel}: the same bytes as one build's`);

      // Deploy knows the media are in that bucket: it uploads the rest, prunes nothing the pages use.
      const elsewhere = await runRotunda(["deploy", "--to", `s3://${BUCKET}/other`, "--endpoint", swift.endpoint, "--dir", dist], { env });
      assert.equal(elsewhere.code, 2);
      assert.match(elsewhere.stderr, new RegExp(`media that were taken from the cache s3://${BUCKET}/site and are only there .*deploy to that bucket`));
      const deployed = await runRotunda(["deploy", "--to", `s3://${BUCKET}/site`, "--endpoint", swift.endpoint, "--dir", dist, "--prune"], { env });
      assert.equal(deployed.code, 0, deployed.output);
      assert.match(deployed.stdout, /deleted 0/);
      const keys = await listKeys("site/");
      // What a deploy of one build uploads (no _headers, no precompressed siblings).
      for (const file of await listSiteFiles(single)) assert.ok(keys.has(file.relPath), `${file.relPath} is served from the bucket`);
      assert.equal(await assertRecordsComplete("site/"), 6, "the records stay");
    } finally {
      await proxy.close();
    }
  });

  test("once many records are found, media are checked against one listing of all the media; a file that listing missed is listed again", async () => {
    const keys = await listKeys("site/");
    const records = [...keys.keys()].filter(isRecordKey).sort();
    assert.equal(records.length, 6);
    const ids = records.map((k) => /([0-9a-f]{64})-(.+)\.json$/.exec(k)!).map(([, hash, optionsKey]) => ({ hash: hash!, optionsKey: optionsKey! }));
    const proxy = await startFaultProxy(swift.endpoint);
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const lookAll = async (scanAfterRecords: number) => {
      const cache = await openBucketCache({ url: `s3://${BUCKET}/site`, endpoint: proxy.url, scanAfterRecords });
      try {
        return await Promise.all(ids.map(({ hash, optionsKey }) => cache.lookup(hash, optionsKey, warn)));
      } finally {
        cache.close();
      }
    };
    const listings = (from: number) => {
      const urls = proxy.requests.slice(from).map((r) => decodeURIComponent(r.url));
      return { folders: urls.filter((u) => /prefix=site\/media\/[0-9a-f]{12}\//.test(u)).length, digits: urls.filter((u) => /prefix=site\/media\/[0-9a-f](&|$)/.test(u)).length };
    };
    try {
      let from = proxy.requests.length;
      assert.ok((await lookAll(100)).every(Boolean), "every record taken");
      assert.deepEqual(listings(from), { folders: 6, digits: 0 }, "below the threshold: one listing per original");

      from = proxy.requests.length;
      assert.ok((await lookAll(1)).every(Boolean), "every record taken");
      // The digits no lookup waited for may not all have been sent before the cache was closed.
      const scanned = listings(from);
      assert.equal(scanned.folders, 0, "from the first record on: no listing per original");
      assert.ok(scanned.digits >= 1, "the media listed by hex digit");
      await proxy.settled();

      // A file the scan did not see (it arrived after, or is gone): its folder is listed again before anything is said.
      const record = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `site/${records[0]}` }))).Body!.transformToString()) as { files: Array<{ path: string }> };
      const gone = record.files[0]!.path;
      const bytes = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `site/${gone}` }))).Body!.transformToByteArray());
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `site/${gone}` }));
      const cache = await openBucketCache({ url: `s3://${BUCKET}/site`, endpoint: proxy.url, scanAfterRecords: 1 });
      try {
        from = proxy.requests.length;
        assert.ok(await cache.lookup(ids[1]!.hash, ids[1]!.optionsKey, warn), "the scan starts on this record");
        assert.equal(await cache.lookup(ids[0]!.hash, ids[0]!.optionsKey, warn), undefined, "a record with a file missing is not used");
        assert.match(warnings.at(-1) ?? "", new RegExp(`names 1 file the bucket does not hold as recorded \\(${gone}`));
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${gone}`, Body: bytes, ContentType: "image/jpeg" }));
        assert.ok(await cache.lookup(ids[0]!.hash, ids[0]!.optionsKey, warn), "the file is back: listed again, the record is used");
        assert.equal(listings(from).folders, 2, "the folder of the file the scan missed, listed each time");
      } finally {
        cache.close();
      }
      assert.equal(warnings.length, 1, warnings.join("\n"));
    } finally {
      await proxy.close();
    }
    assert.equal(await assertRecordsComplete("site/"), 6);
  });

  test("a pack that does not read is ignored with a warning; a packed record whose files differ is read from its own object; an unchanged run leaves the pack", async () => {
    const packKey = [...(await listKeys("site/")).keys()].find((k) => /^\.rotunda-cache\/packs\/[^/]+\/1-of-3\.json$/.test(k));
    assert.ok(packKey, "the first shard's pack is there");
    const readPackObject = async () => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}` }))).Body!.transformToString()) as { records: Array<{ hash: string; files: Array<{ md5: string }> }> };
    const good = await readPackObject();
    assert.ok(good.records.length > 0);
    const shard1 = (dist: string, endpoint = swift.endpoint) => runRotunda(["process", "--input", gallery, "--output", dist, "--shard", "1/3", "--cache", `s3://${BUCKET}/site`, "--endpoint", endpoint], { env });

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: "{ not json" }));
    const corrupt = await shard1(path.join(work, "pack-corrupt"));
    assert.equal(corrupt.code, 0, corrupt.output);
    assert.match(corrupt.stdout, /· 0 made/, corrupt.output);
    assert.ok(corrupt.stderr.includes(`ignored the cache's pack site/${packKey}: not JSON (corrupt)`), corrupt.stderr);
    assert.deepEqual(await readPackObject(), good, "the pack written anew, as it was");

    const shard2Key = packKey.replace("1-of-3", "2-of-3");
    const shard2Pack = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `site/${shard2Key}` }))).Body!.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: shard2Pack }));
    const foreign = await shard1(path.join(work, "pack-foreign"));
    assert.equal(foreign.code, 0, foreign.output);
    assert.match(foreign.stdout, /· 0 made/, foreign.output);
    assert.ok(foreign.stderr.includes(`ignored the cache's pack site/${packKey}: it is the pack of another recipe or shard than its key says (foreign)`), foreign.stderr);
    assert.deepEqual(await readPackObject(), good);

    const stale = structuredClone(good);
    stale.records[0]!.files[0]!.md5 = "0".repeat(32);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: JSON.stringify(stale) }));
    const proxy = await startFaultProxy(swift.endpoint);
    try {
      const dist = path.join(work, "pack-stale");
      const staleRun = await shard1(dist, proxy.url);
      assert.equal(staleRun.code, 0, staleRun.output);
      assert.match(staleRun.stdout, /· 0 made/, staleRun.output);
      assert.doesNotMatch(staleRun.stderr, /warning|ignored/i, "a stale packed record is no one's mistake");
      const reads = proxy.requests.filter((r) => r.method === "GET").map((r) => decodeURIComponent(r.url));
      assert.deepEqual(reads.filter((u) => /\.rotunda-cache\/[0-9a-f]{64}-/.test(u)).map((u) => /[0-9a-f]{64}/.exec(u)![0]), [stale.records[0]!.hash], "that record alone read on its own");
      assert.deepEqual(await readPackObject(), good, "the pack mended");

      // A packed record that does not pass the checks (a file outside its folder) is read on its own too.
      const outside = structuredClone(good) as unknown as { records: Array<{ hash: string; files: Array<{ path: string }> }> };
      outside.records[0]!.files[0]!.path = "media/000000000000/elsewhere.jpg";
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: JSON.stringify(outside) }));
      const before = proxy.requests.length;
      const outsideRun = await shard1(path.join(work, "pack-outside"), proxy.url);
      assert.match(outsideRun.stdout, /· 0 made/, outsideRun.output);
      const ownReads = proxy.requests.slice(before).filter((r) => r.method === "GET").map((r) => decodeURIComponent(r.url)).filter((u) => /\.rotunda-cache\/[0-9a-f]{64}-/.test(u));
      assert.equal(ownReads.length, 1, "that record read on its own");
      assert.deepEqual(await readPackObject(), good);

      // A folder whose outputs were made here and put already: its next run looks nothing up.
      const local = path.join(work, "pack-local");
      const made = await runRotunda(["process", "--input", gallery, "--output", local, "--shard", "1/3"], { env });
      assert.match(made.stdout, /· [1-9]\d* made/, made.output);
      const put = await shard1(local, proxy.url);
      assert.match(put.stdout, /· 0 made, [1-9]\d* unchanged/, put.output);
      const from = proxy.requests.length;
      const unchanged = await shard1(local, proxy.url);
      assert.equal(unchanged.code, 0, unchanged.output);
      assert.match(unchanged.stdout, /· 0 made, [1-9]\d* unchanged.*\n.*0 taken, 0 put/, unchanged.output);
      assert.deepEqual(proxy.requests.slice(from).filter((r) => r.method === "PUT").map((r) => r.url), [], "nothing put: the pack keeps what the run did not look up");
      assert.deepEqual(await readPackObject(), good);

      // Over a pack that does not read, a run that did not look every original up writes nothing:
      // it cannot tell what the pack held for the others. Here one original's outputs are gone.
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: "{ not json" }));
      await rm(path.join(local, "media", good.records[0]!.hash.slice(0, 12)), { recursive: true });
      const overCorrupt = proxy.requests.length;
      const unread = await shard1(local, proxy.url);
      assert.equal(unread.code, 0, unread.output);
      assert.match(unread.stdout, /0 made, [1-9]\d* unchanged.*\n.*1 taken/, unread.output);
      assert.ok(unread.stderr.includes(`ignored the cache's pack site/${packKey}: not JSON (corrupt)`), unread.stderr);
      assert.deepEqual(proxy.requests.slice(overCorrupt).filter((r) => r.method === "PUT").map((r) => r.url), [], "the pack left as it was");
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${packKey}`, Body: JSON.stringify(good) }));
    } finally {
      await proxy.close();
    }
  });

  test("a shard killed (SIGKILL) while it puts media, then run again: it completes, and no record points at missing media", async () => {
    const proxy = await startFaultProxy(swift.endpoint);
    const dist = path.join(work, "killed");
    try {
      const shard = startRotunda(["process", "--input", gallery, "--output", dist, "--shard", "1/1", "--cache", `s3://${BUCKET}/killed`, "--endpoint", proxy.url], { env });
      let puts = 0;
      proxy.onForwarded = (r) => {
        if (r.method === "PUT" && r.url.includes("/media/") && ++puts === 25) shard.signal("SIGKILL");
      };
      const killed = await shard.exited;
      assert.equal(killed.signal, "SIGKILL", killed.output);
      proxy.onForwarded = undefined;
      await proxy.settled(); // what the shard had sent has landed
      const partial = await assertRecordsComplete("killed/");
      assert.ok(partial < 6, `killed midway: ${partial} records`);

      const rerun = await runRotunda(["process", "--input", gallery, "--output", dist, "--shard", "1/1", "--cache", `s3://${BUCKET}/killed`, "--endpoint", swift.endpoint], { env });
      assert.equal(rerun.code, 0, rerun.output);
      assert.equal(await assertRecordsComplete("killed/"), 6);
      const rendered = await runRotunda(["render", "--input", gallery, "--output", dist]);
      assert.equal(rendered.code, 0, rendered.output);
      assert.deepEqual(await siteFiles(dist), await siteFiles(single));
    } finally {
      await proxy.close();
    }
  });

  test("a run with the cache puts what an earlier run in the same folder made without it, once; a new folder refills a bucket emptied behind its back", async () => {
    const dist = path.join(work, "later");
    const cache = ["--cache", `s3://${BUCKET}/later`, "--endpoint", swift.endpoint];
    const without = await runRotunda(["process", "--input", gallery, "--output", dist], { env });
    assert.equal(without.code, 0, without.output);
    assert.equal((await listKeys("later/")).size, 0);

    const withCache = await runRotunda(["process", "--input", gallery, "--output", dist, ...cache], { env });
    assert.equal(withCache.code, 0, withCache.output);
    assert.match(withCache.stdout, /· 0 made, 6 unchanged/, withCache.output);
    assert.match(withCache.stdout, /cache s3:\/\/\S+: 0 taken, 6 put/, withCache.output);
    assert.equal(await assertRecordsComplete("later/"), 6);

    const again = await runRotunda(["process", "--input", gallery, "--output", dist, ...cache], { env });
    assert.equal(again.code, 0, again.output);
    assert.match(again.stdout, /cache s3:\/\/\S+: 0 taken, 0 put \(0 B\)/, "the folder remembers what it put");

    for (const key of (await listKeys("later/")).keys()) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `later/${key}` }));
    const fresh = await runRotunda(["process", "--input", gallery, "--output", path.join(work, "later-2"), ...cache], { env });
    assert.equal(fresh.code, 0, fresh.output);
    assert.match(fresh.stdout, /· 6 made/, fresh.output);
    assert.match(fresh.stdout, /cache s3:\/\/\S+: 0 taken, 6 put/, fresh.output);
    assert.equal(await assertRecordsComplete("later/"), 6);
  });

  test("records hold no position: a machine that takes one reads the original's GPS itself", async () => {
    const located = path.join(work, "located");
    await mkdir(located, { recursive: true });
    await makeEquirect(path.join(located, "spot.jpg"), 256, 128, 9);
    await writeTags(path.join(located, "spot.jpg"), { GPSLatitude: -33.8568, GPSLongitude: 151.2153 });
    const cache = ["--cache", `s3://${BUCKET}/located`, "--endpoint", swift.endpoint];
    const first = await runRotunda(["process", "--input", located, "--output", path.join(work, "located-a"), ...cache], { env });
    assert.equal(first.code, 0, first.output);
    const records = [...(await listKeys("located/")).keys()].filter(isRecordKey);
    assert.equal(records.length, 1);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `located/${records[0]}` }))).Body!.transformToString();
    assert.doesNotMatch(body, /gps|33\.85|151\.21/i, "no coordinates in the bucket");
    const packs = [...(await listKeys("located/")).keys()].filter((k) => k.startsWith(`${RECORDS_DIR}/packs/`));
    assert.equal(packs.length, 1, "the run's pack");
    const pack = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `located/${packs[0]}` }))).Body!.transformToString();
    assert.doesNotMatch(pack, /gps|33\.85|151\.21/i, "no coordinates in its pack");
    const other = path.join(work, "located-b");
    const second = await runRotunda(["process", "--input", located, "--output", other, ...cache], { env });
    assert.equal(second.code, 0, second.output);
    assert.match(second.stdout, /· 0 made/, second.output);
    assert.deepEqual((await readManifest(other)).panoramas[0]!.gps, { lat: -33.8568, lng: 151.2153 });
  });

  test("a corrupt record and a foreign one are ignored with a warning, and the picture is made again", async () => {
    const dist = path.join(work, "corrupt");
    const first = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", dist, "--cache", `s3://${BUCKET}/site`, "--endpoint", swift.endpoint], { env });
    assert.match(first.stdout, /· 0 made/, "all from the cache");
    const records = [...(await listKeys("site/")).keys()].filter(isRecordKey).sort();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${records[0]}`, Body: "{ not json" }));
    const other = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `site/${records[2]}` }))).Body!.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${records[1]}`, Body: other }));
    // Without the packs, which hold good copies of them, the records are read on their own.
    for (const key of (await listKeys("site/")).keys()) if (key.startsWith(`${RECORDS_DIR}/packs/`)) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `site/${key}` }));
    const fresh = path.join(work, "corrupt-2");
    const second = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", fresh, "--cache", `s3://${BUCKET}/site`, "--endpoint", swift.endpoint], { env });
    assert.equal(second.code, 0, second.output);
    assert.match(second.stdout, /· 2 made/);
    assert.ok(second.stderr.includes(`ignored the cache's record site/${records[0]}: not JSON (corrupt)`), second.stderr);
    assert.match(second.stderr, /ignored the cache's record .*: it is the record of another original or recipe than its key says \(foreign\)/);
    assert.equal(await assertRecordsComplete("site/"), 6, "the two records were put again, whole");
  });
});

describe("deploy and cache under faults", { timeout: 300_000 }, () => {
  let proxy: FaultProxy;
  before(async () => {
    proxy = await startFaultProxy(swift.endpoint, { seed: 7, slowDown: 0.15, reset: 0.1, stall: 0.03 });
  });
  after(() => proxy.close());

  test("503 SlowDown, connections reset mid-body and stalls: the cache and the deploy complete, and the bucket equals dist/", async () => {
    const dist = path.join(work, "faults");
    const timeouts = { idleTimeoutMs: 1000 };
    const cache = await openBucketCache({ url: `s3://${BUCKET}/faults`, endpoint: proxy.url, ...timeouts, upload: { backoffMs: 20 } });
    const output = await OutputFolder.open({ outputDir: dist, inputDir: gallery, command: "test" });
    try {
      const report = await buildSite({ inputDir: gallery, output, config: parseConfig({}), store: cache });
      assert.deepEqual(report.process.storeFailed, []);
      assert.equal(report.process.made.length, 6);
    } finally {
      await output.close();
      cache.close();
    }
    assert.equal(await assertRecordsComplete("faults/"), 6);
    const result = await deploy({ distDir: dist, target: parseS3Url(`s3://${BUCKET}/faults`), endpoint: proxy.url, prune: true, ...timeouts, upload: { backoffMs: 20 } });
    assert.deepEqual(result.failed, []);
    const faults = proxy.requests.filter((r) => r.fault);
    for (const kind of ["slowDown", "reset", "stall"] as const) assert.ok(faults.some((f) => f.fault === kind), `some requests met a ${kind}`);
    await assertBucketEqualsSite("faults/", dist);
  });

  test("with every request failing, the commands exit non-zero naming the endpoint, and print no secret", async () => {
    proxy.configure({ failAll: true });
    try {
      const dist = path.join(work, "faults");
      const deployed = await runRotunda(["deploy", "--to", `s3://${BUCKET}/faults`, "--endpoint", proxy.url, "--dir", dist], { env });
      assert.equal(deployed.code, 2, deployed.output);
      assert.equal(deployed.stderr, `rotunda deploy: ${proxy.url} keeps failing (SlowDown, HTTP 503): try again later\n`);
      const built = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", path.join(work, "down"), "--cache", `s3://${BUCKET}/faults`, "--endpoint", proxy.url], { env });
      assert.equal(built.code, 2, built.output);
      assert.equal(built.stderr, `rotunda build: cache s3://${BUCKET}/faults: ${proxy.url} keeps failing (SlowDown, HTTP 503): try again later\n`);
      for (const output of [deployed.output, built.output]) assert.ok(!output.includes(swift.secretAccessKey), "no secret printed");
      await assert.rejects(stat(path.join(work, "down")), "nothing was written before the cache was found unusable");
    } finally {
      proxy.configure({ failAll: false });
    }
  });
});
