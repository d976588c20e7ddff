// Recipe hashes: of an output's recipe (source hash + every option that changes
// that output). An original's bytes are hashed by `hashFile` in src/files.ts.
import { createHash } from "node:crypto";

/** Stable JSON: object keys sorted, so the same recipe always hashes the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Short hash of an output's recipe, for its file name. 10 hex digits = 40 bits. */
export function recipeHash(recipe: unknown): string {
  return createHash("sha256").update(stableStringify(recipe)).digest("hex").slice(0, 10);
}
