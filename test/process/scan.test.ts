// Finding the originals: what counts as a picture, what is left out without a word
// (dot-entries, node_modules, the output folder) and what is listed as skipped.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { scanGallery } from "../../src/process/scan.ts";

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
let gallery: string;
let socket: net.Server;

before(async () => {
  gallery = await mkdtemp(path.join(tmpdir(), "rotunda-scan-"));
  const put = async (rel: string, body: string | Buffer = JPEG_HEAD) => {
    await mkdir(path.dirname(path.join(gallery, rel)), { recursive: true });
    await writeFile(path.join(gallery, rel), body);
  };
  await put("hall.jpg");
  await put("hall.md", "A caption.");
  await put("trips/yard.JPG");
  await put("notes.jpg", "not a picture");
  await put("notes.md", "The caption of a picture that does not read.");
  await put("about.md", "A page of the publisher's: no picture is called about.");
  await put("trips/events.njk", "<p>A page in Nunjucks.</p>");
  await put("trips/_album.md", "An album's text.");
  await put(".drafts/later.md", "A dot-folder's file: no page.");
  await put("dist/page.md", "In the output folder: no page.");
  await put("dangling.md", "The caption of a picture whose link goes nowhere.");
  await put(".trash/old.jpg");
  await put("node_modules/pkg/icon.jpg");
  await put("dist/media/hall-0a1b2c3d4e-1024-q80.jpg");
  await put("library/linked.jpg");
  await symlink(path.join(gallery, "library/linked.jpg"), path.join(gallery, "link.jpg"));
  await symlink(path.join(gallery, "library"), path.join(gallery, "linked-folder"));
  await symlink(path.join(gallery, "gone.jpg"), path.join(gallery, "dangling.jpg"));
  await symlink(path.join(gallery, "loop-b.jpg"), path.join(gallery, "loop-a.jpg"));
  await symlink(path.join(gallery, "loop-a.jpg"), path.join(gallery, "loop-b.jpg"));
  await symlink(path.join(gallery, "gone.txt"), path.join(gallery, "dangling-notes.txt"));
  execFileSync("mkfifo", [path.join(gallery, "pipe.jpeg"), path.join(gallery, "pipe-not-a-picture")]);
  socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(path.join(gallery, "trips/socket.png"), resolve));
});

after(async () => {
  await new Promise((resolve) => socket?.close(resolve));
  if (gallery) await rm(gallery, { recursive: true, force: true });
});

test("pictures are found by content, symlinked ones followed, sidecars paired", async () => {
  const scan = await scanGallery(gallery, { exclude: [path.join(gallery, "dist")] });
  assert.deepEqual(
    scan.originals.map((o) => [o.relPath, o.format, o.sidecar && path.basename(o.sidecar)]),
    [
      ["hall.jpg", "jpeg", "hall.md"],
      ["library/linked.jpg", "jpeg", undefined],
      ["link.jpg", "jpeg", undefined],
      ["trips/yard.JPG", "jpeg", undefined],
    ],
  );
  assert.deepEqual(scan.unrecognised.map((u) => u.relPath), ["notes.jpg"]);
});

test("the publisher's pages: every .md and .njk file but the sidecars of pictures and of files named like pictures, and _album.md", async () => {
  const scan = await scanGallery(gallery, { exclude: [path.join(gallery, "dist")] });
  assert.deepEqual(scan.pages, ["about.md", "trips/events.njk"]);
});

test("links to nothing, loops, FIFOs and sockets named like pictures are listed as skipped, with why", async () => {
  const scan = await scanGallery(gallery, { exclude: [path.join(gallery, "dist")] });
  assert.deepEqual(scan.skipped, [
    { relPath: "dangling.jpg", reason: "a symbolic link to nothing (its target does not exist)" },
    { relPath: "loop-a.jpg", reason: "a symbolic link loop" },
    { relPath: "loop-b.jpg", reason: "a symbolic link loop" },
    { relPath: "pipe.jpeg", reason: "a FIFO (named pipe), not a file" },
    { relPath: "trips/socket.png", reason: "a socket, not a file" },
  ]);
});

test("_album.md files are found for their folder, and are never a picture's sidecar", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-scan-albums-"));
  try {
    await mkdir(path.join(dir, "Yard", "Night"), { recursive: true });
    await writeFile(path.join(dir, "Yard", "_album.md"), "---\ntitle: Yard\n---\n");
    await writeFile(path.join(dir, "Yard", "_album.jpg"), JPEG_HEAD);
    await writeFile(path.join(dir, "Yard", "Night", "_Album.md"), "Night shift.");
    await writeFile(path.join(dir, "_album.md"), "At the root.");
    const scan = await scanGallery(dir);
    assert.deepEqual(scan.albumFiles.map((a) => [a.folder, path.relative(dir, a.file)]).sort(), [
      ["", "_album.md"],
      ["Yard", path.join("Yard", "_album.md")],
      ["Yard/Night", path.join("Yard", "Night", "_Album.md")],
    ]);
    assert.deepEqual(scan.originals.map((o) => [o.relPath, o.sidecar]), [["Yard/_album.jpg", undefined]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
