// URL segments for panoramas: from the picture's file name (or its sidecar's
// `slug`), never from its bytes, so a page's URL survives a re-shoot.

import { slugify as urlSegment } from "../format.ts";

/** A panorama's URL segment from a name (`panorama` when nothing of it is left). */
export function slugify(name: string): string {
  return urlSegment(name, "panorama");
}

/** Title from a file name: `lobby_east-2024.jpg` → `Lobby east 2024`. */
export function titleFromFileName(relPath: string): string {
  const base = relPath.split("/").pop()!.replace(/\.[^.]+$/, "");
  const words = base.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : base;
}

export interface SlugAssignment {
  slugs: string[];
  /** Pictures that did not get the slug they asked for or were named for, with why. */
  warnings: Array<{ relPath: string; message: string }>;
}

/**
 * One unique slug per picture, deterministic for a given set of paths. A wish
 * (sidecar `slug`) wins; otherwise the file name; a clash of file names takes the
 * parent folders' names as a prefix (`lobby-r0010001`), then a number. A slug the
 * gallery's own folders use (`assets`, `media`…) or one already taken gets a
 * number too, with a warning naming the picture.
 */
export function assignSlugs(items: Array<{ relPath: string; wish?: string }>, reserved: ReadonlySet<string> = new Set()): SlugAssignment {
  const taken = new Set<string>(reserved);
  const owner = new Map<string, string>();
  const slugs = new Array<string>(items.length);
  const warnings: SlugAssignment["warnings"] = [];
  const order = items.map((item, index) => ({ ...item, index }));
  // Wishes first so a file-name slug never steals an explicit one.
  order.sort((a, b) => Number(!!b.wish) - Number(!!a.wish) || (a.relPath < b.relPath ? -1 : 1));
  const baseCounts = new Map<string, number>();
  const baseOf = new Map<string, string>();
  for (const item of order) {
    const base = slugify(item.relPath.split("/").pop()!.replace(/\.[^.]+$/, ""));
    baseOf.set(item.relPath, base);
    baseCounts.set(base, (baseCounts.get(base) ?? 0) + 1);
  }
  for (const item of order) {
    const segments = item.relPath.replace(/\.[^.]+$/, "").split("/");
    const base = baseOf.get(item.relPath)!;
    let candidate = item.wish ?? base;
    if (!item.wish && (baseCounts.get(base) ?? 0) > 1 && segments.length > 1) candidate = slugify(segments.join("-"));
    let slug = candidate;
    for (let n = 2; taken.has(slug); n++) slug = `${candidate}-${n}`;
    if (slug !== candidate) {
      const why = reserved.has(candidate) ? "is a name the gallery's own pages use" : `is taken by ${owner.get(candidate)}`;
      warnings.push({ relPath: item.relPath, message: `slug "${candidate}" ${why}: its page is /${slug}/` });
    }
    taken.add(slug);
    owner.set(slug, item.relPath);
    slugs[item.index] = slug;
  }
  warnings.sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
  return { slugs, warnings };
}
