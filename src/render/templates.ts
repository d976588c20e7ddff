// Rotunda's templates and the site's own in one Nunjucks environment. A file in
// the site's layouts/ with the name of one of Rotunda's replaces it: a page
// template (layouts/<name>.njk: the home page, the panorama page, the listings,
// the feed…) or a partial (layouts/_includes/<name>.njk: the frame, the header,
// the footer…). Every template in Rotunda's layouts/ takes part, whoever added it,
// with no list to keep. A page template that a site replaces keeps Rotunda's front
// matter (pagination, permalink) unless it sets its own; an override may extend
// Rotunda's version as "rotunda/<name>" and change a block or two.
//
// Rotunda's page templates reach Eleventy as virtual templates (its input is the
// site's content folder, where the publisher's own pages are), each a one-line stub
// extending the winning file through the loader below, so Nunjucks compiles every
// template from its real file. The loader reads each file once and checks it
// first: a syntax error or an unknown filter is an error naming the file and line.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import nunjucks from "nunjucks";

export const INCLUDES = "_includes";
/** Loader names of Rotunda's own files, whatever the site replaces: "rotunda/base.njk", "rotunda/panorama.njk". */
const ROTUNDA_PREFIX = "rotunda/";
/** Loader names the page stubs extend: the winning file of a page template. */
const PAGE_PREFIX = "rotunda-page:";
/** Where the page stubs sit in Eleventy's input (virtual: nothing is written there). */
const VIRTUAL_FOLDER = "_rotunda";

/** A template that cannot be used as written: the message names the file and line. */
export class TemplateFileError extends Error {
  override name = "TemplateFileError";
}

export interface TemplateFolders {
  /** Rotunda's own layouts/. */
  rotunda: string;
  /** The site's layouts/, whose files win by name; absent when there is none (or it is Rotunda's own). */
  site?: string;
}

/** The folders, the site's left out when it does not exist or is Rotunda's own (Rotunda's repository is a site too). */
export function templateFolders(rotunda: string, site: string | undefined): TemplateFolders {
  if (!site || !existsSync(site) || !statSync(site).isDirectory()) return { rotunda };
  return realpathSync(site) === realpathSync(rotunda) ? { rotunda } : { rotunda, site };
}

/** How a template file is named in messages: relative to the working folder when it lies inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

export interface TemplateSource {
  file: string;
  /** The front matter (YAML), {} without one. */
  data: Record<string, unknown>;
  /** The rest, with the front matter's lines kept as a Nunjucks comment so line numbers stay the file's. */
  body: string;
}

const FRONT_MATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/** A page's front matter as written ("" without one): what a collection of pages exposes of it to other pages. */
export function frontMatterText(text: string): string {
  return FRONT_MATTER.exec(text.replace(/^\uFEFF/, ""))?.[0] ?? "";
}

/** A template file's front matter and body. */
export function readTemplate(file: string): TemplateSource {
  const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const match = FRONT_MATTER.exec(text);
  if (!match) return { file, data: {}, body: text };
  let data: unknown;
  try {
    data = yaml.load(match[1] ?? "") ?? {};
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    throw new TemplateFileError(`${displayPath(file)}:${mark ? mark.line + 2 : 1}: front matter is not valid YAML: ${(error as { reason?: string }).reason ?? (error as Error).message}`);
  }
  if (typeof data !== "object" || Array.isArray(data) || data === null) {
    throw new TemplateFileError(`${displayPath(file)}:2: front matter must be key: value pairs`);
  }
  const lines = match[0].split("\n").length - (match[0].endsWith("\n") ? 1 : 0);
  return { file, data: data as Record<string, unknown>, body: `{#${"\n".repeat(lines)}#}${text.slice(match[0].length)}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function suggestion(name: string, known: string[]): string {
  const close = known.filter((k) => distance(k.toLowerCase(), name.toLowerCase()) <= 2).sort((x, y) => distance(x, name) - distance(y, name));
  return close.length > 0 ? ` (did you mean "${close[0]}"?)` : "";
}

interface ParsedNode {
  lineno: number;
  colno: number;
  name?: { value?: unknown };
  findAll(type: unknown): ParsedNode[];
}

const parser = (nunjucks as unknown as { parser: { parse(src: string, extensions: unknown[], opts: unknown): ParsedNode } }).parser;
const nodes = (nunjucks as unknown as { nodes: { Filter: unknown } }).nodes;

/**
 * Parses a template as the environment will, and checks every filter it names, so
 * a typo is reported with its file and line (Nunjucks itself finds a missing
 * filter only while rendering, and then names the page being rendered).
 */
export function checkTemplate(body: string, file: string, env: nunjucks.Environment): void {
  const where = displayPath(file);
  const internals = env as unknown as { extensionsList: unknown[]; opts: unknown; filters: Record<string, unknown> };
  let root: ParsedNode;
  try {
    root = parser.parse(body, internals.extensionsList, internals.opts);
  } catch (error) {
    const { lineno, colno, message } = error as { lineno?: number; colno?: number; message: string };
    throw new TemplateFileError(`${where}:${lineno ?? "?"}${colno ? `:${colno}` : ""}: ${message.trim().split("\n").pop()!.trim()}`);
  }
  for (const filter of root.findAll(nodes.Filter)) {
    const name = String(filter.name?.value ?? "");
    if (!(name in internals.filters)) {
      throw new TemplateFileError(`${where}:${filter.lineno + 1}:${filter.colno + 1}: unknown filter "${name}"${suggestion(name, Object.keys(internals.filters))}`);
    }
  }
}

/** The page templates (top-level .njk) of a layouts folder, by name. */
function pageTemplateNames(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".njk"))
    .map((e) => e.name)
    .sort();
}

/** The partials (anything under _includes/) of a layouts folder, by their names there ("base.njk", "parts/x.njk"). */
function includeNames(folder: string): string[] {
  const dir = path.join(folder, INCLUDES);
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ name: string; parentPath: string; isFile(): boolean }>)
    .filter((e) => e.isFile() && e.name.endsWith(".njk"))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/** `name` inside `folder`, or undefined when it is not there or would leave it. */
function fileIn(folder: string, name: string): string | undefined {
  const file = path.resolve(folder, name);
  if (!file.startsWith(path.resolve(folder) + path.sep)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/**
 * The file a template name stands for: a partial from the site's _includes/, else
 * Rotunda's; "rotunda/<name>" always Rotunda's (a partial or a page template);
 * "rotunda-page:<name>" the winning page template.
 */
export function resolveTemplate(folders: TemplateFolders, name: string): string | undefined {
  if (name.startsWith(PAGE_PREFIX)) {
    const page = name.slice(PAGE_PREFIX.length);
    return (folders.site && fileIn(folders.site, page)) || fileIn(folders.rotunda, page);
  }
  if (name.startsWith(ROTUNDA_PREFIX)) {
    const own = name.slice(ROTUNDA_PREFIX.length);
    return fileIn(path.join(folders.rotunda, INCLUDES), own) ?? fileIn(folders.rotunda, own);
  }
  return (folders.site && fileIn(path.join(folders.site, INCLUDES), name)) || fileIn(path.join(folders.rotunda, INCLUDES), name);
}

/**
 * A Nunjucks loader over both folders. Each file is read and checked once per
 * environment; Eleventy makes a new environment for every build, so an edited
 * template is read again on the next one.
 */
class LayoutsLoader {
  cache: Record<string, unknown> = {};
  /** What Eleventy's template-change handling looks up (absolute path → name). */
  pathsToNames: Record<string, string> = {};
  env: nunjucks.Environment | undefined;

  constructor(private readonly folders: TemplateFolders) {}

  getSource(name: string): { src: string; path: string; noCache: boolean } | null {
    const file = resolveTemplate(this.folders, name);
    if (!file) return null;
    const { body } = readTemplate(file);
    if (this.env) checkTemplate(body, file, this.env);
    this.pathsToNames[file] = name;
    return { src: body, path: file, noCache: false };
  }
}

/**
 * The Nunjucks environment of a Rotunda site (Eleventy's `setLibrary("njk", …)`):
 * every `{{ value }}` is HTML-escaped unless a filter marks it safe. `dev` keeps
 * the error a shortcode or filter threw inside Nunjucks' own (as Eleventy's
 * default environment does), so its message reaches the build's report.
 */
export function createEnvironment(folders: TemplateFolders): nunjucks.Environment {
  const loader = new LayoutsLoader(folders);
  const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, { autoescape: true, throwOnUndefined: false, dev: true });
  loader.env = env;
  return env;
}

/** What Eleventy takes as a virtual template. */
export interface VirtualTemplate {
  /** Relative to Eleventy's input folder. */
  path: string;
  content: string;
  data: Record<string, unknown>;
}

export interface SiteTemplates {
  /** Rotunda's page templates, each winning file behind a stub. */
  pages: Array<VirtualTemplate & { name: string; file: string }>;
  /** Every partial under its name in Eleventy's includes folder, so a page's `layout: <name>` finds it. */
  layouts: VirtualTemplate[];
}

/**
 * Rotunda's page templates and partials with the site's replacements applied. A
 * site page template that replaces nothing is a mistake in its name, reported.
 */
export function siteTemplates(folders: TemplateFolders, includesDir = INCLUDES): SiteTemplates {
  const names = pageTemplateNames(folders.rotunda);
  if (folders.site) {
    for (const name of pageTemplateNames(folders.site)) {
      if (!names.includes(name)) {
        throw new TemplateFileError(
          `${displayPath(path.join(folders.site, name))}:1: no template of Rotunda's is called ${name}, so it replaces nothing` +
            `${suggestion(name, names)}; the page templates are ${names.join(", ")} (partials go in ${INCLUDES}/)`,
        );
      }
    }
  }
  const pages = names.map((name) => {
    const own = readTemplate(path.join(folders.rotunda, name));
    const replacement = folders.site ? fileIn(folders.site, name) : undefined;
    const data: Record<string, unknown> = { layout: false, ...own.data, ...(replacement ? readTemplate(replacement).data : {}) };
    // Every page a template makes is in `collections.all` (Eleventy adds only a paginated template's first
    // by default), so the sitemap lists them all.
    if (isRecord(data.pagination) && data.pagination.addAllPagesToCollections === undefined) {
      data.pagination = { ...data.pagination, addAllPagesToCollections: true };
    }
    return { name, file: replacement ?? own.file, path: `${VIRTUAL_FOLDER}/${name}`, content: `{% extends "${PAGE_PREFIX}${name}" %}`, data };
  });
  const partials = [...new Set([...includeNames(folders.rotunda), ...(folders.site ? includeNames(folders.site) : [])])].sort();
  const layouts = partials.map((name) => ({
    path: `${includesDir}/${name}`,
    content: `{% extends "${name}" %}`,
    data: readTemplate(resolveTemplate(folders, name)!).data,
  }));
  return { pages, layouts };
}
