// Runs the `rotunda` command as a user would: the launcher (package.json's bin) in a
// child process, in a process group of its own so that it can be stopped with every
// process it starts. runRotunda runs a command to its end; startRotunda keeps one
// running (serve, camera emulate, a pull to kill midway) behind a handle that waits
// for what it prints, signals it and stops it.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const ROTUNDA = path.join(ROOT, "src/cli/rotunda.js");

export interface RunOptions {
  /** Working directory; the project's root by default. */
  cwd?: string;
  /** Added to this process's environment (with CI=1, so progress is printed line by line). */
  env?: NodeJS.ProcessEnv;
  /** The launcher to run: the project's own by default (the launcher's tests run copies). */
  launcher?: string;
}

export interface CliResult {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they were printed. */
  output: string;
}

export interface RotundaProcess {
  readonly pid: number;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /**
   * Resolves with the first match of `pattern` in the output (from `from`, an offset
   * into output()); rejects if the process ends first, or after `timeoutMs`.
   */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Sends `signal` to the rotunda process alone, not to what it started. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` to the whole process group at once, as a terminal's Ctrl-C (SIGINT) or `kill -STOP -<pgid>` does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Settles once the process has ended and its output is closed. */
  readonly exited: Promise<CliResult>;
  /**
   * SIGTERM to the process group, as a terminal's Ctrl-C or a service manager would;
   * resolves once the process and every process it started are gone. Rejects when
   * any of them is left (after killing it), so a leak fails the test.
   */
  stop(): Promise<CliResult>;
  /** SIGKILL to the whole process group; resolves once none of it is left. */
  kill(): Promise<CliResult>;
}

export function startRotunda(args: string[], options: RunOptions = {}): RotundaProcess {
  const child = spawn(process.execPath, [options.launcher ?? ROTUNDA, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CI: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, led by the launcher
  });
  let stdout = "";
  let stderr = "";
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (into: "stdout" | "stderr") => (chunk: Buffer) => {
    const text = chunk.toString();
    if (into === "stdout") stdout += text;
    else stderr += text;
    output += text;
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", collect("stdout"));
  child.stderr!.on("data", collect("stderr"));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr, output }));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.launcher ?? ROTUNDA}`);

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the whole group is gone already
    }
  };
  /** Waits (a bounded while) for the group to empty; returns what is left. */
  const drained = async () => {
    let left = await groupMembers(pid);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(100);
      left = await groupMembers(pid);
    }
    return left;
  };

  return {
    pid,
    output: () => output,
    exited,
    waitFor(pattern, { from = 0, timeoutMs = 30_000 } = {}) {
      return new Promise<RegExpMatchArray>((resolve, reject) => {
        const finish = (settle: () => void) => {
          listeners.delete(check);
          clearTimeout(timer);
          settle();
        };
        const check = () => {
          const match = output.slice(from).match(pattern);
          if (match) finish(() => resolve(match));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`))), timeoutMs);
        listeners.add(check);
        void exited.then(
          () => listeners.has(check) && finish(() => reject(new Error(`rotunda ${args[0]} ended while waiting for ${pattern}; output:\n${output}`))),
          () => {},
        );
        check();
      });
    },
    signal(signal) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    },
    signalGroup,
    async stop() {
      signalGroup("SIGTERM");
      const result = await within(exited, 10_000);
      const left = await drained();
      if (result === undefined || left.length > 0) {
        signalGroup("SIGKILL");
        throw new Error(`rotunda ${args[0]} did not stop cleanly (${result === undefined ? "no exit in 10 s" : `left ${left.join(", ")}`}); output:\n${output}`);
      }
      return result;
    },
    async kill() {
      signalGroup("SIGKILL");
      const result = await exited;
      const left = await drained();
      if (left.length > 0) throw new Error(`processes ${left.join(", ")} of rotunda ${args[0]} survived SIGKILL`);
      return result;
    },
  };
}

/**
 * Runs a command to its end. After `timeoutMs` (a guard against a hang, far beyond
 * any normal run) the process group is killed, and the result says SIGKILL.
 */
export async function runRotunda(args: string[], options: RunOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const running = startRotunda(args, options);
  const guard = setTimeout(() => void running.kill().catch(() => {}), options.timeoutMs ?? 600_000);
  try {
    return await running.exited;
  } finally {
    clearTimeout(guard);
  }
}

/** `promise`'s value, or undefined if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const cancel = new AbortController();
  const late = sleep(ms, undefined, { signal: cancel.signal }).catch(() => undefined);
  try {
    return await Promise.race([promise, late]);
  } finally {
    cancel.abort();
  }
}

/** Live (not zombie) processes whose process group is `pgid`, from /proc/<pid>/stat. */
export async function groupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: fields start after the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}
