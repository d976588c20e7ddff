// `.br` and `.gz` siblings of a site's text files (HTML, CSS, JS, JSON, XML, SVG),
// for servers that send them as they are (nginx gzip_static/brotli_static, Caddy's
// precompressed): gzip at level 9, brotli at its best quality for the content-hashed
// bundles (each compressed once per content) and at a quick one for pages (they
// change with the gallery, and the best quality costs far more time than the bytes
// it saves there); each sibling written only where it is smaller than the file. Deploy never uploads them (an object store
// serves what it is given), and `_headers` does not list them.
import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { constants } from "node:zlib";
import { walkTree } from "../files.ts";
import { eachLimit } from "../limit.ts";
import { compressOnWorker } from "../worker-pool.ts";
import { ASSETS_DIR } from "./assets.ts";

export const COMPRESSIBLE = /\.(html|css|js|mjs|json|xml|svg)$/i;
const ENCODINGS = ["br", "gz"] as const;

/** Brotli's quality for pages and other files that change with the gallery. */
const PAGE_QUALITY = 6;

/** Brotli's default window (4 MB): the most a file is given. */
const DEFAULT_WINDOW_BITS = 22;

/** Compressed on a worker thread (worker-pool.ts): the main thread only hands the bytes over. */
async function compress(rel: string, data: Buffer, encoding: (typeof ENCODINGS)[number]): Promise<Buffer> {
  if (encoding === "gz") return compressOnWorker({ data, encoding, options: { level: 9 } });
  const params = {
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_QUALITY]: rel.startsWith(`${ASSETS_DIR}/`) ? constants.BROTLI_MAX_QUALITY : PAGE_QUALITY,
    [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    // A window just big enough for the file (brotli's window holds 2^lgwin − 16 bytes): about as
    // small an output, and the encoder no longer sets up a 4 MB window for each page of a few kilobytes.
    [constants.BROTLI_PARAM_LGWIN]: Math.min(DEFAULT_WINDOW_BITS, Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(data.length + 16)))),
  };
  return compressOnWorker({ data, encoding, options: { params } });
}

/** Files compressed at a time. */
const FILE_LANES = 8;

const exists = (file: string) => stat(file).then(() => true, () => false);

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
  // Each file is a chain of short steps (read, compress on a worker, write, twice): with a
  // lane per core the workers sit idle between them, so there are more lanes than workers.
  await eachLimit(files, FILE_LANES, async (rel) => {
    const file = path.join(dir, rel);
    const data = await readFile(file);
    const before = published ? await readFile(path.join(published, rel)).catch(() => undefined) : undefined;
    const unchanged = before !== undefined && before.equals(data);
    for (const encoding of ENCODINGS) {
      const sibling = `${file}.${encoding}`;
      const previous = published && path.join(published, `${rel}.${encoding}`);
      if (unchanged && previous && (await exists(previous))) {
        await copyFile(previous, sibling);
        result.written++;
        result.reused++;
        continue;
      }
      const packed = await compress(rel, data, encoding);
      if (packed.length >= data.length) continue;
      await writeFile(sibling, packed);
      result.written++;
    }
  });
  return result;
}
