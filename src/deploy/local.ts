// The local side of a deploy: the files of the built site that go to storage.
//
// Left out, on purpose:
// - dotfiles and dot-folders anywhere (`.rotunda/` holds build state);
// - temp files a build has not finished (`<file>.<pid>.<n>.tmp`, and folders
//   ending `.tmp` with all they hold): they are never part of a site;
// - anything not a regular file (symlinks, FIFOs, sockets);
// - `x.br` / `x.gz` when `x` is also there: precompressed siblings are for hosts
//   that negotiate encodings themselves; object storage serves `x` as is, with no
//   Content-Encoding, which every client understands;
// - the root `_headers` file: host configuration for Netlify / Cloudflare Pages,
//   whose rules S3 gets as object headers instead.
import { stat } from "node:fs/promises";
import { hashFile, isTempEntry, walkTree } from "../files.ts";
import { mapLimit } from "../limit.ts";

export const HEADERS_FILE = "_headers";

export interface LocalFile {
  /** Path relative to the site root, with `/` separators: the object key below the prefix. */
  relPath: string;
  absPath: string;
  size: number;
  /** Hex MD5 of the content (what a single-part upload's ETag is). */
  md5: string;
}

export interface SiteEntry {
  relPath: string;
  absPath: string;
}

/** Lists the deployable files under `root`, sorted by path. */
export async function listSiteFiles(root: string): Promise<SiteEntry[]> {
  const entries = await walkTree(root, { skipDotEntries: true, enter: (folder) => !isTempEntry(folder) });
  const present = new Set(entries.map((e) => e.relPath));
  return entries
    .filter((e) => e.kind === "file" && e.relPath !== HEADERS_FILE && !isTempEntry(e) && !isCompressedSibling(e.relPath, present))
    .map(({ relPath, absPath }) => ({ relPath, absPath }))
    .sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** `x.br` or `x.gz` beside an `x`. */
function isCompressedSibling(relPath: string, present: Set<string>): boolean {
  const m = /^(.+)\.(br|gz)$/.exec(relPath);
  return m !== null && m[1] !== undefined && present.has(m[1]);
}

/** The deployable files with their sizes and MD5s, hashed a few at a time. */
export async function scanSite(root: string, concurrency = 8): Promise<LocalFile[]> {
  const entries = await listSiteFiles(root);
  return mapLimit(entries, concurrency, async (e) => {
    const [info, md5] = await Promise.all([stat(e.absPath), hashFile(e.absPath, { algorithm: "md5" })]);
    return { ...e, size: info.size, md5 };
  });
}
