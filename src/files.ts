// File-system helpers every stage that writes shared state uses: a reader never
// sees half a file, and two writers of one file never share a temp file.
import type { Dirent } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

let counter = 0;

/** A temp name beside `file`, unique in this process and across processes. */
export function tempPath(file: string): string {
  return `${file}.${process.pid}.${counter++}.tmp`;
}

/** Writes through a temp file and a rename, creating the folder if needed; a failed write (a full disk) leaves no temp file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = tempPath(file);
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Absolute path of an entry from `readdir(…, { withFileTypes: true })` (Node 20.12+ `parentPath`, older `path`). */
export function entryPath(entry: Dirent): string {
  const parent = (entry as { parentPath?: string; path?: string }).parentPath ?? (entry as { path: string }).path;
  return path.join(parent, entry.name);
}
