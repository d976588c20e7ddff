// The `_headers` file (Netlify / Cloudflare Pages format) with the same cache
// rules the uploader puts on objects.
//
// Both hosts apply EVERY rule whose path matches and join repeated headers with
// commas, so rules must never overlap: a folder whose files are all hashed gets
// one `/folder/*` rule (media, assets), other files get exact paths. Pages get
// none: both hosts already send CACHE_HTML (`public, max-age=0, must-revalidate`)
// by default, and Cloudflare Pages reads only the first 100 rules, which rules per
// page would use up at about 25 panoramas (`x/index.html` and `x/` for a page and
// for its comparison page).
import { CACHE_HTML, CACHE_IMMUTABLE, cacheControlFor } from "./headers.ts";
import { HEADERS_FILE } from "./local.ts";

/** The `_headers` rules (URL pattern → Cache-Control) for a site holding `relPaths` (relative, `/`-separated). */
function headerRules(relPaths: readonly string[]): Map<string, string> {
  // A folder can be one rule when every file below it is hashed.
  const mixed = new Set<string>();
  const folders = new Set<string>();
  for (const p of relPaths) {
    const parts = p.split("/").slice(0, -1);
    const hashed = cacheControlFor(p) === CACHE_IMMUTABLE;
    for (let i = 1; i <= parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      folders.add(folder);
      if (!hashed) mixed.add(folder);
    }
  }
  const whole = new Set([...folders].filter((f) => !mixed.has(f)));
  const coveredBy = (p: string): string | undefined => {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if (whole.has(folder)) return folder;
    }
    return undefined;
  };

  const rules = new Map<string, string>();
  for (const p of relPaths) {
    const folder = coveredBy(p);
    if (folder !== undefined) {
      rules.set(`/${folder}/*`, CACHE_IMMUTABLE);
      continue;
    }
    const value = cacheControlFor(p);
    if (value !== CACHE_HTML) rules.set(`/${p}`, value);
  }
  return rules;
}

function formatHeaders(rules: Map<string, string>): string {
  const lines = ["# Written by rotunda build: cache rules, the same as `rotunda deploy` puts on objects."];
  for (const [url, value] of [...rules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(url, `  Cache-Control: ${value}`);
  }
  return lines.join("\n") + "\n";
}

/** Cloudflare Pages ignores the rules after its 100th. */
export const HEADERS_RULE_LIMIT = 100;

/**
 * The `_headers` file for a site holding `relPaths`, with a warning when it has
 * more rules than Cloudflare Pages reads (files outside fully hashed folders each
 * need their own: an unhashed file in media/, say).
 */
export function headersFileFor(relPaths: readonly string[]): { text: string; rules: number; warning?: string } {
  const rules = headerRules(relPaths);
  const text = formatHeaders(rules);
  if (rules.size <= HEADERS_RULE_LIMIT) return { text, rules: rules.size };
  const exact = [...rules.keys()].filter((p) => !p.endsWith("/*")).sort();
  const warning = `${HEADERS_FILE} has ${rules.size} rules and Cloudflare Pages reads only the first ${HEADERS_RULE_LIMIT}: ` +
    `each file outside a fully hashed folder needs one (${exact.slice(0, 3).join(", ")}, …)`;
  return { text, rules: rules.size, warning };
}
