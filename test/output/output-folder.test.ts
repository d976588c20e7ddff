// The output folder a build writes into (src/output/): what it refuses, what it
// owns, what it sweeps. Real folders in a temp dir, the lock held by real processes.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { OutputFolder, OutputFolderError, publishSteps, type KeepSet } from "../../src/output/index.ts";
import { holdLock } from "../support/processes.ts";

const work = await mkdtemp(path.join(os.tmpdir(), "rotunda-output-"));
after(() => rm(work, { recursive: true, force: true }));
let n = 0;
const fresh = async () => {
  const dir = path.join(work, `case-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
};
const put = async (file: string, body = path.basename(file)) => {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, body);
};
const keep = (files: string[], folders: Record<string, string[]> = {}, held: string[] = []): KeepSet => ({
  files: new Set(files),
  folders: new Map(Object.entries(folders).map(([f, names]) => [f, new Set(names)])),
  held: new Set(held),
});

describe("where a build may write", () => {
  test("never into the gallery itself, nor a folder that contains it", async () => {
    const root = await fresh();
    const gallery = path.join(root, "gallery");
    await put(path.join(gallery, "about.html"));
    await assert.rejects(OutputFolder.open({ outputDir: gallery, inputDir: gallery, command: "test" }), (e: Error) =>
      e instanceof OutputFolderError && /is the gallery folder/.test(e.message));
    await assert.rejects(OutputFolder.open({ outputDir: root, inputDir: gallery, command: "test" }), /contains the gallery folder/);
    assert.deepEqual(await readdir(gallery), ["about.html"], "nothing was written into the gallery");
    // Inside the gallery is fine: the scan leaves it out.
    const inside = await OutputFolder.open({ outputDir: path.join(gallery, "site"), inputDir: gallery, command: "test" });
    await inside.close();
  });

  test("a folder of someone else's files is refused, naming a few; dotfiles such as .git do not count", async () => {
    const dir = await fresh();
    for (const f of ["about.html", "blog/post.html", "assets/logo.png", "media/videos/talk.mp4", ".git/HEAD"]) await put(path.join(dir, f));
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "test" }), (e: Error) => {
      assert.ok(e instanceof OutputFolderError);
      assert.match(e.message, /holds files Rotunda did not write \(about\.html, assets\/logo\.png, blog\/post\.html, …\)/);
      assert.match(e.message, /--allow-other-files/);
      return true;
    });
    const git = await fresh();
    await put(path.join(git, ".git/HEAD"));
    await (await OutputFolder.open({ outputDir: git, command: "test" })).close();
  });

  test("with other files allowed, Rotunda never deletes or overwrites them, and remembers the permission", async () => {
    const dir = await fresh();
    const theirs = ["about.html", "blog/post.html", "assets/logo.png", "media/videos/talk.mp4"];
    for (const f of theirs) await put(path.join(dir, f));
    let output = await OutputFolder.open({ outputDir: dir, command: "test", allowOtherFiles: true });
    await output.begin();
    await output.writeFile("index.html", "mine");
    await output.claimFolder("media/0123456789ab");
    await put(path.join(dir, "media/0123456789ab/full.jpg"));
    await assert.rejects(output.writeFile("about.html", "mine"), /refusing to overwrite files Rotunda did not write: about\.html/);
    await put(path.join(output.stagingDir, "blog/post.html"), "staged");
    await assert.rejects(output.publish(), /refusing to overwrite files Rotunda did not write: blog\/post\.html/);
    await rm(output.stagingDir, { recursive: true });
    // A build that keeps nothing removes only what it wrote.
    const nothing = keep([]);
    await output.sweep(nothing);
    await output.complete(nothing, "/");
    await output.close();
    for (const f of theirs) assert.equal(await readFile(path.join(dir, f), "utf8"), path.basename(f), `${f} is untouched`);
    await assert.rejects(stat(path.join(dir, "index.html")));
    await assert.rejects(stat(path.join(dir, "media/0123456789ab")));
    // Remembered: the next build needs no flag.
    output = await OutputFolder.open({ outputDir: dir, command: "test" });
    await output.close();
  });
});

describe("one writer at a time", () => {
  test("a live holder is named; a killed holder's lock is taken over", async () => {
    const dir = await fresh();
    const first = await OutputFolder.open({ outputDir: dir, command: "rotunda build" });
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "rotunda build" }), (e: Error) =>
      e instanceof OutputFolderError && new RegExp(`in use by rotunda build \\(pid ${process.pid}, since \\d\\d:\\d\\d:\\d\\d\\)`).test(e.message));
    await first.close();
    // A process that took the lock and was killed before it could let go.
    const child = await holdLock(path.join(dir, ".rotunda", "lock"), "rotunda build");
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "test" }), new RegExp(`pid ${child.pid}`));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const next = await OutputFolder.open({ outputDir: dir, command: "test" });
    await next.close();
  });
});

describe("shards beside each other, a build alone", () => {
  test("shards share the folder; a build excludes them and they exclude a build, each naming the other", async () => {
    const dir = await fresh();
    const one = await OutputFolder.open({ outputDir: dir, command: "rotunda process --shard 1/2", shard: "1-of-2" });
    const two = await OutputFolder.open({ outputDir: dir, command: "rotunda process --shard 2/2", shard: "2-of-2" });
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "rotunda process --shard 2/2", shard: "2-of-2" }), /in use by rotunda process --shard 2\/2/);
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "rotunda render" }), (e: Error) =>
      e instanceof OutputFolderError && /in use by rotunda process --shard [12]\/2/.test(e.message));
    await one.close();
    await two.close();
    const build = await OutputFolder.open({ outputDir: dir, command: "rotunda render" });
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "rotunda process --shard 1/2", shard: "1-of-2" }), /in use by rotunda render/);
    assert.deepEqual((await readdir(path.join(dir, ".rotunda"))).filter((n) => n.startsWith("lock")), ["lock"], "the refused shard left no lock behind");
    await build.close();
  });

  test("a shard that was killed holding its lock does not stop the build", async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, ".rotunda"), { recursive: true });
    const child = await holdLock(path.join(dir, ".rotunda", "lock-1-of-2"), "rotunda process --shard 1/2");
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "test" }), new RegExp(`pid ${child.pid}`));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const build = await OutputFolder.open({ outputDir: dir, command: "test" });
    await build.close();
  });

  test("a lock of another machine's run counts while its holder touches it, and lapses when it stops", async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, ".rotunda"), { recursive: true });
    const lock = path.join(dir, ".rotunda/lock-2-of-4");
    await writeFile(lock, JSON.stringify({ pid: 4242, host: "shard-pod-2", command: "rotunda process --shard 2/4", since: new Date().toISOString() }));
    await assert.rejects(OutputFolder.open({ outputDir: dir, command: "rotunda render" }), (e: Error) =>
      /in use by rotunda process --shard 2\/4 \(pid 4242 on shard-pod-2, .*its lock lapses 2 minutes after it was last touched, or remove .*lock-2-of-4/.test(e.message));
    const long = new Date(Date.now() - 10 * 60_000);
    await utimes(lock, long, long);
    const render = await OutputFolder.open({ outputDir: dir, command: "rotunda render" });
    await render.close();
    await assert.rejects(stat(lock), "the lapsed lock was cleared");
  });

  test("each shard keeps its own journal; the build reads them all, refuses nothing they wrote, and completes them", async () => {
    const dir = await fresh();
    const shards = await Promise.all([1, 2, 3].map((k) => OutputFolder.open({ outputDir: dir, command: "shard", shard: `${k}-of-3` })));
    await Promise.all(shards.map(async (shard, i) => {
      await shard.begin();
      await shard.claimFolder(`media/${String(i).repeat(12)}`);
      await put(path.join(dir, `media/${String(i).repeat(12)}/full.jpg`));
      // What only a build may do.
      await assert.rejects(shard.writeFile("index.html", "x"), /shard \d-of-3 cannot write site files/);
      await assert.rejects(shard.sweep(keep([])), /cannot sweep/);
      await assert.rejects(shard.complete(keep([]), "/"), /cannot complete/);
    }));
    // A shard opening while the others write counts their claimed folders as Rotunda's.
    const late = await OutputFolder.open({ outputDir: dir, command: "shard", shard: "1-of-1" });
    await late.close();
    for (const shard of shards) await shard.close();
    assert.deepEqual((await readdir(path.join(dir, ".rotunda"))).filter((n) => n.endsWith(".journal")).sort(), ["build-1-of-3.journal", "build-2-of-3.journal", "build-3-of-3.journal"]);
    const { buildUnfinished } = await import("../../src/output/index.ts");
    assert.equal(await buildUnfinished(dir), true, "shards done, render not yet: unfinished");
    const build = await OutputFolder.open({ outputDir: dir, command: "test" });
    await build.begin();
    const kept = keep([], { "media/000000000000": ["full.jpg"], "media/111111111111": ["full.jpg"] });
    assert.equal(await build.sweep(kept), 1, "the third shard's folder, which nothing keeps, goes: it was Rotunda's");
    await build.complete(kept, "/");
    await build.close();
    assert.equal(await buildUnfinished(dir), false);
    assert.deepEqual((await readdir(path.join(dir, ".rotunda"))).filter((n) => n.endsWith(".journal")), []);
  });
});

describe("what a build sweeps", () => {
  test("only after complete claims: a killed run's temp files in a kept folder go, an unfinished build is visible", async () => {
    const dir = await fresh();
    let output = await OutputFolder.open({ outputDir: dir, command: "test" });
    await output.begin();
    await output.claimFolder("media/aaaaaaaaaaaa");
    await put(path.join(dir, "media/aaaaaaaaaaaa/full.jpg"));
    await output.writeFile("index.html", "v1");
    const first = keep(["index.html"], { "media/aaaaaaaaaaaa": ["full.jpg"] });
    await output.sweep(first);
    await output.complete(first, "/");
    await output.close();

    // A run that claims the folder again and is killed leaves a temp file and a journal.
    output = await OutputFolder.open({ outputDir: dir, command: "test" });
    await output.begin();
    await output.claimFolder("media/aaaaaaaaaaaa");
    await put(path.join(dir, "media/aaaaaaaaaaaa/full.jpg.1234.0.tmp"));
    await put(path.join(dir, "media/aaaaaaaaaaaa/tiles-0123456789.1234.1.tmp/1/f0_0.jpg"));
    // (killed here: no sweep, no complete)
    await output.close();
    const { buildUnfinished } = await import("../../src/output/index.ts");
    assert.equal(await buildUnfinished(dir), true, "the journal says a build did not finish");

    // The next build keeps the same set as before, and still finds the leftovers.
    output = await OutputFolder.open({ outputDir: dir, command: "test" });
    await output.begin();
    await output.sweep(first);
    await output.complete(first, "/");
    await output.close();
    assert.deepEqual(await readdir(path.join(dir, "media/aaaaaaaaaaaa")), ["full.jpg"]);
    assert.equal(await buildUnfinished(dir), false);
  });

  test("a folder of an unpublished picture is set aside and comes back whole", async () => {
    const dir = await fresh();
    let output = await OutputFolder.open({ outputDir: dir, command: "test" });
    await output.begin();
    await output.claimFolder("media/bbbbbbbbbbbb");
    await put(path.join(dir, "media/bbbbbbbbbbbb/full.jpg"), "pixels");
    const published = keep([], { "media/bbbbbbbbbbbb": ["full.jpg"] });
    await output.complete(published, "/");
    await output.begin();
    const drafted = keep([], {}, ["media/bbbbbbbbbbbb"]);
    await output.sweep(drafted);
    await output.complete(drafted, "/");
    await assert.rejects(stat(path.join(dir, "media/bbbbbbbbbbbb")), "not in the site while unpublished");
    assert.equal(await output.restoreHeld("media/bbbbbbbbbbbb"), true);
    assert.equal(await readFile(path.join(dir, "media/bbbbbbbbbbbb/full.jpg"), "utf8"), "pixels");
    // Gone from the gallery: its held copy goes too.
    await output.sweep(keep([]));
    await output.complete(keep([]), "/");
    assert.equal(await output.restoreHeld("media/bbbbbbbbbbbb"), false);
    await output.close();
  });

  test("an output folder from before the record is adopted: its pages and media are Rotunda's", async () => {
    const dir = await fresh();
    await put(path.join(dir, ".rotunda/manifest.json"), JSON.stringify({ panoramas: [{ slug: "hall" }] }));
    for (const f of ["index.html", "404.html", "hall/index.html", "hall/compare/index.html", "assets/viewer-0123456789ab.js", "media/0123456789ab/full.jpg", "_headers"]) {
      await put(path.join(dir, f));
    }
    const output = await OutputFolder.open({ outputDir: dir, command: "test" });
    assert.ok(output.owns("hall/index.html") && output.owns("media/0123456789ab/full.jpg") && output.owns("assets/viewer-0123456789ab.js"));
    await output.close();
  });
});

test("publish order: every file that is not a page, then pages deepest first, the home page alone and last, each page with its precompressed siblings", () => {
  const files = ["index.html", "index.html.gz", "a/index.html", "a/b/index.html", "assets/x.js", "assets/x.js.br", "media/1/t.jpg", "a/index.html.br", "404.html", "c/index.html", "a/b/c/index.html"];
  assert.deepEqual(publishSteps(files), [
    ["assets/x.js", "assets/x.js.br", "media/1/t.jpg"],
    ["a/b/c/index.html"],
    ["a/b/index.html"],
    ["a/index.html", "a/index.html.br", "c/index.html"],
    ["404.html"],
    ["index.html", "index.html.gz"],
  ]);
  assert.deepEqual(publishSteps(["assets/x.js"]), [["assets/x.js"]], "no empty steps");
});

test("a file that cannot be moved stops the publish: the error is thrown and no later step goes live", async () => {
  const dir = await fresh();
  await put(path.join(dir, "blocker"), "theirs: a file where a page's folder would go");
  const output = await OutputFolder.open({ outputDir: dir, command: "test", allowOtherFiles: true });
  await output.begin();
  await put(path.join(output.stagingDir, "blocker/index.html"), "page");
  for (let i = 0; i < 40; i++) await put(path.join(output.stagingDir, `p${i}/index.html`), "page");
  await put(path.join(output.stagingDir, "index.html"), "home");
  await assert.rejects(output.publish(), /EEXIST|ENOTDIR/);
  await assert.rejects(stat(path.join(dir, "index.html")), "the home page, a later step, did not go live");
  assert.equal(await readFile(path.join(dir, "blocker"), "utf8"), "theirs: a file where a page's folder would go");
  await output.close();
});
