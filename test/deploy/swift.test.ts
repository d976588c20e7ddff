// The deploy stage against a real S3-compatible server: OpenStack Swift with its
// S3 API, started on 127.0.0.1 for this file (test/support/swift.ts). It fails,
// not skips, when Swift is not installed.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CACHE_HTML,
  CACHE_IMMUTABLE,
  CACHE_SHORT,
  MIB,
  createS3Client,
  deploy,
  parseS3Url,
  type DeployOptions,
} from "../../src/deploy/index.ts";
import { listRemote } from "../../src/deploy/plan.ts";
import { freePort } from "../../src/ports.ts";
import { runRotunda, startRotunda } from "../support/cli.ts";
import { startSwift, type SwiftS3 } from "../support/swift.ts";

const BUCKET = "rotunda-site";
let swift: SwiftS3;
let s3: S3Client;
let tmp: string;
const savedEnv = { ...process.env };

type Files = Record<string, string | Buffer>;

async function makeSite(name: string, files: Files): Promise<string> {
  const dir = path.join(tmp, name);
  await rm(dir, { recursive: true, force: true });
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
  return dir;
}

async function listKeys(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key!.slice(prefix.length), o.ETag ?? "");
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

const run = (opts: Omit<DeployOptions, "endpoint" | "target"> & { to: string }) =>
  deploy({ ...opts, target: parseS3Url(opts.to), endpoint: swift.endpoint });

/** `rotunda deploy` against Swift, run in a child process as a user would. */
const runDeploy = (args: string[], env: NodeJS.ProcessEnv = {}) => runRotunda(["deploy", "--endpoint", swift.endpoint, ...args], { env });

/** Records every S3 command the client sends; `fail` makes chosen ones fail like a 503 would. */
function recordingClient(log: string[], fail?: (command: string | undefined, key: string | undefined) => boolean): S3Client {
  const client = createS3Client({ endpoint: swift.endpoint, maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key;
      log.push(`${context.commandName}:${key ?? ""}`);
      if (fail?.(context.commandName, key)) {
        throw Object.assign(new Error("injected failure"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: "initialize", name: "recordForTest" },
  );
  return client;
}

const jpeg = (seed: string, size = 2048) => Buffer.concat([Buffer.from(seed), randomBytes(size)]);
const md5 = (b: Buffer | string) => createHash("md5").update(b).digest("hex");

// Version 1 of a small gallery: two panoramas, hall and yard.
const hall1 = { "media/hall-aaaaaaaaa1-1024-q80.jpg": jpeg("hall1"), "media/hall-aaaaaaaaa1.json": '{"v":1}', "media/tiles/hall-aaaaaaaaa1/1/f0_0.jpg": jpeg("t1", 300) };
const yard1 = { "media/yard-bbbbbbbbb2-1024-q80.jpg": jpeg("yard1"), "media/yard-bbbbbbbbb2.json": '{"v":2}' };
const common = {
  "assets/viewer-3fa2b1c9.js": "console.log(1)",
  "assets/viewer-3fa2b1c9.css": "body{}",
  "404.html": "<h1>not found</h1>",
  "robots.txt": "Sitemap: /sitemap.xml",
  "sitemap.xml": "<urlset/>",
  ".rotunda/manifest.json": "{}",
  "index.html.br": "compressed",
};
const v1: Files = {
  ...common,
  ...hall1,
  ...yard1,
  "index.html": "<a href=/hall/><img src=/media/hall-aaaaaaaaa1-1024-q80.jpg></a><a href=/yard/>",
  "hall/index.html": "<img src=/media/hall-aaaaaaaaa1-1024-q80.jpg>",
  "yard/index.html": "<img src=/media/yard-bbbbbbbbb2-1024-q80.jpg>",
};
const V1_DEPLOYED = Object.keys(v1).filter((k) => !k.startsWith(".") && !k.endsWith(".br")).sort();

// Version 2: the hall picture replaced (new hash), so its page and the home page change.
const hall2 = { "media/hall-ccccccccc3-1024-q80.jpg": jpeg("hall2"), "media/hall-ccccccccc3.json": '{"v":3}', "media/tiles/hall-ccccccccc3/1/f0_0.jpg": jpeg("t2", 300) };
const v2: Files = {
  ...common,
  ...hall2,
  ...yard1,
  "index.html": "<a href=/hall/><img src=/media/hall-ccccccccc3-1024-q80.jpg></a><a href=/yard/>",
  "hall/index.html": "<img src=/media/hall-ccccccccc3-1024-q80.jpg>",
  "yard/index.html": v1["yard/index.html"] as string,
};

describe("the Swift test server", () => {
  it("fails (not skips) with an install hint when Swift is missing", async () => {
    await assert.rejects(startSwift({ binDir: path.join(os.tmpdir(), "no-swift-here") }), /OpenStack Swift is not installed .*apt-get install -y swift swift-proxy/);
  });
});

describe("deploy to an endpoint that is down", () => {
  it("is one line naming the endpoint, exit 2", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "rotunda-deploy-down-"));
    try {
      await writeFile(path.join(dir, "index.html"), "<h1>hello</h1>");
      const closed = `http://127.0.0.1:${await freePort()}`;
      const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test-secret", AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" };
      const { code, stdout, stderr } = await runRotunda(["deploy", "--endpoint", closed, "--to", `s3://${BUCKET}/www`, "--dir", dir], { env });
      assert.equal(stderr, `rotunda deploy: cannot reach ${closed}: connection refused\n`);
      assert.equal(stdout, "");
      assert.equal(code, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("deploy to Swift's S3 API", { timeout: 150_000 }, () => {
  before(async () => {
    swift = await startSwift();
    tmp = await mkdtemp(path.join(os.tmpdir(), "rotunda-deploy-"));
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: swift.accessKeyId,
      AWS_SECRET_ACCESS_KEY: swift.secretAccessKey,
      AWS_REGION: swift.region,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    s3 = createS3Client({ endpoint: swift.endpoint });
    // Swift can answer before its account is ready: retry the first request.
    for (let i = 0; ; i++) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
        break;
      } catch (error) {
        if (i > 50) throw error;
        await sleep(200);
      }
    }
  });
  after(async () => {
    s3?.destroy();
    await swift?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
    process.env = savedEnv;
  });

  it("first deploy uploads every site file, never state, _headers or .br siblings", async () => {
    const dir = await makeSite("v1", v1);
    const result = await run({ distDir: dir, to: `s3://${BUCKET}/www` });
    assert.deepEqual(result.failed, []);
    assert.deepEqual([...result.uploaded].sort(), V1_DEPLOYED.map((k) => `www/${k}`));
    assert.deepEqual([...(await listKeys("www/")).keys()].sort(), V1_DEPLOYED);
    assert.equal(result.bytesUploaded > 4096, true);
  });

  it("objects carry the Content-Type and Cache-Control the rules ask for", async () => {
    const expect: Record<string, [string, string]> = {
      "media/hall-aaaaaaaaa1-1024-q80.jpg": ["image/jpeg", CACHE_IMMUTABLE],
      "media/hall-aaaaaaaaa1.json": ["application/json; charset=utf-8", CACHE_IMMUTABLE],
      "media/tiles/hall-aaaaaaaaa1/1/f0_0.jpg": ["image/jpeg", CACHE_IMMUTABLE],
      "assets/viewer-3fa2b1c9.js": ["text/javascript; charset=utf-8", CACHE_IMMUTABLE],
      "assets/viewer-3fa2b1c9.css": ["text/css; charset=utf-8", CACHE_IMMUTABLE],
      "index.html": ["text/html; charset=utf-8", CACHE_HTML],
      "hall/index.html": ["text/html; charset=utf-8", CACHE_HTML],
      "sitemap.xml": ["application/xml; charset=utf-8", CACHE_SHORT],
      "robots.txt": ["text/plain; charset=utf-8", CACHE_SHORT],
    };
    for (const [rel, [type, cache]] of Object.entries(expect)) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `www/${rel}` }));
      assert.equal(head.ContentType, type, rel);
      assert.equal(head.CacheControl, cache, rel);
      assert.equal(head.Metadata?.["rotunda-md5"], md5(v1[rel] as Buffer | string), rel);
    }
  });

  it("a second deploy with nothing changed uploads nothing", async () => {
    const result = await run({ distDir: path.join(tmp, "v1"), to: `s3://${BUCKET}/www` });
    assert.deepEqual(result.uploaded, []);
    assert.equal(result.unchanged, V1_DEPLOYED.length);
    assert.deepEqual(result.plan.stale, []);
  });

  it("--dry-run plans the change and touches nothing", async () => {
    const dir = await makeSite("v2", v2);
    const beforeKeys = await listKeys("www/");
    const result = await run({ distDir: dir, to: `s3://${BUCKET}/www`, dryRun: true, prune: true });
    assert.equal(result.dryRun, true);
    assert.equal(result.plan.uploads.length, 5);
    assert.equal(result.plan.stale.length, 3);
    assert.deepEqual(result.uploaded, []);
    assert.deepEqual(result.deleted, []);
    assert.deepEqual(await listKeys("www/"), beforeKeys);
  });

  it("changing one picture uploads only its files and the pages that show it, pages after media", async () => {
    const log: string[] = [];
    const client = recordingClient(log);
    const result = await deploy({
      distDir: path.join(tmp, "v2"),
      target: parseS3Url(`s3://${BUCKET}/www`),
      clients: { meta: createS3Client({ endpoint: swift.endpoint }), upload: client },
    });
    assert.deepEqual(result.failed, []);
    const expected = [...Object.keys(hall2), "hall/index.html", "index.html"].map((k) => `www/${k}`);
    assert.deepEqual([...result.uploaded].sort(), expected.sort());
    const puts = log.filter((l) => l.startsWith("PutObjectCommand:")).map((l) => l.slice("PutObjectCommand:".length));
    assert.deepEqual(puts.slice(-2), ["www/hall/index.html", "www/index.html"], "the new page, then the home page, go up last");
    // Without --prune the old picture stays (a cached old page may still ask for it).
    const keys = await listKeys("www/");
    assert.ok(keys.has("media/hall-aaaaaaaaa1-1024-q80.jpg"));
    assert.deepEqual(result.deleted, []);
    assert.equal(result.plan.stale.length, 3);
  });

  it("--prune deletes only what the build no longer has, after the new pages are up", async () => {
    // Version 3: the yard picture replaced too.
    const yard3 = { "media/yard-ddddddddd4-1024-q80.jpg": jpeg("yard3"), "media/yard-ddddddddd4.json": '{"v":4}' };
    const v3: Files = { ...v2, ...yard3, "yard/index.html": "<img src=/media/yard-ddddddddd4-1024-q80.jpg>" };
    for (const k of Object.keys(yard1)) delete v3[k];
    const dir = await makeSite("v3", v3);
    const log: string[] = [];
    const client = recordingClient(log);
    const result = await deploy({
      distDir: dir,
      target: parseS3Url(`s3://${BUCKET}/www`),
      prune: true,
      clients: { meta: createS3Client({ endpoint: swift.endpoint }), upload: client },
    });
    assert.deepEqual(result.failed, []);
    assert.deepEqual([...result.deleted].sort(), [...Object.keys(hall1), ...Object.keys(yard1)].map((k) => `www/${k}`).sort());
    const lastPut = log.findLastIndex((l) => l.startsWith("PutObjectCommand:"));
    const firstDelete = log.findIndex((l) => l.startsWith("DeleteObjectCommand:"));
    assert.ok(lastPut >= 0 && firstDelete > lastPut, `deletes come after every upload:\n${log.join("\n")}`);
    const expectedKeys = Object.keys(v3).filter((k) => !k.startsWith(".") && !k.endsWith(".br")).sort();
    assert.deepEqual([...(await listKeys("www/")).keys()].sort(), expectedKeys);
  });

  it("a failed upload stops the later phases, and a rerun completes the deploy", async () => {
    const dir = path.join(tmp, "v1");
    const failing = "half/media/yard-bbbbbbbbb2-1024-q80.jpg";
    const log: string[] = [];
    const client = recordingClient(log, (command, key) => command === "PutObjectCommand" && key === failing);
    const first = await deploy({
      distDir: dir,
      target: parseS3Url(`s3://${BUCKET}/half`),
      prune: true,
      upload: { attempts: 3, backoffMs: 5 },
      clients: { meta: createS3Client({ endpoint: swift.endpoint }), upload: client },
    });
    assert.deepEqual(first.failed.map((f) => f.key), [failing]);
    assert.equal(log.filter((l) => l === `PutObjectCommand:${failing}`).length, 3, "retried with backoff");
    assert.deepEqual(first.skippedPhases, ["pages", "home", "feeds"]);
    const partial = await listKeys("half/");
    assert.ok(![...partial.keys()].some((k) => k.endsWith(".html") || k === "sitemap.xml"), "no page went up");
    assert.equal(partial.size, V1_DEPLOYED.filter((k) => !k.endsWith(".html") && k !== "sitemap.xml" && k !== "robots.txt").length - 1);

    const second = await run({ distDir: dir, to: `s3://${BUCKET}/half` });
    assert.deepEqual(second.failed, []);
    assert.equal(second.uploaded.length, V1_DEPLOYED.length - partial.size);
    assert.ok(second.uploaded.includes(failing));
    assert.deepEqual([...(await listKeys("half/")).keys()].sort(), V1_DEPLOYED);
  });

  it("a deploy killed midway (SIGKILL) completes when run again", async () => {
    const files: Files = { "index.html": "<h1>many</h1>", "p/index.html": "<p>page</p>" };
    for (let i = 0; i < 120; i++) files[`media/p${i}-${md5(String(i)).slice(0, 10)}-512-q80.jpg`] = jpeg(`p${i}`, 512);
    const dir = await makeSite("many", files);
    const total = Object.keys(files).length;
    // A relay between the CLI and Swift counts the server's responses and kills
    // the CLI after the 30th: one listing, then 29 uploads (at concurrency 1).
    let responses = 0;
    let kill = () => {};
    const relay = net.createServer((client) => {
      const server = net.connect(Number(new URL(swift.endpoint).port), "127.0.0.1");
      client.pipe(server);
      server.on("data", (chunk: Buffer) => {
        responses += chunk.toString("latin1").split("HTTP/1.1 ").length - 1;
        if (responses >= 30) kill();
        else client.write(chunk);
      });
      client.on("error", () => server.destroy());
      server.on("error", () => client.destroy());
      client.on("close", () => server.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const relayUrl = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    try {
      const running = startRotunda(["deploy", "--endpoint", relayUrl, "--to", `s3://${BUCKET}/killed`, "--dir", dir, "--concurrency", "1"]);
      kill = () => running.signal("SIGKILL");
      const killed = await running.exited;
      assert.equal(killed.code, null, `the deploy was not killed: ${killed.stdout}${killed.stderr}`);
    } finally {
      relay.close();
    }
    await sleep(300); // let a request the server already has finish
    const landed = await listKeys("killed/");
    assert.ok(landed.size >= 25 && landed.size < total, `${landed.size} of ${total} files landed before the kill`);
    assert.ok(!landed.has("index.html") && !landed.has("p/index.html"), "no page before the media");

    const rerun = await runDeploy(["--to", `s3://${BUCKET}/killed`, "--dir", dir, "--prune"]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, new RegExp(`uploaded ${total - landed.size} \\(.*unchanged ${landed.size},`));
    // The bucket equals the site: the same keys, each with the file's bytes.
    const keys = await listKeys("killed/");
    assert.deepEqual([...keys.keys()].sort(), Object.keys(files).sort());
    for (const [rel, body] of Object.entries(files)) assert.equal(keys.get(rel), `"${md5(body)}"`, rel);
  });

  it("a multipart upload round-trips byte-identical and is recognised as unchanged after", async () => {
    const big = randomBytes(11 * MIB + 12345);
    const dir = await makeSite("big", { "media/big-eeeeeeeee5-8192-q90.jpg": big, "index.html": "big" });
    const upload = { multipartThreshold: 5 * MIB, partSize: 5 * MIB };
    const first = await run({ distDir: dir, to: `s3://${BUCKET}/big`, upload });
    assert.deepEqual(first.failed, []);
    assert.equal(first.bytesUploaded, big.length + 3);
    const key = "big/media/big-eeeeeeeee5-8192-q90.jpg";
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.match(head.ETag ?? "", /-3"$/, "went up as three parts");
    assert.equal(head.ContentType, "image/jpeg");
    assert.equal(head.CacheControl, CACHE_IMMUTABLE);
    assert.equal(head.ContentLength, big.length);
    const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
    assert.equal(md5(got), md5(big), "byte-identical");

    const again = await run({ distDir: dir, to: `s3://${BUCKET}/big`, upload });
    assert.deepEqual(again.uploaded, [], "multipart object compared by its stored MD5");

    big[7 * MIB] = (big[7 * MIB]! + 1) % 256; // same size, other content
    await writeFile(path.join(dir, "media/big-eeeeeeeee5-8192-q90.jpg"), big);
    const changed = await run({ distDir: dir, to: `s3://${BUCKET}/big`, upload });
    assert.deepEqual(changed.uploaded, [key]);
  });

  it("a multipart part damaged on its way is refused by the server, and the object does not land", async () => {
    const big = randomBytes(6 * MIB + 100);
    const dir = await makeSite("damaged", { "media/big-fffffffff6-8192-q90.jpg": big, "index.html": "damaged" });
    // Flips one byte of each part's body after the request is signed, as a bad link would.
    const damaging = createS3Client({ endpoint: swift.endpoint, maxAttempts: 1 });
    damaging.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { body?: unknown };
        if (context.commandName === "UploadPartCommand" && Buffer.isBuffer(request.body)) {
          const body = Buffer.from(request.body);
          body[0] = (body[0]! + 1) % 256;
          request.body = body;
        }
        return next(args);
      },
      { step: "deserialize", name: "damagePartForTest" },
    );
    const result = await deploy({
      distDir: dir,
      target: parseS3Url(`s3://${BUCKET}/damaged`),
      upload: { multipartThreshold: 5 * MIB, partSize: 5 * MIB },
      clients: { meta: damaging, upload: createS3Client({ endpoint: swift.endpoint, maxAttempts: 1 }) },
    });
    assert.deepEqual(result.failed.map((f) => f.key), ["damaged/media/big-fffffffff6-8192-q90.jpg"]);
    assert.match(result.failed[0]!.error, /BadDigest/);
    assert.deepEqual([...(await listKeys("damaged/")).keys()], [], "neither the picture nor the page that shows it");
  });

  it("the bucket listing follows continuation tokens page by page", async () => {
    const target = parseS3Url(`s3://${BUCKET}/www`);
    const paged = await listRemote(s3, target, 2);
    const whole = await listKeys("www/");
    assert.ok(whole.size > 4, "several pages of two");
    assert.deepEqual([...paged.keys()].sort(), [...whole.keys()].map((k) => `www/${k}`).sort());
  });

  it("a wrong secret is a one-line error naming the endpoint, without the secret; exit 2", async () => {
    const secret = "wrong-secret-0123456789";
    const { code, stdout, stderr } = await runDeploy(["--to", `s3://${BUCKET}/www`, "--dir", path.join(tmp, "v1")], { AWS_SECRET_ACCESS_KEY: secret });
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, `rotunda deploy: credentials rejected by ${swift.endpoint} (SignatureDoesNotMatch)\n`);
    assert.ok(!stderr.includes(secret));
  });

  it("a missing bucket is a one-line error; exit 2", async () => {
    const { code, stderr } = await runDeploy(["--to", "s3://no-such-bucket/www", "--dir", path.join(tmp, "v1")]);
    assert.equal(code, 2);
    assert.equal(stderr, `rotunda deploy: bucket "no-such-bucket" does not exist at ${swift.endpoint}\n`);
  });

  it("a bad s3 URL or a missing dir is a usage error; exit 2", async () => {
    const bad = await runDeploy(["--to", "https://bucket/x", "--dir", path.join(tmp, "v1")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^rotunda deploy: not an s3 URL: "https:\/\/bucket\/x"/);
    const missing = await runDeploy(["--to", `s3://${BUCKET}/www`, "--dir", path.join(tmp, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /is not a directory/);
  });

  it("the CLI prints a --dry-run's plan phase by phase, and a deploy's one-line summary", async () => {
    const dry = await runDeploy(["--to", `s3://${BUCKET}/www`, "--dir", path.join(tmp, "v1"), "--dry-run", "--prune"]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^assets:\n  upload www\/media\/hall-aaaaaaaaa1-1024-q80\.jpg \(new, /m);
    assert.match(dry.stdout, /^prune:\n  delete www\/media\/hall-ccccccccc3-1024-q80\.jpg$/m);
    assert.match(dry.stdout, /dry run for s3:\/\/rotunda-site\/www: would upload \d+ \(.*\), unchanged \d+, would delete \d+\n$/);
    const ok = await runDeploy(["--to", `s3://${BUCKET}/www`, "--dir", path.join(tmp, "v3")]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^deploy to s3:\/\/rotunda-site\/www: uploaded 0 \(0 B\), unchanged \d+, deleted 0, failed 0, in [\d.]+ s\n$/);
  });
});
