// File-system helpers every stage uses: atomic writes (a reader never sees half a
// file, and two writers of one file never share a temp file), the one walk of a
// folder tree, and the one file hasher.
import type { Dirent } from "node:fs";
import { mkdir, open, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { digestOnWorker } from "./worker-pool.ts";

let counter = 0;

/** A temp name beside `file`, unique in this process and across processes: `<file>.<pid>.<n>.tmp`. */
export function tempPath(file: string): string {
  return `${file}.${process.pid}.${counter++}.tmp`;
}

const TEMP_NAME = /\.\d+\.\d+\.tmp$/;

/**
 * Writes through a temp file and a rename, creating the folder if needed; a failed
 * write (a full disk) leaves no temp file. Pieces are written as they are, without
 * first joining them into one buffer.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempPath(file);
  try {
    if (Array.isArray(data)) await writePieces(temp, data);
    else await writeFile(temp, data as string | Uint8Array);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** libuv's writev writes every piece (IOV_MAX at a time); it stops short only when the disk refuses more, which the next call reports. */
async function writePieces(file: string, pieces: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, "w");
  try {
    let rest = [...pieces];
    let left = rest.reduce((n, piece) => n + piece.byteLength, 0);
    while (left > 0) {
      const { bytesWritten } = await handle.writev(rest);
      if (bytesWritten === 0) throw new Error(`${file}: nothing could be written`);
      left -= bytesWritten;
      rest = piecesAfter(rest, bytesWritten);
    }
  } finally {
    await handle.close();
  }
}

/** What of `pieces` is left once `written` bytes of them are written. */
export function piecesAfter(pieces: Uint8Array[], written: number): Uint8Array[] {
  let i = 0;
  while (i < pieces.length && written >= pieces[i]!.byteLength) written -= pieces[i++]!.byteLength;
  const rest = pieces.slice(i);
  if (rest.length > 0 && written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

export type EntryKind = "file" | "directory" | "symlink" | "fifo" | "socket" | "device";

export interface TreeEntry {
  /** Path below the walked root, with `/` separators. */
  relPath: string;
  absPath: string;
  name: string;
  /** What the entry itself is: a symlink is reported as one, never followed. */
  kind: EntryKind;
}

export interface WalkOptions {
  /** Leave out entries whose name starts with "." (dotfiles, and dot-folders with all they hold). */
  skipDotEntries?: boolean;
  /** Whether to walk into a folder; a folder it refuses is still listed, its contents are not. */
  enter?: (folder: TreeEntry) => boolean;
}

function kindOf(entry: Dirent): EntryKind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "directory";
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isFIFO()) return "fifo";
  if (entry.isSocket()) return "socket";
  return "device";
}

/**
 * Every entry below `root`, each folder before what it holds and names sorted
 * within a folder. Symlinks, FIFOs, sockets and devices are listed with their
 * kind so each caller decides what to do with them; symlinked folders are not
 * walked into.
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<TreeEntry[]> {
  const out: TreeEntry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (options.skipDotEntries && entry.name.startsWith(".")) continue;
      const found: TreeEntry = {
        relPath: rel ? `${rel}/${entry.name}` : entry.name,
        absPath: path.join(dir, entry.name),
        name: entry.name,
        kind: kindOf(entry),
      };
      out.push(found);
      if (found.kind === "directory" && (options.enter?.(found) ?? true)) await walk(found.absPath, found.relPath);
    }
  };
  await walk(root, "");
  return out;
}

/**
 * Whether an entry is a temp a writer has not finished: a file named by
 * `tempPath`, or a folder whose name ends in `.tmp` (tiles being written).
 */
export function isTempEntry(entry: Pick<TreeEntry, "name" | "kind">): boolean {
  return entry.kind === "directory" ? entry.name.endsWith(".tmp") : TEMP_NAME.test(entry.name);
}

/** A byte range of a file, `end` inclusive (as `createReadStream` and HTTP's Range take it). */
export interface ByteRange {
  start: number;
  end: number;
}

/** The hex digest of a file, or of a byte range of it, read in chunks (never whole in memory) on a worker thread (worker-pool.ts). Default algorithm SHA-256. */
export function hashFile(file: string, options: { algorithm?: "sha256" | "md5"; range?: ByteRange } = {}): Promise<string> {
  return digestOnWorker({ file, algorithm: options.algorithm ?? "sha256", ...(options.range ? { start: options.range.start, end: options.range.end } : {}) });
}
