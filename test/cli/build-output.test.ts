// What `rotunda build` does to the folder it builds into, tried as an unlucky or
// hostile user would: someone else's files there, a build stopped halfway, two
// builds at once, names that clash with Rotunda's own folders, pictures that all
// fail, a disk that fills up. Nothing that was there may be lost, and no site
// whose pages and media disagree may be left for deploy.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { listSiteFiles } from "../../src/deploy/index.ts";
import { readManifest } from "../../src/manifest.ts";
import { makeEquirect } from "../support/pictures.ts";
import { runRotunda, startRotunda } from "../support/cli.ts";
import { waitUntil } from "../support/processes.ts";

const work = await mkdtemp(path.join(os.tmpdir(), "rotunda-build-output-"));
after(() => rm(work, { recursive: true, force: true }));
let cases = 0;
/** A gallery of `count` small pictures with cheap settings, and a dist folder beside it. */
async function site(count: number, settings: object = { process: { qualities: [80, 60], sizes: [512], socialCard: false } }) {
  const root = path.join(work, `case-${cases++}`);
  const gallery = path.join(root, "gallery");
  await mkdir(gallery, { recursive: true });
  await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify(settings));
  for (let i = 0; i < count; i++) await makeEquirect(path.join(gallery, `pano-${i}.jpg`), 1024, 512, 100 + i);
  return { root, gallery, dist: path.join(root, "dist") };
}
const build = (gallery: string, dist: string, ...extra: string[]) => runRotunda(["build", "--input", gallery, "--output", dist, ...extra]);
const files = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
const mediaFolderOf = async (picture: string) => createHash("sha256").update(await readFile(picture)).digest("hex").slice(0, 12);
/** Every file and its bytes' hash: what "nothing changed" means. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await files(dir)) if (!f.startsWith(".rotunda")) out.set(f, createHash("sha256").update(await readFile(path.join(dir, f))).digest("hex"));
  return out;
}

describe("someone else's files in the output folder", () => {
  test("a folder holding files Rotunda did not write is refused with exit 2, naming a few, and left as it was", async () => {
    const { root, gallery } = await site(1);
    const mine = path.join(root, "my-site");
    const theirs = ["about.html", "blog/post.html", "assets/logo.png", "media/videos/talk.mp4"];
    for (const f of theirs) {
      await mkdir(path.dirname(path.join(mine, f)), { recursive: true });
      await writeFile(path.join(mine, f), `their ${f}`);
    }
    const refused = await build(gallery, mine);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /holds files Rotunda did not write \(about\.html, assets\/logo\.png, blog\/post\.html, …\)/);
    assert.deepEqual(await files(mine), [...theirs].sort(), "nothing written, nothing removed");

    // Allowed: built beside them; a rebuild after a picture leaves keeps them too.
    const allowed = await build(gallery, mine, "--allow-other-files");
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    await rm(path.join(gallery, "pano-0.jpg"));
    const again = await build(gallery, mine);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    for (const f of theirs) assert.equal(await readFile(path.join(mine, f), "utf8"), `their ${f}`, `${f} survives`);
    await assert.rejects(stat(path.join(mine, "pano-0/index.html")), "the removed picture's page went");
  });

  test("the gallery as its own output folder is refused; its HTML files stay", async () => {
    const { gallery } = await site(1);
    await writeFile(path.join(gallery, "notes.html"), "<p>mine</p>");
    const result = await build(gallery, gallery);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is the gallery folder/);
    assert.equal(await readFile(path.join(gallery, "notes.html"), "utf8"), "<p>mine</p>");
    const parent = await build(gallery, path.dirname(gallery));
    assert.equal(parent.code, 2);
    assert.match(parent.stderr, /contains the gallery folder/);
  });
});

describe("a build stopped halfway", () => {
  test("deploy refuses the folder until a build finishes, and refuses pages that point at missing files", async () => {
    const { gallery, dist } = await site(2);
    assert.equal((await build(gallery, dist)).code, 0);
    const deployArgs = ["deploy", "--dir", dist, "--to", "s3://bucket/site", "--endpoint", "http://127.0.0.1:9", "--dry-run"];
    // Process alone writes new media but no pages: the build is not finished.
    await makeEquirect(path.join(gallery, "pano-0.jpg"), 1024, 512, 900);
    const processed = await runRotunda(["process", "--input", gallery, "--output", dist]);
    assert.equal(processed.code, 0, processed.stderr);
    const unfinished = await runRotunda(deployArgs);
    assert.equal(unfinished.code, 2, unfinished.stdout + unfinished.stderr);
    assert.match(unfinished.stderr, /the last build into .* did not finish/);
    // A finished build is deployable (the dry run then fails on the closed port, naming it, after the check).
    assert.equal((await build(gallery, dist)).code, 0);
    // A page that points at a file the folder does not hold.
    const manifest = await readManifest(dist);
    await rm(path.join(dist, manifest.panoramas[0]!.thumbnail.url));
    const broken = await runRotunda(deployArgs);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, new RegExp(`not consistent: .*index\\.html → ${manifest.panoramas[0]!.thumbnail.url.replace(/[.]/g, "\\.")}`));
  });

  test("a picture removed after a stopped build leaves no media and no temp files behind", async () => {
    const { gallery, dist } = await site(1, { process: { qualities: [90, 80, 70, 60], sizes: [1024], socialCard: false } });
    assert.equal((await build(gallery, dist)).code, 0);
    const secret = path.join(gallery, "private.jpg");
    await makeEquirect(secret, 4096, 2048, 7);
    const folder = path.join(dist, "media", await mediaFolderOf(secret));
    const running = startRotunda(["build", "--input", gallery, "--output", dist]);
    await waitUntil(async () => (await readdir(folder).catch(() => [])).some((f) => /^full-.*\.jpg$/.test(f)), "private.jpg's full-size JPEGs");
    running.signalGroup("SIGINT");
    assert.equal((await running.exited).code, 130, running.output());
    await rm(secret);
    const again = await build(gallery, dist);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    await assert.rejects(stat(folder), "private.jpg's media folder is gone");
    const deployable = (await listSiteFiles(dist)).map((f) => f.relPath);
    assert.deepEqual(deployable.filter((f) => f.includes(".tmp") || f.includes(path.basename(folder))), []);
    assert.deepEqual((await files(dist)).filter((f) => f.endsWith(".tmp") || f.includes(".tmp/")), [], "no temp file anywhere");
  });

  test("an edit reverted after a build stopped while making tiles leaves no tile folder in the making", async () => {
    const { gallery, dist } = await site(1, { process: { qualities: [80], sizes: [1024], socialCard: false } });
    const picture = path.join(gallery, "pano-0.jpg");
    const original = await readFile(picture);
    assert.equal((await build(gallery, dist)).code, 0);
    await makeEquirect(picture, 4096, 2048, 8);
    const folder = path.join(dist, "media", await mediaFolderOf(picture));
    const running = startRotunda(["build", "--input", gallery, "--output", dist]);
    await waitUntil(async () => (await readdir(folder).catch(() => [])).some((f) => /^tiles-.*\.tmp$/.test(f)), "a tile folder in the making");
    running.signalGroup("SIGKILL");
    await running.exited;
    await writeFile(picture, original);
    assert.equal((await build(gallery, dist)).code, 0);
    assert.deepEqual((await files(dist)).filter((f) => f.includes(".tmp")), []);
    await assert.rejects(stat(folder), "the reverted edit's media folder is gone");
  });
});

describe("two builds into one folder", () => {
  test("the second is refused with exit 2 naming the first, which finishes whole", async () => {
    const { gallery, dist } = await site(8);
    const first = startRotunda(["build", "--input", gallery, "--output", dist]);
    await waitUntil(() => stat(path.join(dist, ".rotunda", "lock")).catch(() => undefined), "the first build's lock");
    // Held still while the second starts, so the first cannot finish before it.
    first.signalGroup("SIGSTOP");
    const second = await build(gallery, dist);
    first.signalGroup("SIGCONT");
    assert.equal(second.code, 2, second.stdout + second.stderr);
    assert.match(second.stderr, /in use by rotunda build \(pid \d+, since/);
    assert.equal((await first.exited).code, 0, first.output());
    assert.equal((await readManifest(dist)).panoramas.length, 8);
    for (let i = 0; i < 8; i++) await stat(path.join(dist, `pano-${i}`, "index.html"));
  });
});

describe("names Rotunda's own folders use", () => {
  test("a picture named assets.jpg or a sidecar asking for media gets a numbered slug with a warning; renamed, the build recovers", async () => {
    const { gallery, dist } = await site(0);
    await makeEquirect(path.join(gallery, "assets.jpg"), 1024, 512, 1);
    await makeEquirect(path.join(gallery, "b.jpg"), 1024, 512, 2);
    await writeFile(path.join(gallery, "b.md"), "---\nslug: media\n---\n");
    const first = await build(gallery, dist);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stderr, /warning: assets\.jpg: slug "assets" is a name the gallery's own pages use: its page is \/assets-2\//);
    assert.match(first.stderr, /warning: b\.jpg: slug "media" is a name the gallery's own pages use: its page is \/media-2\//);
    await stat(path.join(dist, "assets-2/index.html"));
    await stat(path.join(dist, "media-2/index.html"));
    assert.ok((await readdir(path.join(dist, "assets"))).every((f) => /-[0-9a-f]{12}\.(js|css)(\.br|\.gz)?$/.test(f)), "assets/ holds only bundles (and their precompressed siblings)");
    await cp(path.join(gallery, "assets.jpg"), path.join(gallery, "lobby.jpg"));
    await rm(path.join(gallery, "assets.jpg"));
    const renamed = await build(gallery, dist);
    assert.equal(renamed.code, 0, renamed.stderr);
    await stat(path.join(dist, "lobby/index.html"));
    await assert.rejects(stat(path.join(dist, "assets-2")));
  });
});

describe("when pictures fail", () => {
  test("every picture failing keeps the published pages; exit 1 lists them", async () => {
    const { gallery, dist } = await site(2);
    assert.equal((await build(gallery, dist)).code, 0);
    const before = await snapshot(dist);
    for (const name of ["pano-0.jpg", "pano-1.jpg"]) {
      const file = path.join(gallery, name);
      await writeFile(file, (await readFile(file)).subarray(0, 2000));
    }
    const result = await build(gallery, dist);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /failed: pano-0\.jpg: truncated or corrupt/);
    assert.match(result.stderr, /warning: pano-0\.jpg: its last published version stays/);
    const after = await snapshot(dist);
    for (const [file, hash] of before) if (file.endsWith(".html") || file.startsWith("media/")) assert.equal(after.get(file), hash, `${file} is as it was`);
    assert.equal((await readManifest(dist)).panoramas.length, 2);
  });
});

describe("a disk that fills up during the render", () => {
  test("no page is left truncated; once there is room, the build completes", async () => {
    if (process.getuid?.() !== 0) assert.fail("this test mounts a small tmpfs and needs root, as CI runs it");
    const { gallery } = await site(2, { process: { qualities: [80], sizes: [512], tiles: false, socialCard: false } });
    const disk = path.join(work, `disk-${cases}`);
    await mkdir(disk);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", disk]);
    try {
      const dist = path.join(disk, "dist");
      assert.equal((await build(gallery, dist)).code, 0);
      const before = await snapshot(dist);
      // A long title goes once into the manifest and many times into the pages: the
      // room left takes the manifest, not the pages.
      const free = Number(execFileSync("df", ["--output=avail", "-B1", disk], { encoding: "utf8" }).split("\n")[1]);
      await writeFile(path.join(disk, "filler"), Buffer.alloc(Math.max(0, free - 64 * 1024)));
      await writeFile(path.join(gallery, "pano-0.md"), `---\ntitle: A new title ${"x".repeat(20_000)}\n---\n`);
      const full = await build(gallery, dist);
      assert.notEqual(full.code, 0, "the build reports the full disk");
      assert.match(full.stdout + full.stderr, /ENOSPC|no space/i);
      const after = await snapshot(dist);
      for (const [file, hash] of before) assert.equal(after.get(file), hash, `${file} is whole and unchanged`);
      assert.deepEqual((await files(dist)).filter((f) => f.endsWith(".tmp") || f.includes("staging/")), [], "the failed writes left nothing behind");
      await rm(path.join(disk, "filler"));
      const room = await build(gallery, dist);
      assert.equal(room.code, 0, room.stdout + room.stderr);
      assert.match(await readFile(path.join(dist, "pano-0/index.html"), "utf8"), /A new title/);
      assert.deepEqual((await files(dist)).filter((f) => f.endsWith(".tmp")), [], "no temp file left behind");
    } finally {
      execFileSync("umount", ["-l", disk]);
    }
  });
});
