// A cache record: what process made of one original with one recipe, as the
// bucket keeps it (`.rotunda-cache/<sha256>-<recipe>.json`), and the checks a
// record passes before it is trusted, wherever it was read from (its own object
// or a pack, pack.ts).
import { z } from "zod";
import { panoramaMediaSchema, referencedUrls } from "../manifest.ts";
import { mediaFolderOf } from "../process/pipeline.ts";

export const RECORD_VERSION = 1;

const fileSchema = z.object({ path: z.string(), bytes: z.int().nonnegative(), md5: z.string().regex(/^[0-9a-f]{32}$/) });
export const recordSchema = z.object({
  version: z.literal(RECORD_VERSION),
  generator: z.literal("rotunda"),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  optionsKey: z.string().min(1),
  outputs: z.looseObject({ format: z.string(), captureDate: z.string().optional(), media: panoramaMediaSchema }),
  /** Every file of the outputs, relative to the site ("media/<hash12>/…"). */
  files: z.array(fileSchema).min(1),
});
export type CacheRecord = z.infer<typeof recordSchema>;

/** The record if `raw` is a good one for this original and recipe, else why not. */
export function checkRecord(raw: unknown, hash: string, optionsKey: string): CacheRecord | string {
  const parsed = recordSchema.safeParse(raw);
  if (!parsed.success) return `not a Rotunda cache record (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`;
  const record = parsed.data;
  if (record.hash !== hash || record.optionsKey !== optionsKey) return "it is the record of another original or recipe than its key says (foreign)";
  const folder = mediaFolderOf(hash);
  const files = new Set(record.files.map((f) => f.path));
  if ([...files].some((f) => !f.startsWith(folder + "/") || f.split("/").includes(".."))) return `it names files outside ${folder}/`;
  for (const url of referencedUrls(record.outputs.media)) {
    const rel = url.slice(1);
    const covered = url.endsWith("/") ? [...files].some((f) => f.startsWith(rel)) : files.has(rel);
    if (!covered) return `its outputs use ${url}, which it does not list`;
  }
  return record;
}
