// What process puts in the manifest for the gallery's navigation: each picture's
// album, tags, place (from its sidecar or its fixed camera) and links, its GPS
// (whatever publishGps says: the manifest is never deployed), and the folders'
// _album.md settings; and how a mistake in any of them is named.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { readManifest, STATE_DIR } from "../../src/manifest.ts";
import { buildOnce } from "../support/build.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";

const CONFIG = { process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } };

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-gallery-keys-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function galleryWith(name: string, files: Record<string, string | number>): Promise<{ gallery: string; dist: string }> {
  const gallery = path.join(work, name, "gallery");
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(gallery, rel);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof content === "number") await makeEquirect(file, 128, 64, content);
    else await writeFile(file, content);
  }
  return { gallery, dist: path.join(work, name, "dist") };
}

const bySlug = async (dist: string) => new Map((await readManifest(dist)).panoramas.map((p) => [p.slug, p]));

describe("the keys process reads", () => {
  test("album, tags, place and links from the sidecars; a fixed camera's place; _album.md settings", async () => {
    const { gallery, dist } = await galleryWith("keys", {
      "hall.jpg": 1,
      "hall.md": "---\ntags: [inside, ground floor]\nlinks:\n  - { to: roof, yaw: 90 }\n---\n",
      "Upstairs/roof.jpg": 2,
      "Upstairs/roof.md": "---\nplace: Roof terrace\n---\n",
      "Upstairs/_album.md": "---\ntitle: Up the stairs\norder: name\ncover: roof.jpg\n---\nThe top floors.\n",
      "cameras/dock/R0010001.jpg": 3,
      "cameras/dock/R0010002.jpg": 4,
      "cameras/dock/R0010002.md": "---\nplace: Somewhere else\n---\n",
    });
    const report = await buildOnce(gallery, dist, { ...CONFIG, cameras: [{ name: "dock", url: "http://127.0.0.1:9", place: "Dock" }] }, { render: false });
    assert.deepEqual(report.process.failed, []);
    const records = await bySlug(dist);
    const hall = records.get("hall")!;
    assert.equal(hall.album, "");
    assert.deepEqual(hall.tags, ["inside", "ground floor"]);
    assert.deepEqual(hall.links, [{ to: "roof", yaw: 90, pitch: 0 }]);
    assert.equal(records.get("roof")!.album, "Upstairs");
    assert.equal(records.get("roof")!.place, "Roof terrace");
    assert.equal(records.get("r0010001")!.place, "Dock", "pulled into the fixed camera's folder");
    assert.equal(records.get("r0010002")!.place, "Somewhere else", "a sidecar's place wins");
    const manifest = await readManifest(dist);
    assert.deepEqual(manifest.gallery.albums, [{ path: "Upstairs", title: "Up the stairs", order: "name", cover: "roof.jpg", description: "The top floors." }]);
    assert.equal(manifest.gallery.pageSize, 48);
    assert.equal(manifest.gallery.tourRadius, 30, "tour links are on by default");
    assert.equal(manifest.gallery.placesByGps, undefined, "places by GPS are off by default");
    assert.equal(manifest.gallery.map, undefined, "no map without publishGps");
  });

  test("mistakes are named with their file and key; the rest still builds", async () => {
    const { gallery, dist } = await galleryWith("mistakes", {
      "a.jpg": 1,
      "a.md": "---\nlinks:\n  - { to: nowhere, yaw: 10 }\n  - { to: b, yaw: 20 }\n  - { to: draft, yaw: 30 }\n---\n",
      "b.jpg": 2,
      "e.jpg": 6,
      "e.md": "---\ntags: kitchen\n---\n",
      "draft.jpg": 3,
      "draft.md": "---\ndraft: true\n---\n",
      "Hall/c.jpg": 4,
      "Hall/_album.md": "---\ncover: missing.jpg\n---\n",
      "Yard/d.jpg": 5,
      "Yard/_album.md": "---\norder: newest\n---\n",
      "_album.md": "---\ntitle: Root\n---\n",
    });
    const report = await buildOnce(gallery, dist, CONFIG, { render: false });
    const failures = report.process.failed.map((f) => `${f.source}: ${f.message.replace(/^\S+\.md: /, "")}`);
    assert.deepEqual(failures, [
      "Hall/_album.md: cover: \"missing.jpg\" is not a picture in Hall/ (give the file name of one)",
      "Yard/_album.md: order: use one of date, date-asc, title, name",
      "a.md: links[0].to: no picture has the slug \"nowhere\"",
      "e.md: tags: must be a list, like tags: [kitchen, north wing]",
    ]);
    const warnings = report.process.warnings.map((w) => `${w.source}: ${w.message}`);
    assert.ok(warnings.includes("a.md: links[2].to: \"draft\" is not published (a draft, or a sidecar that does not read): the link waits until it is"), warnings.join("\n"));
    assert.ok(warnings.some((w) => w.startsWith("_album.md: not read")), warnings.join("\n"));
    const records = await bySlug(dist);
    assert.deepEqual(records.get("a")!.links, [{ to: "b", yaw: 20, pitch: 0 }], "only the link that leads somewhere");
    assert.ok(!records.has("e"), "a new picture whose sidecar does not read stays out");
    assert.ok(records.has("c"), "a cover that names nothing is left out, not the album");
    assert.ok(!records.has("d"), "a new album whose _album.md does not read stays out: it may be the file that says draft");
  });

  test("a draft album leaves out its pictures and sub-albums; a broken _album.md keeps what was published", async () => {
    const { gallery, dist } = await galleryWith("drafts", {
      "Plans/p.jpg": 1,
      "Plans/Later/q.jpg": 2,
      "Plans/_album.md": "---\ntitle: Plans\n---\n",
      "Shown/s.jpg": 3,
    });
    await buildOnce(gallery, dist, CONFIG, { render: false });
    assert.deepEqual([...(await bySlug(dist)).keys()].sort(), ["p", "q", "s"]);
    await writeFile(path.join(gallery, "Plans", "_album.md"), "---\ntitle: [broken\n---\n");
    const broken = await buildOnce(gallery, dist, CONFIG, { render: false });
    assert.match(broken.process.failed[0]!.message, /front matter is not valid YAML/);
    assert.equal(broken.process.failed[0]!.source, "Plans/_album.md");
    assert.deepEqual([...(await bySlug(dist)).keys()].sort(), ["p", "q", "s"], "published pictures stay");
    assert.equal((await readManifest(dist)).gallery.albums[0]!.title, "Plans", "with the album's last good settings");
    await writeFile(path.join(gallery, "Plans", "_album.md"), "---\ndraft: true\n---\n");
    const drafted = await buildOnce(gallery, dist, CONFIG, { render: false });
    assert.deepEqual([...(await bySlug(dist)).keys()], ["s"]);
    assert.equal(drafted.process.unpublished.length, 2, "their media are held, not deleted");
  });

  test("GPS is recorded whatever publishGps says, and read for outputs made before positions were", async () => {
    const { gallery, dist } = await galleryWith("gps", { "spot.jpg": 1, "nowhere.jpg": 2 });
    await writeTags(path.join(gallery, "spot.jpg"), { GPSLatitude: -33.8568, GPSLongitude: 151.2153 });
    await buildOnce(gallery, dist, CONFIG, { render: false });
    assert.deepEqual((await bySlug(dist)).get("spot")!.gps, { lat: -33.8568, lng: 151.2153 });
    assert.equal((await bySlug(dist)).get("nowhere")!.gps, undefined);
    // An older Rotunda's cache: outputs without a position.
    const cacheFile = path.join(dist, STATE_DIR, "process-cache.json");
    const cache = JSON.parse(await readFile(cacheFile, "utf8")) as { entries: Record<string, { outputs: { gps?: unknown } }> };
    for (const entry of Object.values(cache.entries)) delete entry.outputs.gps;
    await writeFile(cacheFile, JSON.stringify(cache));
    const again = await buildOnce(gallery, dist, CONFIG, { render: false });
    assert.deepEqual(again.process.made, [], "no picture is made again");
    assert.deepEqual((await bySlug(dist)).get("spot")!.gps, { lat: -33.8568, lng: 151.2153 });
    const healed = JSON.parse(await readFile(cacheFile, "utf8")) as typeof cache;
    assert.deepEqual(Object.entries(healed.entries).map(([rel, e]) => [rel, e.outputs.gps]).sort(), [["nowhere.jpg", null], ["spot.jpg", { lat: -33.8568, lng: 151.2153 }]]);
  });
});
