// The output folder a build writes into, as one object: it is locked for one
// writer, checked before anything is written (never the gallery, never a folder
// of other files unless the publisher allows it), and it deletes only what
// Rotunda wrote (record.ts). Pages and bundles are rendered into a staging folder
// and moved into place whole (publish); unused outputs are swept only after the
// new pages are in place; a build counts as complete only at its very end.
//
// Shards of a sharded process (`rotunda process --shard k/n`) may write into one
// folder at the same time: each takes a lock of its own (`.rotunda/lock-<k>-of-<n>`)
// and keeps a journal of its own, and may only claim folders and write media;
// a build or render takes the folder's one lock, which excludes every shard, and
// alone publishes, sweeps and completes.
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../config.ts";
import { walkTree, writeFileAtomic } from "../files.ts";
import { eachLimit } from "../limit.ts";
import { acquireLock, LockedError, type Lock } from "../lock.ts";
import { manifestPath, STATE_DIR } from "../manifest.ts";
import {
  appendJournal,
  emptyRecord,
  readJournal,
  readRecord,
  removeJournal,
  writeRecord,
  type Journal,
  type OutputRecord,
  type RemoteMedia,
} from "./record.ts";

export { buildUnfinished, readRecord, type RemoteMedia } from "./record.ts";

/** Inside the state folder: where a render writes before its files are moved into place. */
export const STAGING_DIR = "staging";
const HELD_DIR = "held";
const LOCK_FILE = "lock";
/** A shard's lock: `lock-2-of-3`. */
const SHARD_LOCK = /^lock-[a-z0-9-]+$/;

/**
 * The site folder a render is for: Rotunda renders into `<site>/.rotunda/staging`
 * and moves the pages into `<site>` afterwards; any other Eleventy output is the site itself.
 */
export function siteDirOf(eleventyOutput: string): string {
  const dir = path.resolve(eleventyOutput);
  return path.basename(dir) === STAGING_DIR && path.basename(path.dirname(dir)) === STATE_DIR ? path.dirname(path.dirname(dir)) : dir;
}

/** The output folder cannot be used as asked: a configuration problem (exit 2), named. */
export class OutputFolderError extends ConfigError {
  override name = "OutputFolderError";
}

export interface OpenOutputOptions {
  outputDir: string;
  /** The gallery folder: the output may lie inside it, but never be it or contain it. */
  inputDir?: string;
  /** Who holds the folder, for a second run's message ("rotunda build"). */
  command: string;
  /** Build even though the folder holds files Rotunda did not write (remembered for later builds). */
  allowOtherFiles?: boolean;
  /**
   * Open the folder for one shard ("2-of-3"), beside the other shards: it may claim
   * folders and write into them, never publish, sweep or complete.
   */
  shard?: string;
}

/** What a finished build keeps; every other file Rotunda wrote is removed. */
export interface KeepSet {
  /** Folders owned whole → the names (first path segment below the folder) each should hold. */
  folders: Map<string, Set<string>>;
  /**
   * Owned folders of pictures still in the gallery but not published now (drafts,
   * a sidecar that does not read): set aside in the state folder, never deployed,
   * and brought back without re-processing when the picture returns.
   */
  held: Set<string>;
  /** Single files. */
  files: Set<string>;
}

/** A short key of the names a folder should hold: unchanged key, nothing to sweep there. */
function keyOf(names: Set<string>): string {
  return createHash("sha256").update([...names].sort().join("\n")).digest("hex").slice(0, 16);
}

const exists = (file: string) => lstat(file).then(() => true, () => false);

/** Files renamed or checked at a time: each is one short system call, so more than the cores. */
const FILE_LANES = 16;

/**
 * The order in which staged files go live, as steps whose files may move together:
 * every file that is not a page, then pages by depth (deepest first, so a page's
 * links to deeper ones already resolve), the home page alone and last. A page's
 * precompressed siblings (`.br`, `.gz`) move with it: a server may send them instead.
 */
export function publishSteps(files: readonly string[]): string[][] {
  const isPage = (rel: string) => /\.html(\.br|\.gz)?$/.test(rel);
  const isHome = (rel: string) => /^index\.html(\.br|\.gz)?$/.test(rel);
  const depth = (rel: string) => rel.split("/").length;
  const home = files.filter(isHome).sort();
  const pages = files.filter((f) => isPage(f) && !isHome(f));
  const steps: string[][] = [files.filter((f) => !isPage(f)).sort()];
  for (const d of [...new Set(pages.map(depth))].sort((a, b) => b - a)) steps.push(pages.filter((p) => depth(p) === d).sort());
  steps.push(home);
  return steps.filter((step) => step.length > 0);
}

export class OutputFolder {
  /** Folders claimed since the last complete build in this process (each is journalled once). */
  private readonly claimedFolders = new Set<string>();
  /** Everything Rotunda owns here: the record, the journal of unfinished builds, this run's claims. */
  private readonly folders: Set<string>;
  private readonly files: Set<string>;

  private constructor(
    readonly dir: string,
    private record: OutputRecord,
    private journal: Journal,
    private readonly lock: Lock,
    /** The shard this folder is open for; undefined for a build, which holds it alone. */
    readonly shard: string | undefined,
  ) {
    this.folders = new Set([...Object.keys(record.folders), ...journal.folders]);
    this.files = new Set([...record.files, ...journal.files]);
  }

  /**
   * Locks and checks `outputDir` for a build. Throws OutputFolderError (exit 2)
   * when it is the gallery or contains it, when another run holds it, or when it
   * holds files Rotunda did not write and the publisher has not allowed that.
   */
  static async open(options: OpenOutputOptions): Promise<OutputFolder> {
    const dir = path.resolve(options.outputDir);
    await checkPlacement(dir, options.inputDir);
    await mkdir(path.join(dir, STATE_DIR), { recursive: true });
    const stateDir = path.join(dir, STATE_DIR);
    const exclusive = path.join(stateDir, LOCK_FILE);
    const shardLocks = async () => (await readdir(stateDir)).filter((n) => SHARD_LOCK.test(n)).map((n) => path.join(stateDir, n));
    let lock: Lock;
    try {
      lock = options.shard
        ? await acquireLock(path.join(stateDir, `${LOCK_FILE}-${options.shard}`), options.command, `the output folder ${dir}`, { conflicts: async () => [exclusive] })
        : await acquireLock(exclusive, options.command, `the output folder ${dir}`, { conflicts: shardLocks });
    } catch (error) {
      if (error instanceof LockedError) throw new OutputFolderError(error.message);
      throw error;
    }
    try {
      const record = (await readRecord(dir)) ?? (await adoptLegacyOutput(dir)) ?? emptyRecord();
      const output = new OutputFolder(dir, record, await readJournal(dir), lock, options.shard);
      if (options.allowOtherFiles) record.otherFilesAllowed = true;
      if (!record.otherFilesAllowed) {
        const others = await output.filesNotOwned(4);
        if (others.length > 0) {
          throw new OutputFolderError(
            `the output folder ${dir} holds files Rotunda did not write (${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}): ` +
              "choose an empty or new folder, or pass --allow-other-files to build beside them (Rotunda never deletes or overwrites them)",
          );
        }
      }
      // Another shard's temp files are its work in progress: only a build clears leftovers.
      if (!options.shard) await output.removeLeftovers();
      return output;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  get stateDir(): string {
    return path.join(this.dir, STATE_DIR);
  }

  get stagingDir(): string {
    return path.join(this.stateDir, STAGING_DIR);
  }

  get pathPrefix(): string {
    return this.record.pathPrefix;
  }

  /** The media the last complete build took from the shared cache's bucket, when it took any. */
  get remote(): RemoteMedia | undefined {
    return this.record.remote;
  }

  /** Folders set aside for pictures not published now (see KeepSet.held). */
  async heldFolders(): Promise<string[]> {
    const root = path.join(this.stateDir, HELD_DIR);
    const held: string[] = [];
    for (const parent of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(root, parent)).catch(() => [] as string[])) held.push(`${parent}/${name}`);
    }
    return held.sort();
  }

  /** What only a build, holding the folder alone, may do. */
  private exclusiveOnly(what: string): void {
    if (this.shard) throw new Error(`shard ${this.shard} cannot ${what}: only a build or render, holding the output folder alone, does`);
  }

  /** Whether Rotunda wrote `rel` (a file it recorded, or anything in a folder it owns). */
  owns(rel: string): boolean {
    if (this.files.has(rel)) return true;
    for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) if (this.folders.has(rel.slice(0, i))) return true;
    return this.folders.has(rel);
  }

  /** Up to `limit` files in the folder that Rotunda did not write; dot-entries (`.git`, the state folder) are never counted. */
  private async filesNotOwned(limit: number): Promise<string[]> {
    const entries = await walkTree(this.dir, { skipDotEntries: true, enter: (e) => !this.folders.has(e.relPath) });
    const strangers = entries.filter((e) => e.kind !== "directory" && !this.owns(e.relPath));
    if (strangers.length === 0) return [];
    // A shard writing beside this run claims a folder before it writes there: the
    // journals read after the walk know every folder the walk saw being written.
    const journal = await readJournal(this.dir);
    for (const folder of journal.folders) this.folders.add(folder);
    for (const file of journal.files) this.files.add(file);
    this.journal = { open: this.journal.open || journal.open, folders: new Set([...this.journal.folders, ...journal.folders]), files: new Set([...this.journal.files, ...journal.files]) };
    return strangers.filter((e) => !this.owns(e.relPath)).slice(0, limit).map((e) => e.relPath);
  }

  /** Temp files a killed run left in the state folder, and its staging folder. */
  private async removeLeftovers(): Promise<void> {
    await rm(this.stagingDir, { recursive: true, force: true });
    for (const name of await readdir(this.stateDir)) {
      if (name.endsWith(".tmp")) await rm(path.join(this.stateDir, name), { recursive: true, force: true });
    }
  }

  /** Marks a build as begun: until complete(), the folder counts as unfinished. */
  async begin(): Promise<void> {
    await appendJournal(this.dir, { begin: new Date().toISOString(), pid: process.pid } as { begin: string }, this.shard);
    this.journal.open = true;
  }

  /** Records that Rotunda is about to write into `folder` (relative): done once per folder and run. */
  async claimFolder(folder: string): Promise<void> {
    if (this.claimedFolders.has(folder)) return;
    await appendJournal(this.dir, { folders: [folder] }, this.shard);
    this.claimedFolders.add(folder);
    this.folders.add(folder);
  }

  private async claimFiles(files: string[]): Promise<void> {
    const fresh = files.filter((f) => !this.files.has(f));
    if (fresh.length > 0) await appendJournal(this.dir, { files: fresh });
    for (const f of fresh) this.files.add(f);
  }

  /**
   * Brings back a folder set aside for a picture that was not published (see
   * KeepSet.held); false when there is none.
   */
  async restoreHeld(folder: string): Promise<boolean> {
    const held = path.join(this.stateDir, HELD_DIR, folder);
    if (!(await exists(held))) return false;
    await this.claimFolder(folder);
    const target = path.join(this.dir, folder);
    await rm(target, { recursive: true, force: true });
    await mkdir(path.dirname(target), { recursive: true });
    await rename(held, target);
    return true;
  }

  /** Writes one file of Rotunda's (atomically), recording it first. */
  async writeFile(rel: string, data: string | Uint8Array): Promise<void> {
    this.exclusiveOnly("write site files");
    await this.refuseOverwrite([rel]);
    await this.claimFiles([rel]);
    await writeFileAtomic(path.join(this.dir, rel), data);
  }

  private async refuseOverwrite(rels: string[]): Promise<void> {
    const taken: string[] = [];
    await eachLimit(rels.filter((rel) => !this.owns(rel)), FILE_LANES, async (rel) => {
      if (await exists(path.join(this.dir, rel))) taken.push(rel);
    });
    taken.sort();
    if (taken.length > 0) {
      throw new OutputFolderError(`${this.dir}: refusing to overwrite files Rotunda did not write: ${taken.slice(0, 3).join(", ")}${taken.length > 3 ? ", …" : ""}`);
    }
  }

  /**
   * Moves everything rendered into the staging folder into place, each file by a
   * rename, so no reader ever meets a half-written page: bundles and other files
   * first, then pages deepest first, the home page last. Each of those steps moves
   * its files several at a time, and a step starts once the one before it is done.
   * Returns the files moved (relative paths). Nothing moves if one would overwrite
   * a file not Rotunda's.
   */
  async publish(): Promise<string[]> {
    this.exclusiveOnly("publish pages");
    const staged = (await walkTree(this.stagingDir)).filter((e) => e.kind === "file").map((e) => e.relPath);
    await this.refuseOverwrite(staged);
    await this.claimFiles(staged);
    const madeDirs = new Map<string, Promise<unknown>>();
    for (const step of publishSteps(staged)) {
      // A failure stops the files not yet started (eachLimit), and the steps after it.
      await eachLimit(step, FILE_LANES, async (rel) => {
        const target = path.join(this.dir, rel);
        const parent = path.dirname(target);
        if (!madeDirs.has(parent)) madeDirs.set(parent, mkdir(parent, { recursive: true }));
        await madeDirs.get(parent);
        await rename(path.join(this.stagingDir, rel), target);
      });
    }
    await rm(this.stagingDir, { recursive: true, force: true });
    return staged.sort();
  }

  /**
   * Removes what Rotunda wrote that `keep` no longer has: folders no picture uses
   * (set aside instead when `keep.held` names them), files inside kept folders
   * that changed or were written since the last complete build (temp files of a
   * killed run included), and single files. Returns how many outputs went (a
   * tile folder counts as one).
   */
  async sweep(keep: KeepSet): Promise<number> {
    this.exclusiveOnly("sweep");
    let removed = 0;
    const touched = new Set([...this.journal.folders, ...this.claimedFolders]);
    for (const folder of [...this.folders]) {
      const names = keep.folders.get(folder);
      const abs = path.join(this.dir, folder);
      if (!names) {
        const entries = await readdir(abs).catch(() => undefined);
        if (!entries) continue;
        if (keep.held.has(folder)) await this.setAside(folder);
        else await rm(abs, { recursive: true, force: true });
        await removeEmptyParents(this.dir, path.dirname(abs));
        removed += entries.length;
      } else if (touched.has(folder) || this.record.folders[folder] !== keyOf(names)) {
        for (const name of await readdir(abs).catch(() => [] as string[])) {
          if (names.has(name)) continue;
          await rm(path.join(abs, name), { recursive: true, force: true });
          removed++;
        }
      }
    }
    for (const rel of [...this.files]) {
      if (keep.files.has(rel)) continue;
      const abs = path.join(this.dir, rel);
      if (!(await exists(abs))) continue;
      await rm(abs, { force: true });
      await removeEmptyParents(this.dir, path.dirname(abs));
      removed++;
    }
    await this.dropHeldExcept(keep.held);
    return removed;
  }

  private async setAside(folder: string): Promise<void> {
    const held = path.join(this.stateDir, HELD_DIR, folder);
    await rm(held, { recursive: true, force: true });
    await mkdir(path.dirname(held), { recursive: true });
    await rename(path.join(this.dir, folder), held);
  }

  /** Held folders of pictures that left the gallery are deleted. */
  private async dropHeldExcept(keep: Set<string>): Promise<void> {
    const root = path.join(this.stateDir, HELD_DIR);
    const parents = await readdir(root).catch(() => [] as string[]);
    for (const parent of parents) {
      for (const name of await readdir(path.join(root, parent)).catch(() => [] as string[])) {
        if (!keep.has(`${parent}/${name}`)) await rm(path.join(root, parent, name), { recursive: true, force: true });
      }
    }
  }

  /**
   * Records `keep` as what the folder holds and marks the build complete: the last
   * step of a build. `remote` names the kept folders that are not here but in the
   * shared cache's bucket (with the bucket's URL), which deploy checks there.
   */
  async complete(keep: KeepSet, pathPrefix: string, remote?: { url: string; endpoint?: string; folders: Iterable<string> }): Promise<void> {
    this.exclusiveOnly("complete a build");
    const remoteFolders = [...(remote?.folders ?? [])].filter((f) => keep.folders.has(f)).sort();
    const { remote: _previous, ...record } = this.record;
    this.record = {
      ...record,
      folders: Object.fromEntries([...keep.folders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([folder, names]) => [folder, keyOf(names)])),
      files: [...keep.files].sort(),
      pathPrefix,
      ...(remote && remoteFolders.length > 0
        ? { remote: { url: remote.url, ...(remote.endpoint ? { endpoint: remote.endpoint } : {}), folders: Object.fromEntries(remoteFolders.map((f) => [f, [...keep.folders.get(f)!].sort()])) } }
        : {}),
    };
    await writeRecord(this.dir, this.record);
    await removeJournal(this.dir);
    this.journal = { open: false, folders: new Set(), files: new Set() };
    this.claimedFolders.clear();
    this.folders.clear();
    this.files.clear();
    for (const folder of keep.folders.keys()) this.folders.add(folder);
    for (const file of keep.files) this.files.add(file);
  }

  async close(): Promise<void> {
    await this.lock.release();
  }
}

/** Never the gallery itself, nor a folder the gallery lies in (a sweep there could reach the originals). */
async function checkPlacement(outputDir: string, inputDir: string | undefined): Promise<void> {
  const info = await stat(outputDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new OutputFolderError(`the output ${outputDir} is a file, not a folder`);
  if (!inputDir) return;
  const gallery = path.resolve(inputDir);
  if (gallery === outputDir) throw new OutputFolderError(`the output folder ${outputDir} is the gallery folder: choose another (dist, say)`);
  if (gallery.startsWith(outputDir + path.sep)) {
    throw new OutputFolderError(`the output folder ${outputDir} contains the gallery folder ${gallery}: choose one beside or inside it`);
  }
}

/** Removes `dir` and its parents up to `root` while they are empty. */
async function removeEmptyParents(root: string, dir: string): Promise<void> {
  for (let current = dir; current.startsWith(root + path.sep); current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or gone): its parents are not empty either
    }
  }
}

/**
 * An output folder built before Rotunda kept a record: what that version wrote
 * is adopted (the manifest's media folders and pages, the bundles, `_headers`),
 * so an upgrade does not take the site for someone else's files.
 */
async function adoptLegacyOutput(dir: string): Promise<OutputRecord | undefined> {
  let manifest: { panoramas?: Array<{ slug?: unknown }> };
  try {
    manifest = JSON.parse(await readFile(manifestPath(dir), "utf8"));
  } catch {
    return undefined;
  }
  const record = emptyRecord();
  for (const name of await readdir(path.join(dir, "media")).catch(() => [] as string[])) {
    if (/^[0-9a-f]{12}$/.test(name)) record.folders[`media/${name}`] = "";
  }
  for (const name of await readdir(path.join(dir, "assets")).catch(() => [] as string[])) {
    if (/^(site|viewer)-[0-9a-f]{12}\.(js|css)$/.test(name)) record.files.push(`assets/${name}`);
  }
  const pages = ["index.html", "404.html", "_headers"];
  for (const p of manifest.panoramas ?? []) {
    if (typeof p.slug === "string") pages.push(`${p.slug}/index.html`, `${p.slug}/compare/index.html`);
  }
  for (const page of pages) if (await exists(path.join(dir, page))) record.files.push(page);
  return record;
}
