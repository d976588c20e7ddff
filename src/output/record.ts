// What Rotunda wrote into an output folder, so it deletes only its own files.
//
// `.rotunda/output.json` lists, as of the last complete build, the folders Rotunda
// owns whole (a picture's `media/<hash>/`, with a key of what it should hold) and
// the single files it wrote (pages, bundles, `_headers`). While a build runs,
// `.rotunda/build.journal` records each folder or file before it is first written
// (write-ahead), so a killed run's leftovers are still known as Rotunda's. The
// journal's presence means "a build started and has not finished": deploy refuses
// such a folder, and the next build carries its claims forward. Shards that write
// into the folder at the same time (or each into its own, gathered afterwards)
// keep one journal each, `.rotunda/build-<shard>.journal`, so none overwrites
// another's; every journal counts, and a complete build removes them all.
import { appendFile, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../files.ts";
import { STATE_DIR } from "../manifest.ts";

export const RECORD_FILE = "output.json";
export const JOURNAL_FILE = "build.journal";
const JOURNAL_NAME = /^build(?:-[a-z0-9-]+)?\.journal$/;
const RECORD_VERSION = 1;

export interface OutputRecord {
  version: number;
  /** Folders owned whole (relative, "/"-separated) → key of the names they should hold. */
  folders: Record<string, string>;
  /** Single files Rotunda wrote (relative, "/"-separated). */
  files: string[];
  /** The site's pathPrefix as the last render used it ("/" by default). */
  pathPrefix: string;
  /** The publisher allowed files of their own in this folder (`--allow-other-files`). */
  otherFilesAllowed: boolean;
  /**
   * Media folders the site uses that are not in this folder but in the bucket
   * that serves as the shared processing cache (`s3://bucket/prefix`, under the
   * keys a deploy there uses), each with the names it holds there.
   */
  remote?: RemoteMedia;
}

export interface RemoteMedia {
  url: string;
  endpoint?: string;
  folders: Record<string, string[]>;
}

export interface Journal {
  /** A journal exists: a build began and did not finish. */
  open: boolean;
  folders: Set<string>;
  files: Set<string>;
}

export const recordPath = (outputDir: string) => path.join(outputDir, STATE_DIR, RECORD_FILE);
/** The journal of one writer: the build's, or a shard's (`writer` "2-of-3"). */
export const journalPath = (outputDir: string, writer?: string) =>
  path.join(outputDir, STATE_DIR, writer ? `build-${writer}.journal` : JOURNAL_FILE);

/** Every journal in the folder: the build's and the shards'. */
async function journalFiles(outputDir: string): Promise<string[]> {
  const names = await readdir(path.join(outputDir, STATE_DIR)).catch(() => [] as string[]);
  return names.filter((n) => JOURNAL_NAME.test(n)).sort().map((n) => path.join(outputDir, STATE_DIR, n));
}

export function emptyRecord(): OutputRecord {
  return { version: RECORD_VERSION, folders: {}, files: [], pathPrefix: "/", otherFilesAllowed: false };
}

/** The record of the last complete build, or undefined when there is none (or it does not read). */
export async function readRecord(outputDir: string): Promise<OutputRecord | undefined> {
  try {
    const raw = JSON.parse(await readFile(recordPath(outputDir), "utf8")) as Partial<OutputRecord>;
    if (raw.version !== RECORD_VERSION || typeof raw.folders !== "object" || !Array.isArray(raw.files)) return undefined;
    return { ...emptyRecord(), ...raw } as OutputRecord;
  } catch {
    return undefined;
  }
}

export async function writeRecord(outputDir: string, record: OutputRecord): Promise<void> {
  await writeFileAtomic(recordPath(outputDir), JSON.stringify(record) + "\n");
}

/** The claims of unfinished builds and shards; a line torn by a crash is skipped (its write never completed). */
export async function readJournal(outputDir: string): Promise<Journal> {
  const journal: Journal = { open: false, folders: new Set(), files: new Set() };
  let text = "";
  for (const file of await journalFiles(outputDir)) {
    try {
      text += (await readFile(file, "utf8")) + "\n";
      journal.open = true;
    } catch {
      // removed meanwhile by a build that completed
    }
  }
  for (const line of text.split("\n")) {
    try {
      const entry = JSON.parse(line) as { folders?: string[]; files?: string[] };
      for (const f of entry.folders ?? []) journal.folders.add(f);
      for (const f of entry.files ?? []) journal.files.add(f);
    } catch {
      // empty or torn line
    }
  }
  return journal;
}

/** Appends one line to a writer's journal (creating it): a build has begun, or is about to write these paths. */
export async function appendJournal(outputDir: string, entry: { begin?: string; folders?: string[]; files?: string[] }, writer?: string): Promise<void> {
  await appendFile(journalPath(outputDir, writer), JSON.stringify(entry) + "\n");
}

/** Removes every journal: only a complete build, which no shard runs beside, does. */
export async function removeJournal(outputDir: string): Promise<void> {
  for (const file of await journalFiles(outputDir)) await rm(file, { force: true });
}

/** Whether the last build into `outputDir` began and did not finish. */
export async function buildUnfinished(outputDir: string): Promise<boolean> {
  return (await readJournal(outputDir)).open;
}
