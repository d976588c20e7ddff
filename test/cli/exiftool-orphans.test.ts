// ExifTool's perl processes end with the build that started them, however it ends:
// a SIGTERM to the `rotunda` launcher, or a SIGKILL of the process that runs the
// command (the launcher's child on glibc, which nothing can catch). Each check
// follows that build's own perl processes by PID.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { startRotunda, type RotundaProcess } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";
import { descendants, isRunning, waitUntil } from "../support/processes.ts";

let work: string;
let gallery: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-orphans-"));
  gallery = path.join(work, "gallery");
  await mkdir(gallery);
  for (let i = 0; i < 6; i++) await makeEquirect(path.join(gallery, `room-${i}.jpg`), 2048, 1024, i + 1);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/**
 * A build, once ExifTool serves it: its ExifTool PIDs and the process that runs the
 * command. A picture's JPEGs are written after its metadata is read, so the first
 * one in the output means ExifTool has answered and waits for the next request (a
 * perl process still starting would end by itself when its input closes).
 */
async function buildUntilExifTool(name: string): Promise<{ build: RotundaProcess; exiftool: number[]; runner: number }> {
  const output = path.join(work, name);
  const build = startRotunda(["build", "--input", gallery, "--output", output, "--no-pull"]);
  const tree = await waitUntil(async () => {
    const written = await readdir(path.join(output, "media"), { recursive: true }).catch(() => []);
    if (!written.some((f) => f.endsWith(".jpg"))) return false;
    const found = await descendants(build.pid);
    return found.some((p) => /exiftool -stay_open/.test(p.command)) && found;
  }, "ExifTool to have read a picture");
  const exiftool = tree.filter((p) => /exiftool -stay_open/.test(p.command)).map((p) => p.pid);
  // The launcher's child where there is one (glibc), else the launcher runs the command itself.
  const child = tree.find((p) => p.ppid === build.pid && p.command.includes("rotunda.js"));
  return { build, exiftool, runner: child?.pid ?? build.pid };
}

async function assertAllEnded(pids: number[]): Promise<void> {
  // They end as their parent does; a moment may pass before the kernel has them all.
  await waitUntil(async () => !(await Promise.all(pids.map(isRunning))).some(Boolean), `ExifTool ${pids.join(", ")} to end`, 10_000).catch(() => {});
  const left = (await Promise.all(pids.map(async (pid) => ((await isRunning(pid)) ? pid : undefined)))).filter((p) => p !== undefined);
  for (const pid of left) process.kill(pid, "SIGKILL"); // not left behind by the test either
  assert.deepEqual(left, [], "no ExifTool process of the build survives it");
}

test("SIGTERM to the launcher", async () => {
  const { build, exiftool } = await buildUntilExifTool("site-term");
  build.signal("SIGTERM");
  const result = await build.exited;
  assert.equal(result.code, 143, result.output);
  await assertAllEnded(exiftool);
});

test("SIGKILL of the process that runs the command", async () => {
  const { build, exiftool, runner } = await buildUntilExifTool("site-kill");
  process.kill(runner, "SIGKILL");
  const result = await build.exited;
  assert.equal(result.code, 137, result.output);
  await assertAllEnded(exiftool);
});
