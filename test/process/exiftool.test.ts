// ExifTool started by startExifTool ends with the Node process that started it,
// through each way of tying it: the kernel's parent-death signal (setpriv, Linux)
// and the portable perl watchdog.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { parentTie, startExifTool, type ParentTie } from "../../src/process/exiftool.ts";
import { makeEquirect, writeTags } from "../support/pictures.ts";
import { descendants, isRunning, waitUntil } from "../support/processes.ts";

let work: string;
let picture: string;
/** Starts ExifTool tied as argv[2] says, reads argv[3], prints its PIDs as JSON, then waits to be killed. */
let host: string;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-exiftool-"));
  picture = path.join(work, "hall.jpg");
  await makeEquirect(picture, 512, 256);
  await writeTags(picture, { "XMP-GPano:ProjectionType": "equirectangular" });
  host = path.join(work, "host.mts");
  await writeFile(
    host,
    `import { startExifTool } from ${JSON.stringify(path.resolve(import.meta.dirname, "../../src/process/exiftool.ts"))};
const exiftool = startExifTool({ maxProcs: 1 }, process.argv[2]);
const tags = await exiftool.read(process.argv[3]);
console.log(JSON.stringify({ projection: tags.ProjectionType, pids: exiftool.pids }));
setInterval(() => {}, 60_000);
`,
  );
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

for (const tie of ["pdeathsig", "watchdog"] satisfies ParentTie[]) {
  describe(`tied by ${tie}`, () => {
    test("reads tags and ends cleanly, leaving no process", async (t) => {
      if (tie === "pdeathsig" && (await parentTie()) !== "pdeathsig") return t.skip("setpriv --pdeathsig is not available here");
      const exiftool = startExifTool({ maxProcs: 1 }, tie);
      const tags = await exiftool.read(picture);
      assert.equal(tags.ProjectionType, "equirectangular");
      const [pid] = exiftool.pids;
      assert.ok(pid);
      await exiftool.end();
      await waitUntil(async () => (await descendants(process.pid)).every((p) => !/exiftool|perl/.test(p.command)), "ExifTool and its watchdog to end", 10_000);
    });

    test("ends when the Node process that started it is killed", async (t) => {
      if (tie === "pdeathsig" && (await parentTie()) !== "pdeathsig") return t.skip("setpriv --pdeathsig is not available here");
      const node = spawn(process.execPath, ["--import", "tsx", host, tie, picture], { stdio: ["ignore", "pipe", "inherit"] });
      const exited = new Promise((resolve) => node.on("close", resolve));
      const [line] = await createInterface({ input: node.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
      const { projection, pids } = JSON.parse(line!) as { projection: string; pids: number[] };
      assert.equal(projection, "equirectangular", "ExifTool answered");
      const started = (await descendants(node.pid!)).map((p) => p.pid);
      assert.ok(pids.every((pid) => started.includes(pid)));
      node.kill("SIGKILL");
      await exited;
      await waitUntil(async () => !(await Promise.all(started.map(isRunning))).some(Boolean), `${started.join(", ")} to end`, 10_000).catch(() => {});
      const left = (await Promise.all(started.map(async (pid) => ((await isRunning(pid)) ? pid : undefined)))).filter((p) => p !== undefined);
      for (const pid of left) process.kill(pid, "SIGKILL");
      assert.deepEqual(left, [], "nothing it started survives it");
    });
  });
}
