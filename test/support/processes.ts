// Processes as the kernel sees them (/proc): a process's descendants and whether
// one still runs, for tests that check what a killed command leaves behind.
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

interface ProcStat {
  pid: number;
  ppid: number;
  /** R, S, D, Z (a zombie: dead, waiting for its parent to collect it)… */
  state: string;
  command: string;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    // The command name is in parentheses and may hold spaces: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(fields[1]), state: fields[0]!, command: cmdline.replaceAll("\0", " ").trim() };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every living descendant of `pid` (children, their children…), with its command line. */
export async function descendants(pid: number): Promise<ProcStat[]> {
  const all = (await Promise.all((await readdir("/proc")).filter((n) => /^\d+$/.test(n)).map((n) => readStat(Number(n))))).filter(
    (p): p is ProcStat => p !== undefined && p.state !== "Z",
  );
  const found: ProcStat[] = [];
  const parents = [pid];
  while (parents.length) {
    const parent = parents.shift()!;
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push(p);
      parents.push(p.pid);
    }
  }
  return found;
}

/** Whether `pid` is alive: it exists and is not a zombie. */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Polls `check` until it returns something truthy; throws after `timeoutMs` with `what` in the message. */
export async function waitUntil<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * A live process that holds the lock `file` as src/lock.ts takes it (another run
 * still going), until the test kills it.
 */
export async function holdLock(file: string, command: string): Promise<ChildProcess> {
  const lockModule = path.resolve(import.meta.dirname, "../../src/lock.ts");
  const child = spawn(process.execPath, ["--import", "tsx", "-e", `
    const { acquireLock } = await import(${JSON.stringify(lockModule)});
    await acquireLock(${JSON.stringify(file)}, ${JSON.stringify(command)}, "the folder");
    console.log("locked");
    setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
    child.once("exit", (code) => reject(new Error(`the lock holder exited (${code}) before it held ${file}`)));
  });
  return child;
}
