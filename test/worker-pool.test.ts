// The worker threads that hash files and compress a site's text files never keep a
// process alive once it has nothing left for them. (Their digests and errors are
// tested through hashFile in files.test.ts, the siblings they write in
// render/precompress.test.ts and through the site's .br and .gz files in
// render/site.test.ts.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const POOL = fileURLToPath(new URL("../src/worker-pool.ts", import.meta.url));

test("worker pool: a job that cannot be sent is refused, and its worker does not keep the process alive", async () => {
  // A fresh process whose only job does not clone (a function in it): the job
  // must be refused and the process must end by itself, with no worker left holding it.
  // (A script file: run through --eval with tsx, the process ended even with the worker
  // held, so the test passed without the fix.)
  const dir = await mkdtemp(path.join(os.tmpdir(), "rotunda-pool-"));
  try {
    const script = path.join(dir, "refused.mts");
    await writeFile(
      script,
      `import { writeSiblingsOnWorker } from ${JSON.stringify(POOL)};
      try {
        await writeSiblingsOnWorker({ files: [{ file: "page.html" }], brotliQuality: 6, gzipLevel: () => 9 });
        console.log("sent");
      } catch (error) {
        console.log("refused:", error.name);
      }
      `,
    );
    const child = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 30_000 });
    assert.equal(child.error, undefined, "the process did not end by itself within 30 s");
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /^refused: DataCloneError/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
