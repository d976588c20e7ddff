// Template filters: presentation logic that Nunjucks layouts should not hold.
import { escapeHtml } from "../format.ts";
import type { PanoramaRecord } from "../manifest.ts";

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
 * ladder instead of the sizes, and never the tiles.
 */
export function viewerData(panorama: PanoramaRecord, mode: "view" | "compare" = "view", prefix: (url: string) => string = (u) => u): string {
  const { files: _files, bytes: _bytes, ...multiRes } = panorama.tiles ?? { files: 0, bytes: 0 };
  const data = {
    title: panorama.title,
    variants: (mode === "compare" ? panorama.ladder ?? panorama.variants : panorama.variants).map((v) => ({ ...v, url: prefix(v.url) })),
    preview: prefix(panorama.preview.url),
    viewer: panorama.viewer,
    ...(mode === "compare" && panorama.ladder
      ? { initial: prefix(panorama.ladder.find((v) => v.quality === panorama.variants[0]!.quality)?.url ?? panorama.ladder[0]!.url) }
      : {}),
    ...(mode === "view" && panorama.tiles ? { multiRes: { ...multiRes, basePath: prefix(panorama.tiles.basePath) } } : {}),
  };
  return jsonForScript(data);
}

/** An absolute URL for link previews, when the gallery's public address is known. */
export function absoluteUrl(url: string, baseUrl: string | undefined): string | undefined {
  return baseUrl ? new URL(url, baseUrl.endsWith("/") ? baseUrl : baseUrl + "/").toString() : undefined;
}
