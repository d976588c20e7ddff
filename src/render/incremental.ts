// What `serve` remembers between renders into its output folder, so a rebuild
// renders only the pages whose data changed: each page's descriptor (pages.ts)
// with everything every page shares (the layouts, the bundles' URLs, the
// gallery's settings and navigation) hashed, and compared with the hash of the
// page as last published. The client bundles are remembered too, by the files
// they are made from. A render that is not published (it failed, or publishing
// did) is never remembered: the next one starts from the last published state.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { walkTree } from "../files.ts";
import type { ClientAssets, ClientBundle } from "./assets.ts";
import type { PanoramaRecord } from "../manifest.ts";
import type { GalleryPages } from "./pages.ts";
import { frontMatterText } from "./templates.ts";

/** The page lists of GalleryPages that hold pages (everything but the navigation). */
const PAGE_LISTS = ["home", "albumIndex", "albums", "tagIndex", "tags", "placeIndex", "places", "dateIndex", "months", "panoramas", "compare", "map", "sideBySide"] as const;

/** The file a page's URL is written to ("/a/" → "a/index.html"). */
export function pageFile(url: string): string {
  return `${url.replace(/^\/+/, "")}index.html`;
}

const hash = (text: string) => createHash("sha1").update(text).digest("base64url");

/** A key of every file below `dir`: names, sizes, modification times (and any `extra` text). */
export async function folderKey(dir: string, extra = ""): Promise<string> {
  const entries = (await walkTree(dir).catch(() => [])).filter((e) => e.kind === "file");
  const lines = await Promise.all(
    entries.map(async (e) => {
      const info = await stat(e.absPath).catch(() => undefined);
      return `${e.relPath}\t${info?.size ?? "-"}\t${info?.mtimeMs ?? "-"}`;
    }),
  );
  return hash(lines.sort().join("\n") + "\n" + extra);
}

/** A key of the contents of every file below `dir`: templates are small, and an editor may keep a file's size and time. */
export async function contentKey(dir: string): Promise<string> {
  const entries = (await walkTree(dir).catch(() => [])).filter((e) => e.kind === "file" || e.kind === "symlink");
  const parts = await Promise.all(entries.map(async (e) => `${e.relPath}\0${hash(await readFile(e.absPath, "utf8").catch(() => ""))}`));
  return hash(parts.sort().join("\n"));
}

/** A key of one file's contents ("" when it cannot be read). */
export async function fileKey(file: string): Promise<string> {
  return hash(await readFile(file, "utf8").catch(() => ""));
}

/**
 * A key of what the publisher's side of a site gives every page, beyond the
 * gallery's data and the layouts: the list of the site's own pages with their
 * front matter (a layout may list them through a collection) and Eleventy's data
 * folder. A page's body is its own page's alone: editing it renders that page.
 */
export async function publisherKey(pages: ReadonlyArray<{ path: string; text: string }>, dataDir: string | undefined): Promise<string> {
  const fronts = pages.map((page) => `${page.path}\0${frontMatterText(page.text)}`);
  return hash(`${fronts.join("\n")}\n${dataDir ? await contentKey(dataDir) : ""}`);
}

/**
 * Hashes of the JSON of objects that are never changed once made, by identity:
 * the media parts of records (a serve's records share them from one run to the
 * next), and within a render the cards, shots and breadcrumbs many pages share.
 */
const shared = new WeakMap<object, string>();
const RECORD_PARTS = ["source", "variants", "ladder", "tiles", "socialCard", "thumbnail", "preview", "metadata", "metadataTable", "viewer"] as const;

function sharedKey(part: unknown): string {
  if (!part || typeof part !== "object") return JSON.stringify(part) ?? "";
  let key = shared.get(part);
  if (key === undefined) shared.set(part, (key = hash(JSON.stringify(part))));
  return key;
}

/** A record's hash, made once per render for the several pages that show it (its page, its compare page…). */
function recordKey(record: PanoramaRecord, known: Map<PanoramaRecord, string>): string {
  let key = known.get(record);
  if (key === undefined) known.set(record, (key = hash(recordText(record))));
  return key;
}

function recordText(record: PanoramaRecord): string {
  const small: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!(RECORD_PARTS as readonly string[]).includes(key)) small[key] = value;
  return `${JSON.stringify(small)}\0${RECORD_PARTS.map((key) => sharedKey(record[key])).join("\0")}`;
}

/** A page's descriptor as text for its hash: the same text for the same data. */
function pageText(page: object, records: Map<PanoramaRecord, string>): string {
  let text = "";
  for (const [key, value] of Object.entries(page)) {
    text += `\0${key}:`;
    if (key === "panorama") text += recordKey(value as PanoramaRecord, records);
    else if (Array.isArray(value) && (key === "panoramas" || key === "albums" || key === "entries" || key === "crumbs")) text += value.map(sharedKey).join(",");
    else if (key === "place" && value) {
      // Each page lists its own window of the place's dates, made of the shots the place's pages share.
      const { shots, ...rest } = value as { shots?: unknown };
      text += `${JSON.stringify(rest)}${Array.isArray(shots) ? shots.map(sharedKey).join(",") : sharedKey(shots)}`;
    } else text += JSON.stringify(value);
  }
  return text;
}

export interface Selection {
  /** The pages to render: those whose data changed since they were last published. */
  pages: GalleryPages;
  /** Files of pages left as they are (relative to the output folder). */
  kept: string[];
  rendered: number;
}

interface Remembered {
  pages: Map<string, string>;
  assets?: { key: string; assets: ClientAssets; files: string[] };
}

export class PageMemory {
  private published: Remembered = { pages: new Map() };
  private pending: Remembered | undefined;

  /**
   * The pages to render now: every page when `shared` (the key of what all pages
   * share) differs from the last published render's, else only those whose
   * descriptor changed. Held as pending until `commit`.
   */
  select(all: GalleryPages, shared: string): Selection {
    const hashes = new Map<string, string>();
    const records = new Map<PanoramaRecord, string>();
    const kept: string[] = [];
    let rendered = 0;
    const pick = <T extends { url: string }>(list: T[]): T[] =>
      list.filter((page) => {
        const file = pageFile(page.url);
        const digest = hash(`${shared}\0${pageText(page, records)}`);
        hashes.set(file, digest);
        if (this.published.pages.get(file) === digest) {
          kept.push(file);
          return false;
        }
        rendered++;
        return true;
      });
    const pages = { ...all } as GalleryPages;
    for (const list of PAGE_LISTS) (pages as unknown as Record<string, unknown>)[list] = pick(all[list] as Array<{ url: string }>);
    const assets = this.pending?.assets ?? this.published.assets;
    this.pending = { pages: hashes, ...(assets ? { assets } : {}) };
    return { pages, kept, rendered };
  }

  /** The client bundles made last time from the files `key` describes, if they are still those. */
  assets(key: string): { assets: ClientAssets; files: string[] } | undefined {
    const known = this.pending?.assets ?? this.published.assets;
    return known?.key === key ? known : undefined;
  }

  /** Every bundle file, whichever pages use it: the kept ones are not in the staging folder and must not be swept. */
  rememberAssets(key: string, { assets, files }: ClientBundle): void {
    this.pending = { pages: this.pending?.pages ?? this.published.pages, assets: { key, assets, files } };
  }

  /** The render just made is published: later renders compare with it. */
  commit(): void {
    if (this.pending) this.published = this.pending;
    this.pending = undefined;
  }

  /** The render just made is not published: later renders compare with the last one that was. */
  discard(): void {
    this.pending = undefined;
  }

  /** Nothing is known: the next render renders everything. */
  forget(): void {
    this.published = { pages: new Map() };
    this.pending = undefined;
  }
}
