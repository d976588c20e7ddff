// What `rotunda build` loads: a gallery without cameras or a cache never loads the
// S3 client or the HTTP client the cameras and the cache use. Each costs start-up
// time that a one-picture build (serve's follow-up, a shard) pays before its first
// picture. A module hook in the command's processes (the launcher and its child)
// writes down every module they load (the launcher resolves every package when it
// makes its bundle, so resolving is not loading).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { runRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-loads-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const HOOKS = `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.ROTUNDA_TEST_LOADED, url + "\\\\n");
  return next(url, context);
}\`));
`;

test("a build without cameras or a cache loads neither the S3 client nor undici", async () => {
  const gallery = path.join(work, "gallery");
  await mkdir(gallery);
  await makeEquirect(path.join(gallery, "hall.jpg"), 512, 256);
  await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ process: { qualities: [80], quality: 80, sizes: [], tiles: false, socialCard: false } }));
  const hooks = path.join(work, "hooks.mjs");
  await writeFile(hooks, HOOKS);
  const loaded = path.join(work, "loaded.txt");
  const result = await runRotunda(["build", "--input", gallery, "--output", path.join(work, "dist")], {
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import="${pathToFileURL(hooks).href}"`].filter(Boolean).join(" "), ROTUNDA_TEST_LOADED: loaded },
  });
  assert.equal(result.code, 0, result.output);
  const urls = (await readFile(loaded, "utf8")).split("\n");
  assert.ok(urls.some((u) => u.includes("/node_modules/sharp/")), "the hook saw the build's modules (sharp among them)");
  assert.deepEqual(urls.filter((u) => /\/node_modules\/(@aws-sdk|@smithy|undici)\//.test(u)), []);
});
