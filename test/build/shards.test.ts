// Sharded processing end to end, as a publisher (or a CI matrix) runs it:
// `rotunda process --shard k/n` three times, at the same time into one output
// folder or each into its own folder gathered afterwards, then `rotunda render`,
// must give the very site one `rotunda build` gives, byte for byte.
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { runRotunda, startRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";

let work: string;
let gallery: string;
let single: string;

/** Every file below `dir` (the state folder left out unless asked) → its bytes. */
async function filesOf(dir: string, withState = false): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const rel of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const abs = path.join(rel.parentPath, rel.name);
    const relPath = path.relative(dir, abs);
    if (!withState && relPath.startsWith(".rotunda")) continue;
    out.set(relPath, await readFile(abs));
  }
  return out;
}

async function assertSameSite(actual: string, expected: string): Promise<void> {
  const [a, e] = await Promise.all([filesOf(actual), filesOf(expected)]);
  assert.deepEqual([...a.keys()].sort(), [...e.keys()].sort(), "the same files");
  for (const [rel, bytes] of e) assert.ok(a.get(rel)!.equals(bytes), `${rel} has the same bytes`);
  assert.equal(await readFile(path.join(actual, ".rotunda/manifest.json"), "utf8"), await readFile(path.join(expected, ".rotunda/manifest.json"), "utf8"), "the same manifest");
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-shards-"));
  gallery = path.join(work, "gallery");
  await mkdir(path.join(gallery, "yard"), { recursive: true });
  // Two pictures named alike in two folders, a wished slug, an identical copy, a draft and a file that is no picture:
  // the slugs depend on the whole gallery, which no shard sees alone.
  for (let i = 0; i < 7; i++) await makeEquirect(path.join(gallery, `${i < 4 ? "" : "yard/"}pano-${i % 4}.jpg`), 256, 128, i + 1);
  await cp(path.join(gallery, "pano-0.jpg"), path.join(gallery, "yard/copy.jpg"));
  await writeFile(path.join(gallery, "pano-1.md"), "---\ntitle: Loading bay\nslug: assets\n---\nThe east side.");
  await writeFile(path.join(gallery, "pano-2.md"), "---\ndraft: true\nslug: store\n---\n");
  await writeFile(path.join(gallery, "notes.jpg"), "not a picture");
  // Albums, tags, a place and tour links, which also span shards: a link to a picture another shard makes, and one to the draft.
  await writeFile(path.join(gallery, "yard/_album.md"), "---\ntitle: The yard\n---\nWhere the trucks wait.\n");
  await writeFile(path.join(gallery, "pano-3.md"), "---\ntags: [office]\nplace: Gate\n---\n");
  await writeFile(path.join(gallery, "yard/pano-0.md"), "---\nplace: Gate\ntags: [office, yard]\nlinks:\n  - { to: pano-3, yaw: 10, pitch: 0, label: Office }\n  - { to: store, yaw: 90, pitch: 0, label: Store }\n---\n");
  // A page of the publisher's own, which the render reads from the gallery folder.
  await writeFile(path.join(gallery, "about.md"), "---\ntitle: About us\n---\nWho shoots these.\n");
  single = path.join(work, "single");
  const built = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", single]);
  assert.equal(built.code, 1, built.output);
});
after(() => rm(work, { recursive: true, force: true }));

describe("shards, then render", { timeout: 180_000 }, () => {
  test("three shards at the same time into one folder, then a render: the same site as one build, byte for byte", async () => {
    const dist = path.join(work, "shared");
    const shards = [1, 2, 3].map((k) => startRotunda(["process", "--input", gallery, "--output", dist, "--shard", `${k}/3`]));
    const results = await Promise.all(shards.map((s) => s.exited));
    const picturesMade = results.map((r) => Number(/· (\d+) made/.exec(r.stdout)?.[1]));
    // Eight originals, one an identical copy of another (same bytes, same shard, made once).
    assert.equal(picturesMade.reduce((a, b) => a + b, 0), 7, `each original made by one shard only:\n${results.map((r) => r.output).join("\n")}`);
    assert.ok(results.every((r) => r.code === 0 || r.code === 1), results.map((r) => r.output).join("\n"));
    assert.equal(results.filter((r) => /notes\.jpg/.test(r.stdout)).length, 1, "the file that is no picture is reported by one shard");

    const rendered = await runRotunda(["render", "--input", gallery, "--output", dist]);
    assert.equal(rendered.code, 1, rendered.output);
    assert.match(rendered.stdout, /render: 7 panoramas from 3 partial manifests, 1 failed/);
    assert.match(rendered.stderr, /warning: pano-1\.jpg: slug "assets" is a name the gallery's own pages use/, "slug warnings come from the merge");
    assert.equal(rendered.stderr.match(/links\[1\]\.to: "store" is not published/g)?.length, 1, "a link to another shard's draft waits, said once");
    const manifest = JSON.parse(await readFile(path.join(dist, ".rotunda/manifest.json"), "utf8")) as { gallery: { albums: Array<{ path: string; title?: string }> }; panoramas: Array<{ source: { path: string }; links?: Array<{ to: string }> }> };
    assert.deepEqual(manifest.panoramas.find((p) => p.source.path === "yard/pano-0.jpg")!.links?.map((l) => l.to), ["pano-3"]);
    assert.equal(manifest.gallery.albums.find((a) => a.path === "yard")?.title, "The yard");
    await assertSameSite(dist, single);
    assert.match((await filesOf(dist)).get("about/index.html")?.toString() ?? "", /Who shoots these\./, "the publisher's own page is rendered from the gallery folder");
    assert.deepEqual(await readdir(path.join(dist, ".rotunda/shards")), [], "the partial manifests are spent");
    assert.ok(!(await readdir(path.join(dist, ".rotunda"))).some((n) => n.endsWith(".journal")), "the build is complete");
  });

  test("each shard in a folder of its own, in any order, gathered by copying the folders into one: the same site", async () => {
    const parts = [3, 1, 2].map((k) => ({ k, dir: path.join(work, `part-${k}`) }));
    for (const { k, dir } of parts) {
      const result = await runRotunda(["process", "--input", gallery, "--output", dir, "--shard", `${k}/3`]);
      assert.ok(result.code === 0 || result.code === 1, result.output);
    }
    // Gathering, as CI artifacts are: every shard's folder copied into one (no file of one overwrites another's).
    const gathered = path.join(work, "gathered");
    await mkdir(gathered);
    const seen = new Set<string>();
    for (const { dir } of parts) {
      for (const rel of (await filesOf(dir, true)).keys()) {
        assert.ok(!seen.has(rel) || rel.startsWith("media/"), `${rel} is written by two shards`);
        seen.add(rel);
      }
      await cp(dir, gathered, { recursive: true });
    }
    const rendered = await runRotunda(["render", "--input", gallery, "--output", gathered]);
    assert.equal(rendered.code, 1, rendered.output);
    await assertSameSite(gathered, single);
    // A build there afterwards makes nothing: every output is found.
    const rebuilt = await runRotunda(["build", "--no-pull", "--input", gallery, "--output", gathered]);
    assert.match(rebuilt.stdout, /· 0 made, 8 unchanged, 1 failed/, rebuilt.output);
    await assertSameSite(gathered, single);
  });

  test("a render with a shard missing is refused, naming it, and changes nothing", async () => {
    const dist = path.join(work, "missing");
    for (const k of [1, 3]) await runRotunda(["process", "--input", gallery, "--output", dist, "--shard", `${k}/3`]);
    const before = await filesOf(dist, true);
    const rendered = await runRotunda(["render", "--input", gallery, "--output", dist]);
    assert.equal(rendered.code, 2);
    assert.match(rendered.stderr, /^rotunda render: shard 2\/3 missing: run `rotunda process --shard 2\/3`/);
    assert.deepEqual(await filesOf(dist, true), before, "every file as it was, bytes included");
    const deploy = await runRotunda(["deploy", "--to", "s3://bucket/site", "--endpoint", "http://127.0.0.1:9", "--dir", dist]);
    assert.equal(deploy.code, 2);
    assert.match(deploy.stderr, /did not finish/, "shards without their render are an unfinished build to deploy");
  });

  test("a render without the gallery folder, whose own pages it reads, is a usage error naming it", async () => {
    const missing = path.join(work, "no-such-gallery");
    const result = await runRotunda(["render", "--input", missing, "--output", single]);
    assert.equal(result.code, 2, result.output);
    assert.ok(result.stderr.includes(`gallery folder ${missing} does not exist`), result.stderr);
  });

  test("a bad --shard is a usage error", async () => {
    const result = await runRotunda(["process", "--input", gallery, "--output", path.join(work, "bad"), "--shard", "4/3"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--shard "4\/3": k must be from 1 to n/);
  });
});
