// Finds the originals of a gallery folder: every picture below it, recognised by
// its content (a PNG named .jpg is still a PNG), with its sidecar when it has one.
// Dotfiles and dot-folders (pull ledgers, editors' files) and node_modules are skipped.
// Symlinked pictures are followed (a gallery assembled from links into a library);
// a link to nothing, or a FIFO, socket or device, named like a picture is listed
// as skipped, with why.
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { walkTree, type EntryKind, type TreeEntry } from "../files.ts";

export type PictureFormat = "jpeg" | "png" | "tiff" | "webp" | "avif" | "heif";

export interface OriginalFile {
  /** Absolute path. */
  file: string;
  /** Path relative to the gallery, with forward slashes: the original's identity. */
  relPath: string;
  /** Recognised from the file's first bytes. */
  format: PictureFormat;
  /** Absolute path of `<name>.md` beside it, when there is one. */
  sidecar?: string;
}

/** Files with these extensions are meant as pictures: if their content is not one, that is an error. */
const PICTURE_EXTENSIONS = /\.(jpe?g|png|tiff?|webp|avif|heic|heif)$/i;
const SKIP_DIRS = new Set(["node_modules"]);

/** Recognises a picture format from the first bytes of a file. */
export function sniffFormat(head: Uint8Array): PictureFormat | undefined {
  const b = (i: number) => head[i] ?? -1;
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "jpeg";
  if (b(0) === 0x89 && ascii(1, 4) === "PNG") return "png";
  if ((ascii(0, 2) === "II" && b(2) === 42 && b(3) === 0) || (ascii(0, 2) === "MM" && b(2) === 0 && b(3) === 42)) return "tiff";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (ascii(4, 8) === "ftyp") {
    const brand = ascii(8, 12);
    if (brand === "avif" || brand === "avis") return "avif";
    if (/^(heic|heix|mif1|msf1)$/.test(brand)) return "heif";
  }
  return undefined;
}

export async function readHead(file: string, bytes = 32): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** An `_album.md`: a folder's title, description, cover, order and draft flag. */
export interface AlbumFileRef {
  /** Absolute path. */
  file: string;
  /** The folder it describes, relative to the gallery with forward slashes ("" for the gallery itself). */
  folder: string;
}

const ALBUM_FILE = /^_album\.md$/i;

export interface ScanResult {
  originals: OriginalFile[];
  albumFiles: AlbumFileRef[];
  /** Files named like pictures whose content is not a picture format. */
  unrecognised: Array<{ relPath: string; message: string }>;
  /** Entries named like pictures that are not files: links to nothing, FIFOs, sockets, devices. */
  skipped: Array<{ relPath: string; reason: string }>;
  /**
   * The publisher's own pages (relative paths, sorted): every `.md` and `.njk` file
   * that is not `_album.md` and not the sidecar of a picture or of a file named like
   * one, whether or not the picture is published.
   */
  pages: string[];
}

const NOT_A_FILE: Partial<Record<EntryKind, string>> = {
  fifo: "a FIFO (named pipe), not a file",
  socket: "a socket, not a file",
  device: "a device, not a file",
};

/** True for a regular file or a link to one; else why it is no picture (undefined for a linked folder: no concern). */
async function fileOrReason(entry: TreeEntry): Promise<true | string | undefined> {
  if (entry.kind === "file") return true;
  if (entry.kind !== "symlink") return NOT_A_FILE[entry.kind];
  const target = await stat(entry.absPath).catch((error: NodeJS.ErrnoException) => error);
  if (target instanceof Error) {
    if (target.code === "ENOENT") return "a symbolic link to nothing (its target does not exist)";
    if (target.code === "ELOOP") return "a symbolic link loop";
    return `a symbolic link whose target cannot be read (${target.code ?? target.message})`;
  }
  if (target.isFile()) return true;
  if (target.isDirectory()) return undefined; // a linked folder: not walked into, and not a picture
  return `a symbolic link to ${target.isFIFO() ? "a FIFO" : target.isSocket() ? "a socket" : "a device"}, not a file`;
}

export async function scanGallery(galleryDir: string, options: { exclude?: string[] } = {}): Promise<ScanResult> {
  const root = path.resolve(galleryDir);
  const excluded = (options.exclude ?? []).map((d) => path.resolve(d) + path.sep);
  const isExcluded = (abs: string) => excluded.some((d) => abs.startsWith(d));
  const entries = await walkTree(root, {
    skipDotEntries: true,
    enter: (folder) => !SKIP_DIRS.has(folder.name) && !isExcluded(folder.absPath + path.sep),
  });
  const files: string[] = [];
  const skipped: ScanResult["skipped"] = [];
  for (const entry of entries) {
    if (entry.kind === "directory" || isExcluded(entry.absPath)) continue;
    const found = await fileOrReason(entry);
    if (found === true) files.push(entry.absPath);
    else if (found !== undefined && PICTURE_EXTENSIONS.test(entry.name)) skipped.push({ relPath: entry.relPath, reason: found });
  }
  files.sort();
  skipped.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  const present = new Set(files);
  const sidecarOf = (file: string) => {
    const base = file.slice(0, file.length - path.extname(file).length);
    return [`${base}.md`, `${base}.MD`].find((candidate) => !ALBUM_FILE.test(path.basename(candidate)) && present.has(candidate));
  };
  const originals: OriginalFile[] = [];
  const albumFiles: AlbumFileRef[] = [];
  const unrecognised: ScanResult["unrecognised"] = [];
  const sidecars = new Set<string>();
  const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");
  for (const s of skipped) {
    const sidecar = sidecarOf(path.join(root, s.relPath));
    if (sidecar) sidecars.add(relative(sidecar));
  }
  for (const file of files) {
    const lower = file.toLowerCase();
    if (ALBUM_FILE.test(path.basename(file))) {
      albumFiles.push({ file, folder: path.relative(root, path.dirname(file)).split(path.sep).join("/") });
      continue;
    }
    if (lower.endsWith(".md") || lower.endsWith(".json") || lower.endsWith(".txt")) continue;
    const relPath = relative(file);
    const head = await readHead(file);
    const format = sniffFormat(head);
    const sidecar = format || PICTURE_EXTENSIONS.test(file) ? sidecarOf(file) : undefined;
    if (sidecar) sidecars.add(relative(sidecar));
    if (!format) {
      if (PICTURE_EXTENSIONS.test(file)) {
        unrecognised.push({
          relPath,
          message: head.length === 0 ? "empty file (0 bytes)" : "not a picture: its content is not JPEG, PNG, TIFF, WebP, AVIF or HEIF",
        });
      }
      continue;
    }
    originals.push(sidecar ? { file, relPath, format, sidecar } : { file, relPath, format });
  }
  const pages = files
    .map(relative)
    .filter((rel) => /\.(md|njk)$/.test(rel) && !ALBUM_FILE.test(path.posix.basename(rel)) && !sidecars.has(rel))
    .sort();
  return { originals, albumFiles, unrecognised, skipped, pages };
}

/**
 * The scan after edits to text files only: sidecars (`<picture>.md`) and
 * `_album.md` files added, changed or removed, and publisher's pages changed,
 * each costing one stat. Undefined
 * when any change is something else (a picture, a folder, a file outside the
 * gallery or in a skipped folder): then the gallery is scanned again whole.
 */
export async function rescanTextEdits(galleryDir: string, previous: ScanResult, changed: Iterable<string>, options: { exclude?: string[] } = {}): Promise<ScanResult | undefined> {
  const root = path.resolve(galleryDir);
  const excluded = (options.exclude ?? []).map((d) => path.resolve(d) + path.sep);
  const albumFiles = new Map(previous.albumFiles.map((a) => [a.file, a]));
  const originals = previous.originals.map((o) => ({ ...o }));
  const byBase = new Map<string, OriginalFile[]>();
  for (const o of originals) {
    const base = o.file.slice(0, o.file.length - path.extname(o.file).length);
    byBase.set(base, [...(byBase.get(base) ?? []), o]);
  }
  const isFile = (file: string) => stat(file).then((info) => info.isFile(), () => false);
  for (const file of changed) {
    const rel = path.relative(root, file);
    if (!path.isAbsolute(file) || rel.startsWith("..") || path.isAbsolute(rel) || excluded.some((d) => file.startsWith(d))) return undefined;
    const segments = rel.split(path.sep);
    if (segments.some((s) => s.startsWith(".") || SKIP_DIRS.has(s)) || !/\.md$/i.test(file)) return undefined;
    if (ALBUM_FILE.test(path.basename(file))) {
      if (await isFile(file)) albumFiles.set(file, { file, folder: segments.slice(0, -1).join("/") });
      else albumFiles.delete(file);
      continue;
    }
    const sidecarOfOriginals = byBase.get(file.slice(0, -3));
    if (!sidecarOfOriginals) {
      // A publisher's page edited in place keeps the list of pages; one added or removed needs the whole scan.
      if (previous.pages.includes(rel.split(path.sep).join("/")) && (await isFile(file))) continue;
      return undefined;
    }
    for (const original of sidecarOfOriginals) {
      const base = file.slice(0, -3);
      let sidecar: string | undefined;
      for (const candidate of [`${base}.md`, `${base}.MD`]) if (!sidecar && (await isFile(candidate))) sidecar = candidate;
      if (sidecar) original.sidecar = sidecar;
      else delete original.sidecar;
    }
  }
  return { ...previous, originals, albumFiles: [...albumFiles.values()].sort((a, b) => (a.file < b.file ? -1 : 1)) };
}
