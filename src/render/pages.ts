// Every page of the gallery as a plain descriptor the layouts render: its URL,
// its text, its cards and its links, paginated where it lists. Pure functions of
// the gallery model (gallery.ts); JSON-safe, so a page whose descriptor is
// unchanged need not be rendered again (incremental.ts).
import type { GpsPoint, ImageRef, Manifest, PanoramaRecord } from "../manifest.ts";
import { feedEntries } from "./discovery.ts";
import { readableDate } from "./filters.ts";
import { oncePerObject } from "../same-data.ts";
import { buildGallery, type Album, type Gallery, type Place } from "./gallery.ts";

export interface Crumb {
  url: string;
  title: string;
}

export interface PanoramaCard {
  url: string;
  title: string;
  thumbnail: ImageRef;
  captureDate?: string;
}

export interface AlbumCard {
  url: string;
  title: string;
  /** Pictures at any depth. */
  count: number;
  thumbnail?: ImageRef;
}

/** A line of a text list (the tags, the places, the months). */
export interface EntryLink {
  url: string;
  title: string;
  count: number;
  thumbnail?: ImageRef;
  /** A short second line ("3 dates, 2024–2026"). */
  detail?: string;
}

export interface Pagination {
  /** 1-based. */
  number: number;
  count: number;
  previous?: string;
  next?: string;
  /** The first and last pages and those around this one, in order. */
  pages: Array<{ number: number; url: string }>;
}

export interface ListingPage {
  url: string;
  /** An album's Atom feed (`/albums/<a>/feed.xml`), for the page's discovery link. */
  feed?: string;
  /** For <title>: the heading, and the page number past the first. */
  title: string;
  heading: string;
  description?: string;
  /** The way back up, outermost first (the page itself not included). */
  crumbs: Crumb[];
  albums: AlbumCard[];
  panoramas: PanoramaCard[];
  entries: EntryLink[];
  groups: Array<{ heading: string; entries: EntryLink[] }>;
  pagination: Pagination;
  /** Other pages about what the listing lists (a place's side-by-side dates). */
  seeAlso?: Crumb[];
}

/** One date of a place: what its timeline shows and the viewer switches to. */
export interface Shot {
  url: string;
  /** ISO 8601 capture time ("" when unknown). */
  date: string;
  label: string;
  northOffset?: number;
  title: string;
}

export interface PlaceTimeline {
  name: string;
  url: string;
  /** This picture's position among `shots`. */
  index: number;
  /**
   * The place's dates around this one, oldest first: all of them up to
   * TIMELINE_DATES, else that many centred on this one (the place's own pages
   * list every date), so a spot shot daily for years keeps each page's size.
   */
  shots: Shot[];
  /** How many dates the place has in all. */
  total: number;
  previous?: Shot;
  next?: Shot;
  /** The place's side-by-side page with this shot and its neighbour preselected (two dates or more). */
  sideBySide?: string;
}

export interface TourTarget {
  url: string;
  title: string;
  /** Where the target lies, in this picture's viewer yaw and pitch. */
  yaw: number;
  pitch: number;
  /** The target's own north offset. */
  northOffset?: number;
}

export interface PanoramaPage {
  url: string;
  panorama: PanoramaRecord;
  /** Home, the albums, and the album the picture is in. */
  crumbs: Crumb[];
  /** Previous and next picture in its album (or among the pictures at the gallery's root). */
  neighbours: { previous?: Crumb; next?: Crumb };
  tags: Crumb[];
  /** Its month in the archive. */
  month?: Crumb;
  place?: PlaceTimeline;
  links: TourTarget[];
  /** Only when the gallery publishes GPS. */
  position?: GpsPoint;
  /** The map's tiles and attribution: only with a position. */
  map?: { tiles: string; attribution: string };
}

export interface ComparePage {
  url: string;
  panorama: PanoramaRecord;
}

/** A picture on the map: where it was taken and what its marker shows. */
export interface MapPin {
  url: string;
  title: string;
  thumbnail: ImageRef;
  captureDate?: string;
  lat: number;
  lng: number;
}

/** `/map/`: every picture with a position (only when the gallery publishes GPS). */
export interface MapPage {
  url: string;
  /** Newest first, as the home page lists them. */
  pins: MapPin[];
  tiles: string;
  attribution: string;
}

/** Two dates of a place in two viewers turning together: `/places/<place>/compare/`. */
export interface SideBySidePage {
  url: string;
  place: Crumb;
  crumbs: Crumb[];
  /** Oldest first; the page starts with the first and the last unless its address names two. */
  shots: SideBySideShot[];
}

export interface SideBySideShot {
  slug: string;
  url: string;
  /** Its date, or its title when undated. */
  label: string;
  panorama: PanoramaRecord;
}

export interface GalleryPages {
  home: ListingPage[];
  albumIndex: ListingPage[];
  albums: ListingPage[];
  tagIndex: ListingPage[];
  tags: ListingPage[];
  placeIndex: ListingPage[];
  places: ListingPage[];
  dateIndex: ListingPage[];
  months: ListingPage[];
  panoramas: PanoramaPage[];
  compare: ComparePage[];
  /** None, or the one map page. */
  map: MapPage[];
  sideBySide: SideBySidePage[];
  /** The site's sections, for the navigation on every page (only those with something in them). */
  nav: Crumb[];
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export const pageUrl = (panorama: PanoramaRecord) => `/${panorama.slug}/`;

const HOME: Crumb = { url: "/", title: "Home" };
const ALBUMS: Crumb = { url: "/albums/", title: "Albums" };
const TAGS: Crumb = { url: "/tags/", title: "Tags" };
const PLACES: Crumb = { url: "/places/", title: "Places" };
const DATES: Crumb = { url: "/dates/", title: "Dates" };
const MAP: Crumb = { url: "/map/", title: "Map" };

/** A place's side-by-side page, `a` and `b` (slugs) preselected when given. */
export function sideBySideUrl(place: Pick<Place, "url">, a?: string, b?: string): string {
  return `${place.url}compare/${a && b ? `?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` : ""}`;
}

/** Page numbers named either side of the current one. */
const PAGE_WINDOW = 2;

/** Splits `items` into pages of `size`: the first at `baseUrl`, the next at `<baseUrl>page/2/` and on; always one page at least. */
export function paginate<T>(items: readonly T[], size: number, baseUrl: string): Array<{ url: string; items: T[]; pagination: Pagination }> {
  const count = Math.max(1, Math.ceil(items.length / size));
  const urlOf = (n: number) => (n === 1 ? baseUrl : `${baseUrl}page/${n}/`);
  return Array.from({ length: count }, (_, i) => {
    const number = i + 1;
    // The first and last pages and those around this one: a listing of a thousand pages names seven.
    const shown = new Set([1, ...Array.from({ length: 2 * PAGE_WINDOW + 1 }, (_, k) => number - PAGE_WINDOW + k), count]);
    const pages = [...shown].filter((n) => n >= 1 && n <= count).sort((a, b) => a - b).map((n) => ({ number: n, url: urlOf(n) }));
    return {
      url: urlOf(number),
      items: items.slice(i * size, number * size),
      pagination: {
        number,
        count,
        ...(number > 1 ? { previous: urlOf(number - 1) } : {}),
        ...(number < count ? { next: urlOf(number + 1) } : {}),
        pages,
      },
    };
  });
}

const card = oncePerObject((p: PanoramaRecord): PanoramaCard => ({ url: pageUrl(p), title: p.title, thumbnail: p.thumbnail, ...(p.captureDate ? { captureDate: p.captureDate } : {}) }));

function albumCard(a: Album): AlbumCard {
  return { url: a.url, title: a.title, count: a.count, ...(a.cover ? { thumbnail: a.cover.thumbnail } : {}) };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const monthTitle = (year: string, month: string) => `${MONTHS[Number(month) - 1] ?? month} ${year}`;

interface ListingParts {
  heading: string;
  description?: string;
  crumbs: Crumb[];
  /** Shown on the first page only. */
  albums?: AlbumCard[];
  groups?: ListingPage["groups"];
}

/** What one page of a listing shows of its items. */
type Fill<T> = (items: T[]) => Partial<Pick<ListingPage, "panoramas" | "entries" | "albums">>;

/** A listing's pages: its items (pictures, entries or albums) split at the page size; `parts.albums` and groups on the first page only. */
function listing<T>(baseUrl: string, items: readonly T[], size: number, parts: ListingParts, fill: Fill<T>): ListingPage[] {
  return paginate(items, size, baseUrl).map(({ url, items: slice, pagination }) => ({
    url,
    title: pagination.number === 1 ? parts.heading : `${parts.heading}, page ${pagination.number} of ${pagination.count}`,
    heading: parts.heading,
    ...(parts.description ? { description: parts.description } : {}),
    crumbs: parts.crumbs,
    albums: pagination.number === 1 ? (parts.albums ?? []) : [],
    groups: pagination.number === 1 ? (parts.groups ?? []) : [],
    panoramas: [],
    entries: [],
    ...fill(slice),
    pagination,
  }));
}

const ofPictures: Fill<PanoramaRecord> = (items) => ({ panoramas: items.map(card) });
const ofEntries: Fill<EntryLink> = (items) => ({ entries: items });
const ofAlbums: Fill<AlbumCard> = (items) => ({ albums: items });

/** An album and the albums it lies in, outermost first. */
function albumTrail(albumByPath: ReadonlyMap<string, Album>, album: Album | undefined): Crumb[] {
  const trail: Crumb[] = [];
  for (let a = album; a; a = a.parent ? albumByPath.get(a.parent) : undefined) trail.unshift({ url: a.url, title: a.title });
  return trail;
}

const shotOf = oncePerObject((p: PanoramaRecord): Shot => ({
  url: pageUrl(p),
  date: p.captureDate ?? "",
  label: dateLabel(p),
  ...(p.viewer.northOffset !== undefined ? { northOffset: p.viewer.northOffset } : {}),
  title: p.title,
}));

/** A picture's date as its place's pages show it, or its title when undated. */
const dateLabel = (p: PanoramaRecord) => (p.captureDate ? readableDate(p.captureDate) : p.title);

/** A link to a picture's page by its title. */
const linkTo = oncePerObject((p: PanoramaRecord): Crumb => ({ url: pageUrl(p), title: p.title }));

const sideBySideShot = oncePerObject((p: PanoramaRecord): SideBySideShot => ({ slug: p.slug, url: pageUrl(p), label: dateLabel(p), panorama: p }));

/** The most dates a picture's page lists of its place. */
export const TIMELINE_DATES = 21;

function timeline(place: Place, shots: Shot[], index: number): PlaceTimeline {
  // Side by side with the next date, or the previous one for the latest.
  const other = place.shots[index < place.shots.length - 1 ? index + 1 : index - 1];
  const from = Math.max(0, Math.min(index - (TIMELINE_DATES >> 1), shots.length - TIMELINE_DATES));
  return {
    name: place.name,
    url: place.url,
    index: index - from,
    shots: shots.slice(from, from + TIMELINE_DATES),
    total: shots.length,
    ...(index > 0 ? { previous: shots[index - 1]! } : {}),
    ...(index < shots.length - 1 ? { next: shots[index + 1]! } : {}),
    ...(other ? { sideBySide: sideBySideUrl(place, place.shots[index]!.slug, other.slug) } : {}),
  };
}

function dateRange(shots: PanoramaRecord[]): string {
  const years = shots.map((s) => s.captureDate?.slice(0, 4)).filter((y): y is string => !!y).sort();
  if (years.length === 0) return "";
  return years[0] === years[years.length - 1] ? years[0]! : `${years[0]}–${years[years.length - 1]}`;
}

/** An album's Atom feed: its newest pictures at any depth, as the site's feed has the gallery's. */
export interface AlbumFeed {
  /** `/albums/<a>/feed.xml`. */
  url: string;
  /** The album's page. */
  albumUrl: string;
  title: string;
  description?: string;
  /** The feed's entries, newest first (only pictures with a capture date: Atom needs each one's date). */
  panoramas: PanoramaRecord[];
}

const albumFeedUrl = (album: Album) => `${album.url}feed.xml`;

/** The pictures of an album and of its sub-albums, at any depth. */
function picturesWithin(album: Album): PanoramaRecord[] {
  return [...album.panoramas, ...album.children.flatMap(picturesWithin)];
}

/** Every album's feed. */
export function albumFeeds(gallery: Gallery): AlbumFeed[] {
  return gallery.albums.map((album) => ({
    url: albumFeedUrl(album),
    albumUrl: album.url,
    title: album.title,
    ...(album.description ? { description: album.description } : {}),
    panoramas: feedEntries(picturesWithin(album)),
  }));
}

/** Every page of a gallery model. */
export function pagesOf(gallery: Gallery, manifest: Pick<Manifest, "gallery">): GalleryPages {
  const size = gallery.pageSize;
  const topAlbumCards = gallery.topAlbums.map(albumCard);

  const home = listing("/", gallery.panoramas, size, {
    heading: manifest.gallery.title,
    ...(manifest.gallery.description ? { description: manifest.gallery.description } : {}),
    crumbs: [],
    albums: topAlbumCards,
  }, ofPictures);

  const albumIndex = gallery.albums.length === 0 ? [] : listing(ALBUMS.url, topAlbumCards, size, { heading: "Albums", crumbs: [HOME] }, ofAlbums);

  const albumByPath = new Map(gallery.albums.map((a) => [a.path, a]));
  const albums = gallery.albums.flatMap((album) =>
    listing(album.url, album.panoramas, size, {
      heading: album.title,
      ...(album.description ? { description: album.description } : {}),
      crumbs: [HOME, ALBUMS, ...albumTrail(albumByPath, album.parent ? albumByPath.get(album.parent) : undefined)],
      albums: album.children.map(albumCard),
    }, ofPictures).map((page) => ({ ...page, feed: albumFeedUrl(album) })));

  const tagEntries: EntryLink[] = gallery.tags.map((t) => ({ url: t.url, title: t.name, count: t.panoramas.length }));
  const tagIndex = gallery.tags.length === 0 ? [] : listing(TAGS.url, tagEntries, size, { heading: "Tags", crumbs: [HOME] }, ofEntries);
  const tags = gallery.tags.flatMap((tag) => listing(tag.url, tag.panoramas, size, { heading: `Tagged “${tag.name}”`, crumbs: [HOME, TAGS] }, ofPictures));

  const placeEntries: EntryLink[] = gallery.places.map((pl) => {
    const newest = pl.shots.filter((s) => s.captureDate).at(-1) ?? pl.shots[0]!;
    const range = dateRange(pl.shots);
    return { url: pl.url, title: pl.name, count: pl.shots.length, thumbnail: newest.thumbnail, detail: `${plural(pl.shots.length, "date")}${range ? `, ${range}` : ""}` };
  });
  const placeIndex = gallery.places.length === 0 ? [] : listing(PLACES.url, placeEntries, size, { heading: "Places", crumbs: [HOME] }, ofEntries);
  const places = gallery.places.flatMap((pl) =>
    listing(pl.url, [...pl.shots].reverse(), size, { heading: pl.name, crumbs: [HOME, PLACES] }, ofPictures).map((page) =>
      pl.shots.length > 1 ? { ...page, seeAlso: [{ url: sideBySideUrl(pl), title: "Two dates side by side" }] } : page,
    ),
  );
  const sideBySide = gallery.places
    .filter((pl) => pl.shots.length > 1)
    .map((pl): SideBySidePage => ({
      url: sideBySideUrl(pl),
      place: { url: pl.url, title: pl.name },
      crumbs: [HOME, PLACES, { url: pl.url, title: pl.name }],
      shots: pl.shots.map(sideBySideShot),
    }));

  const years = new Map<string, EntryLink[]>();
  for (const m of gallery.months) {
    if (!years.has(m.year)) years.set(m.year, []);
    years.get(m.year)!.push({ url: m.url, title: monthTitle(m.year, m.month), count: m.panoramas.length });
  }
  const dateGroups = [...years].map(([year, entries]) => ({ heading: year, entries }));
  const dateIndex = gallery.months.length === 0 ? [] : listing(DATES.url, [], size, { heading: "Dates", crumbs: [HOME], groups: dateGroups }, ofEntries);
  const months = gallery.months.flatMap((m) => listing(m.url, m.panoramas, size, { heading: monthTitle(m.year, m.month), crumbs: [HOME, DATES] }, ofPictures));

  const monthOf = new Map<string, Crumb>();
  for (const m of gallery.months) {
    const crumb = { url: m.url, title: monthTitle(m.year, m.month) };
    for (const p of m.panoramas) monthOf.set(p.slug, crumb);
  }
  const tagCrumbs = new Map(gallery.tags.map((t) => [t, { url: t.url, title: t.name }]));
  const shotsOf = new Map(gallery.places.map((pl) => [pl, pl.shots.map(shotOf)]));
  // Each picture's place among its place's dates.
  const dateOf = new Map<string, number>();
  for (const pl of gallery.places) pl.shots.forEach((p, i) => dateOf.set(p.slug, i));
  // Each picture's place among its album's (or the root's) pictures, for its neighbours.
  const positionOf = new Map<PanoramaRecord, number>();
  for (const list of [gallery.rootPanoramas, ...gallery.albums.map((a) => a.panoramas)]) list.forEach((p, i) => positionOf.set(p, i));
  const trailOf = new Map<Album, Crumb[]>(gallery.albums.map((a) => [a, [HOME, ALBUMS, ...albumTrail(albumByPath, a)]]));
  const panoramas = gallery.panoramas.map((p): PanoramaPage => {
    const album = gallery.albumOf.get(p.slug);
    const siblings = album ? album.panoramas : gallery.rootPanoramas;
    const at = positionOf.get(p) ?? -1;
    const previous = at > 0 ? siblings[at - 1] : undefined;
    const next = at >= 0 && at < siblings.length - 1 ? siblings[at + 1] : undefined;
    const place = gallery.placeOf.get(p.slug);
    const month = monthOf.get(p.slug);
    return {
      url: pageUrl(p),
      panorama: p,
      crumbs: album ? trailOf.get(album)! : [HOME],
      neighbours: {
        ...(previous ? { previous: linkTo(previous) } : {}),
        ...(next ? { next: linkTo(next) } : {}),
      },
      tags: (gallery.tagsOf.get(p.slug) ?? []).map((t) => tagCrumbs.get(t)!),
      ...(month ? { month } : {}),
      ...(place ? { place: timeline(place, shotsOf.get(place)!, dateOf.get(p.slug)!) } : {}),
      links: (gallery.linksOf.get(p.slug) ?? []).map((l) => ({
        url: pageUrl(l.target),
        title: l.label ?? l.target.title,
        yaw: l.yaw,
        pitch: l.pitch,
        ...(l.target.viewer.northOffset !== undefined ? { northOffset: l.target.viewer.northOffset } : {}),
      })),
      ...(gallery.publishGps && p.gps ? { position: { lat: p.gps.lat, lng: p.gps.lng } } : {}),
      ...(gallery.publishGps && p.gps && manifest.gallery.map ? { map: manifest.gallery.map } : {}),
    };
  });

  const compare = gallery.panoramas.filter((p) => (p.ladder?.length ?? 0) > 1).map((p) => ({ url: `${pageUrl(p)}compare/`, panorama: p }));

  const map = mapPages(gallery, manifest);

  const nav = [
    HOME,
    ...(albumIndex.length ? [ALBUMS] : []),
    ...(placeIndex.length ? [PLACES] : []),
    ...(tagIndex.length ? [TAGS] : []),
    ...(dateIndex.length ? [DATES] : []),
    ...(map.length ? [MAP] : []),
  ];
  return { home, albumIndex, albums, tagIndex, tags, placeIndex, places, dateIndex, months, panoramas, compare, map, sideBySide, nav };
}

/** The map page: only where the gallery publishes GPS and some picture has a position. */
function mapPages(gallery: Gallery, manifest: Pick<Manifest, "gallery">): MapPage[] {
  if (!gallery.publishGps || !manifest.gallery.map) return [];
  const pins = gallery.panoramas.flatMap((p): MapPin[] =>
    p.gps ? [{ url: pageUrl(p), title: p.title, thumbnail: p.thumbnail, ...(p.captureDate ? { captureDate: p.captureDate } : {}), lat: p.gps.lat, lng: p.gps.lng }] : [],
  );
  return pins.length ? [{ url: MAP.url, pins, tiles: manifest.gallery.map.tiles, attribution: manifest.gallery.map.attribution }] : [];
}

/** The gallery model and every page of a manifest. */
export function galleryPages(manifest: Manifest): GalleryPages {
  return pagesOf(buildGallery(manifest), manifest);
}
