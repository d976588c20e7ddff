// One writer at a time: a lock file holding the owner's pid, host and start
// time, written whole to a temp file and then linked into place (a link fails
// when the name exists), so no other run ever reads it empty or half written. A lock whose process is gone (a killed run),
// or whose pid now belongs to another process, is taken over; a live owner is
// reported by name, never waited on silently.
//
// Locks that exclude each other without sharing a file (the output folder's one
// lock for a build, and one per shard for shards that write at the same time):
// each taker creates its own file first and then looks at the files it conflicts
// with, backing off if one is held. Of two takers racing, at least the second to
// look sees the other, so the two never both hold.
//
// A lock held by a process on another machine (a folder on a shared volume) cannot
// be probed: its holder touches it every HEARTBEAT_MS, and one left untouched for
// STALE_AFTER_MS counts as the lock of a run that died.
import { readFileSync, rmSync } from "node:fs";
import { link, readFile, rename, rm, stat as statFile, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import { tempPath } from "./files.ts";

export interface LockOwner {
  pid: number;
  host: string;
  /** What the owner is doing, for the message a second run prints ("rotunda build"). */
  command: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /** The kernel's start time of the process (Linux), so a reused pid is not mistaken for the owner. */
  startTicks?: string;
}

/** The lock is held by a live process: the message names it and the folder. */
export class LockedError extends Error {
  override name = "LockedError";
  constructor(
    readonly file: string,
    readonly owner: LockOwner,
    what: string,
  ) {
    const here = owner.host === os.hostname();
    super(
      `${what} is in use by ${owner.command} (pid ${owner.pid}${here ? "" : ` on ${owner.host}`}, since ${owner.since.slice(11, 19)}): wait for it to finish, or stop it` +
        // Another machine's run cannot be probed from here: its lock lapses once untouched for a while.
        (here ? "" : `; if that run has ended, its lock lapses ${STALE_AFTER_MS / 60_000} minutes after it was last touched, or remove ${file}`),
    );
  }
}

export interface Lock {
  release(): Promise<void>;
}

/** A process's state and start time in clock ticks since boot (Linux /proc), or undefined elsewhere. */
function procStat(pid: number): { state: string; startTicks: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces; state is field 3, start time field 22.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, startTicks: fields[19]! };
  } catch {
    return undefined;
  }
}

const startTicksOf = (pid: number) => procStat(pid)?.startTicks;

/** How often a holder touches its lock file, and how long untouched means its holder died on another machine. */
export const HEARTBEAT_MS = 30_000;
export const STALE_AFTER_MS = 4 * HEARTBEAT_MS;

async function isAlive(owner: LockOwner, file: string): Promise<boolean> {
  if (owner.host !== os.hostname()) {
    // Another machine's process cannot be probed: its lock counts while its holder keeps touching it.
    const touched = await statFile(file).then((info) => info.mtimeMs, () => 0);
    return Date.now() - touched < STALE_AFTER_MS;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(owner.pid);
  if (!stat) return true; // no /proc: the signal probe is all there is
  // A killed process nobody has reaped yet (a zombie) still answers the probe.
  if (stat.state === "Z" || stat.state === "X") return false;
  return owner.startTicks === undefined || stat.startTicks === owner.startTicks;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

export interface LockOptions {
  /**
   * Lock files that must not be held while this one is (listed after this one is
   * taken): a live holder of any makes the taking fail with its LockedError; a
   * dead holder's file is removed.
   */
  conflicts?: () => Promise<string[]>;
}

/**
 * Takes the lock `file` for this process, describing the holder as `command`.
 * Throws LockedError when a live process holds it, or one of its conflicts
 * (`what` names the thing locked in the message). The lock is released by
 * `release()`, or when this process exits.
 */
export async function acquireLock(file: string, command: string, what: string, options: LockOptions = {}): Promise<Lock> {
  const lock = await takeLockFile(file, command, what);
  try {
    for (const other of (await options.conflicts?.()) ?? []) {
      if (other === file) continue;
      const holder = parseOwner(await readFile(other, "utf8").catch(() => ""));
      if (holder === undefined) continue; // gone between the listing and the read
      if (await isAlive(holder, other)) throw new LockedError(other, holder, what);
      await takeOver(other, holder, what);
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  return lock;
}

async function takeLockFile(file: string, command: string, what: string): Promise<Lock> {
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString(), startTicks: startTicksOf(process.pid) };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await linkInPlace(file, JSON.stringify(owner) + "\n")) {
      // An exit by process.exit or a signal handler still frees the folder; SIGKILL leaves
      // the file, and the next run finds its process gone.
      const onExit = () => rmSync(file, { force: true });
      process.once("exit", onExit);
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(file, now, now).catch(() => {});
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return {
        async release() {
          clearInterval(heartbeat);
          process.off("exit", onExit);
          await rm(file, { force: true });
        },
      };
    }
    const holder = parseOwner(await readFile(file, "utf8").catch(() => ""));
    // A file that names no owner was never written by a run (theirs are whole from the start): taken over.
    if (holder !== undefined && (await isAlive(holder, file))) throw new LockedError(file, holder, what);
    await takeOver(file, holder, what);
  }
  throw new Error(`cannot take the lock ${file}`);
}

/** Creates `file` holding `text`, whole, unless it exists (false then). */
async function linkInPlace(file: string, text: string): Promise<boolean> {
  const temp = tempPath(file);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Moves a dead owner's lock aside (a rename: of two runs taking over at once, one
 * moves it); should what was moved turn out to be a live run's fresh lock, it goes back.
 */
async function takeOver(file: string, dead: LockOwner | undefined, what: string): Promise<void> {
  const aside = `${file}.${process.pid}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return; // someone else moved it
    throw error;
  }
  const moved = parseOwner(await readFile(aside, "utf8").catch(() => ""));
  if (moved && (moved.pid !== dead?.pid || moved.since !== dead.since) && (await isAlive(moved, aside))) {
    await link(aside, file).catch(() => {});
    await rm(aside, { force: true });
    throw new LockedError(file, moved, what);
  }
  await rm(aside, { force: true });
}
