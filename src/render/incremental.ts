// What `serve` remembers between renders into its output folder, so a rebuild
// renders only the pages whose data changed: each page's descriptor (pages.ts)
// as last published, compared with its descriptor now, and a hash of everything
// every page shares (the layouts, the bundles' URLs, the gallery's settings and
// navigation): when that changes, every page is rendered. The client bundles
// are remembered too, by the files they are made from. A render that is not
// published (it failed, or publishing did) is never remembered: the next one
// starts from the last published state.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { walkTree } from "../files.ts";
import { sameData } from "../same-data.ts";
import type { ClientAssets, ClientBundle } from "./assets.ts";
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

export interface Selection {
  /** The pages to render: those whose data changed since they were last published. */
  pages: GalleryPages;
  /** Files of pages left as they are (relative to the output folder). */
  kept: string[];
  rendered: number;
}

interface Remembered {
  /** The key of what every page shares, and each page's descriptor by its file. */
  shared: string;
  pages: Map<string, object>;
  assets?: { key: string; assets: ClientAssets; files: string[] };
}

export class PageMemory {
  private published: Remembered = { shared: "", pages: new Map() };
  private pending: Remembered | undefined;

  /**
   * The pages to render now: every page when `shared` (the key of what all pages
   * share) differs from the last published render's, else only those whose
   * descriptor changed. Held as pending until `commit`.
   */
  select(all: GalleryPages, shared: string): Selection {
    const descriptors = new Map<string, object>();
    const known = this.published.shared === shared ? this.published.pages : new Map<string, object>();
    const kept: string[] = [];
    let rendered = 0;
    const pick = <T extends { url: string }>(list: T[]): T[] =>
      list.filter((page) => {
        const file = pageFile(page.url);
        descriptors.set(file, page);
        const last = known.get(file);
        if (last !== undefined && sameData(page, last)) {
          kept.push(file);
          return false;
        }
        rendered++;
        return true;
      });
    const pages = { ...all } as GalleryPages;
    for (const list of PAGE_LISTS) (pages as unknown as Record<string, unknown>)[list] = pick(all[list] as Array<{ url: string }>);
    const assets = this.pending?.assets ?? this.published.assets;
    this.pending = { shared, pages: descriptors, ...(assets ? { assets } : {}) };
    return { pages, kept, rendered };
  }

  /** The client bundles made last time from the files `key` describes, if they are still those. */
  assets(key: string): { assets: ClientAssets; files: string[] } | undefined {
    const known = this.pending?.assets ?? this.published.assets;
    return known?.key === key ? known : undefined;
  }

  /** Every bundle file, whichever pages use it: the kept ones are not in the staging folder and must not be swept. */
  rememberAssets(key: string, { assets, files }: ClientBundle): void {
    const { shared, pages } = this.pending ?? this.published;
    this.pending = { shared, pages, assets: { key, assets, files } };
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
    this.published = { shared: "", pages: new Map() };
    this.pending = undefined;
  }
}
