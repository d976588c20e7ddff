// Builds stopped at 20 spread-out moments (SIGKILL and Ctrl-C in turn), each
// followed by a deploy attempt, a full build and a `deploy --prune` to a real S3
// server (OpenStack Swift): at no point may the bucket hold a page that refers to
// an object it does not have, and in the end the bucket equals dist/.
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createS3Client, deploy, DeployError, listSiteFiles, parseS3Url } from "../../src/deploy/index.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect } from "../support/pictures.ts";
import { runRotunda, startRotunda } from "../support/cli.ts";
import { startSwift, type SwiftS3 } from "../support/swift.ts";

const BUCKET = "interrupted";
const PREFIX = "site/";
let swift: SwiftS3;
let s3: S3Client;
let work: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  swift = await startSwift();
  env = { AWS_ACCESS_KEY_ID: swift.accessKeyId, AWS_SECRET_ACCESS_KEY: swift.secretAccessKey, AWS_REGION: swift.region };
  s3 = createS3Client({ endpoint: swift.endpoint, region: swift.region });
  Object.assign(process.env, env);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  work = await mkdtemp(path.join(os.tmpdir(), "rotunda-interrupted-"));
});
after(async () => {
  s3?.destroy();
  await swift?.stop();
  await rm(work, { recursive: true, force: true });
});

/** Every object under the prefix, with the bytes of its pages (and of everything when `bodies` is "all"). */
async function bucket(bodies: "pages" | "all" = "pages"): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const key = o.Key!.slice(PREFIX.length);
      if (bodies === "pages" && !key.endsWith(".html")) {
        out.set(key, Buffer.alloc(0));
        continue;
      }
      const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
      out.set(key, Buffer.from(await body.Body!.transformToByteArray()));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Site-local URLs in a page: src/href attributes and the paths in the viewer's data (tile templates aside). */
function localUrls(html: string): string[] {
  const urls = [...html.matchAll(/\s(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]!);
  const data = /id="rotunda-viewer-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (data) urls.push(...[...data.matchAll(/"(\/[^"%]+)"/g)].map((m) => m[1]!));
  return urls.filter((u) => !u.startsWith("//")).map((u) => u.split(/[?#]/)[0]!);
}

/** Pages in the bucket whose local URLs name no object there. */
function missingReferences(objects: Map<string, Buffer>): string[] {
  const keys = [...objects.keys()];
  const missing: string[] = [];
  for (const [key, body] of objects) {
    if (!key.endsWith(".html")) continue;
    for (const url of localUrls(body.toString("utf8"))) {
      const rel = decodeURIComponent(url.slice(1));
      const found = rel === "" || rel.endsWith("/") ? objects.has(`${rel}index.html`) : objects.has(rel) || keys.some((k) => k.startsWith(`${rel}/`));
      if (!found) missing.push(`${key} → ${url}`);
    }
  }
  return missing;
}

test("20 interrupted builds, each followed by deploys with --prune: the bucket never holds a page pointing at a missing object", async () => {
  const gallery = path.join(work, "gallery");
  const dist = path.join(work, "dist");
  await mkdir(gallery);
  await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ process: { qualities: [85, 70], sizes: [512], socialCard: false } }));
  for (let i = 0; i < 3; i++) await makeEquirect(path.join(gallery, `spot-${i}.jpg`), 1024, 512, i + 1);
  // The command once, to show the whole way works; the rounds call the same functions in this process.
  const deployCommand = () => runRotunda(["deploy", "--dir", dist, "--to", `s3://${BUCKET}/${PREFIX}`, "--endpoint", swift.endpoint, "--prune"], { env });
  const deploySite = async (): Promise<{ refused?: string }> => {
    try {
      const result = await deploy({ distDir: dist, target: parseS3Url(`s3://${BUCKET}/${PREFIX}`), endpoint: swift.endpoint, prune: true });
      assert.deepEqual(result.failed, []);
      return {};
    } catch (error) {
      if (error instanceof DeployError && error.kind === "site") return { refused: error.message };
      throw error;
    }
  };
  const settings = JSON.parse(await readFile(path.join(gallery, "rotunda.json"), "utf8")) as object;

  const started = performance.now();
  const first = await runRotunda(["build", "--input", gallery, "--output", dist]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const buildMs = performance.now() - started;
  const deployed = await deployCommand();
  assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);

  // Each round changes the gallery so the build has real work: new bytes, a new picture, one removed, a caption.
  const changes = [
    (i: number) => makeEquirect(path.join(gallery, `spot-${i % 3}.jpg`), 1024, 512, 100 + i),
    (i: number) => makeEquirect(path.join(gallery, `extra-${i}.jpg`), 1024, 512, 200 + i),
    async (i: number) => rm(path.join(gallery, `extra-${i - 1}.jpg`), { force: true }),
    (i: number) => writeFile(path.join(gallery, `spot-${i % 3}.md`), `---\ntitle: Spot ${i % 3}, round ${i}\n---\nCaption of round ${i}.\n`),
  ];
  for (let round = 0; round < 20; round++) {
    await changes[round % changes.length]!(round);
    const signal = round % 2 === 0 ? "SIGKILL" : "SIGINT";
    const running = startRotunda(["build", "--input", gallery, "--output", dist]);
    await new Promise((resolve) => setTimeout(resolve, (buildMs * (round + 0.5)) / 20));
    running.signalGroup(signal);
    const { code } = await running.exited;
    const live = await bucket();
    // Straight after the interruption, a deploy either refuses or finds a finished build.
    const early = await deploySite();
    if (early.refused) {
      assert.match(early.refused, /did not finish/, `round ${round} (${signal}, exit ${code})`);
      assert.deepEqual([...(await bucket()).keys()].sort(), [...live.keys()].sort(), "a refused deploy changes nothing");
    }
    assert.deepEqual(missingReferences(await bucket()), [], `round ${round}: after the deploy that followed the interruption`);

    const rebuilt = await buildOnce(gallery, dist, settings);
    assert.deepEqual(rebuilt.process.failed, [], `round ${round}`);
    assert.deepEqual(await deploySite(), {}, `round ${round}: the finished build deploys`);
    assert.deepEqual(missingReferences(await bucket()), [], `round ${round}: after the full build's deploy`);
  }

  const objects = await bucket("all");
  const local = await listSiteFiles(dist);
  assert.deepEqual([...objects.keys()].sort(), local.map((f) => f.relPath).sort(), "the bucket holds exactly what dist/ holds");
  for (const f of local) {
    const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
    assert.equal(md5(objects.get(f.relPath)!), md5(await readFile(f.absPath)), `${f.relPath} has dist/'s bytes`);
  }
});
