// The per-camera ledger: what was pulled, so a rerun downloads nothing twice even
// after the user renamed or moved the picture. Append-only JSON lines, fsynced
// before an entry counts (one fsync shared by the entries written meanwhile); a
// line torn by a crash is ignored on the next read.
import { open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { groupCommit } from "../limit.ts";
import type { CameraFile } from "./osc-client.ts";

export const LEDGER_FILE = ".rotunda-pull.jsonl";

export interface LedgerEntry {
  fileUrl: string;
  size: number;
  dateTimeZone?: string;
  /** Local file name it was saved as (inside the camera folder). */
  file: string;
  /** ISO time it was pulled. */
  at: string;
}

/**
 * A camera file's identity: the path of its fileUrl (not the host: a THETA's IP
 * changes between access-point and client mode), its size and capture time.
 */
export function identity(file: Pick<CameraFile, "fileUrl" | "size" | "dateTimeZone">): string {
  let where = file.fileUrl;
  try {
    where = new URL(file.fileUrl).pathname;
  } catch {
    // not an absolute URL: use as is
  }
  return `${where}\n${file.size}\n${file.dateTimeZone ?? ""}`;
}

export class Ledger {
  private readonly known = new Map<string, LedgerEntry>();
  private queue: Promise<void> = Promise.resolve();
  private readonly flush = groupCommit(() => this.handle.datasync());

  private constructor(private readonly handle: FileHandle) {}

  static async open(dir: string): Promise<Ledger> {
    const file = path.join(dir, LEDGER_FILE);
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const handle = await open(file, "a", 0o644);
    const ledger = new Ledger(handle);
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as LedgerEntry;
        if (typeof entry.fileUrl === "string" && typeof entry.size === "number") ledger.known.set(identity(entry), entry);
      } catch {
        // torn by a crash mid-write: that file is simply pulled again
      }
    }
    // Finish a torn last line so the next entry starts on a line of its own.
    if (text.length > 0 && !text.endsWith("\n")) await handle.write("\n");
    return ledger;
  }

  has(file: CameraFile): boolean {
    return this.entryFor(file) !== undefined;
  }

  /** What was recorded when `file` was pulled, if it was. */
  entryFor(file: CameraFile): LedgerEntry | undefined {
    return this.known.get(identity(file));
  }

  /** Appends one entry; resolves once it is durable. Writes are serialised, fsyncs shared. */
  async record(entry: LedgerEntry): Promise<void> {
    const written = this.queue.then(() => this.handle.write(JSON.stringify(entry) + "\n"));
    this.queue = written.then(() => {}, () => {});
    await written;
    await this.flush();
    this.known.set(identity(entry), entry);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }
}
