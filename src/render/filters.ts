// Template filters: presentation logic that Nunjucks layouts should not hold.
import { escapeHtml } from "../format.ts";
import type { PanoramaRecord } from "../manifest.ts";
import type { MapPage, PanoramaPage, SideBySidePage } from "./pages.ts";

/** Caption text → escaped HTML paragraphs (blank lines separate them, single newlines become <br>). */
export function paragraphs(text: string | undefined): string {
  if (!text) return "";
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/**
 * An ISO 8601 capture time as the camera's wall clock shows it, with its offset:
 * "1 November 2026, 09:00 (UTC+09:00)". Never converted to the build machine's zone.
 */
export function readableDate(iso: string | undefined): string {
  if (!iso) return "";
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d, h, mi, zone] = m;
  let text = `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`;
  if (h !== undefined) text += `, ${h}:${mi}`;
  if (zone) text += zone === "Z" ? " (UTC)" : ` (UTC${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone})`;
  return text;
}

/** JSON safe inside <script type="application/json">. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/**
 * What the viewer script needs. `mode` "compare" offers the full-size quality
 * ladder instead of the sizes, and never the tiles. With the panorama's `page`
 * (its gallery navigation), a page's data also carries its neighbours in its
 * album, its place's timeline, its tour links, and, only where the gallery
 * publishes GPS, its position and the map's tiles.
 */
export function viewerData(panorama: PanoramaRecord, mode: "view" | "compare" = "view", prefix: (url: string) => string = (u) => u, page?: PanoramaPage): string {
  const { files: _files, bytes: _bytes, overview, ...multiRes } = panorama.tiles ?? { files: 0, bytes: 0 };
  const data = {
    title: panorama.title,
    variants: (mode === "compare" ? panorama.ladder ?? panorama.variants : panorama.variants).map((v) => ({ ...v, url: prefix(v.url) })),
    preview: prefix(panorama.preview.url),
    viewer: panorama.viewer,
    ...(mode === "compare" && panorama.ladder
      ? { initial: prefix(panorama.ladder.find((v) => v.quality === panorama.variants[0]!.quality)?.url ?? panorama.ladder[0]!.url) }
      : {}),
    ...(mode === "view" && panorama.tiles
      ? {
          multiRes: {
            ...multiRes,
            basePath: prefix(panorama.tiles.basePath),
            ...(overview ? { overview: { url: prefix(overview.url), faceSize: overview.faceSize } } : {}),
          },
        }
      : {}),
    ...(mode === "view" && page ? navigationData(page, prefix) : {}),
  };
  return jsonForScript(sortedKeys(data));
}

/**
 * The value with every object's keys in alphabetical order: a record's parts come
 * from process's cache or from the manifest file in their own orders, and the
 * same data must make the same page, byte for byte.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!value || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The gallery navigation part of a panorama page's viewer data (see viewerData). */
function navigationData(page: PanoramaPage, prefix: (url: string) => string): object {
  const link = (l: { url: string; title: string }) => ({ url: prefix(l.url), title: l.title });
  const { previous, next } = page.neighbours;
  return {
    ...(previous || next ? { neighbours: { ...(previous ? { previous: link(previous) } : {}), ...(next ? { next: link(next) } : {}) } } : {}),
    ...(page.place
      ? {
          place: {
            name: page.place.name,
            url: prefix(page.place.url),
            index: page.place.index,
            shots: page.place.shots.map((s) => ({ url: prefix(s.url), date: s.date, label: s.label, ...(s.northOffset !== undefined ? { northOffset: s.northOffset } : {}) })),
          },
        }
      : {}),
    ...(page.links.length > 0
      ? { links: page.links.map((l) => ({ url: prefix(l.url), title: l.title, yaw: l.yaw, pitch: l.pitch, ...(l.northOffset !== undefined ? { northOffset: l.northOffset } : {}) })) }
      : {}),
    ...(page.position ? { position: { lat: page.position.lat, lng: page.position.lng } } : {}),
    ...(page.position && page.map ? { map: { tiles: page.map.tiles, attribution: page.map.attribution } } : {}),
  };
}

/** An absolute URL for link previews, when the gallery's public address is known. */
export function absoluteUrl(url: string, baseUrl: string | undefined): string | undefined {
  return baseUrl ? new URL(url, baseUrl.endsWith("/") ? baseUrl : baseUrl + "/").toString() : undefined;
}

/** What the map page's script needs: each picture's marker and the tiles, every local URL through the prefix. */
export function mapData(page: MapPage, prefix: (url: string) => string = (u) => u): string {
  return jsonForScript({
    tiles: page.tiles,
    attribution: page.attribution,
    pins: page.pins.map((pin) => ({
      url: prefix(pin.url),
      title: pin.title,
      ...(pin.captureDate ? { date: readableDate(pin.captureDate) } : {}),
      thumbnail: prefix(pin.thumbnail.url),
      lat: pin.lat,
      lng: pin.lng,
    })),
  });
}

/** What the side-by-side page's script needs besides each shot's viewer data: the shots' slugs, pages and dates, oldest first. */
export function sideBySideData(page: SideBySidePage, prefix: (url: string) => string = (u) => u): string {
  return jsonForScript({
    place: page.place.title,
    shots: page.shots.map((shot) => ({ slug: shot.slug, url: prefix(shot.url), label: shot.label })),
  });
}
