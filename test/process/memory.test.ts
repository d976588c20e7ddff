// What serve remembers between builds: after edits to sidecars and _album.md
// files, a build that reads only those gives exactly what a full build gives,
// whatever the edit (a caption, a new or removed sidecar, a draft and back, an
// album's settings); anything else is a full run.
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildSite, type BuildMemory } from "../../src/build/index.ts";
import { parseConfig } from "../../src/config.ts";
import { readManifest } from "../../src/manifest.ts";
import { OutputFolder } from "../../src/output/index.ts";
import { rescanTextEdits, scanGallery } from "../../src/process/scan.ts";
import { servedGallery, type ServedGallery } from "../support/build.ts";

const CONFIG = parseConfig({ process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } });

let gallery: string;
let output: OutputFolder;
let memory: BuildMemory;

let served: ServedGallery;

before(async () => {
  served = await servedGallery("rotunda-memory-");
  ({ gallery, output, memory } = served);
});

after(() => served?.close());

/** A build told that `changed` are the only files changed since the last one, then a full build: both give the same. */
async function rememberedThenFull(changed: string[]): Promise<{ remembered: unknown; full: unknown; made: string[]; failed: string[] }> {
  memory.process.note(changed.map((f) => path.join(gallery, f)));
  const report = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
  const remembered = await readManifest(output.dir);
  await buildSite({ inputDir: gallery, output, config: CONFIG });
  return { remembered, full: await readManifest(output.dir), made: report.process.made, failed: report.process.failed.map((f) => f.source) };
}

describe("builds that remember", () => {
  test("the first build is a full one", async () => {
    const report = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
    assert.equal(report.process.made.length, 3);
    assert.equal(report.render!.pages > 5, true);
  });

  test("a caption edit, a new sidecar, a removed one: the same as a full build, nothing made", async () => {
    await writeFile(path.join(gallery, "hall.md"), "---\ntitle: Hall\ntags: [inside]\n---\nSecond caption.\n");
    let step = await rememberedThenFull(["hall.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual(step.made, []);
    assert.equal((await readManifest(output.dir)).panoramas.find((p) => p.slug === "hall")!.caption, "Second caption.");

    await writeFile(path.join(gallery, "Yard", "gate.md"), "---\ntitle: The gate\nplace: Gate\n---\n");
    step = await rememberedThenFull(["Yard/gate.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.equal((await readManifest(output.dir)).panoramas.find((p) => p.slug === "gate")!.place, "Gate");

    await rm(path.join(gallery, "Yard", "gate.md"));
    step = await rememberedThenFull(["Yard/gate.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.equal((await readManifest(output.dir)).panoramas.find((p) => p.slug === "gate")!.title, "Gate");
  });

  test("a picture made a draft and published again: set aside, then brought back, never made again", async () => {
    await writeFile(path.join(gallery, "Yard", "bay.md"), "---\ndraft: true\n---\n");
    let step = await rememberedThenFull(["Yard/bay.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.ok(!(step.remembered as { panoramas: Array<{ slug: string }> }).panoramas.some((p) => p.slug === "bay"));
    await writeFile(path.join(gallery, "Yard", "bay.md"), "---\ndraft: false\n---\nBack.\n");
    step = await rememberedThenFull(["Yard/bay.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual(step.made, [], "its outputs were held, not deleted");
    assert.equal((await readManifest(output.dir)).panoramas.find((p) => p.slug === "bay")!.caption, "Back.");
  });

  test("an _album.md added, broken and removed; a sidecar broken and mended", async () => {
    await writeFile(path.join(gallery, "Yard", "_album.md"), "---\ntitle: The yard\norder: title\n---\n");
    let step = await rememberedThenFull(["Yard/_album.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.equal((await readManifest(output.dir)).gallery.albums[0]!.title, "The yard");
    await writeFile(path.join(gallery, "Yard", "_album.md"), "---\norder: sideways\n---\n");
    step = await rememberedThenFull(["Yard/_album.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual(step.failed, ["Yard/_album.md"]);
    await rm(path.join(gallery, "Yard", "_album.md"));
    step = await rememberedThenFull(["Yard/_album.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual((await readManifest(output.dir)).gallery.albums, []);
    await writeFile(path.join(gallery, "hall.md"), "---\ntitle: [broken\n---\n");
    step = await rememberedThenFull(["hall.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual(step.failed, ["hall.md"], "named on every build until mended, remembered or not");
    await writeFile(path.join(gallery, "hall.md"), "Mended.\n");
    step = await rememberedThenFull(["hall.md"]);
    assert.deepEqual(step.remembered, step.full);
    assert.deepEqual(step.failed, []);
  });
});

describe("records handed on", () => {
  test("a caption edit hands on every other record as the same object, one with tour links included, and the edited one anew", async () => {
    await writeFile(path.join(gallery, "hall.md"), "---\ntitle: Hall\nlinks: [{ to: gate, yaw: 10, pitch: 0 }]\n---\nA caption of its own.\n");
    memory.process.note([path.join(gallery, "hall.md")]);
    const first = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
    await writeFile(path.join(gallery, "Yard", "bay.md"), "---\ntitle: Bay\n---\nThe bay, captioned.\n");
    memory.process.note([path.join(gallery, "Yard", "bay.md")]);
    const second = await buildSite({ inputDir: gallery, output, config: CONFIG, mode: "serve", memory });
    const before = new Map(first.process.manifest.panoramas.map((p) => [p.slug, p]));
    assert.deepEqual(before.get("hall")!.links?.map((l) => l.to), ["gate"]);
    for (const record of second.process.manifest.panoramas) {
      if (record.slug === "bay") {
        assert.notEqual(record, before.get("bay"));
        assert.equal(record.caption, "The bay, captioned.");
      } else assert.equal(record, before.get(record.slug), `${record.slug} is the same object`);
    }
    assert.equal(second.process.manifest.panoramas.length, 3);
  });
});

describe("rescanTextEdits", () => {
  test("accounts for sidecars and _album.md files; anything else asks for a full scan", async () => {
    const previous = await scanGallery(gallery);
    await writeFile(path.join(gallery, "Yard", "gate.md"), "Gate.\n");
    const rescanned = await rescanTextEdits(gallery, previous, [path.join(gallery, "Yard", "gate.md")]);
    assert.deepEqual(rescanned, await scanGallery(gallery));
    await rm(path.join(gallery, "Yard", "gate.md"));
    for (const other of ["Yard/new.jpg", "Yard", "rotunda.json", ".hidden/x.md", "node_modules/x.md", "../outside.md"]) {
      assert.equal(await rescanTextEdits(gallery, previous, [path.join(gallery, other)]), undefined, other);
    }
  });
});
