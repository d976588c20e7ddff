// URL segments for panoramas: from the picture's file name (or its sidecar's
// `slug`), never from its bytes, so a page's URL survives a re-shoot.

export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "panorama";
}

/** Title from a file name: `lobby_east-2024.jpg` → `Lobby east 2024`. */
export function titleFromFileName(relPath: string): string {
  const base = relPath.split("/").pop()!.replace(/\.[^.]+$/, "");
  const words = base.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : base;
}

/**
 * One unique slug per picture, deterministic for a given set of paths. A wish
 * (sidecar `slug`) wins; otherwise the file name; a clash takes the parent
 * folders' names as a prefix (`lobby-r0010001`), then a number.
 */
export function assignSlugs(items: Array<{ relPath: string; wish?: string }>): string[] {
  const taken = new Set<string>();
  const result = new Array<string>(items.length);
  const order = items.map((item, index) => ({ ...item, index }));
  // Wishes first so a file-name slug never steals an explicit one.
  order.sort((a, b) => Number(!!b.wish) - Number(!!a.wish) || (a.relPath < b.relPath ? -1 : 1));
  const baseCounts = new Map<string, number>();
  for (const item of order) {
    const base = slugify(item.relPath.split("/").pop()!.replace(/\.[^.]+$/, ""));
    baseCounts.set(base, (baseCounts.get(base) ?? 0) + 1);
  }
  for (const item of order) {
    const segments = item.relPath.replace(/\.[^.]+$/, "").split("/");
    const base = slugify(segments[segments.length - 1]!);
    let candidate = item.wish ?? base;
    if (!item.wish && (baseCounts.get(base) ?? 0) > 1 && segments.length > 1) candidate = slugify(segments.join("-"));
    let slug = candidate;
    for (let n = 2; taken.has(slug); n++) slug = `${candidate}-${n}`;
    taken.add(slug);
    result[item.index] = slug;
  }
  return result;
}
