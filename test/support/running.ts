// `rotunda` started as a user's terminal would start it: in a process group of its
// own, so a signal reaches the launcher and its child at once (Ctrl-C, or kill -9
// of the whole command), with its output collected as it comes.
import { spawn } from "node:child_process";
import { ROOT, ROTUNDA } from "./cli.ts";

export interface Running {
  pid: number;
  output(): string;
  /** Resolves with the exit code (or 128 + signal) once the process is gone. */
  exited: Promise<number>;
  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void;
}

export function startRotunda(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [ROTUNDA, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CI: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d));
  child.stderr!.on("data", (d: Buffer) => (output += d));
  const signals: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  const exited = new Promise<number>((resolve) => child.once("close", (code, signal) => resolve(code ?? 128 + (signals[signal ?? ""] ?? 0))));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    signal(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Polls `check` until it returns something truthy (or `timeoutMs` passes, which fails the test with `what`). */
export async function waitUntil<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
