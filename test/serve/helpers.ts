// `rotunda serve` as a user runs it (through test/support/cli.ts), started once it
// serves and watches, with a check of what it really listens on: the kernel's
// socket table, not its config.
import { readFile, readdir, readlink } from "node:fs/promises";
import { startRotunda, type RotundaProcess } from "../support/cli.ts";

export interface ServeProcess extends RotundaProcess {
  url: string;
  port: number;
}

export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const serve = startRotunda(["serve", ...args], { env });
  try {
    const serving = await serve.waitFor(/Serving (http:\/\/[^\s]+?:(\d+)\/)/);
    await serve.waitFor(/Watching /, { timeoutMs: 60_000 });
    return Object.assign(serve, { url: serving[1]!, port: Number(serving[2]) });
  } catch (error) {
    await serve.kill().catch(() => {});
    throw error;
  }
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
