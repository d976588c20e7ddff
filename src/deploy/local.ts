// The local side of a deploy: the files of the built site that go to storage.
//
// Left out, on purpose:
// - dotfiles and dot-folders anywhere (`.rotunda/` holds build state);
// - `x.br` / `x.gz` when `x` is also there: precompressed siblings are for hosts
//   that negotiate encodings themselves; object storage serves `x` as is, with no
//   Content-Encoding, which every client understands;
// - the root `_headers` file: host configuration for Netlify / Cloudflare Pages,
//   whose rules S3 gets as object headers instead.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
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
  const out: SiteEntry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const absPath = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(absPath, relPath);
      } else if (entry.isFile()) {
        if (isCompressedSibling(entry.name, names)) continue;
        if (relPath === HEADERS_FILE) continue;
        out.push({ relPath, absPath });
      }
    }
  };
  await walk(root, "");
  return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

function isCompressedSibling(name: string, siblings: Set<string>): boolean {
  const m = /^(.+)\.(br|gz)$/.exec(name);
  return m !== null && m[1] !== undefined && siblings.has(m[1]);
}

/** Streams a file (or a byte range of it, `end` inclusive) through MD5. */
export function md5OfFile(absPath: string, range?: { start: number; end: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("md5");
    createReadStream(absPath, range)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** The deployable files with their sizes and MD5s, hashed a few at a time. */
export async function scanSite(root: string, concurrency = 8): Promise<LocalFile[]> {
  const entries = await listSiteFiles(root);
  return mapLimit(entries, concurrency, async (e) => {
    const [info, md5] = await Promise.all([stat(e.absPath), md5OfFile(e.absPath)]);
    return { ...e, size: info.size, md5 };
  });
}
