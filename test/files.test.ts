// The file helpers every stage shares: the tree walk, temp names, the streaming hasher.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { hashFile, isTempEntry, piecesAfter, tempPath, walkTree, writeFileAtomic } from "../src/files.ts";

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "rotunda-files-"));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("hashFile is the SHA-256 of the bytes, read in chunks (larger than one read)", async () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const file = path.join(dir, "x.bin");
  await writeFile(file, bytes);
  assert.equal(await hashFile(file), createHash("sha256").update(bytes).digest("hex"));
  assert.equal(await hashFile(file, { algorithm: "md5" }), createHash("md5").update(bytes).digest("hex"));
  const range = { start: 1024 * 1024 - 5, end: 2 * 1024 * 1024 + 3 };
  assert.equal(
    await hashFile(file, { algorithm: "md5", range }),
    createHash("md5").update(bytes.subarray(range.start, range.end + 1)).digest("hex"),
    "a byte range, end inclusive",
  );
});

test("hashFile run on many files at once gives each file its own digest (read buffers are reused between calls)", async () => {
  const files = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const bytes = randomBytes(1024 * 1024 + 1000 * i);
      const file = path.join(dir, `many-${i}.bin`);
      await writeFile(file, bytes);
      return { file, digest: createHash("sha256").update(bytes).digest("hex") };
    }),
  );
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(await Promise.all(files.map((f) => hashFile(f.file))), files.map((f) => f.digest));
  }
});

test("walkTree lists every entry with its kind, folders first, names sorted; symlinks are not followed", async () => {
  const root = path.join(dir, "tree");
  await mkdir(path.join(root, "b/inner"), { recursive: true });
  await mkdir(path.join(root, ".state"), { recursive: true });
  await mkdir(path.join(root, "skip-me"), { recursive: true });
  await writeFile(path.join(root, "b/inner/deep.txt"), "x");
  await writeFile(path.join(root, "a.txt"), "x");
  await writeFile(path.join(root, ".hidden"), "x");
  await writeFile(path.join(root, ".state/manifest.json"), "{}");
  await writeFile(path.join(root, "skip-me/unseen.txt"), "x");
  await symlink(path.join(root, "b"), path.join(root, "c-link"));
  execFileSync("mkfifo", [path.join(root, "d-fifo")]);

  const all = await walkTree(root);
  assert.deepEqual(all.map((e) => `${e.relPath}:${e.kind}`), [
    ".hidden:file",
    ".state:directory",
    ".state/manifest.json:file",
    "a.txt:file",
    "b:directory",
    "b/inner:directory",
    "b/inner/deep.txt:file",
    "c-link:symlink",
    "d-fifo:fifo",
    "skip-me:directory",
    "skip-me/unseen.txt:file",
  ]);
  assert.equal(all.find((e) => e.relPath === "b/inner/deep.txt")?.absPath, path.join(root, "b/inner/deep.txt"));

  const some = await walkTree(root, { skipDotEntries: true, enter: (folder) => folder.name !== "skip-me" });
  assert.deepEqual(some.map((e) => e.relPath), ["a.txt", "b", "b/inner", "b/inner/deep.txt", "c-link", "d-fifo", "skip-me"]);
});

test("isTempEntry: names tempPath makes, and folders ending .tmp; nothing else", () => {
  const file = (name: string) => ({ name, kind: "file" as const });
  assert.equal(isTempEntry(file(path.basename(tempPath("/x/manifest.json")))), true);
  assert.equal(isTempEntry(file("hall-0a1b2c3d4e-1024-q80.jpg.4242.7.tmp")), true);
  assert.equal(isTempEntry({ name: "tiles-0a1b2c3d4e.tmp", kind: "directory" }), true);
  assert.equal(isTempEntry(file("notes.tmp")), false, "a site's own file that merely ends .tmp");
  assert.equal(isTempEntry(file("hall.jpg")), false);
  assert.equal(isTempEntry({ name: "media", kind: "directory" }), false);
});

test("writeFileAtomic writes pieces as one file, more of them than one writev takes, empty ones included", async () => {
  const pieces = Array.from({ length: 2500 }, (_, i) => (i % 7 === 0 ? Buffer.alloc(0) : randomBytes(1 + (i % 300))));
  const file = path.join(dir, "pieces", "out.bin");
  await writeFileAtomic(file, pieces);
  assert.ok((await readFile(file)).equals(Buffer.concat(pieces)));
  assert.deepEqual((await readdir(path.dirname(file))).filter((name) => name !== "out.bin"), [], "no temp file left");
});

test("piecesAfter: what a short write leaves, from any byte", () => {
  const pieces = [Buffer.from("abc"), Buffer.from(""), Buffer.from("de"), Buffer.from("fghi")];
  const whole = Buffer.concat(pieces).toString();
  for (let written = 0; written <= whole.length; written++) {
    assert.equal(Buffer.concat(piecesAfter(pieces, written)).toString(), whole.slice(written), `after ${written} bytes`);
  }
  assert.deepEqual(piecesAfter(pieces, whole.length), []);
});

test("hashFile of a file that cannot be read fails as fs does: its code and path", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-hash-missing-"));
  try {
    const missing = path.join(dir, "gone.jpg");
    await assert.rejects(hashFile(missing), (error: NodeJS.ErrnoException) => error.code === "ENOENT" && error.path === missing && error.message.includes(missing));
    await assert.rejects(hashFile(dir), (error: NodeJS.ErrnoException) => error.code === "EISDIR");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
