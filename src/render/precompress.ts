// `.br` and `.gz` siblings of a site's text files (HTML, CSS, JS, JSON, XML, SVG),
// for servers that send them as they are (nginx gzip_static/brotli_static, Caddy's
// precompressed): gzip at level 9, brotli at its best quality for the content-hashed
// bundles (each compressed once per content) and at a quick one for pages (they
// change with the gallery, and the best quality costs far more time than the bytes
// it saves there); each sibling written only where it is smaller than the file. Deploy never uploads them (an object store
// serves what it is given), and `_headers` does not list them.
import path from "node:path";
import { constants } from "node:zlib";
import { walkTree } from "../files.ts";
import { eachLimit } from "../limit.ts";
import { writeSiblingsOnWorker, type SiblingsFile, type SiblingsJob } from "../worker-pool.ts";
import { ASSETS_DIR } from "./assets.ts";

export const COMPRESSIBLE = /\.(html|css|js|mjs|json|xml|svg)$/i;

/** Brotli's quality for pages and other files that change with the gallery. */
const PAGE_QUALITY = 6;
const GZIP_LEVEL = 9;

/**
 * Files per job for the workers (worker-pool.ts), which read, compress and write
 * them: a site is thousands of small pages, and a job per page costs as much in
 * hand-overs as in compression.
 */
const FILES_PER_JOB = 32;
/** Jobs handed over at a time: enough to keep every worker busy; after a failure, no more are handed over. */
const JOBS_AT_ONCE = 8;

export interface PrecompressResult {
  /** Text files looked at. */
  files: number;
  /** Siblings written. */
  written: number;
  /** Of those, taken from the published site because the file had not changed. */
  reused: number;
}

/**
 * Writes the siblings of every text file below `dir`. A file identical to the one
 * already at the same place in `published` (the live site folder) takes that
 * one's siblings instead of being compressed again.
 */
export async function precompressFolder(dir: string, published?: string): Promise<PrecompressResult> {
  const files = (await walkTree(dir)).filter((e) => e.kind === "file" && COMPRESSIBLE.test(e.name)).map((e) => e.relPath);
  const result: PrecompressResult = { files: files.length, written: 0, reused: 0 };
  const sibling = (rel: string): SiblingsFile => ({ file: path.join(dir, rel), ...(published ? { published: path.join(published, rel) } : {}) });
  const job = (list: string[], brotliQuality: number): SiblingsJob => ({ files: list.map(sibling), brotliQuality, gzipLevel: GZIP_LEVEL });
  // A bundle at brotli's best quality is a job of its own, so the bundles spread over the workers.
  const bundles = files.filter((rel) => rel.startsWith(`${ASSETS_DIR}/`));
  const pages = files.filter((rel) => !rel.startsWith(`${ASSETS_DIR}/`));
  const jobs = bundles.map((rel) => job([rel], constants.BROTLI_MAX_QUALITY));
  for (let i = 0; i < pages.length; i += FILES_PER_JOB) jobs.push(job(pages.slice(i, i + FILES_PER_JOB), PAGE_QUALITY));
  await eachLimit(jobs, JOBS_AT_ONCE, async (next) => {
    const done = await writeSiblingsOnWorker(next);
    result.written += done.written;
    result.reused += done.reused;
  });
  return result;
}
