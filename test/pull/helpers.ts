// Shared test helpers of the pull: temp folders, free ports, files of random bytes, hashing.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export async function tempDir(prefix = "rotunda-pull-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export { freePort } from "../../src/ports.ts";

/** Files of random bytes (JPEG-looking names), sizes between min and max bytes. */
export async function makeFiles(dir: string, count: number, minBytes: number, maxBytes: number, prefix = "R00"): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const size = minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1));
    const data = randomBytes(size);
    const name = `${prefix}${String(10001 + i).padStart(5, "0")}.JPG`;
    await writeFile(path.join(dir, name), data);
    hashes.set(name, sha256(data));
  }
  return hashes;
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** sha256 of every non-dot file directly in dir, by name. */
export async function hashFolder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith(".")) continue;
    out.set(name, sha256(await readFile(path.join(dir, name))));
  }
  return out;
}
