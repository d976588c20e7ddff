// `rotunda init <dir>`: a new site of the same shape as Rotunda's own repository —
// package.json (build, start, deploy), content/ with a sample panorama, its
// sidecar, the gallery's settings and sample logos for the watermark and the nadir,
// eleventy.config.ts adding the Rotunda plugin, layouts/ for the site's own
// templates, .gitignore and a README. From a checkout the site depends on it
// through `file:` (so it works before any release); from an installed package, on
// the published version. It never overwrites a file.
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseCommandArgs, UsageError, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { LAYOUTS_DIR, PROJECT_ROOT } from "../../render/paths.ts";

const STARTER_DIR = path.join(PROJECT_ROOT, "starter");

/** Files of the starter folder and where they go in the site ("gitignore" because npm drops a package's .gitignore). */
const STARTER_FILES: Array<[from: string, to: string]> = [
  ["README.md", "README.md"],
  ["gitignore", ".gitignore"],
  ["eleventy.config.ts", "eleventy.config.ts"],
  ["content/rotunda.json", "content/rotunda.json"],
  ["content/sample.md", "content/sample.md"],
];

/** The sample picture and logos, shared with the demo gallery in Rotunda's own content/. */
const SAMPLE_FILES: Array<[from: string, to: string]> = [
  ["content/pictures/summit.jpg", "content/sample.jpg"],
  ["content/pictures/LICENSE-pannellum-examplepano.txt", "content/LICENSE-sample.txt"],
  ["content/logos/watermark.svg", "content/logos/watermark.svg"],
  ["content/logos/nadir.svg", "content/logos/nadir.svg"],
];

const help = `Usage: rotunda init <dir> [--force]

Creates a new Rotunda site in <dir>: package.json with build, start and deploy
scripts and Rotunda as its dependency, content/ with a sample panorama and its
sidecar, rotunda.json (a sample watermark and nadir logo set), eleventy.config.ts,
layouts/ for your own templates, .gitignore and a README. Then:

  cd <dir> && npm install && npm run build

Options:
  --force   create it in a folder that is not empty (a file already there is
            kept as it is, never overwritten)

Exit codes: 0 created; 2 no folder given, or it is not empty (without --force).`;

/** A package name from a folder name: lowercase letters, digits, '-', '.', '_'. */
export function packageName(dir: string): string {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+|-+$/g, "");
  return name || "rotunda-site";
}

/** How the site depends on this Rotunda: the checkout itself, or the published version of an installed package. */
export async function rotundaDependency(root = PROJECT_ROOT): Promise<string> {
  if (root.split(path.sep).includes("node_modules")) {
    const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as { version: string };
    return `^${pkg.version}`;
  }
  return `file:${root}`;
}

/** Every template a site may replace, each with the line its first comment gives. */
export function templateList(layouts = LAYOUTS_DIR): string {
  const describe = (file: string) => /\{#-?\s*([\s\S]*?)\s*-?#\}/.exec(readFileSync(file, "utf8"))?.[1]?.replace(/\s+/g, " ") ?? "";
  const pages = readdirSync(layouts).filter((n) => n.endsWith(".njk")).sort();
  const partials = readdirSync(path.join(layouts, "_includes"), { recursive: true, encoding: "utf8" }).filter((n) => n.endsWith(".njk")).sort();
  const line = (name: string, file: string) => `- \`${name}\`${describe(file) ? `: ${describe(file)}` : ""}`;
  return [
    "Page templates (`layouts/<name>`):",
    "",
    ...pages.map((n) => line(n, path.join(layouts, n))),
    "",
    "Partials (`layouts/_includes/<name>`):",
    "",
    ...partials.map((n) => line(n, path.join(layouts, "_includes", n))),
    "",
  ].join("\n");
}

/** Writes `data` to `file` unless something is there already: true when written. */
async function writeNew(file: string, data: string | Buffer): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, data, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export interface InitResult {
  written: string[];
  /** Files already there, left as they were. */
  kept: string[];
}

/** Creates the site; refuses a folder with anything in it (but a .git) unless `force`. */
export async function initSite(dir: string, options: { force?: boolean } = {}): Promise<InitResult> {
  const target = path.resolve(dir);
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    if (error.code === "ENOTDIR") throw new UsageError(`${target} is a file, not a folder`);
    throw error;
  });
  const present = entries.filter((name) => name !== ".git");
  if (present.length > 0 && !options.force) {
    throw new UsageError(`${target} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""}): choose a new or empty folder, or pass --force to add the site's files beside what is there (none is overwritten)`);
  }
  const files = new Map<string, string | Buffer>();
  const pkg = {
    name: packageName(target),
    private: true,
    type: "module",
    scripts: { build: "rotunda build", start: "rotunda serve", deploy: "rotunda deploy" },
    dependencies: { rotunda: await rotundaDependency() },
    engines: { node: ">=20.18.1" },
  };
  files.set("package.json", JSON.stringify(pkg, null, 2) + "\n");
  for (const [from, to] of STARTER_FILES) files.set(to, await readFile(path.join(STARTER_DIR, from)));
  for (const [from, to] of SAMPLE_FILES) files.set(to, await readFile(path.join(PROJECT_ROOT, from)));
  files.set("layouts/README.md", (await readFile(path.join(STARTER_DIR, "layouts/README.md"), "utf8")) + templateList());
  const result: InitResult = { written: [], kept: [] };
  for (const [rel, data] of files) (await writeNew(path.join(target, rel), data) ? result.written : result.kept).push(rel);
  return result;
}

export const command: Command = {
  name: "init",
  summary: "create a new site: package.json, a sample panorama, layouts/, eleventy.config.ts",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { force: { type: "boolean", default: false } }, true);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "name the folder to create the site in" : "give one folder");
    const dir = positionals[0]!;
    const { written, kept } = await initSite(dir, { force: values.force });
    for (const rel of written) console.log(`  created ${rel}`);
    for (const rel of kept) console.log(`  kept    ${rel} (already there)`);
    const where = path.relative(process.cwd(), path.resolve(dir)) || ".";
    console.log(`\nA Rotunda site is in ${where}. Next:\n\n  cd ${where}\n  npm install && npm run build   # builds content/ into dist/\n  npm start                      # live preview\n`);
    return EXIT.ok;
  },
};
