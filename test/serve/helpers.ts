// `rotunda serve` as a user runs it: a child process in its own process group,
// its output collected, stopped by its PID, with checks of what it really
// listens on (the kernel's socket table, not its config) and that no child of
// it survives.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir, readlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT, ROTUNDA } from "../support/cli.ts";

export interface ServeProcess {
  pid: number;
  url: string;
  port: number;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Waits until the output (from `from`, an offset into output()) matches. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** SIGTERM to the process group; resolves with the exit code once it and every child are gone. */
  stop(): Promise<number | null>;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [ROTUNDA, "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitFor = (pattern: RegExp, timeoutMs = 30_000, from = 0) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.slice(from).match(pattern);
        if (match) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`));
      }, timeoutMs);
      listeners.add(check);
      void exited.then(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`rotunda serve exited while waiting for ${pattern}; output:\n${output}`));
        }
      });
      check();
    });

  const pid = child.pid!;
  const serving = await waitFor(/Serving (http:\/\/[^\s]+?:(\d+)\/)/);
  await waitFor(/Watching /, 60_000);
  return {
    pid,
    url: serving[1]!,
    port: Number(serving[2]),
    output: () => output,
    waitFor,
    async stop() {
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        // already gone
      }
      const code = await Promise.race([exited, sleep(10_000).then(() => "timeout" as const)]);
      // Anything of the group still alive is a leak: kill it, and let the test say so.
      for (let i = 0; i < 20 && (await groupMembers(pid)).length > 0; i++) await sleep(100);
      const left = await groupMembers(pid);
      if (left.length > 0 || code === "timeout") {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
        throw new Error(`rotunda serve did not stop cleanly (${code === "timeout" ? "no exit in 10 s" : `left ${left.join(", ")}`})`);
      }
      return code;
    },
  };
}

/** PIDs whose process group is `pgid` (from /proc/<pid>/stat, field 5). */
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

/** The TCP sockets `pid` listens on, from the kernel's tables: address as printed ("127.0.0.1", "0.0.0.0", "::"). */
export async function listeningSockets(pid: number): Promise<Array<{ address: string; port: number }>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  const sockets: Array<{ address: string; port: number }> = [];
  for (const table of ["tcp", "tcp6"]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "");
    for (const line of text.trim().split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1]!, cols[3]!, cols[9]!];
      if (state !== "0A" || !inodes.has(inode)) continue; // 0A: LISTEN
      const [hex, portHex] = local.split(":") as [string, string];
      sockets.push({ address: table === "tcp" ? ipv4(hex) : ipv6(hex), port: parseInt(portHex, 16) });
    }
  }
  return sockets;
}

/** /proc/net/tcp prints an IPv4 address as one little-endian 32-bit hex word. */
function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join(".");
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const word = hex.slice(i, i + 8).match(/../g)!.reverse().join("");
    words.push(word.slice(0, 4), word.slice(4));
  }
  const text = words.map((w) => parseInt(w, 16).toString(16)).join(":");
  return text === "0:0:0:0:0:0:0:0" ? "::" : text;
}
