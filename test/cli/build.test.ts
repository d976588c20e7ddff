// `rotunda build` end to end, as a publisher runs it: the demo gallery and a plain
// folder of pictures, into temp folders; outputs read back from disk.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";
import sharp from "sharp";
import { readManifest, writeManifest, type Manifest } from "../../src/manifest.ts";
import { renderSite } from "../../src/render/index.ts";
import { ROOT, runRotunda } from "../support/cli.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith(".html")).map((f) => path.join(dir, f));
}

/** Every site-local URL a page refers to: src/href attributes and URLs inside the viewer's JSON. */
function localUrls(html: string): string[] {
  const urls = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  const data = /<script type="application\/json" id="rotunda-viewer-data">(.*?)<\/script>/s.exec(html);
  // Tile folders are checked through the manifest; every other URL in the viewer's data is a file.
  if (data) urls.push(...[...data[1]!.matchAll(/"(\/[^"]+)"/g)].map((m) => m[1]!).filter((u) => !/\/tiles-[0-9a-f]+$/.test(u) && !u.includes("%")));
  return urls.filter((u) => u.startsWith("/") && !u.startsWith("//"));
}

async function assertSiteComplete(dist: string, manifest: Manifest): Promise<void> {
  for (const p of manifest.panoramas) {
    await stat(path.join(dist, p.slug, "index.html"));
    for (const ref of [...p.variants, p.thumbnail, p.preview, p.metadata]) {
      const info = await stat(path.join(dist, ref.url));
      assert.equal(info.size, ref.bytes, `${ref.url} has the size the manifest says`);
    }
    for (const ref of p.ladder ?? []) assert.equal((await stat(path.join(dist, ref.url))).size, ref.bytes);
    if (p.tiles) {
      for (const face of ["f", "r", "b", "l", "u", "d"]) {
        await stat(path.join(dist, p.tiles.basePath, "fallback", `${face}.${p.tiles.extension}`));
      }
      // The front face always holds picture (partial panoramas are centred on it).
      await stat(path.join(dist, p.tiles.basePath, String(p.tiles.maxLevel), `f0_0.${p.tiles.extension}`));
      const files = (await readdir(path.join(dist, p.tiles.basePath), { recursive: true })).filter((f) => f.endsWith(".jpg"));
      assert.equal(files.length, p.tiles.files, "the manifest counts the tile files");
    }
    const variant = await sharp(path.join(dist, p.variants[0]!.url)).metadata();
    assert.equal(variant.width, p.variants[0]!.width);
    assert.ok(variant.width! <= 8192);
    assert.equal(variant.format, "jpeg");
  }
  const pages = await htmlFiles(dist);
  assert.ok(pages.length >= manifest.panoramas.length + 2, "index, 404 and one page per panorama");
  for (const page of pages) {
    const html = await readFile(page, "utf8");
    for (const url of localUrls(html)) {
      const target = path.join(dist, decodeURIComponent(url.split("#")[0]!.split("?")[0]!));
      const info = await stat(target).catch(() => undefined);
      const resolved = info?.isDirectory() ? await stat(path.join(target, "index.html")).catch(() => undefined) : info;
      assert.ok(resolved, `${path.relative(dist, page)} refers to ${url}, which is not in the output`);
    }
  }
}

describe("build the demo gallery", () => {
  let work: string;
  let gallery: string;
  let dist: string;
  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), "rotunda-build-"));
    gallery = path.join(work, "content");
    dist = path.join(work, "dist");
    await cp(path.join(ROOT, "content"), gallery, { recursive: true });
  });

  test("every panorama has its page, variant, thumbnail; every local URL resolves", async () => {
    const result = await runRotunda(["build", "--input", gallery, "--output", dist]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const manifest = await readManifest(dist);
    assert.ok(manifest.panoramas.length >= 3);
    await assertSiteComplete(dist, manifest);
    const index = await readFile(path.join(dist, "index.html"), "utf8");
    for (const p of manifest.panoramas) {
      assert.ok(index.includes(`href="/${p.slug}/"`), `index links to ${p.slug}`);
      assert.ok(index.includes(p.thumbnail.url), `index shows ${p.slug}'s thumbnail`);
    }
    await stat(path.join(dist, "404.html"));
    // Pages come from file names, media carry hashes, bundles carry hashes.
    assert.ok(manifest.panoramas.some((p) => p.slug === "summit"));
    const page = await readFile(path.join(dist, "summit", "index.html"), "utf8");
    assert.match(page, /src="\/assets\/viewer-[0-9a-f]{12}\.js"/);
    assert.match(page, /Matthew Petroff/, "attribution shown on the page");
    assert.doesNotMatch(page, /<script[^>]+src="https?:/, "no third-party scripts");
  });

  test("the demo's eleventy.config.ts renders the very pages Rotunda's default configuration does", async () => {
    // Both renders read only the manifest: copied alone into two fresh output folders,
    // with a title that only escaping keeps from being markup.
    const manifest = await readManifest(dist);
    manifest.panoramas[0]!.title = "Tom & Jerry's <ridge>";
    const pagesOf = async (eleventyConfig?: string) => {
      const out = await mkdtemp(path.join(work, "render-"));
      await writeManifest(out, manifest);
      const { stagingDir } = await renderSite({ outputDir: out, contentDir: gallery, ...(eleventyConfig ? { eleventyConfig } : {}) });
      const pages = new Map<string, string>();
      for (const file of await htmlFiles(stagingDir)) pages.set(path.relative(stagingDir, file), await readFile(file, "utf8"));
      return pages;
    };
    const own = await pagesOf();
    const viaConfigFile = await pagesOf(path.join(ROOT, "eleventy.config.ts"));
    assert.ok(own.size >= 8, "index, 404, about, a page and an embed page per panorama, comparison pages");
    assert.match(own.get("index.html")!, /Tom &amp; Jerry&#39;s &lt;ridge&gt;/);
    assert.deepEqual([...viaConfigFile.keys()].sort(), [...own.keys()].sort());
    for (const [page, html] of own) assert.equal(viaConfigFile.get(page), html, `${page} is the same either way`);
  });

  test("a place shot on 30 days: each shot's page lists 21 dates around its own and links to the place's page for all 30", async () => {
    const manifest = await readManifest(dist);
    // Without a position: the 30 belong to "Spot" by name only, whatever the demo says of GPS places.
    const { gps: _position, ...first } = manifest.panoramas[0]!;
    // Beside the demo's own pictures, which its about page shows.
    manifest.panoramas.push(...Array.from({ length: 30 }, (_, i) => {
      const day = new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10);
      return { ...first, id: `${first.id}-${i}`, slug: `spot-${i}`, title: `Spot, day ${i + 1}`, captureDate: `${day}T08:00:00Z`, place: "Spot" };
    }));
    const out = await mkdtemp(path.join(work, "daily-"));
    await writeManifest(out, manifest);
    const { stagingDir } = await renderSite({ outputDir: out, contentDir: gallery });
    const html = await readFile(path.join(stagingDir, "spot-15/index.html"), "utf8");
    const dates = /<details class="timeline-dates">[\s\S]*?<\/details>/.exec(html)![0];
    assert.match(dates, /<summary>21 of its 30 dates<\/summary>/);
    assert.equal([...dates.matchAll(/<li>/g)].length, 21);
    assert.match(dates, /<a href="\/places\/spot\/">All 30 dates of Spot<\/a>/);
    assert.match(dates, /aria-current="page">16 June 2026/);
    const data = JSON.parse(/<script type="application\/json" id="rotunda-viewer-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { place: { index: number; shots: Array<{ url: string }> } };
    assert.equal(data.place.shots.length, 21, "the viewer's data names the same dates as the page");
    assert.equal(data.place.shots[data.place.index]!.url, "/spot-15/");
    const place = await readFile(path.join(stagingDir, "places/spot/index.html"), "utf8");
    assert.match(place, /href="\/spot-0\/"/, "the place's page reaches the oldest date");
  });

  test("an Eleventy site with a pathPrefix gets every local URL under it, the viewer's too", async () => {
    const out = await mkdtemp(path.join(work, "prefixed-"));
    const config = path.join(out, "prefixed.config.ts");
    await writeFile(config, `import { config, rotundaSite } from ${JSON.stringify(path.join(ROOT, "src/render/site.ts"))};
export default function (eleventyConfig) { eleventyConfig.addPlugin(rotundaSite); return { ...config, pathPrefix: "/gallery/" }; }
`);
    const manifest = await readManifest(dist);
    manifest.gallery.baseUrl = "https://example.com/";
    await writeManifest(out, manifest);
    const { stagingDir, pathPrefix } = await renderSite({ outputDir: out, contentDir: gallery, eleventyConfig: config });
    assert.equal(pathPrefix, "/gallery/");
    const written = await htmlFiles(stagingDir);
    const tiled = manifest.panoramas.find((p) => p.tiles && p.socialCard)!;
    const page = await readFile(path.join(stagingDir, tiled.slug, "index.html"), "utf8");
    const data = JSON.parse(/id="rotunda-viewer-data">([^<]*)</.exec(page)![1]!) as { variants: Array<{ url: string }>; multiRes?: { basePath: string } };
    assert.ok(data.variants.every((v) => v.url.startsWith("/gallery/media/")), "the viewer's variants are under the prefix");
    assert.equal(data.multiRes?.basePath, `/gallery${tiled.tiles!.basePath}`, "and so are its tiles");
    assert.match(page, new RegExp(`<meta property="og:image" content="https://example\\.com/gallery${tiled.socialCard!.url}">`), "the social card's absolute URL too");
    for (const file of written) {
      for (const url of localUrls(await readFile(file, "utf8"))) {
        assert.ok(url.startsWith("/gallery/"), `${url} in ${path.relative(stagingDir, file)} is under /gallery/`);
        // Media are in the built site; pages, the feed and bundles in this render's staging folder.
        const rel = url.slice("/gallery".length).split("#")[0]!;
        await stat(path.join(stagingDir, rel)).catch(() => stat(path.join(dist, rel))).catch(() => assert.fail(`${url} has no file behind the prefix`));
      }
    }
  });

  test("a rebuild with nothing changed keeps every name and makes nothing", async () => {
    const before = await readManifest(dist);
    const result = await runRotunda(["build", "--input", gallery, "--output", dist]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /0 made, 3 unchanged/);
    assert.deepEqual(await readManifest(dist), before);
  });

  test("changing a picture's bytes changes its media names only; its page URL stays", async () => {
    const before = await readManifest(dist);
    const file = path.join(gallery, "pictures", "summit.jpg");
    const reencoded = await sharp(file).jpeg({ quality: 70 }).withMetadata().toBuffer();
    await writeFile(file, reencoded);
    const result = await runRotunda(["build", "--input", gallery, "--output", dist]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 made, 2 unchanged/);
    const after = await readManifest(dist);
    const old = before.panoramas.find((p) => p.slug === "summit")!;
    const now = after.panoramas.find((p) => p.slug === "summit")!;
    assert.notEqual(now.source.hash, old.source.hash);
    assert.notEqual(now.variants[0]!.url, old.variants[0]!.url);
    assert.notEqual(now.thumbnail.url, old.thumbnail.url);
    for (const slug of ["summit-looking-back", "ridge-partial"]) {
      assert.deepEqual(after.panoramas.find((p) => p.slug === slug), before.panoramas.find((p) => p.slug === slug));
    }
    // The old outputs are gone, the new ones are there.
    await assert.rejects(stat(path.join(dist, old.variants[0]!.url)));
    await assertSiteComplete(dist, after);
  });

  test("a caption edit changes the page and no media", async () => {
    const before = await readManifest(dist);
    const sidecar = path.join(gallery, "pictures", "summit.md");
    await writeFile(sidecar, (await readFile(sidecar, "utf8")).replace("Bare granite", "Bare <pink> granite"));
    const result = await runRotunda(["build", "--input", gallery, "--output", dist]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /0 made/);
    const after = await readManifest(dist);
    const summit = after.panoramas.find((p) => p.slug === "summit")!;
    assert.deepEqual(summit.variants, before.panoramas.find((p) => p.slug === "summit")!.variants);
    const page = await readFile(path.join(dist, "summit", "index.html"), "utf8");
    assert.ok(page.includes("Bare &lt;pink&gt; granite"), "caption text is escaped on the page");
  });
  test("a picture made a draft leaves the site: its page, its media; a title with & is escaped once", async () => {
    const before = await readManifest(dist);
    const gone = before.panoramas.find((p) => p.slug === "summit-looking-back")!;
    const sidecar = path.join(gallery, "pictures", "summit-looking-back.md");
    await writeFile(sidecar, (await readFile(sidecar, "utf8")).replace("title: Summit, looking back", "title: Summit & co's view\ndraft: true"));
    const ridge = path.join(gallery, "pictures", "ridge-partial.md");
    await writeFile(ridge, (await readFile(ridge, "utf8")).replace("title: Ridge (partial panorama)", "title: Tom & Jerry's ridge"));
    const result = await runRotunda(["build", "--input", gallery, "--output", dist]);
    assert.equal(result.code, 0, result.stderr);
    await assert.rejects(stat(path.join(dist, "summit-looking-back", "index.html")), "the draft's page is gone");
    await assert.rejects(stat(path.join(dist, "summit-looking-back")), "and its folder");
    await assert.rejects(stat(path.join(dist, gone.metadata.url)), "its metadata is not left to deploy");
    await assert.rejects(stat(path.join(dist, gone.variants[0]!.url)), "nor its pictures");
    const page = await readFile(path.join(dist, "ridge-partial", "index.html"), "utf8");
    assert.match(page, /<title>Tom &amp; Jerry&#39;s ridge · /);
    await assertSiteComplete(dist, await readManifest(dist));
  });
});

describe("build a plain folder of pictures", () => {
  test("no sidecars, no config: titles from file names; bad files named, the rest built", async () => {
    const work = await mkdtemp(path.join(tmpdir(), "rotunda-plain-"));
    const gallery = path.join(work, "pictures");
    const dist = path.join(work, "site");
    await mkdir(path.join(gallery, "east"), { recursive: true });
    await makeEquirect(path.join(gallery, "front_door.jpg"), 1024);
    await makeEquirect(path.join(gallery, "east", "loading-bay.jpg"), 800, 400, 7);
    await writeTags(path.join(gallery, "front_door.jpg"), {
      SerialNumber: "THETA-SN-10100001",
      "EXIF:GPSLatitude": 34.6937, "EXIF:GPSLatitudeRef": "N", "EXIF:GPSLongitude": 135.5023, "EXIF:GPSLongitudeRef": "E",
      Make: "RICOH", Model: "RICOH THETA Z1",
    });
    await writeFile(path.join(gallery, "empty.jpg"), "");
    await writeFile(path.join(gallery, "notes.jpg"), "this is text, not a picture\n");
    await sharp({ create: { width: 300, height: 200, channels: 3, background: "#888" } }).jpeg().toFile(path.join(gallery, "snapshot.jpg"));
    const full = await readFile(path.join(gallery, "front_door.jpg"));
    await writeFile(path.join(gallery, "truncated.jpg"), full.subarray(0, Math.floor(full.length / 2)));
    await symlink(path.join(work, "moved-away.jpg"), path.join(gallery, "ghost.jpg"));
    execFileSync("mkfifo", [path.join(gallery, "pipe.jpg")]);

    // Run from the gallery's parent folder, not the project: a publisher's own directory.
    const result = await runRotunda(["build", "--input", "pictures", "--output", "site"], { cwd: work });
    assert.equal(result.code, 1, "exit 1: built, but some pictures failed");
    const out = result.stdout + result.stderr;
    assert.match(out, /empty\.jpg: empty file/);
    assert.match(out, /notes\.jpg: not a picture/);
    assert.match(out, /snapshot\.jpg: picture is 300×200, not 2:1/);
    assert.match(out, /truncated\.jpg: truncated or corrupt/);
    assert.match(result.stderr, /warning: ghost\.jpg: skipped: a symbolic link to nothing/);
    assert.match(result.stderr, /warning: pipe\.jpg: skipped: .*FIFO/i);

    const manifest = await readManifest(dist);
    assert.deepEqual(manifest.panoramas.map((p) => p.title).sort(), ["Front door", "Loading bay"]);
    assert.equal(manifest.failures.length, 4);
    await assertSiteComplete(dist, manifest);

    // Privacy: no serial number anywhere in the output, and no GPS in what is published (the
    // build's state folder keeps positions for places and tours; it is never deployed or served).
    for (const rel of await readdir(dist, { recursive: true })) {
      const file = path.join(dist, rel);
      if ((await stat(file)).isDirectory()) continue;
      const bytes = await readFile(file);
      assert.ok(!bytes.includes("THETA-SN-10100001"), `${rel} carries the serial number`);
      assert.ok(!bytes.includes("10100001"), `${rel} carries the serial number`);
      if ((rel.endsWith(".json") || rel.endsWith(".html")) && !rel.startsWith(".rotunda")) {
        assert.doesNotMatch(bytes.toString("utf8"), /GPS|34\.69|135\.50/, `${rel} carries GPS`);
      }
    }
    assert.ok(manifest.panoramas.some((p) => p.gps), "the manifest keeps the position for the gallery model");
    const door = manifest.panoramas.find((p) => p.title === "Front door")!;
    const meta = JSON.parse(await readFile(path.join(dist, door.metadata.url), "utf8")) as Record<string, unknown>;
    assert.equal(meta.Model, "RICOH THETA Z1");
    assert.equal(meta.SourceFile, undefined, "no local paths published");
    await rm(work, { recursive: true, force: true });
  });
});

describe("build with cameras configured", () => {
  test("pulls from the camera first, then the pictures are in the gallery; the password never shows", async () => {
    const { startEmulator } = await import("../../src/pull/emulator/server.ts");
    const work = await mkdtemp(path.join(tmpdir(), "rotunda-build-cam-"));
    const cameraDir = path.join(work, "camera");
    const gallery = path.join(work, "gallery");
    await mkdir(cameraDir);
    await mkdir(gallery);
    await makeEquirect(path.join(cameraDir, "R0010001.JPG"), 1024, 512, 11);
    await makeEquirect(path.join(cameraDir, "R0010002.JPG"), 1024, 512, 12);
    const secret = "s3cret-Pa55word";
    const camera = await startEmulator({ dir: cameraDir, username: "THETAYL001", password: secret });
    try {
      await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({
        title: "Plant 3",
        cameras: [{ name: "lobby", url: camera.url, username: "THETAYL001", passwordEnv: "LOBBY_PASSWORD" }],
        process: { tiles: false, qualities: [80] },
      }));
      const dist = path.join(work, "dist");
      const result = await runRotunda(["build", "--input", gallery, "--output", dist], { env: { LOBBY_PASSWORD: secret } });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const manifest = await readManifest(dist);
      assert.deepEqual(manifest.panoramas.map((p) => p.source.path).sort(), ["cameras/lobby/R0010001.JPG", "cameras/lobby/R0010002.JPG"]);
      assert.ok(!(result.stdout + result.stderr).includes(secret));
      for (const rel of await readdir(dist, { recursive: true })) {
        const file = path.join(dist, rel);
        if ((await stat(file)).isFile()) assert.ok(!(await readFile(file)).includes(secret), `${rel} holds the password`);
      }
      // A missing password variable is a configuration error naming the camera: nothing is built.
      const missing = await runRotunda(["build", "--input", gallery, "--output", path.join(work, "dist2")], { env: { LOBBY_PASSWORD: "" } });
      assert.equal(missing.code, 2, missing.stdout + missing.stderr);
      assert.match(missing.stderr, /lobby/);
      assert.match(missing.stderr, /LOBBY_PASSWORD/);
    } finally {
      await camera.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
