// Camera file names become local file names: nothing a camera lists may land
// outside the destination folder or clash with our dotfiles (ledger, temp files).
import path from "node:path";

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
const MAX_BYTES = 200;

/**
 * A safe single path segment for a camera-supplied name: last path component only
 * (both separators), no NUL/control characters, no characters Windows forbids, no
 * leading dots (so no "..", no dotfiles), no trailing dots/spaces, no reserved
 * device names, at most 200 bytes with the extension kept. Never empty.
 */
export function sanitizeFileName(name: string): string {
  let s = name.normalize("NFC");
  s = s.split(/[/\\]/).filter((part) => part !== "" && part !== "." && part !== "..").pop() ?? "";
  s = s.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_");
  s = s.replace(/^[.\s]+/, "").replace(/[.\s]+$/, "");
  const ext = path.extname(s);
  const stem = ext ? s.slice(0, -ext.length) : s;
  if (WINDOWS_RESERVED.test(stem)) s = `_${s}`;
  if (s === "") s = "file";
  if (Buffer.byteLength(s) > MAX_BYTES) {
    const keep = Buffer.byteLength(ext) <= 16 ? ext : "";
    let head = s.slice(0, s.length - keep.length);
    while (Buffer.byteLength(head + keep) > MAX_BYTES) head = head.slice(0, -1);
    s = head + keep;
  }
  return s;
}

/** "R0010015.JPG" → "R0010015-1.JPG", "-2", …: the n-th alternative when a name is taken. */
export function alternativeName(name: string, n: number): string {
  const ext = path.extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  return `${stem}-${n}${ext}`;
}

/** A folder name for a camera known only by URL: "http://10.0.0.5:8080" → "10-0-0-5_8080". */
export function folderNameForUrl(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "").replace(/[^a-z0-9]+/gi, "-").replace(/^-+|-+$/g, "");
  const name = `${host || "camera"}${u.port ? `_${u.port}` : ""}`;
  return name.slice(0, 63);
}
