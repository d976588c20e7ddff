// Content hashes: of an original's bytes (streamed, never whole in memory), and
// of an output's recipe (source hash + every option that changes that output).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** SHA-256 of a file, hex. */
export async function hashFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

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
