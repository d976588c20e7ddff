// The folders' `_album.md` files, read for the manifest: each folder's title,
// description, cover, order and draft flag. A file that does not read is a failure
// naming it; the album then keeps what it had last time, and pictures it would
// have held back (it may be the file that says `draft: true`) stay out unless they
// were published already.
import path from "node:path";
import type { AlbumSettings } from "../manifest.ts";
import type { AlbumFileRef, OriginalFile } from "./scan.ts";
import { readAlbumFile, type AlbumFile } from "./sidecar.ts";

export interface AlbumProblem {
  source: string;
  message: string;
}

export interface ReadAlbums {
  /** Settings of every folder with a readable (or last good) `_album.md`, by folder. */
  albums: AlbumSettings[];
  /** Folders whose pictures, and whose sub-folders' pictures, are not published. */
  draftFolders: Set<string>;
  /** Folders whose `_album.md` does not read and had no last good settings. */
  unreadFolders: Set<string>;
  failed: AlbumProblem[];
  warnings: AlbumProblem[];
}

/** The folder of a picture, relative to the gallery ("" for the gallery itself). */
export function folderOf(relPath: string): string {
  const slash = relPath.lastIndexOf("/");
  return slash === -1 ? "" : relPath.slice(0, slash);
}

/** Whether `folder` is `ancestor` or lies inside it. */
export function isWithin(folder: string, ancestor: string): boolean {
  return ancestor === "" || folder === ancestor || folder.startsWith(ancestor + "/");
}

/** Whether `folder` lies in (or is) any of `folders`. */
export function withinAny(folder: string, folders: ReadonlySet<string>): boolean {
  if (folders.size === 0) return false;
  for (let f = folder; ; f = folderOf(f)) {
    if (folders.has(f)) return true;
    if (f === "") return false;
  }
}

export async function readAlbums(
  galleryDir: string,
  files: AlbumFileRef[],
  originals: OriginalFile[],
  lastGood: (folder: string) => Promise<AlbumSettings | undefined>,
  read: (file: string) => Promise<AlbumFile> = readAlbumFile,
): Promise<ReadAlbums> {
  const result: ReadAlbums = { albums: [], draftFolders: new Set(), unreadFolders: new Set(), failed: [], warnings: [] };
  const picturesIn = new Map<string, Set<string>>();
  for (const original of originals) {
    const folder = folderOf(original.relPath);
    if (!picturesIn.has(folder)) picturesIn.set(folder, new Set());
    picturesIn.get(folder)!.add(original.relPath.slice(folder ? folder.length + 1 : 0));
  }
  for (const { file, folder } of [...files].sort((a, b) => (a.folder < b.folder ? -1 : 1))) {
    const source = path.relative(galleryDir, file).split(path.sep).join("/");
    if (folder === "") {
      result.warnings.push({ source, message: "not read: the gallery's own title and description come from rotunda.json" });
      continue;
    }
    let settings: AlbumSettings;
    try {
      const album = await read(file);
      settings = { path: folder, ...album };
      if (album.cover !== undefined && !picturesIn.get(folder)?.has(album.cover)) {
        result.failed.push({ source, message: `cover: "${album.cover}" is not a picture in ${folder}/ (give the file name of one)` });
        delete settings.cover;
      }
    } catch (error) {
      result.failed.push({ source, message: (error as Error).message.replace(`${file}: `, "") });
      const last = await lastGood(folder);
      if (!last) {
        result.unreadFolders.add(folder);
        continue;
      }
      settings = last;
    }
    if (settings.draft) result.draftFolders.add(folder);
    result.albums.push(settings);
  }
  return result;
}
