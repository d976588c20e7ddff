// The gallery model as pure functions of the manifest, without Eleventy: albums
// from folders, tags, the date archive, places over time, tour links, pagination,
// each picture's neighbours and timeline, and the viewer's data for them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../src/config.ts";
import { validateManifest, type AlbumSettings, type GpsPoint, type Manifest, type PanoramaRecord, type TourLink } from "../../src/manifest.ts";
import { mapData, sideBySideData, viewerData } from "../../src/render/filters.ts";
import { albumTree, buildGallery, MAX_AUTOMATIC_LINKS, monthsOf, orderPanoramas, placesOf, publicRecord, tagsOf, tourLinks, type Place } from "../../src/render/gallery.ts";
import { bearingDegrees, distanceMetres } from "../../src/render/geo.ts";
import { galleryPages, paginate, TIMELINE_DATES } from "../../src/render/pages.ts";
import { sampleRecord } from "../support/manifest.ts";

interface Picture {
  album?: string;
  date?: string;
  title?: string;
  tags?: string[];
  place?: string;
  gps?: GpsPoint;
  north?: number;
  links?: TourLink[];
  file?: string;
}

function pic(slug: string, p: Picture = {}): PanoramaRecord {
  const base = sampleRecord(slug);
  const { captureDate: _date, ...rest } = base;
  const file = p.file ?? `${slug}.jpg`;
  return {
    ...rest,
    title: p.title ?? slug,
    source: { ...base.source, path: p.album ? `${p.album}/${file}` : file },
    album: p.album ?? "",
    ...(p.date ? { captureDate: p.date } : {}),
    ...(p.tags ? { tags: p.tags } : {}),
    ...(p.place ? { place: p.place } : {}),
    ...(p.gps ? { gps: p.gps } : {}),
    ...(p.links ? { links: p.links } : {}),
    viewer: { ...base.viewer, ...(p.north !== undefined ? { northOffset: p.north } : {}) },
  };
}

const slugs = (list: readonly PanoramaRecord[]) => list.map((p) => p.slug);

/** A point `metres` from `from` in the direction `bearing` (degrees from north), on a flat patch of Earth. */
function offset(from: GpsPoint, metres: number, bearing: number): GpsPoint {
  const rad = (bearing * Math.PI) / 180;
  return { lat: from.lat + (metres * Math.cos(rad)) / 111_195, lng: from.lng + (metres * Math.sin(rad)) / (111_195 * Math.cos((from.lat * Math.PI) / 180)) };
}

function manifestOf(panoramas: PanoramaRecord[], gallery: Partial<Manifest["gallery"]> = {}): Manifest {
  return validateManifest({ version: 1, generator: "rotunda", gallery: { title: "Plant 3", ...gallery }, panoramas, failures: [] });
}

describe("albums", () => {
  const pictures = [
    pic("lobby", { date: "2026-03-01T09:00:00" }),
    pic("east-1a", { album: "East Wing/Floor 1", date: "2026-05-01T09:00:00", file: "b.jpg", title: "Bravo" }),
    pic("east-1b", { album: "East Wing/Floor 1", date: "2026-06-01T09:00:00", file: "a.jpg", title: "Charlie" }),
    pic("east-1c", { album: "East Wing/Floor 1", file: "c.jpg", title: "Alpha" }),
    pic("east-2", { album: "East Wing/Floor 2", date: "2026-01-01T09:00:00" }),
    pic("west", { album: "West", date: "2026-02-01T09:00:00" }),
  ];

  test("every folder holding pictures at any depth is an album at /albums/<each segment slugified>/, parents first", () => {
    const { albums } = albumTree(pictures, []);
    assert.deepEqual(albums.map((a) => [a.path, a.url, a.title, a.count]), [
      ["East Wing", "/albums/east-wing/", "East Wing", 4],
      ["West", "/albums/west/", "West", 1],
      ["East Wing/Floor 1", "/albums/east-wing/floor-1/", "Floor 1", 3],
      ["East Wing/Floor 2", "/albums/east-wing/floor-2/", "Floor 2", 1],
    ]);
    const east = albums[0]!;
    assert.deepEqual(east.panoramas, [], "a folder of folders lists only its sub-albums");
    assert.deepEqual(east.children.map((c) => c.path), ["East Wing/Floor 1", "East Wing/Floor 2"]);
    assert.equal(east.cover?.slug, "east-1b", "its cover is its first sub-album's");
    assert.equal(albums[2]!.parent, "East Wing");
  });

  test("the order: newest first by default (undated last), date-asc, title, file name", () => {
    const floor = (order?: AlbumSettings["order"]) => albumTree(pictures, order ? [{ path: "East Wing/Floor 1", order }] : []).albums.find((a) => a.path === "East Wing/Floor 1")!;
    assert.deepEqual(slugs(floor().panoramas), ["east-1b", "east-1a", "east-1c"]);
    assert.deepEqual(slugs(floor("date").panoramas), ["east-1b", "east-1a", "east-1c"]);
    assert.deepEqual(slugs(floor("date-asc").panoramas), ["east-1a", "east-1b", "east-1c"]);
    assert.deepEqual(slugs(floor("title").panoramas), ["east-1c", "east-1a", "east-1b"]);
    assert.deepEqual(slugs(floor("name").panoramas), ["east-1b", "east-1a", "east-1c"]);
  });

  test("file names and titles order as people count: 2 before 10", () => {
    const list = [pic("p10", { title: "Room 10", file: "r10.jpg" }), pic("p2", { title: "Room 2", file: "r2.jpg" })];
    assert.deepEqual(slugs(orderPanoramas(list, "title")), ["p2", "p10"]);
    assert.deepEqual(slugs(orderPanoramas(list, "name")), ["p2", "p10"]);
  });

  test("_album.md's title, description and cover (a picture's file name)", () => {
    const { albums } = albumTree(pictures, [{ path: "East Wing/Floor 1", title: "Ground floor", description: "Where it starts.", cover: "c.jpg" }]);
    const floor = albums.find((a) => a.path === "East Wing/Floor 1")!;
    assert.equal(floor.title, "Ground floor");
    assert.equal(floor.description, "Where it starts.");
    assert.equal(floor.cover?.slug, "east-1c");
  });

  test("a draft album leaves out itself, its sub-albums and every picture in them", () => {
    const { albums, panoramas } = albumTree(pictures, [{ path: "East Wing", draft: true }]);
    assert.deepEqual(albums.map((a) => a.path), ["West"]);
    assert.deepEqual(slugs(panoramas), ["lobby", "west"]);
    const gallery = buildGallery(manifestOf(pictures, { albums: [{ path: "East Wing/Floor 2", draft: true }] }));
    assert.ok(!gallery.panoramas.some((p) => p.slug === "east-2"), "nor is the picture on the home page");
  });

  test("two folders whose names give the same segment are numbered; a name with no letters left still gets one", () => {
    const { albums } = albumTree([pic("a", { album: "Hall A" }), pic("b", { album: "hall-a" }), pic("c", { album: "東京" })], []);
    assert.deepEqual(albums.map((a) => [a.path, a.url]), [["Hall A", "/albums/hall-a/"], ["hall-a", "/albums/hall-a-2/"], ["東京", "/albums/album/"]]);
  });
});

describe("tags and dates", () => {
  test("tags: one per URL segment, named as most pictures spell it, pictures newest first, sorted by name", () => {
    const tags = tagsOf([
      pic("a", { tags: ["Kitchen", "north"], date: "2026-01-01T00:00:00" }),
      pic("b", { tags: ["kitchen"], date: "2026-02-01T00:00:00" }),
      pic("c", { tags: ["kitchen", "Kitchen"], date: "2026-03-01T00:00:00" }),
      pic("d", { tags: ["kitchen"], date: "2025-03-01T00:00:00" }),
    ]);
    assert.deepEqual(tags.map((t) => [t.name, t.url, slugs(t.panoramas)]), [
      ["kitchen", "/tags/kitchen/", ["c", "b", "a", "d"]],
      ["north", "/tags/north/", ["a"]],
    ]);
  });

  test("the archive by year and month of the camera's own clock, newest month first; undated pictures have none", () => {
    const months = monthsOf([
      pic("tokyo-new-year", { date: "2026-01-01T00:30:00+09:00" }),
      pic("june", { date: "2025-06-14T09:30:00-04:00" }),
      pic("june-2", { date: "2025-06-30T23:59:00Z" }),
      pic("undated"),
    ]);
    assert.deepEqual(months.map((m) => [m.url, slugs(m.panoramas)]), [
      ["/dates/2026/01/", ["tokyo-new-year"]],
      ["/dates/2025/06/", ["june-2", "june"]],
    ]);
  });
});

describe("places", () => {
  const gate: GpsPoint = { lat: 52.52, lng: 13.405 };

  test("a place by name gathers its shots oldest first; names differing in case or spacing are one place", () => {
    const places = placesOf([
      pic("d3", { place: "Loading bay", date: "2026-06-03T08:00:00" }),
      pic("d1", { place: "loading  bay", date: "2026-06-01T08:00:00" }),
      pic("d2", { place: "Loading bay", date: "2026-06-02T08:00:00" }),
      pic("x", { place: "Gate" }),
      pic("none"),
    ]);
    assert.deepEqual(places.map((p) => [p.name, p.url, slugs(p.shots)]), [
      ["Gate", "/places/gate/", ["x"]],
      ["Loading bay", "/places/loading-bay/", ["d1", "d2", "d3"]],
    ]);
  });

  test("by GPS (when asked): near a named place's shot joins it; other shots gather around the first of each spot, without chaining", () => {
    const list = [
      pic("named", { place: "Gate", gps: gate, date: "2026-01-01T08:00:00" }),
      pic("near-named", { gps: offset(gate, 6, 90), date: "2026-01-02T08:00:00" }),
      // A spot 100 m east, shot three times; a shot 12 m further on is within 10 m of the second but not of the first.
      pic("spot-1", { gps: offset(gate, 100, 90), date: "2026-01-01T08:00:00", title: "Yard" }),
      pic("spot-2", { gps: offset(gate, 108, 90), date: "2026-01-02T08:00:00" }),
      pic("spot-3", { gps: offset(gate, 99, 90), date: "2026-01-03T08:00:00" }),
      pic("chain", { gps: offset(gate, 116, 90), date: "2026-01-04T08:00:00" }),
      pic("alone", { gps: offset(gate, 500, 0) }),
    ];
    assert.deepEqual(placesOf(list).map((p) => p.name), ["Gate"], "off unless the gallery asks for it");
    const places = placesOf(list, 10);
    assert.deepEqual(places.map((p) => [p.name, slugs(p.shots)]), [
      ["Gate", ["named", "near-named"]],
      ["Yard", ["spot-1", "spot-2", "spot-3"]],
    ]);
  });

  test("a place by GPS named like another takes a number", () => {
    const places = placesOf([pic("a", { place: "Yard" }), pic("b", { title: "Yard", gps: gate, date: "2026-01-01T08:00:00" }), pic("c", { gps: offset(gate, 2, 0), date: "2026-01-02T08:00:00" })], 10);
    assert.deepEqual(places.map((p) => [p.name, p.url]), [["Yard", "/places/yard/"], ["Yard (2)", "/places/yard-2/"]]);
  });
});

describe("tour links", () => {
  const origin: GpsPoint = { lat: 48.8584, lng: 2.2945 };
  const noPlaces = new Map<string, Place>();

  test("the hotspot sits at the bearing to the target, in the picture's own yaw (through its north offset)", () => {
    const a = pic("a", { gps: origin, north: 90 });
    const b = pic("b", { gps: offset(origin, 20, 0), north: 0 });
    const c = pic("c", { gps: offset(origin, 20, 225), north: 300 });
    const links = tourLinks([a, b, c], noPlaces, 30);
    const yawTo = (from: string, to: string) => links.get(from)!.find((l) => l.target.slug === to)!.yaw;
    // b lies north of a; a's picture centre faces east (90°): north is at yaw -90.
    assert.equal(yawTo("a", "b"), -90);
    assert.equal(yawTo("b", "a"), 180);
    // c lies south-west (225°) of a: yaw 225 - 90 = 135.
    assert.equal(yawTo("a", "c"), 135);
    // a lies north-east (45°) of c, whose centre faces 300°: yaw 45 - 300 = -255 → 105.
    assert.equal(yawTo("c", "a"), 105);
    assert.ok(Math.abs(bearingDegrees(origin, offset(origin, 20, 0))) < 0.01 && Math.abs(distanceMetres(origin, offset(origin, 20, 0)) - 20) < 0.1);
  });

  test("only within the radius, never without a north offset, off without a radius; a sidecar's own links win", () => {
    const a = pic("a", { gps: origin, north: 0 });
    const far = pic("far", { gps: offset(origin, 31, 0), north: 0 });
    const blind = pic("blind", { gps: offset(origin, 10, 180) });
    const own = pic("own", { gps: offset(origin, 10, 90), north: 0, links: [{ to: "far", yaw: 12, pitch: -3, label: "Out to the far end" }, { to: "gone", yaw: 0, pitch: 0 }] });
    const links = tourLinks([a, far, blind, own], noPlaces, 30);
    assert.deepEqual(links.get("a")!.map((l) => l.target.slug).sort(), ["blind", "own"]);
    assert.equal(links.get("blind"), undefined, "no north offset: no direction to place them in");
    assert.deepEqual(links.get("own")!.map((l) => [l.target.slug, l.yaw, l.pitch, l.label]), [["far", 12, -3, "Out to the far end"]], "its own links only; one to nothing is dropped");
    assert.equal(tourLinks([a, far, blind, own], noPlaces, undefined).get("a"), undefined);
  });

  test("one link per other place (its date nearest in time), none to the picture's own place, at most the nearest eight", () => {
    const shot = (slug: string, place: string, at: GpsPoint, date: string) => pic(slug, { place, gps: at, north: 0, date });
    const here = [shot("here-1", "Here", origin, "2026-01-01T08:00:00"), shot("here-2", "Here", origin, "2026-01-05T08:00:00")];
    const there = ["2026-01-01", "2026-01-04", "2026-01-09"].map((d, i) => shot(`there-${i}`, "There", offset(origin, 15, 90), `${d}T08:00:00`));
    const others = Array.from({ length: 10 }, (_, i) => pic(`o${i}`, { gps: offset(origin, 20 + i, 180), north: 0 }));
    const all = [...here, ...there, ...others];
    const placeOf = new Map<string, Place>();
    for (const place of placesOf(all)) for (const s of place.shots) placeOf.set(s.slug, place);
    const links = tourLinks(all, placeOf, 30);
    const from2 = links.get("here-2")!.map((l) => l.target.slug);
    assert.equal(from2.length, MAX_AUTOMATIC_LINKS);
    assert.deepEqual(from2.slice(0, 2), ["there-1", "o0"], "There by its 4 January shot (nearest the 5th), then the nearest others");
    assert.ok(!from2.some((s) => s.startsWith("here")), "never to its own place's other dates");
    assert.equal(links.get("here-1")![0]!.target.slug, "there-0");
  });
});

describe("pagination", () => {
  test("splits at the page size: /, /page/2/, … with previous and next", () => {
    const pages = paginate([1, 2, 3, 4, 5], 2, "/albums/a/");
    assert.deepEqual(pages.map((p) => [p.url, p.items, p.pagination.previous, p.pagination.next]), [
      ["/albums/a/", [1, 2], undefined, "/albums/a/page/2/"],
      ["/albums/a/page/2/", [3, 4], "/albums/a/", "/albums/a/page/3/"],
      ["/albums/a/page/3/", [5], "/albums/a/page/2/", undefined],
    ]);
    assert.deepEqual(paginate([], 48, "/").map((p) => [p.url, p.items.length, p.pagination.count]), [["/", 0, 1]], "an empty listing is one page");
  });

  test("a long listing names the first and last pages and those around the current one", () => {
    const pages = paginate(Array.from({ length: 100 }, (_, i) => i), 1, "/");
    assert.deepEqual(pages[49]!.pagination.pages.map((p) => p.number), [1, 48, 49, 50, 51, 52, 100]);
    assert.deepEqual(pages[0]!.pagination.pages.map((p) => p.number), [1, 2, 3, 100]);
  });
});

describe("pages", () => {
  const bay: GpsPoint = { lat: 35.6812, lng: 139.7671 };
  const pictures = [
    pic("bay-1", { album: "Yard", place: "Loading bay", date: "2026-06-01T08:00:00+09:00", north: 10, gps: bay, tags: ["dock"] }),
    pic("bay-2", { album: "Yard", place: "Loading bay", date: "2026-06-02T08:00:00+09:00", north: 40, gps: bay }),
    pic("bay-3", { album: "Yard", place: "Loading bay", date: "2026-06-03T08:00:00+09:00", north: 95, gps: bay }),
    pic("gate", { album: "Yard", date: "2026-05-01T08:00:00+09:00", north: 0, gps: offset(bay, 20, 90), title: "Gate" }),
    pic("office", { date: "2026-04-01T08:00:00+09:00", links: [{ to: "gate", yaw: 30, pitch: -5, label: "To the gate" }] }),
  ];
  const config = parseConfig({ pageSize: 2 });

  test("home, albums, tags, places and dates hold the right pictures in the right order, split at pageSize", () => {
    const pages = galleryPages(manifestOf(pictures, { pageSize: config.pageSize, tourRadius: 30 }));
    assert.deepEqual(pages.home.map((p) => [p.url, p.panoramas.map((c) => c.url), p.albums.map((a) => a.url)]), [
      ["/", ["/bay-3/", "/bay-2/"], ["/albums/yard/"]],
      ["/page/2/", ["/bay-1/", "/gate/"], []],
      ["/page/3/", ["/office/"], []],
    ]);
    assert.deepEqual(pages.albums.map((p) => [p.url, p.panoramas.length, p.crumbs.map((c) => c.url)]), [
      ["/albums/yard/", 2, ["/", "/albums/"]],
      ["/albums/yard/page/2/", 2, ["/", "/albums/"]],
    ]);
    assert.deepEqual(pages.tags.map((p) => [p.url, p.panoramas.map((c) => c.url)]), [["/tags/dock/", ["/bay-1/"]]]);
    assert.deepEqual(pages.places.map((p) => [p.url, p.panoramas.map((c) => c.url)]), [
      ["/places/loading-bay/", ["/bay-3/", "/bay-2/"]],
      ["/places/loading-bay/page/2/", ["/bay-1/"]],
    ]);
    assert.deepEqual(pages.months.map((p) => [p.url, p.panoramas.map((c) => c.url)]), [
      ["/dates/2026/06/", ["/bay-3/", "/bay-2/"]],
      ["/dates/2026/06/page/2/", ["/bay-1/"]],
      ["/dates/2026/05/", ["/gate/"]],
      ["/dates/2026/04/", ["/office/"]],
    ]);
    assert.deepEqual(pages.dateIndex[0]!.groups, [{ heading: "2026", entries: [
      { url: "/dates/2026/06/", title: "June 2026", count: 3 },
      { url: "/dates/2026/05/", title: "May 2026", count: 1 },
      { url: "/dates/2026/04/", title: "April 2026", count: 1 },
    ] }]);
    assert.deepEqual(pages.nav.map((n) => n.url), ["/", "/albums/", "/places/", "/tags/", "/dates/"]);
    assert.deepEqual(pages.compare, [], "no ladders, nothing to compare");
  });

  test("a picture's page: breadcrumb, neighbours in its album, its place's timeline, tour links, tags, month", () => {
    const pages = galleryPages(manifestOf(pictures, { tourRadius: 30 }));
    const page = pages.panoramas.find((p) => p.url === "/bay-2/")!;
    assert.deepEqual(page.crumbs.map((c) => c.url), ["/", "/albums/", "/albums/yard/"]);
    assert.deepEqual(page.neighbours, { previous: { url: "/bay-3/", title: "bay-3" }, next: { url: "/bay-1/", title: "bay-1" } });
    assert.equal(page.place!.index, 1);
    assert.deepEqual(page.place!.shots.map((s) => [s.url, s.date, s.northOffset]), [
      ["/bay-1/", "2026-06-01T08:00:00+09:00", 10],
      ["/bay-2/", "2026-06-02T08:00:00+09:00", 40],
      ["/bay-3/", "2026-06-03T08:00:00+09:00", 95],
    ]);
    assert.equal(page.place!.previous!.url, "/bay-1/");
    assert.equal(page.place!.next!.url, "/bay-3/");
    assert.equal(page.place!.shots[0]!.label, "1 June 2026, 08:00 (UTC+09:00)");
    // The gate lies 20 m east (90°) of the bay; bay-2's centre faces 40°.
    assert.deepEqual(page.links, [{ url: "/gate/", title: "Gate", yaw: 50, pitch: 0, northOffset: 0 }]);
    assert.deepEqual(page.month, { url: "/dates/2026/06/", title: "June 2026" });
    const office = pages.panoramas.find((p) => p.url === "/office/")!;
    assert.deepEqual(office.crumbs.map((c) => c.url), ["/"], "a picture at the gallery's root is in no album");
    assert.deepEqual(office.links, [{ url: "/gate/", title: "To the gate", yaw: 30, pitch: -5, northOffset: 0 }]);
    assert.deepEqual(pages.panoramas.find((p) => p.url === "/bay-1/")!.tags, [{ url: "/tags/dock/", title: "dock" }]);
  });

  test("a place shot on many days: each picture's page lists the TIMELINE_DATES dates around its own, every page the same size", () => {
    const days = 50;
    const daily = Array.from({ length: days }, (_, i) => {
      const day = new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      return pic(`gate-${String(i).padStart(2, "0")}`, { date: `${day}T08:00:00`, place: "Gate", north: i });
    });
    const pages = galleryPages(manifestOf(daily));
    const timelineOf = (i: number) => pages.panoramas.find((p) => p.url === `/gate-${String(i).padStart(2, "0")}/`)!.place!;
    const numbers = (i: number) => timelineOf(i).shots.map((s) => Number(/gate-(\d+)/.exec(s.url)![1]));
    const run = (from: number) => Array.from({ length: TIMELINE_DATES }, (_, k) => from + k);
    assert.deepEqual(numbers(0), run(0), "the oldest: the oldest dates");
    assert.deepEqual(numbers(25), run(15), "in the middle: centred on it (10 before, 10 after)");
    assert.deepEqual(numbers(days - 1), run(days - TIMELINE_DATES), "the latest: the latest dates");
    for (const i of [0, 3, 25, 47, days - 1]) {
      const t = timelineOf(i);
      assert.equal(t.total, days);
      assert.equal(t.shots.length, TIMELINE_DATES);
      assert.equal(t.shots[t.index]!.url, `/gate-${String(i).padStart(2, "0")}/`, "index is this picture's place in the list");
      assert.equal(t.shots[t.index]!.northOffset, i);
    }
    assert.equal(timelineOf(25).previous!.url, "/gate-24/");
    assert.equal(timelineOf(25).next!.url, "/gate-26/");
    const few = galleryPages(manifestOf(daily.slice(0, 3))).panoramas[0]!.place!;
    assert.deepEqual([few.shots.length, few.total], [3, 3], "a place with few dates lists them all");
  });

  test("coordinates reach pages only when the gallery publishes GPS", () => {
    const hidden = galleryPages(manifestOf(pictures, { tourRadius: 30 }));
    assert.doesNotMatch(JSON.stringify(hidden), /35\.68|139\.76|"gps"|"position"/);
    assert.equal(hidden.panoramas[0]!.links.length > 0 || hidden.panoramas.some((p) => p.links.length > 0), true, "tour links still work without publishing positions");
    const shown = galleryPages(manifestOf(pictures, { publishGps: true, map: { tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png", attribution: "Tiles" } }));
    const page = shown.panoramas.find((p) => p.url === "/bay-1/")!;
    assert.deepEqual(page.position, bay);
    assert.deepEqual(page.map, { tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png", attribution: "Tiles" });
    assert.equal(shown.panoramas.find((p) => p.url === "/office/")!.position, undefined);
    assert.deepEqual(publicRecord(pictures[0]!, false).gps, undefined);
    assert.deepEqual(publicRecord(pictures[0]!, true).gps, bay);
  });

  test("/map/ only when the gallery publishes GPS: a pin per picture with a position, newest first, and the map in the navigation", () => {
    const hidden = galleryPages(manifestOf(pictures));
    assert.deepEqual(hidden.map, []);
    assert.ok(!hidden.nav.some((n) => n.url === "/map/"));
    const tiles = { tiles: "http://127.0.0.1:9/{z}/{x}/{y}.png", attribution: "Tiles" };
    const shown = galleryPages(manifestOf(pictures, { publishGps: true, map: tiles }));
    assert.equal(shown.map.length, 1);
    const map = shown.map[0]!;
    assert.equal(map.url, "/map/");
    assert.deepEqual([map.tiles, map.attribution], [tiles.tiles, tiles.attribution]);
    assert.deepEqual(map.pins.map((p) => [p.url, p.lat, p.lng]), [
      ["/bay-3/", bay.lat, bay.lng],
      ["/bay-2/", bay.lat, bay.lng],
      ["/bay-1/", bay.lat, bay.lng],
      ["/gate/", pictures[3]!.gps!.lat, pictures[3]!.gps!.lng],
    ], "the office has no GPS");
    assert.equal(shown.nav.at(-1)!.url, "/map/");
    const data = JSON.parse(mapData(map, (u) => `/g${u}`));
    assert.deepEqual(data.pins[3], { url: "/g/gate/", title: "Gate", date: "1 May 2026, 08:00 (UTC+09:00)", thumbnail: `/g${pictures[3]!.thumbnail.url}`, lat: pictures[3]!.gps!.lat, lng: pictures[3]!.gps!.lng });
    assert.equal(galleryPages(manifestOf([pic("solo")], { publishGps: true, map: tiles })).map.length, 0, "no picture with a position, no map");
  });

  test("a place with two dates or more has a side-by-side page, linked from its listing and from each shot's timeline", () => {
    const pages = galleryPages(manifestOf([...pictures, pic("office-2", { place: "Office", date: "2026-04-02T08:00:00+09:00" })], { pageSize: 2 }));
    assert.deepEqual(pages.sideBySide.map((p) => [p.url, p.shots.map((s) => s.url), p.crumbs.map((c) => c.url)]), [
      ["/places/loading-bay/compare/", ["/bay-1/", "/bay-2/", "/bay-3/"], ["/", "/places/", "/places/loading-bay/"]],
    ], "the office's one dated shot makes no pair");
    assert.equal(pages.sideBySide[0]!.shots[0]!.label, "1 June 2026, 08:00 (UTC+09:00)");
    assert.deepEqual(pages.places.map((p) => p.seeAlso), [[{ url: "/places/loading-bay/compare/", title: "Two dates side by side" }], [{ url: "/places/loading-bay/compare/", title: "Two dates side by side" }], undefined]);
    const timeline = (url: string) => pages.panoramas.find((p) => p.url === url)!.place!.sideBySide;
    assert.equal(timeline("/bay-1/"), "/places/loading-bay/compare/?a=bay-1&b=bay-2");
    assert.equal(timeline("/bay-3/"), "/places/loading-bay/compare/?a=bay-3&b=bay-2", "the latest pairs with the one before");
    assert.equal(pages.panoramas.find((p) => p.url === "/office-2/")!.place!.sideBySide, undefined);
    const data = JSON.parse(sideBySideData(pages.sideBySide[0]!, (u) => `/g${u}`));
    assert.deepEqual(data.shots[1], { slug: "bay-2", url: "/g/bay-2/", label: "2 June 2026, 08:00 (UTC+09:00)" });
  });

  test("the viewer's data carries the navigation as its contract says, every URL through the prefix", () => {
    const pages = galleryPages(manifestOf(pictures, { tourRadius: 30, publishGps: true, map: { tiles: "https://t/{z}/{x}/{y}.png", attribution: "T" } }));
    const page = pages.panoramas.find((p) => p.url === "/bay-2/")!;
    const data = JSON.parse(viewerData(page.panorama, "view", (u) => `/g${u}`, page));
    assert.deepEqual(data.neighbours, { previous: { url: "/g/bay-3/", title: "bay-3" }, next: { url: "/g/bay-1/", title: "bay-1" } });
    assert.deepEqual(data.place, {
      name: "Loading bay",
      url: "/g/places/loading-bay/",
      index: 1,
      shots: [
        { url: "/g/bay-1/", date: "2026-06-01T08:00:00+09:00", label: "1 June 2026, 08:00 (UTC+09:00)", northOffset: 10 },
        { url: "/g/bay-2/", date: "2026-06-02T08:00:00+09:00", label: "2 June 2026, 08:00 (UTC+09:00)", northOffset: 40 },
        { url: "/g/bay-3/", date: "2026-06-03T08:00:00+09:00", label: "3 June 2026, 08:00 (UTC+09:00)", northOffset: 95 },
      ],
    });
    assert.deepEqual(data.links, [{ url: "/g/gate/", title: "Gate", yaw: 50, pitch: 0, northOffset: 0 }]);
    assert.deepEqual(data.position, bay);
    assert.deepEqual(data.map, { tiles: "https://t/{z}/{x}/{y}.png", attribution: "T" });
    const compare = JSON.parse(viewerData(page.panorama, "compare", (u) => u, page));
    for (const key of ["neighbours", "place", "links", "position", "map"]) assert.equal(compare[key], undefined, `no ${key} on a comparison page`);
    const lonely = galleryPages(manifestOf([pic("solo")]));
    const solo = JSON.parse(viewerData(lonely.panoramas[0]!.panorama, "view", (u) => u, lonely.panoramas[0]!));
    for (const key of ["neighbours", "place", "links", "position", "map"]) assert.equal(solo[key], undefined, `nothing to say: no ${key}`);
  });
});
