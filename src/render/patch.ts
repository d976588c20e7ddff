// Applies a unified diff (as `diff -u` writes it) to a file's text, for the
// small changes Rotunda keeps to Pannellum's sources (src/client/pannellum/).
// Every hunk must find its lines exactly once; anything else is an error naming
// the hunk, so an upgraded Pannellum that no longer matches stops the build
// instead of shipping an unpatched viewer.

export class PatchError extends Error {
  override name = "PatchError";
}

interface Hunk {
  header: string;
  /** 0-based line where the old lines start, as the diff says. */
  at: number;
  old: string[];
  new: string[];
}

function parseHunks(patch: string, label: string): Hunk[] {
  const lines = patch.split("\n");
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  for (const line of lines) {
    const header = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (header) {
      current = { header: line, at: Math.max(0, Number(header[1]) - 1), old: [], new: [] };
      hunks.push(current);
    } else if (current && line.startsWith(" ")) {
      current.old.push(line.slice(1));
      current.new.push(line.slice(1));
    } else if (current && line.startsWith("-")) {
      current.old.push(line.slice(1));
    } else if (current && line.startsWith("+")) {
      current.new.push(line.slice(1));
    } else if (current && line === "") {
      // the blank line at the end of the file, or an empty context line some tools write without its space
      current.old.push("");
      current.new.push("");
    }
  }
  // A trailing empty "context" line from the file's final newline is not part of any hunk.
  for (const hunk of hunks) {
    while (hunk.old.length && hunk.old.at(-1) === "" && hunk.new.at(-1) === "") {
      hunk.old.pop();
      hunk.new.pop();
    }
  }
  if (hunks.length === 0) throw new PatchError(`${label}: no hunks`);
  return hunks;
}

function matchesAt(source: string[], old: string[], at: number): boolean {
  if (at < 0 || at + old.length > source.length) return false;
  for (let i = 0; i < old.length; i++) if (source[at + i] !== old[i]) return false;
  return true;
}

/** `source` with `patch` applied; throws PatchError when a hunk does not match exactly once. */
export function applyPatch(source: string, patch: string, label = "patch"): string {
  const lines = source.split("\n");
  let offset = 0;
  for (const hunk of parseHunks(patch, label)) {
    const expected = hunk.at + offset;
    let at = matchesAt(lines, hunk.old, expected) ? expected : -1;
    if (at === -1) {
      const found: number[] = [];
      for (let i = 0; i + hunk.old.length <= lines.length; i++) if (matchesAt(lines, hunk.old, i)) found.push(i);
      if (found.length !== 1) {
        throw new PatchError(`${label}: hunk "${hunk.header}" ${found.length === 0 ? "does not match the file" : `matches ${found.length} places`}`);
      }
      at = found[0]!;
    }
    lines.splice(at, hunk.old.length, ...hunk.new);
    offset = at - hunk.at + hunk.new.length - hunk.old.length;
  }
  return lines.join("\n");
}
