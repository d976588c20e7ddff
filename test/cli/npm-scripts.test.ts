// `npm run build` and `npm start` run the code exactly as the `rotunda` command
// does: through package.json's bin, the launcher, and so the same bundle, the same
// child process for image commands, and the same exit handling.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ROOT, runRotunda } from "../support/cli.ts";

interface Package {
  bin: { rotunda: string };
  scripts: Record<string, string>;
}

let work: string;
let pkg: Package;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-npm-scripts-"));
  pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as Package;
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT, env: { ...process.env, CI: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

for (const [script, command] of [["build", "build"], ["start", "serve"]] as const) {
  test(`npm ${script === "start" ? "start" : "run build"} is \`node <bin> ${command}\`, the rotunda command`, async () => {
    const [runtime, file, word, ...rest] = pkg.scripts[script]!.split(/\s+/);
    assert.equal(runtime, "node", pkg.scripts[script]);
    assert.equal(path.resolve(ROOT, file!), path.resolve(ROOT, pkg.bin.rotunda), "it runs package.json's bin, nothing beside it");
    assert.equal(word, command);
    assert.deepEqual(rest, [], "and passes nothing else");
  });

  test(`npm ${script === "start" ? "start" : "run build"} goes through the launcher and answers as rotunda ${command} does`, async () => {
    const cache = path.join(work, `cache-${script}`);
    const viaNpm = await npmRun(script, ["--help"], { ROTUNDA_CACHE_DIR: cache });
    assert.equal(viaNpm.code, 0, viaNpm.stderr);
    // Only the launcher builds a bundle: one in the cache folder it was given shows it ran.
    assert.ok((await readdir(cache)).some((name) => name.startsWith("cli-")), "the launcher built its bundle");
    const direct = await runRotunda([command, "--help"], { env: { ROTUNDA_CACHE_DIR: cache } });
    assert.equal(viaNpm.stdout, direct.stdout);
  });
}
