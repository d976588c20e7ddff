// The gallery readers navigate, derived from the manifest by pure functions:
// albums from folders, tags, the date archive, places over time and tour links.
// pages.ts turns it into page descriptors for the layouts (pagination, each
// picture's neighbours and timeline); nothing here reads a file or knows Eleventy.
import type { AlbumSettings, GpsPoint, Manifest, PanoramaRecord } from "../manifest.ts";
import { slugify } from "../format.ts";
import { oncePerObject } from "../same-data.ts";
import { bearingDegrees, ProximityGrid, signedDegrees } from "./geo.ts";

export type AlbumOrder = NonNullable<AlbumSettings["order"]>;

export interface Album {
  /** The folder, relative to the gallery ("a/b"). */
  path: string;
  url: string;
  title: string;
  description?: string;
  /** The enclosing album's path; absent for a top-level album. */
  parent?: string;
  /** Pictures directly in the folder, in the album's order. */
  panoramas: PanoramaRecord[];
  /** Sub-albums, by folder name. */
  children: Album[];
  /** The picture shown on the album's card. */
  cover?: PanoramaRecord;
  /** Pictures at any depth. */
  count: number;
}

export interface Tag {
  name: string;
  url: string;
  /** Newest first. */
  panoramas: PanoramaRecord[];
}

export interface Month {
  /** "2026-06" */
  key: string;
  year: string;
  month: string;
  url: string;
  /** Newest first. */
  panoramas: PanoramaRecord[];
}

export interface Place {
  name: string;
  url: string;
  /** Oldest first: the timeline (undated shots last). */
  shots: PanoramaRecord[];
}

/** A hotspot to another picture: where it lies in this picture's viewer yaw and pitch (degrees). */
export interface ResolvedLink {
  target: PanoramaRecord;
  yaw: number;
  pitch: number;
  label?: string;
}

export interface Gallery {
  /** Published pictures, newest first (drafted albums left out). */
  panoramas: PanoramaRecord[];
  /** Every album, parents before their sub-albums. */
  albums: Album[];
  topAlbums: Album[];
  /** Pictures at the gallery's root, newest first. */
  rootPanoramas: PanoramaRecord[];
  albumOf: Map<string, Album>;
  tags: Tag[];
  tagsOf: Map<string, Tag[]>;
  months: Month[];
  places: Place[];
  placeOf: Map<string, Place>;
  linksOf: Map<string, ResolvedLink[]>;
  pageSize: number;
  publishGps: boolean;
}

const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
const byText = (a: string, b: string) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
/** Capture times, parsed once per record. */
const time = oncePerObject((p: PanoramaRecord): number => (p.captureDate ? Date.parse(p.captureDate) : NaN));

/** The folder a record sits in ("" at the gallery's root). */
export function albumPathOf(record: PanoramaRecord): string {
  if (record.album !== undefined) return record.album;
  const slash = record.source.path.lastIndexOf("/");
  return slash === -1 ? "" : record.source.path.slice(0, slash);
}

const fileNameOf = (record: PanoramaRecord) => record.source.path.slice(record.source.path.lastIndexOf("/") + 1);

/** Dated before undated; ties by title, then slug. */
function byDate(direction: 1 | -1) {
  return (a: PanoramaRecord, b: PanoramaRecord) => {
    const ta = time(a);
    const tb = time(b);
    if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
    return (Number.isNaN(ta) ? 0 : direction * (ta - tb)) || byText(a.title, b.title) || (a.slug < b.slug ? -1 : 1);
  };
}

/**
 * Every picture's position newest first and oldest first, worked out once so
 * the many listings of a gallery sort by a number instead of comparing dates and titles.
 */
export interface Ranking {
  newest: ReadonlyMap<PanoramaRecord, number>;
  oldest: ReadonlyMap<PanoramaRecord, number>;
}

export function rankingOf(panoramas: readonly PanoramaRecord[]): Ranking {
  const rank = (sorted: PanoramaRecord[]) => new Map(sorted.map((p, i) => [p, i] as const));
  return { newest: rank([...panoramas].sort(byDate(-1))), oldest: rank([...panoramas].sort(byDate(1))) };
}

/** Pictures in an album's order: `date` newest first (the default), `date-asc`, `title`, `name` (file name). */
export function orderPanoramas(panoramas: readonly PanoramaRecord[], order: AlbumOrder = "date", ranking?: Ranking): PanoramaRecord[] {
  const list = [...panoramas];
  if (ranking && (order === "date" || order === "date-asc")) {
    const ranks = order === "date" ? ranking.newest : ranking.oldest;
    if (list.every((p) => ranks.has(p))) return list.sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  }
  switch (order) {
    case "date-asc":
      return list.sort(byDate(1));
    case "title":
      return list.sort((a, b) => byText(a.title, b.title) || (a.slug < b.slug ? -1 : 1));
    case "name":
      return list.sort((a, b) => byText(fileNameOf(a), fileNameOf(b)) || (a.slug < b.slug ? -1 : 1));
    default:
      return list.sort(byDate(-1));
  }
}

/** Unique URL segments for names: slugified, and numbered (`-2`) where two names give the same one. */
function uniqueSlugs(names: readonly string[], fallback: string, taken: Set<string> = new Set()): Map<string, string> {
  const slugs = new Map<string, string>();
  for (const name of [...names].sort(byText)) {
    const base = slugify(name, fallback);
    let slug = base;
    for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
    taken.add(slug);
    slugs.set(name, slug);
  }
  return slugs;
}

/**
 * Every folder that holds pictures at any depth is an album at
 * `/albums/<each segment slugified>/`; a draft album and everything in it is left
 * out. Returns the albums (parents first) and the pictures still published.
 */
export function albumTree(panoramas: readonly PanoramaRecord[], settings: readonly AlbumSettings[], ranking?: Ranking): { albums: Album[]; panoramas: PanoramaRecord[] } {
  const settingsOf = new Map(settings.map((s) => [s.path, s]));
  const drafted = (folder: string): boolean => {
    for (let f = folder; f !== ""; f = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : "") if (settingsOf.get(f)?.draft) return true;
    return false;
  };
  const published = panoramas.filter((p) => !drafted(albumPathOf(p)));

  const byFolder = new Map<string, PanoramaRecord[]>();
  for (const p of published) {
    const folder = albumPathOf(p);
    for (let f = folder; f !== ""; f = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : "") if (!byFolder.has(f)) byFolder.set(f, []);
    if (folder !== "") byFolder.get(folder)!.push(p);
  }
  const folders = [...byFolder.keys()].sort((a, b) => a.split("/").length - b.split("/").length || byText(a, b));
  const parentOf = (folder: string) => (folder.includes("/") ? folder.slice(0, folder.lastIndexOf("/")) : undefined);

  // Each folder's URL segment, unique among its siblings.
  const segmentOf = new Map<string, string>();
  const siblings = new Map<string, string[]>();
  for (const folder of folders) {
    const parent = parentOf(folder) ?? "";
    if (!siblings.has(parent)) siblings.set(parent, []);
    siblings.get(parent)!.push(folder);
  }
  for (const group of siblings.values()) {
    const names = group.map((f) => f.slice(f.lastIndexOf("/") + 1));
    const slugs = uniqueSlugs(names, "album");
    for (const folder of group) segmentOf.set(folder, slugs.get(folder.slice(folder.lastIndexOf("/") + 1))!);
  }

  const albums = new Map<string, Album>();
  for (const folder of folders) {
    const own = settingsOf.get(folder);
    const parent = parentOf(folder);
    const parentUrl = parent ? albums.get(parent)!.url : "/albums/";
    const album: Album = {
      path: folder,
      url: `${parentUrl}${segmentOf.get(folder)}/`,
      title: own?.title ?? folder.slice(folder.lastIndexOf("/") + 1),
      ...(own?.description ? { description: own.description } : {}),
      ...(parent ? { parent } : {}),
      panoramas: orderPanoramas(byFolder.get(folder)!, own?.order, ranking),
      children: [],
      count: 0,
    };
    albums.set(folder, album);
    if (parent) albums.get(parent)!.children.push(album);
  }
  // Deepest first, so a parent's count and cover can use its sub-albums'.
  for (const folder of [...folders].reverse()) {
    const album = albums.get(folder)!;
    album.children.sort((a, b) => byText(a.path.slice(a.path.lastIndexOf("/") + 1), b.path.slice(b.path.lastIndexOf("/") + 1)));
    album.count = album.panoramas.length + album.children.reduce((n, c) => n + c.count, 0);
    const wanted = settingsOf.get(folder)?.cover;
    const cover = (wanted && album.panoramas.find((p) => fileNameOf(p) === wanted)) || album.panoramas[0] || album.children.find((c) => c.cover)?.cover;
    if (cover) album.cover = cover;
  }
  return { albums: folders.map((f) => albums.get(f)!), panoramas: published };
}

/** Tags by their URL segment (spellings that give the same segment are one tag, named as most pictures spell it), by name. */
export function tagsOf(panoramas: readonly PanoramaRecord[], ranking?: Ranking): Tag[] {
  const groups = new Map<string, { spellings: Map<string, number>; panoramas: PanoramaRecord[] }>();
  for (const p of panoramas) {
    for (const name of new Set(p.tags ?? [])) {
      const key = slugify(name, "tag");
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { spellings: new Map(), panoramas: [] }));
      group.spellings.set(name, (group.spellings.get(name) ?? 0) + 1);
      if (group.panoramas[group.panoramas.length - 1] !== p) group.panoramas.push(p);
    }
  }
  const tags = [...groups].map(([key, group]) => ({
    name: [...group.spellings].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))[0]![0],
    url: `/tags/${key}/`,
    panoramas: orderPanoramas(group.panoramas, "date", ranking),
  }));
  return tags.sort((a, b) => byText(a.name, b.name));
}

/** The archive: one month per year and month a picture was taken in (the camera's own clock), newest first. */
export function monthsOf(panoramas: readonly PanoramaRecord[], ranking?: Ranking): Month[] {
  const months = new Map<string, PanoramaRecord[]>();
  for (const p of panoramas) {
    const m = p.captureDate && /^(\d{4})-(\d\d)/.exec(p.captureDate);
    if (!m) continue;
    const key = `${m[1]}-${m[2]}`;
    if (!months.has(key)) months.set(key, []);
    months.get(key)!.push(p);
  }
  return [...months.keys()]
    .sort()
    .reverse()
    .map((key) => {
      const [year, month] = key.split("-") as [string, string];
      return { key, year, month, url: `/dates/${year}/${month}/`, panoramas: orderPanoramas(months.get(key)!, "date", ranking) };
    });
}

/**
 * Places: pictures whose record names one (a sidecar's `place`, a fixed camera's),
 * and, with `byGps` (metres), pictures with GPS near them or near each other.
 * A picture without a named place joins the place of the nearest named picture
 * within `byGps`; the rest gather, oldest first, around the first picture of
 * each spot (never in a chain), and a spot shot more than once becomes a place
 * named after its first picture.
 */
export function placesOf(panoramas: readonly PanoramaRecord[], byGps?: number, ranking?: Ranking): Place[] {
  const named = new Map<string, { spellings: Map<string, number>; shots: PanoramaRecord[] }>();
  const keyOf = (name: string) => name.trim().toLowerCase().replace(/\s+/g, " ");
  for (const p of panoramas) {
    if (!p.place) continue;
    const key = keyOf(p.place);
    let group = named.get(key);
    if (!group) named.set(key, (group = { spellings: new Map(), shots: [] }));
    group.spellings.set(p.place, (group.spellings.get(p.place) ?? 0) + 1);
    group.shots.push(p);
  }
  const groups: Array<{ name: string; shots: PanoramaRecord[] }> = [...named.values()].map((g) => ({
    name: [...g.spellings].sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))[0]![0],
    shots: g.shots,
  }));

  if (byGps) {
    const near = new ProximityGrid<{ shots: PanoramaRecord[] }>(byGps);
    for (const group of groups) for (const shot of group.shots) if (shot.gps) near.add(shot.gps, group);
    const loose: PanoramaRecord[] = [];
    for (const p of panoramas) {
      if (p.place || !p.gps) continue;
      const nearest = near.near(p.gps)[0];
      if (nearest) nearest.item.shots.push(p);
      else loose.push(p);
    }
    const spots = new ProximityGrid<PanoramaRecord[]>(byGps);
    const spotList: PanoramaRecord[][] = [];
    for (const p of orderPanoramas(loose, "date-asc", ranking)) {
      const spot = spots.near(p.gps!)[0];
      if (spot) spot.item.push(p);
      else {
        const shots = [p];
        spots.add(p.gps!, shots);
        spotList.push(shots);
      }
    }
    const names = new Set(groups.map((g) => keyOf(g.name)));
    for (const shots of spotList) {
      if (shots.length < 2) continue;
      let name = shots[0]!.title;
      for (let n = 2; names.has(keyOf(name)); n++) name = `${shots[0]!.title} (${n})`;
      names.add(keyOf(name));
      groups.push({ name, shots });
    }
  }

  const slugs = uniqueSlugs(groups.map((g) => g.name), "place");
  return groups
    .map((g) => ({ name: g.name, url: `/places/${slugs.get(g.name)}/`, shots: orderPanoramas(g.shots, "date-asc", ranking) }))
    .sort((a, b) => byText(a.name, b.name));
}

/** Automatic links from one picture: at most this many, nearest first. */
export const MAX_AUTOMATIC_LINKS = 8;
/** Pictures closer than this are the same spot: no direction to point a hotspot in. */
const SAME_SPOT_METRES = 1;

/**
 * Tour links. A picture's sidecar `links` are its own and win; a picture without
 * them, with GPS and a known north offset, links to what lies within `radius`
 * metres: each other place (by the shot nearest in time to this one; a place is
 * where its first shot with GPS was taken) and each picture outside any place,
 * nearest first, never to its own place's other dates (its timeline has them);
 * each hotspot at the bearing to the target converted into the picture's viewer
 * yaw through its north offset.
 */
export function tourLinks(panoramas: readonly PanoramaRecord[], placeOf: ReadonlyMap<string, Place>, radius?: number, ranking?: Ranking): Map<string, ResolvedLink[]> {
  const bySlug = new Map(panoramas.map((p) => [p.slug, p]));
  const links = new Map<string, ResolvedLink[]>();
  for (const p of panoramas) {
    if (!p.links) continue;
    const own: ResolvedLink[] = [];
    for (const link of p.links) {
      const target = bySlug.get(link.to);
      if (target && target !== p) own.push({ target, yaw: link.yaw, pitch: link.pitch, ...(link.label !== undefined ? { label: link.label } : {}) });
    }
    links.set(p.slug, own);
  }
  if (!radius) return links;

  // Spots: a place's shots with GPS (oldest first), or one picture outside any place.
  interface Spot { at: GpsPoint; shots: PanoramaRecord[]; near?: Spot[] }
  const spots: Spot[] = [];
  const spotOf = new Map<PanoramaRecord, Spot>();
  const ofPlace = new Map<Place, Spot>();
  for (const p of orderPanoramas(panoramas, "date-asc", ranking)) {
    if (!p.gps) continue;
    const place = placeOf.get(p.slug);
    let spot = place ? ofPlace.get(place) : undefined;
    if (!spot) {
      spot = { at: p.gps, shots: [] };
      spots.push(spot);
      if (place) ofPlace.set(place, spot);
    }
    spot.shots.push(p);
    spotOf.set(p, spot);
  }
  const grid = new ProximityGrid<Spot>(radius);
  for (const spot of spots) grid.add(spot.at, spot);
  const nearby = (spot: Spot): Spot[] =>
    (spot.near ??= grid.near(spot.at).filter((n) => n.item !== spot && n.metres >= SAME_SPOT_METRES).slice(0, MAX_AUTOMATIC_LINKS).map((n) => n.item));

  for (const p of panoramas) {
    if (p.links || !p.gps || p.viewer.northOffset === undefined) continue;
    const spot = spotOf.get(p)!;
    const targets = nearby(spot).map((other) => nearestInTime(other.shots, p));
    if (targets.length === 0) continue;
    links.set(
      p.slug,
      targets.map((target) => ({ target, yaw: round(signedDegrees(bearingDegrees(p.gps!, target.gps!) - p.viewer.northOffset!)), pitch: 0 })),
    );
  }
  return links;
}

/** The shot (oldest first) taken nearest in time to `p`; the latest when `p` or they have no date. */
function nearestInTime(shots: readonly PanoramaRecord[], p: PanoramaRecord): PanoramaRecord {
  const t = time(p);
  let best = shots[shots.length - 1]!;
  if (Number.isNaN(t)) return best;
  let bestGap = Infinity;
  for (const shot of shots) {
    const gap = Math.abs(time(shot) - t);
    if (gap < bestGap) {
      best = shot;
      bestGap = gap;
    }
  }
  return best;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The record as pages may show it: no position unless the gallery publishes GPS. */
export function publicRecord(record: PanoramaRecord, publishGps: boolean): PanoramaRecord {
  return publishGps || !record.gps ? record : withoutPosition(record);
}

const withoutPosition = oncePerObject(({ gps: _gps, ...rest }: PanoramaRecord) => rest as PanoramaRecord);

/** The whole gallery model of a manifest. */
export function buildGallery(manifest: Manifest): Gallery {
  const { publishGps, pageSize } = manifest.gallery;
  const ranking = rankingOf(manifest.panoramas);
  const tree = albumTree(manifest.panoramas, manifest.gallery.albums, ranking);
  // Places and tour links use positions; what pages see of a record has none unless published.
  const places = placesOf(tree.panoramas, manifest.gallery.placesByGps, ranking);
  const placeOfInternal = new Map<string, Place>();
  for (const place of places) for (const shot of place.shots) placeOfInternal.set(shot.slug, place);
  const links = tourLinks(tree.panoramas, placeOfInternal, manifest.gallery.tourRadius, ranking);

  const visible = new Map(tree.panoramas.map((p) => [p, publicRecord(p, publishGps)]));
  const show = (p: PanoramaRecord) => visible.get(p) ?? publicRecord(p, publishGps);
  const publicRanking: Ranking = {
    newest: new Map([...ranking.newest].map(([p, n]) => [show(p), n])),
    oldest: new Map([...ranking.oldest].map(([p, n]) => [show(p), n])),
  };
  const panoramas = orderPanoramas(tree.panoramas.map(show), "date", publicRanking);
  const albums = tree.albums.map((a) => ({ ...a, panoramas: a.panoramas.map(show), cover: a.cover && show(a.cover) }));
  const albumByPath = new Map(albums.map((a) => [a.path, a]));
  for (const a of albums) a.children = a.children.map((c) => albumByPath.get(c.path)!);
  const albumOf = new Map<string, Album>();
  for (const a of albums) for (const p of a.panoramas) albumOf.set(p.slug, a);
  const publicPlaces = places.map((pl) => ({ ...pl, shots: pl.shots.map(show) }));
  const placeOf = new Map<string, Place>();
  for (const place of publicPlaces) for (const shot of place.shots) placeOf.set(shot.slug, place);
  const tags = tagsOf(panoramas, publicRanking);
  const tagsOfPicture = new Map<string, Tag[]>();
  for (const tag of tags) {
    for (const p of tag.panoramas) {
      const list = tagsOfPicture.get(p.slug);
      if (list) list.push(tag);
      else tagsOfPicture.set(p.slug, [tag]);
    }
  }
  const linksOf = new Map([...links].map(([slug, list]) => [slug, list.map((l) => ({ ...l, target: show(l.target) }))]));

  return {
    panoramas,
    albums,
    topAlbums: albums.filter((a) => a.parent === undefined),
    rootPanoramas: panoramas.filter((p) => albumPathOf(p) === ""),
    albumOf,
    tags,
    tagsOf: tagsOfPicture,
    months: monthsOf(panoramas, publicRanking),
    places: publicPlaces,
    placeOf,
    linksOf,
    pageSize,
    publishGps,
  };
}
