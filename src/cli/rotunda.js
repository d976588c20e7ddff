#!/usr/bin/env node
// The `rotunda` command. Rotunda is written in TypeScript; this launcher runs it as
// one esbuild bundle of src/, cached in node_modules/.cache/rotunda/ (or
// $ROTUNDA_CACHE_DIR) and rebuilt whenever a source file changes, so there is no
// compile step to remember. A bundle starts sooner and holds less memory than the
// sources run through tsx, which transpiles each file at every start in a loader
// thread of its own; where no bundle can be built (a read-only install), tsx runs
// the sources. `npm run build` and `npm start` run this file too.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import module, { isBuiltin } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { installExitHandlers } from "./exit-handlers.js";
import { childEnv } from "./memory-settings.js";

const root = path.resolve(fileURLToPath(import.meta.url), "../../..");
const src = path.join(root, "src");
const cacheDir = path.resolve(process.env.ROTUNDA_CACHE_DIR || path.join(root, "node_modules/.cache/rotunda"));

/**
 * A fingerprint of what the bundle is made from: every file of src/ and scripts/
 * (path, size, mtime), the TypeScript settings, the installed packages (the bundle
 * refers to their files) and Node's version.
 */
async function sourceStamp() {
  const hash = createHash("sha256").update(`${process.version}\n${root}\n`);
  const files = [];
  for (const dir of [src, path.join(root, "scripts")]) {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    files.push(...entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort());
  }
  files.push(...["package.json", "package-lock.json", "tsconfig.json"].map((f) => path.join(root, f)));
  for (const file of files) {
    const s = await stat(file).catch(() => ({ size: -1, mtimeMs: 0 }));
    hash.update(`${file}\n${s.size}\n${s.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Sources refer to files beside them (layouts, the client code, package.json,
 * a worker script) through import.meta; in a bundle that would be the cache folder,
 * so each module's own location is written in.
 */
const keepImportMeta = {
  name: "keep-import-meta",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const code = await readFile(args.path, "utf8");
      return {
        loader: "ts",
        contents: code
          .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path))
          .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
      };
    });
  },
};

/**
 * Packages stay outside the bundle, imported by absolute URL as resolved from
 * src/, so a bundle works from whatever folder holds it. So do the plain-JavaScript
 * modules beside this one (exit-handlers.js): this process has loaded them already,
 * and the bundle shares that one instance instead of carrying a second.
 */
const outsideByUrl = {
  name: "outside-by-url",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || isBuiltin(args.path)) return { path: args.path, external: true };
      return { path: import.meta.resolve(args.path), external: true };
    });
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => ({ path: pathToFileURL(path.resolve(args.resolveDir, args.path)).href, external: true }));
  },
};

const exists = (file) => stat(file).then(() => true, () => false);

/** The bundle's entry for the current sources, built if needed. */
async function bundledEntry() {
  const target = path.join(cacheDir, `cli-${await sourceStamp()}`);
  const entry = path.join(target, "main.js");
  if (await exists(entry)) return entry;
  const { build } = await import("esbuild");
  await mkdir(cacheDir, { recursive: true });
  // Built aside and renamed into place: rotundas started together never see half a bundle.
  const temp = path.join(cacheDir, `.build-${process.pid}-${Date.now()}`);
  try {
    await build({
      entryPoints: [path.join(src, "cli/main.ts")],
      outdir: temp,
      bundle: true,
      splitting: true, // each command stays a chunk of its own, loaded on demand
      format: "esm",
      platform: "node",
      target: "node20.18",
      sourcemap: "linked", // node --enable-source-maps maps stack traces back to src/
      plugins: [keepImportMeta, outsideByUrl],
      logLevel: "silent",
    });
    await rename(temp, target).catch(async (error) => {
      if (!(await exists(entry))) throw error; // else another start won the race
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  await pruneOldBundles(path.basename(target));
  return entry;
}

const UNUSED_MS = 3_600_000;

/**
 * Bundles of earlier sources, and builds cut short, once unused for an hour. A
 * rotunda running from a bundle touches its folder every ten minutes (see run), so
 * the chunks it has yet to load are never taken from under it.
 */
async function pruneOldBundles(keep) {
  for (const name of await readdir(cacheDir)) {
    if (name === keep || !(name.startsWith("cli-") || name.startsWith(".build-"))) continue;
    const dir = path.join(cacheDir, name);
    const s = await stat(dir).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > UNUSED_MS) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Marks a bundle as in use now, and every ten minutes while this process runs. */
function keepInUse(entry) {
  const dir = path.dirname(entry);
  const touch = () => {
    const now = new Date();
    utimes(dir, now, now).catch(() => {});
  };
  touch();
  setInterval(touch, UNUSED_MS / 6).unref();
}

/**
 * The long commands run in a child process with memory settings (see
 * memory-settings.js): glibc malloc settings for the image buffers, and a heap
 * sized to the machine for large galleries. Both are read only at start, hence the child.
 */
function inChildWithMemorySettings(args) {
  const env = childEnv(args);
  if (!env) return false;
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    // The IPC channel tells the child when this process is gone, even by SIGKILL.
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env,
  });
  // Signals sent to this process are the child's to act on (a Ctrl-C reaches both).
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("error", (error) => {
    console.error(`rotunda: could not start: ${error.message}`);
    process.exit(3);
  });
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  return true;
}

/** In the launcher's child: stop when the launcher is gone, without being kept alive by the channel. */
function followLauncher() {
  if (process.env.ROTUNDA_LAUNCHER_CHILD !== "1" || !process.channel) return;
  delete process.env.ROTUNDA_LAUNCHER_CHILD; // not for the processes it starts
  process.channel.unref();
  process.once("disconnect", () => process.exit(130));
}

async function run() {
  installExitHandlers();
  followLauncher();
  let entry;
  try {
    entry = await bundledEntry();
  } catch (error) {
    console.error(`rotunda: no bundle of the sources could be made in ${cacheDir} (${error.message.split("\n")[0]}); running them through tsx`);
  }
  if (entry) {
    keepInUse(entry);
    // Node 22.8 and later keep the compiled code of the bundle and of the packages it loads
    // beside the bundle (and remove it with it), so each start after the first skips
    // compiling them; Node 20 has no such cache.
    module.enableCompileCache?.(path.join(path.dirname(entry), "compiled"));
    await import(pathToFileURL(entry).href);
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    await import("./main.ts");
  }
}

// Errors nothing catches exit 3 here too; signals are the child's to act on where there is one.
installExitHandlers({ signals: false });
if (!inChildWithMemorySettings(process.argv.slice(2))) await run();
