// Shared test helpers: temp folders, free ports, small random pictures, hashing.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export async function tempDir(prefix = "rotunda-pull-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export { freePort } from "../../src/ports.ts";

/** Files of random bytes (JPEG-looking names), sizes between min and max bytes. */
export async function makeFiles(dir: string, count: number, minBytes: number, maxBytes: number, prefix = "R00"): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const size = minBytes + Math.floor(Math.random() * (maxBytes - minBytes + 1));
    const data = randomBytes(size);
    const name = `${prefix}${String(10001 + i).padStart(5, "0")}.JPG`;
    await writeFile(path.join(dir, name), data);
    hashes.set(name, sha256(data));
  }
  return hashes;
}

export const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** sha256 of every non-dot file directly in dir, by name. */
export async function hashFolder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith(".")) continue;
    out.set(name, sha256(await readFile(path.join(dir, name))));
  }
  return out;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the rotunda CLI (under tsx) and captures its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): Promise<RunResult> & { child: ChildProcess } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/cli/main.ts"), ...args], {
    cwd: repoRoot,
    env: { ...process.env, CI: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const promise = new Promise<RunResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  }) as Promise<RunResult> & { child: ChildProcess };
  promise.child = child;
  return promise;
}
