// The worker threads that hash files and compress a site's text files: their answers
// match the main thread's, their errors keep fs's shape, and they never keep a
// process alive once it has nothing left for them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { compressOnWorker, digestOnWorker } from "../src/worker-pool.ts";

const POOL = fileURLToPath(new URL("../src/worker-pool.ts", import.meta.url));

test("worker pool: digests of a whole file and of a byte range match node:crypto's", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "rotunda-pool-"));
  try {
    const file = path.join(dir, "data.bin");
    const data = randomBytes(3 * (1 << 20) + 17); // over the worker's 1 MiB read buffer
    await writeFile(file, data);
    const [whole, range] = await Promise.all([
      digestOnWorker({ file, algorithm: "sha256" }),
      digestOnWorker({ file, algorithm: "md5", start: 5, end: (1 << 20) + 9 }),
    ]);
    assert.equal(whole, createHash("sha256").update(data).digest("hex"));
    assert.equal(range, createHash("md5").update(data.subarray(5, (1 << 20) + 10)).digest("hex"));
    await assert.rejects(digestOnWorker({ file: path.join(dir, "missing"), algorithm: "sha256" }), { code: "ENOENT", syscall: "open" });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("worker pool: brotli and gzip output decompresses to the input", async () => {
  const data = new TextEncoder().encode("<p>Rotunda</p>\n".repeat(5000));
  const [br, gz] = await Promise.all([compressOnWorker({ data, encoding: "br", options: {} }), compressOnWorker({ data, encoding: "gz", options: { level: 9 } })]);
  assert.ok(br.length < data.length / 10 && gz.length < data.length / 10);
  assert.deepEqual(new Uint8Array(brotliDecompressSync(br)), data);
  assert.deepEqual(new Uint8Array(gunzipSync(gz)), data);
});

test("worker pool: a job that cannot be sent is refused, and its worker does not keep the process alive", async () => {
  // A fresh process whose only job does not clone (a function in the options): the job
  // must be refused and the process must end by itself, with no worker left holding it.
  // (A script file, not --eval: an --eval script's process ends whatever holds it.)
  const dir = await mkdtemp(path.join(os.tmpdir(), "rotunda-pool-"));
  try {
    const script = path.join(dir, "refused.mts");
    await writeFile(
      script,
      `import { compressOnWorker } from ${JSON.stringify(POOL)};
      try {
        await compressOnWorker({ data: new Uint8Array(4), encoding: "gz", options: { level: () => 1 } });
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
