// How `rotunda` ends when a command cannot finish: an error nothing caught exits 3
// with one line naming the command (README keeps 1 for "done, some items failed"),
// and a configuration that cannot work exits 2 before anything is done.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { runRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";

let work: string;
let gallery: string;
/**
 * Loaded with --import into the rotunda process: the first thing the command
 * writes to stdout is followed by an uncaught exception (FAULT=throw) or an
 * unhandled rejection (FAULT=reject) from outside any promise chain of the command.
 */
let fault: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-exits-"));
  gallery = path.join(work, "gallery");
  await mkdir(gallery);
  await makeEquirect(path.join(gallery, "hall.jpg"), 512, 256);
  fault = path.join(work, "fault.mjs");
  await writeFile(
    fault,
    `const write = process.stdout.write;
process.stdout.write = function (...args) {
  process.stdout.write = write;
  setImmediate(() => {
    if (process.env.FAULT === "throw") throw new Error("injected fault");
    Promise.reject(new Error("injected rejection"));
  });
  return write.apply(this, args);
};
`,
  );
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("an error nothing caught", () => {
  // The camera emulator runs until stopped: the fault comes while it serves.
  const emulate = ["camera", "emulate", "--dir", "GALLERY", "--port", "0"];
  const args = () => emulate.map((a) => (a === "GALLERY" ? gallery : a));

  test("an uncaught exception prints one line naming the command and exits 3", async () => {
    const result = await runRotunda(args(), { env: { FAULT: "throw", NODE_OPTIONS: `--import ${fault}` } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stdout, /^Emulating an OSC camera at http:\/\/127\.0\.0\.1:\d+/, "the command was running");
    assert.equal(result.stderr, "rotunda camera: injected fault\n");
  });

  test("so does an unhandled rejection", async () => {
    const result = await runRotunda(args(), { env: { FAULT: "reject", NODE_OPTIONS: `--import ${fault}` } });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr, "rotunda camera: injected rejection\n");
  });

  test("ROTUNDA_DEBUG adds the stack", async () => {
    const result = await runRotunda(args(), { env: { FAULT: "throw", NODE_OPTIONS: `--import ${fault}`, ROTUNDA_DEBUG: "1" } });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^rotunda camera: Error: injected fault\n\s+at .*fault\.mjs/);
  });

  test("in an image command, which the launcher runs in a child, the line and the code come through", async () => {
    const output = path.join(work, "site-crash");
    const result = await runRotunda(["build", "--input", gallery, "--output", output, "--no-pull"], { env: { FAULT: "throw", NODE_OPTIONS: `--import ${fault}` } });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr, "rotunda build: injected fault\n");
  });
});

describe("a configuration that cannot work is refused before anything is done (exit 2)", () => {
  async function buildWith(config: string, name: string) {
    const dir = path.join(work, name);
    await mkdir(dir);
    await makeEquirect(path.join(dir, "hall.jpg"), 512, 256);
    await writeFile(path.join(dir, "rotunda.json"), config);
    const output = path.join(work, `${name}-site`);
    const result = await runRotunda(["build", "--input", dir, "--output", output, "--no-pull"]);
    const made = await readdir(output).catch(() => []);
    return { ...result, made };
  }

  test("a baseUrl that is not http(s)", async () => {
    const result = await buildWith(JSON.stringify({ baseUrl: "ftp://pano.example.org/" }), "ftp-base");
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /rotunda\.json: invalid configuration\nbaseUrl: must be an http:\/\/ or https:\/\/ URL/);
    assert.deepEqual(result.made, [], "nothing was written");
  });

  test("a pull.into that leaves the gallery", async () => {
    const result = await buildWith(JSON.stringify({ pull: { into: "../../x" } }), "into-outside");
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /pull\.into: must be a folder inside the gallery/);
    assert.deepEqual(result.made, []);
  });
});
