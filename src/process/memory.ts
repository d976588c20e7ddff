// What `serve` remembers of its last process run, so that an edit to a sidecar or
// an `_album.md` costs the reading of that file, not a pass over the whole
// gallery: the scan, what each original's outputs are, and what each text file
// said. The serve tells it which files changed; anything it cannot account for
// (a picture added or changed, a folder, the configuration, a pull) makes the
// next run a full one. Outputs of pictures published last time are taken as
// present: the serve holds the output folder, and only its own builds write there.
// A record whose data is the same as last run's is handed on as the same object,
// so the render tells the pictures an edit left alone by identity.
import type { PanoramaRecord } from "../manifest.ts";
import { sameData } from "../same-data.ts";
import type { AlbumFile, Sidecar } from "./sidecar.ts";
import type { ScanResult } from "./scan.ts";

/** What one original's outputs are, as the process cache records them (opaque here). */
export type RememberedEntry = { hash: string };

export interface RememberedRun<Entry extends RememberedEntry = RememberedEntry> {
  /** The recipe the run used, and whether it was the quick one. */
  optionsKey: string;
  quick: boolean;
  scan: ScanResult;
  /** By original (relPath). */
  entries: Record<string, Entry>;
  /** Media folders of the pictures the run published. */
  published: Set<string>;
}

/** A text file's last reading: what it said, or why it did not read. */
export type Reading<T> = { ok: T } | { error: Error };

export class ProcessMemory {
  private last: RememberedRun | undefined;
  /** Absolute paths changed since the last run; undefined: unknown (a full run next). */
  private changed: Set<string> | undefined = undefined;
  private readonly sidecars = new Map<string, Reading<Sidecar>>();
  private readonly albumFiles = new Map<string, Reading<AlbumFile>>();
  /** The last run's records, by their original. */
  private records = new Map<string, PanoramaRecord>();
  /** Each original's record as composed last (before its slug), with the objects it was made from. */
  private composed = new Map<string, { from: readonly unknown[]; made: object }>();

  /** Files that changed since the last run (absolute paths). */
  note(paths: Iterable<string>): void {
    if (!this.changed) return;
    for (const p of paths) {
      this.changed.add(p);
      this.sidecars.delete(p);
      this.albumFiles.delete(p);
    }
  }

  /** Something changed that no list of files describes: the next run is a full one. */
  forgetAll(): void {
    this.changed = undefined;
    this.last = undefined;
    this.sidecars.clear();
    this.albumFiles.clear();
  }

  /** The last run and what changed since, when a run with this recipe may build on them. */
  recall<Entry extends RememberedEntry>(optionsKey: string, quick: boolean): { run: RememberedRun<Entry>; changed: ReadonlySet<string> } | undefined {
    const last = this.last as RememberedRun<Entry> | undefined;
    if (!last || !this.changed || last.optionsKey !== optionsKey || (last.quick && !quick)) return undefined;
    return { run: last, changed: this.changed };
  }

  /** A run completed: later runs build on it; the changes it saw are accounted for. */
  remember(run: RememberedRun, seen: ReadonlySet<string> | undefined): void {
    this.last = run;
    if (!this.changed) this.changed = new Set();
    else for (const p of seen ?? []) this.changed.delete(p);
  }

  sidecar(file: string): Reading<Sidecar> | undefined {
    return this.changed ? this.sidecars.get(file) : undefined;
  }

  rememberSidecar(file: string, reading: Reading<Sidecar>): void {
    this.sidecars.set(file, reading);
  }

  albumFile(file: string): Reading<AlbumFile> | undefined {
    return this.changed ? this.albumFiles.get(file) : undefined;
  }

  rememberAlbumFile(file: string, reading: Reading<AlbumFile>): void {
    this.albumFiles.set(file, reading);
  }

  /**
   * An original's record as composed last time when it is made from the same
   * objects (its outputs, its sidecar's reading…), else `make()`'s.
   */
  composedOnce<T extends object>(relPath: string, from: readonly unknown[], make: () => T): T {
    const last = this.composed.get(relPath);
    if (last && last.from.length === from.length && last.from.every((part, i) => part === from[i])) return last.made as T;
    const made = make();
    this.composed.set(relPath, { from, made });
    return made;
  }

  /** This run's records, each one whose data is unchanged replaced by the last run's object. */
  keepUnchanged(records: PanoramaRecord[]): PanoramaRecord[] {
    const next = new Map<string, PanoramaRecord>();
    const kept = records.map((record) => {
      const last = this.records.get(record.source.path);
      const same = last !== undefined && sameData(record, last) ? last : record;
      next.set(record.source.path, same);
      return same;
    });
    this.records = next;
    // Originals gone from the gallery are forgotten.
    for (const relPath of this.composed.keys()) if (!next.has(relPath)) this.composed.delete(relPath);
    return kept;
  }
}
