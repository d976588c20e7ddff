// Ctrl-C, as a terminal sends it: SIGINT to the command's whole process group (the
// launcher, its child, ExifTool, esbuild's service). The command says it was
// interrupted, in one line, and exits 130; nothing the signal broke on its way out
// (a dead esbuild or ExifTool) is reported after it.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { startRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";
import { descendants, waitUntil } from "../support/processes.ts";

let work: string;
let gallery: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-interrupt-"));
  gallery = path.join(work, "gallery");
  await mkdir(gallery);
  for (let i = 0; i < 6; i++) await makeEquirect(path.join(gallery, `room-${i}.jpg`), 2048, 1024, i + 1);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** What stderr may hold besides the one line: nothing that looks like an error or a stack. */
function assertOnlyInterrupted(stderr: string, command: string): void {
  const lines = stderr.trim().split("\n").filter(Boolean);
  assert.equal(lines.filter((l) => l === `rotunda ${command}: interrupted`).length, 1, `one "interrupted" line in:\n${stderr}`);
  assert.equal(lines.at(-1), `rotunda ${command}: interrupted`, `it is the last line:\n${stderr}`);
  assert.doesNotMatch(stderr, /EPIPE|^\s+at |Error/m, "no error or stack");
}

test("Ctrl-C during a build, while ExifTool reads the pictures", async () => {
  const build = startRotunda(["build", "--input", gallery, "--output", path.join(work, "site"), "--no-pull"]);
  await waitUntil(async () => (await descendants(build.pid)).some((p) => /exiftool -stay_open/.test(p.command)), "ExifTool to start");
  process.kill(-build.pid, "SIGINT");
  const result = await build.exited;
  assert.equal(result.code, 130, result.output);
  assertOnlyInterrupted(result.stderr, "build");
});

test("Ctrl-C to serve once it has built, with esbuild's service running", async () => {
  const serve = startRotunda(["serve", "--input", gallery, "--output", path.join(work, "served"), "--port", "0"]);
  await serve.waitFor(/built: /, { timeoutMs: 120_000 });
  await waitUntil(async () => (await descendants(serve.pid)).some((p) => /esbuild.*--service/.test(p.command)), "esbuild's service");
  process.kill(-serve.pid, "SIGINT");
  const result = await serve.exited;
  assert.equal(result.code, 130, result.output);
  assertOnlyInterrupted(result.stderr, "serve");
});
