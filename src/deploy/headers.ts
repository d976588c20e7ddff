// The rules every deployed file follows: which files are content-hashed, their
// Content-Type and Cache-Control, and the phase they go up in. Shared by the
// uploader (object headers) and the `_headers` writer, so both always agree.
import path from "node:path";

export const CACHE_IMMUTABLE = "public, max-age=31536000, immutable";
/** HTML: always revalidate, so a new deploy is visible at once. */
export const CACHE_HTML = "public, max-age=0, must-revalidate";
/** Unhashed non-HTML files (robots.txt, feeds, favicon…): a few minutes, then revalidate. */
export const CACHE_SHORT = "public, max-age=300, must-revalidate";

/**
 * True when a path carries a content hash: a token of at least 8 lowercase hex
 * characters, delimited by `-`, `.`, `_`, `/` or the ends, that contains at least
 * one letter a–f. Examples: `media/hall-0a1b2c3d4e-1024-q80.jpg`,
 * `media/tiles/hall-0a1b2c3d4e/1/f0.jpg`, `assets/viewer-3fa2b1c9.js`.
 *
 * All-digit runs do not count, so dates and timestamps in slugs (`tour-20240612`)
 * are never mistaken for hashes; a real hash that happens to be all digits then
 * only gets the short cache lifetime, which is safe.
 */
export function isHashedPath(relPath: string): boolean {
  return /(?:^|[-._/])(?=[0-9]*[a-f])[0-9a-f]{8,}(?=$|[-._/])/.test(relPath);
}

const TEXT = "; charset=utf-8";
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html" + TEXT,
  ".htm": "text/html" + TEXT,
  ".css": "text/css" + TEXT,
  ".js": "text/javascript" + TEXT,
  ".mjs": "text/javascript" + TEXT,
  ".json": "application/json" + TEXT,
  ".map": "application/json" + TEXT,
  ".webmanifest": "application/manifest+json" + TEXT,
  ".xml": "application/xml" + TEXT,
  ".rss": "application/rss+xml" + TEXT,
  ".atom": "application/atom+xml" + TEXT,
  ".txt": "text/plain" + TEXT,
  ".csv": "text/csv" + TEXT,
  ".md": "text/markdown" + TEXT,
  ".svg": "image/svg+xml",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".pdf": "application/pdf",
  ".wasm": "application/wasm",
};
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export function contentTypeFor(relPath: string): string {
  return CONTENT_TYPES[path.posix.extname(relPath).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

export function isHtml(relPath: string): boolean {
  const ext = path.posix.extname(relPath).toLowerCase();
  return ext === ".html" || ext === ".htm";
}

/** HTML never gets the immutable lifetime, even with a hash-like slug: pages must revalidate. */
export function cacheControlFor(relPath: string): string {
  if (isHtml(relPath)) return CACHE_HTML;
  return isHashedPath(relPath) ? CACHE_IMMUTABLE : CACHE_SHORT;
}

export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

export function headersFor(relPath: string): ObjectHeaders {
  return { contentType: contentTypeFor(relPath), cacheControl: cacheControlFor(relPath) };
}

/**
 * Upload order, so no live page ever points at a file not yet there:
 * 1. assets: everything that is not HTML or a feed (hashed media, JS, CSS, images…);
 * 2. pages: HTML below the root (`<slug>/index.html`);
 * 3. home: HTML at the root (`index.html`, `404.html`), which links to the pages;
 * 4. feeds: sitemaps, feeds and robots.txt, which announce the pages.
 */
export const PHASES = ["assets", "pages", "home", "feeds"] as const;
export type Phase = (typeof PHASES)[number];

export function phaseOf(relPath: string): Phase {
  const base = path.posix.basename(relPath).toLowerCase();
  const atRoot = !relPath.includes("/");
  if (/^(sitemap.*|feed.*|atom|rss)\.xml$/.test(base) || /\.(rss|atom)$/.test(base) || (atRoot && base === "robots.txt")) {
    return "feeds";
  }
  if (isHtml(relPath)) return atRoot ? "home" : "pages";
  return "assets";
}
