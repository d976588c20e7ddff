// Text for people and pages, the same wherever it is shown: byte sizes in SI
// units, HTML escaping, and URL segments made from names.

/** 1234567 → "1.2 MB": base 1000, units B, kB, MB, GB; one decimal below 10, none above. */
export function formatBytes(n: number): string {
  if (Math.round(n) < 1000) return `${Math.round(n)} B`;
  const units = ["kB", "MB", "GB"];
  let v = n / 1000;
  let i = 0;
  // The unit is chosen after rounding, so 999,999 bytes read "1.0 MB", not "1000 kB".
  const shown = (x: number) => (x < 9.95 ? Number(x.toFixed(1)) : Math.round(x));
  while (shown(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 9.95 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * A URL segment from a name: accents dropped, lowercase ASCII letters and digits,
 * runs of anything else as one "-" (`Café Lobby (East)` → `cafe-lobby-east`);
 * `fallback` when nothing is left.
 */
export function slugify(name: string, fallback: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || fallback;
}
