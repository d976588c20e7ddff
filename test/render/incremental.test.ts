// What serve's renders remember: a render after an edit selects exactly the pages
// whose data changed (a caption: its page; a title: its page and every page that
// shows it), everything when what all pages share changes, and compares with the
// last render that was published, not with one that was not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validateManifest, type Manifest, type PanoramaRecord } from "../../src/manifest.ts";
import { pageFile, PageMemory } from "../../src/render/incremental.ts";
import { galleryPages, type GalleryPages } from "../../src/render/pages.ts";
import { sampleRecord } from "../support/manifest.ts";

function record(slug: string, day: number, album = "Yard"): PanoramaRecord {
  const base = sampleRecord(slug);
  return { ...base, title: slug, album, source: { ...base.source, path: `${album}/${slug}.jpg` }, captureDate: `2026-06-${String(day).padStart(2, "0")}T08:00:00`, tags: ["dock"] };
}

const manifest = (panoramas: PanoramaRecord[]): Manifest => validateManifest({ version: 1, generator: "rotunda", gallery: { title: "T" }, panoramas, failures: [] });
const base = () => [record("a", 1), record("b", 2), record("c", 3), record("d", 4, "Office")];
const urls = (pages: GalleryPages) =>
  Object.entries(pages).filter(([key]) => key !== "nav").flatMap(([, list]) => (list as Array<{ url: string }>).map((p) => p.url)).sort();

describe("PageMemory", () => {
  test("the first render renders every page; the same data again renders none and keeps every file", () => {
    const memory = new PageMemory();
    const all = galleryPages(manifest(base()));
    const first = memory.select(all, "shared");
    assert.deepEqual(urls(first.pages), urls(all));
    assert.deepEqual(first.kept, []);
    memory.commit();
    const again = memory.select(galleryPages(manifest(base())), "shared");
    assert.deepEqual(urls(again.pages), []);
    assert.deepEqual(again.kept.sort(), urls(all).map(pageFile).sort());
    assert.deepEqual(again.pages.nav, all.nav, "the navigation is always there");
  });

  test("a caption edit renders the picture's page only; a title edit every page that shows the title", () => {
    const memory = new PageMemory();
    memory.select(galleryPages(manifest(base())), "shared");
    memory.commit();
    const captioned = base().map((p) => (p.slug === "b" ? { ...p, caption: "New." } : p));
    assert.deepEqual(urls(memory.select(galleryPages(manifest(captioned)), "shared").pages), ["/b/"]);
    memory.commit();
    const retitled = captioned.map((p) => (p.slug === "b" ? { ...p, title: "Bee" } : p));
    assert.deepEqual(urls(memory.select(galleryPages(manifest(retitled)), "shared").pages), [
      "/", "/a/", "/albums/yard/", "/b/", "/c/", "/dates/2026/06/", "/tags/dock/",
    ], "its page, its neighbours' links to it, and the listings with its card");
  });

  test("a place's shots: a caption edit renders that shot's page and the side-by-side page (which holds the records); a shot's new date every page that lists it", () => {
    const memory = new PageMemory();
    const placed = () => base().map((p) => (p.album === "Yard" ? { ...p, place: "Bay" } : p));
    const all = galleryPages(manifest(placed()));
    assert.ok(all.sideBySide.length > 0, "the place has its side-by-side page");
    memory.select(all, "shared");
    memory.commit();
    const captioned = placed().map((p) => (p.slug === "b" ? { ...p, caption: "New." } : p));
    assert.deepEqual(urls(memory.select(galleryPages(manifest(captioned)), "shared").pages), ["/b/", "/places/bay/compare/"]);
    memory.commit();
    const redated = captioned.map((p) => (p.slug === "c" ? { ...p, captureDate: "2026-06-05T08:00:00" } : p));
    const rendered = urls(memory.select(galleryPages(manifest(redated)), "shared").pages);
    for (const url of ["/a/", "/b/", "/c/", "/places/bay/"]) assert.ok(rendered.includes(url), `${url} lists the shot's date: ${rendered.join(" ")}`);
  });

  test("a change to what every page shares renders every page", () => {
    const memory = new PageMemory();
    const all = galleryPages(manifest(base()));
    memory.select(all, "layouts v1");
    memory.commit();
    assert.equal(memory.select(all, "layouts v2").rendered, urls(all).length);
  });

  test("a render that is not published is not remembered; forget() starts afresh", () => {
    const memory = new PageMemory();
    const all = galleryPages(manifest(base()));
    memory.select(all, "shared");
    memory.commit();
    const edited = galleryPages(manifest(base().map((p) => (p.slug === "a" ? { ...p, caption: "Edited." } : p))));
    assert.deepEqual(urls(memory.select(edited, "shared").pages), ["/a/"]);
    memory.discard();
    assert.deepEqual(urls(memory.select(edited, "shared").pages), ["/a/"], "still compared with the last published render");
    memory.commit();
    assert.deepEqual(urls(memory.select(edited, "shared").pages), []);
    memory.forget();
    assert.equal(memory.select(edited, "shared").rendered, urls(edited).length);
  });

  test("a page's file: its URL's folder, index.html", () => {
    assert.equal(pageFile("/"), "index.html");
    assert.equal(pageFile("/albums/yard/page/2/"), "albums/yard/page/2/index.html");
  });
});
