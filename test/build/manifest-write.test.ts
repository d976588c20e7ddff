// The manifest is written while the pages render; nothing is published until it
// is on disk. A manifest that cannot be written (here a folder stands in its way)
// fails the build and leaves the published site as it was.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { buildSite } from "../../src/build/index.ts";
import { parseConfig } from "../../src/config.ts";
import { manifestPath, STATE_DIR } from "../../src/manifest.ts";
import { STAGING_DIR } from "../../src/output/index.ts";
import { servedGallery, type ServedGallery } from "../support/build.ts";

const CONFIG = parseConfig({ process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } });
let served: ServedGallery;

before(async () => {
  served = await servedGallery("rotunda-manifest-write-");
});
after(() => served?.close());

test("a manifest that cannot be written publishes no page; once it can, the edit is published", async () => {
  const { gallery, output } = served;
  const build = () => buildSite({ inputDir: gallery, output, config: CONFIG });
  await build();
  const page = path.join(output.dir, "hall", "index.html");
  const published = await readFile(page, "utf8");
  assert.match(published, /First caption\./);

  await writeFile(path.join(gallery, "hall.md"), "---\ntitle: Hall\n---\nSecond caption.\n");
  const manifest = manifestPath(output.dir);
  await rm(manifest);
  await mkdir(path.join(manifest, "in-the-way"), { recursive: true });
  await assert.rejects(build(), (error: NodeJS.ErrnoException) => /EISDIR|ENOTEMPTY|EEXIST|directory/i.test(`${error.code} ${error.message}`));
  assert.equal(await readFile(page, "utf8"), published, "the page published before is as it was");
  const staging = await readdir(path.join(output.dir, STATE_DIR, STAGING_DIR)).catch(() => []);
  assert.deepEqual(staging, [], "the pages rendered meanwhile are not left staged");

  await rm(manifest, { recursive: true });
  await build();
  assert.match(await readFile(page, "utf8"), /Second caption\./);
});
