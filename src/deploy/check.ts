// Before anything goes up: the site must be a finished build whose pages point
// only at files it holds. A build interrupted between writing media and pages, or
// a folder edited by hand, would otherwise be mirrored faithfully, and with
// --prune the live site would lose what its pages still use.
//
// A build that took pictures from the bucket cache (src/cache/) has their media
// in the bucket, not in dist/: the output folder's record names those folders and
// the bucket. Their URLs count as resolved only for a deploy to that very bucket
// and prefix, and deploy.ts then checks the bucket's listing for each of them.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildUnfinished, readRecord, type RemoteMedia } from "../output/index.ts";
import { isHtml } from "./headers.ts";
import { parseS3Url, type S3Target } from "./s3-target.ts";

/** A page's local URL that resolves to no file of the site. */
export interface BrokenLink {
  page: string;
  url: string;
}

/** Attributes that hold URLs a browser loads or follows. */
const URL_ATTRIBUTE = /\s(?:src|href|poster|data-url)\s*=\s*"([^"]*)"/gi;
const SRCSET_ATTRIBUTE = /\ssrcset\s*=\s*"([^"]*)"/gi;
const JSON_SCRIPT = /<script[^>]*type="application\/(?:ld\+)?json"[^>]*>([\s\S]*?)<\/script>/gi;
/** Keys whose string values in a page's JSON data are URLs (the viewer's variants, tiles, preview…). */
const JSON_URL_KEY = /(?:^|[a-z])(url|Url|href|src|Path|path)$|^(preview|initial|panorama|thumbnail|image)$/;

/** The URLs a page refers to: its attributes and the URL-valued strings of its JSON blocks. */
export function pageUrls(html: string): string[] {
  const urls = [...html.matchAll(URL_ATTRIBUTE)].map((m) => m[1]!);
  for (const m of html.matchAll(SRCSET_ATTRIBUTE)) urls.push(...m[1]!.split(",").map((c) => c.trim().split(/\s+/)[0]!).filter(Boolean));
  for (const m of html.matchAll(JSON_SCRIPT)) {
    let data: unknown;
    try {
      data = JSON.parse(m[1]!);
    } catch {
      continue; // not JSON: nothing to follow
    }
    collectJsonUrls(data, "", urls);
  }
  return urls.map(decodeEntities);
}

function collectJsonUrls(value: unknown, key: string, out: string[]): void {
  if (typeof value === "string") {
    // Pannellum's tile templates ("/%l/%s%y_%x") are patterns below basePath, not URLs.
    if (JSON_URL_KEY.test(key) && !/%(?![0-9a-f]{2})/i.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectJsonUrls(item, key, out);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) collectJsonUrls(v, k, out);
  }
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

/**
 * The site file (relative path) a page's URL names, or undefined when the URL is
 * not local (another origin, mailto:, data:, a fragment). `pathPrefix` is the
 * site's own ("/gallery/"); a local URL outside it resolves to nothing.
 */
export function resolveLocal(pageRel: string, url: string, pathPrefix: string): string | null | undefined {
  if (url === "" || url.startsWith("#") || url.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(url)) return undefined;
  const pageUrl = new URL(`http://site/${pageRel.replace(/(^|\/)index\.html$/, "$1")}`);
  const target = new URL(url, pageUrl);
  let pathname: string;
  try {
    pathname = decodeURIComponent(target.pathname);
  } catch {
    return null;
  }
  const prefix = pathPrefix.endsWith("/") ? pathPrefix : `${pathPrefix}/`;
  if (!pathname.startsWith(prefix)) return null;
  return pathname.slice(prefix.length);
}

/**
 * Every local URL of every page in `files` (relative paths of the site) that names
 * no file or folder of it, nor one `elsewhere` knows (media in the bucket).
 */
export async function findBrokenLinks(siteDir: string, files: readonly string[], pathPrefix = "/", elsewhere: (rel: string) => boolean = () => false): Promise<BrokenLink[]> {
  const present = new Set(files);
  const folders = new Set<string>();
  for (const file of files) for (let i = file.indexOf("/"); i !== -1; i = file.indexOf("/", i + 1)) folders.add(file.slice(0, i));
  const broken: BrokenLink[] = [];
  for (const page of files.filter(isHtml)) {
    const html = await readFile(path.join(siteDir, page), "utf8");
    for (const url of new Set(pageUrls(html))) {
      const rel = resolveLocal(page, url, pathPrefix);
      if (rel === undefined) continue;
      const found = rel !== null && (rel === "" ? present.has("index.html") : rel.endsWith("/") ? present.has(`${rel}index.html`) : present.has(rel) || folders.has(rel) || elsewhere(rel));
      if (!found) broken.push({ page, url });
    }
  }
  return broken;
}

/**
 * Whether a site-relative path is in one of the remote folders, under a name the
 * folder holds there (a file, or anything below a tile folder).
 */
export function remoteMediaResolver(remote: RemoteMedia | undefined): (rel: string) => boolean {
  if (!remote) return () => false;
  const folders = new Map(Object.entries(remote.folders).map(([folder, names]) => [folder, new Set(names)]));
  return (rel) => {
    for (let i = rel.indexOf("/"); i !== -1; i = rel.indexOf("/", i + 1)) {
      const names = folders.get(rel.slice(0, i));
      if (names) return names.has(rel.slice(i + 1).split("/")[0]!);
    }
    return folders.has(rel);
  };
}

/** The remote media's bucket, when it is the deploy's target (same bucket, same prefix). */
function sameBucket(remote: RemoteMedia | undefined, target: S3Target | undefined): boolean {
  if (!remote || !target) return false;
  try {
    const there = parseS3Url(remote.url);
    return there.bucket === target.bucket && there.prefix === target.prefix;
  } catch {
    return false;
  }
}

/**
 * Why `siteDir` must not be deployed (to `target`) as it is, or undefined when it
 * may: the last build into it did not finish, or its pages refer to files it does
 * not hold (media in the bucket cache count for a deploy to that bucket).
 */
export async function whyNotDeployable(siteDir: string, files: readonly string[], target?: S3Target): Promise<string | undefined> {
  if (await buildUnfinished(siteDir)) {
    return `the last build into ${siteDir} did not finish (it was interrupted, or it failed): run \`rotunda build\` (or \`rotunda render\`, after shards) again before deploying`;
  }
  const record = await readRecord(siteDir);
  const pathPrefix = record?.pathPrefix ?? "/";
  const remote = record?.remote;
  const inRemote = remoteMediaResolver(remote);
  const broken = await findBrokenLinks(siteDir, files, pathPrefix, sameBucket(remote, target) ? inRemote : () => false);
  if (broken.length === 0) return undefined;
  const shown = (list: BrokenLink[]) => list.slice(0, 3).map((b) => `${b.page} → ${b.url}`).join(", ") + (list.length > 3 ? ", …" : "");
  if (remote && broken.every((b) => inRemote(resolveLocal(b.page, b.url, pathPrefix) ?? ""))) {
    return `${siteDir} uses media that were taken from the cache ${remote.url} and are only there (${shown(broken)}): ` +
      `deploy to that bucket (--to ${remote.url}), or build into a new folder without the cache to have them here`;
  }
  return `${siteDir} is not consistent: ${broken.length} local URL${broken.length === 1 ? "" : "s"} in its pages point at no file (${shown(broken)}): run \`rotunda build\` again`;
}

/** The media the output folder's record says are in the bucket cache, not in the folder (none when it says nothing). */
export async function remoteMediaOf(siteDir: string): Promise<RemoteMedia | undefined> {
  return (await readRecord(siteDir))?.remote;
}
