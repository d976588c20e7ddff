// The `rotunda` launcher: package.json's bin runs; the sources run as a cached
// esbuild bundle that is rebuilt when a source changes; without a usable cache
// the sources still run (through tsx). Every other CLI test (build, serve, pull,
// deploy) runs through the launcher too, so the bundle is what they exercise.
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, runRotunda } from "../support/cli.ts";

/** Runs the launcher `bin` from a folder outside the project, with its bundles in `env`'s cache folder. */
const run = (bin: string, args: string[], env: NodeJS.ProcessEnv) => runRotunda(args, { launcher: bin, cwd: tmpdir(), env });

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-launcher-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

test("package.json's bin is the launcher, and it runs", async () => {
  const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as { version: string; bin: Record<string, string> };
  const bin = path.join(ROOT, pkg.bin.rotunda!);
  const cache = path.join(work, "cache-bin");
  const result = await run(bin, ["--version"], { ROTUNDA_CACHE_DIR: cache });
  assert.equal(result.code, 0, result.output);
  assert.equal(result.output.trim(), pkg.version);
});

test("the sources run as a cached bundle, rebuilt when a source changes", async () => {
  // A copy of the project's sources beside the real node_modules, so editing one is safe.
  const project = path.join(work, "project");
  await mkdir(project);
  for (const part of ["src", "scripts", "layouts", "package.json"]) await cp(path.join(ROOT, part), path.join(project, part), { recursive: true });
  await symlink(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
  const bin = path.join(project, "src/cli/rotunda.js");
  const cache = path.join(work, "cache-edit");
  const bundles = async () => (await readdir(cache)).filter((n) => n.startsWith("cli-")).sort();

  const first = await run(bin, ["--help"], { ROTUNDA_CACHE_DIR: cache });
  assert.equal(first.code, 0, first.output);
  assert.match(first.output, /download new pictures from the configured OSC cameras/);
  const built = await bundles();
  assert.equal(built.length, 1, "one bundle built");
  assert.ok((await readdir(path.join(cache, built[0]!))).includes("main.js"));

  const again = await run(bin, ["--help"], { ROTUNDA_CACHE_DIR: cache });
  assert.equal(again.code, 0, again.output);
  assert.deepEqual(await bundles(), built, "unchanged sources reuse the bundle");

  const main = path.join(project, "src/cli/main.ts");
  await writeFile(main, (await readFile(main, "utf8")).replace("download new pictures from the configured OSC cameras", "an edited summary"));
  const edited = await run(bin, ["--help"], { ROTUNDA_CACHE_DIR: cache });
  assert.equal(edited.code, 0, edited.output);
  assert.match(edited.output, /an edited summary/, "the edit is what runs");
  assert.equal((await bundles()).length, 2, "a new bundle for the new sources");
});

test("without a usable cache folder the sources still run", async () => {
  const notAFolder = path.join(work, "a-file");
  await writeFile(notAFolder, "");
  const result = await run(path.join(ROOT, "src/cli/rotunda.js"), ["--version"], { ROTUNDA_CACHE_DIR: path.join(notAFolder, "cache") });
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /^rotunda: no bundle of the sources could be made in .*a-file.*running them through tsx$/m, "says why it is slower");
  assert.match(result.output, /^\d+\.\d+\.\d+$/m);
});
