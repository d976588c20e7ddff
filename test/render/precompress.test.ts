// The .br and .gz siblings of a site's text files, written by the worker threads:
// each decompresses to its file, none where it would not be smaller, the published
// site's siblings taken for a file that has not changed, and a sibling that cannot
// be written fails the whole with fs's error, naming it.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import { precompressFolder } from "../../src/render/precompress.ts";

let work: string;
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "rotunda-precompress-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A page of `n` paragraphs, each a little different, as a site's pages are. */
const page = (title: string, n = 40) =>
  `<!doctype html><title>${title}</title>` + Array.from({ length: n }, (_, i) => `<p>Paragraph ${i} of ${title}: the hall at dawn.</p>`).join("\n");

async function site(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
}

async function listed(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test("precompress: every text file gets siblings that decompress to it, except where they would not be smaller", async () => {
  const dir = path.join(work, "fresh");
  // More pages than one job holds, a bundle, a file too small to shrink and one that is not text.
  const pages = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`p${i}/index.html`, page(`page ${i}`)]));
  await site(dir, { ...pages, "assets/site-0123456789ab.css": "body{margin:0}\n".repeat(200), "tiny.json": "{}", "picture.jpg": "not text" });
  const result = await precompressFolder(dir);
  assert.equal(result.files, 72, "70 pages, the bundle and tiny.json");
  assert.equal(result.written, 2 * 71, "two siblings for each file but tiny.json");
  assert.equal(result.reused, 0);
  for (const rel of [...Object.keys(pages), "assets/site-0123456789ab.css"]) {
    const original = await readFile(path.join(dir, rel));
    const br = await readFile(path.join(dir, `${rel}.br`));
    const gz = await readFile(path.join(dir, `${rel}.gz`));
    assert.ok(brotliDecompressSync(br).equals(original), `${rel}.br`);
    assert.ok(gunzipSync(gz).equals(original), `${rel}.gz`);
    assert.ok(br.length < original.length && gz.length < original.length, `${rel}'s siblings are smaller`);
  }
  const files = await listed(dir);
  assert.ok(!files.some((f) => f.startsWith("tiny.json.") || f.startsWith("picture.jpg.")), "no sibling of tiny.json or of the picture");
  // Brotli's settings (its output is deterministic): the best quality for a bundle, a quick one for a
  // page, text mode and a window sized to the file; gzip at level 9.
  const brotli = (data: Buffer, quality: number) =>
    brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [constants.BROTLI_PARAM_LGWIN]: Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(data.length + 16))),
      },
    });
  const bundle = await readFile(path.join(dir, "assets/site-0123456789ab.css"));
  assert.ok((await readFile(path.join(dir, "assets/site-0123456789ab.css.br"))).equals(brotli(bundle, 11)), "the bundle at brotli's best quality");
  const first = await readFile(path.join(dir, "p0/index.html"));
  assert.ok((await readFile(path.join(dir, "p0/index.html.br"))).equals(brotli(first, 6)), "a page at quality 6");
  assert.ok((await readFile(path.join(dir, "p0/index.html.gz"))).equals(gzipSync(first, { level: 9 })), "gzip at level 9");
});

test("precompress: a file that has not changed takes the published site's siblings; a changed one is compressed again", async () => {
  const published = path.join(work, "published");
  const staging = path.join(work, "staging");
  await site(published, { "same/index.html": page("same"), "changed/index.html": page("before"), "bare/index.html": page("bare") });
  // The published siblings as an older build may have made them (other settings): taken as they are.
  const same = Buffer.from(page("same"));
  const publishedBr = brotliCompressSync(same, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  const publishedGz = gzipSync(same, { level: 1 });
  await writeFile(path.join(published, "same/index.html.br"), publishedBr);
  await writeFile(path.join(published, "same/index.html.gz"), publishedGz);
  await writeFile(path.join(published, "changed/index.html.br"), brotliCompressSync(Buffer.from(page("before"))));
  // bare/ was published without siblings: they are made. Where odd/index.html should be
  // published there is a folder: a published copy that cannot be read counts as changed.
  await mkdir(path.join(published, "odd/index.html"), { recursive: true });
  await site(staging, { "same/index.html": page("same"), "changed/index.html": page("after"), "bare/index.html": page("bare"), "odd/index.html": page("odd") });

  const result = await precompressFolder(staging, published);
  assert.deepEqual(result, { files: 4, written: 8, reused: 2 });
  assert.equal(gunzipSync(await readFile(path.join(staging, "odd/index.html.gz"))).toString(), page("odd"));
  assert.ok((await readFile(path.join(staging, "same/index.html.br"))).equals(publishedBr), "the published .br, byte for byte");
  assert.ok((await readFile(path.join(staging, "same/index.html.gz"))).equals(publishedGz), "the published .gz, byte for byte");
  assert.equal(brotliDecompressSync(await readFile(path.join(staging, "changed/index.html.br"))).toString(), page("after"));
  assert.equal(gunzipSync(await readFile(path.join(staging, "changed/index.html.gz"))).toString(), page("after"));
  assert.equal(brotliDecompressSync(await readFile(path.join(staging, "bare/index.html.br"))).toString(), page("bare"));
  assert.deepEqual(await listed(published), ["bare/index.html", "changed/index.html", "changed/index.html.br", "same/index.html", "same/index.html.br", "same/index.html.gz"], "the published site is left as it was");
});

test("precompress: a sibling that cannot be written fails the run with fs's error naming it", async () => {
  const dir = path.join(work, "blocked");
  await site(dir, { "a/index.html": page("a"), "b/index.html": page("b") });
  await mkdir(path.join(dir, "b/index.html.br")); // a folder where the sibling goes
  await assert.rejects(precompressFolder(dir), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, "EISDIR");
    assert.equal(error.path, path.join(dir, "b/index.html.br"));
    assert.match(error.message, /b\/index\.html\.br/);
    return true;
  });
});
