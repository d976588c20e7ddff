// A pack: the records of one shard's originals (one recipe) in one object, so a
// run reads them with one request instead of one per original. A run writes its
// shard's pack last, once every record it names is in the bucket; the next run of
// that shard (the same k/n, the same recipe) reads it first.
//
// A pack is only a faster way to read records: each record in it passes the same
// checks as one read from its own object (record.ts), and its files are looked
// for in the bucket the same way. A record from a pack that fails them is read
// again from its own object, which decides. A pack that does not read is ignored
// with a warning.
import { z } from "zod";
import { RECORD_VERSION, type CacheRecord } from "./record.ts";

const PACK_VERSION = 1;

const packSchema = z.object({
  version: z.literal(PACK_VERSION),
  generator: z.literal("rotunda"),
  kind: z.literal("pack"),
  optionsKey: z.string(),
  shard: z.string(),
  /** Each checked when used, as a record read on its own is. */
  records: z.array(z.looseObject({ version: z.literal(RECORD_VERSION), hash: z.string() })),
});

/** Where a shard's pack lives, below the records' folder: `packs/<recipe>/<k>-of-<n>.json`. */
export function packPath(recordsDir: string, optionsKey: string, shard: string): string {
  return `${recordsDir}/packs/${optionsKey}/${shard}.json`;
}

/** The records of a pack by content hash (unchecked), or why the text is not a pack of this recipe and shard. */
export function readPack(text: string, optionsKey: string, shard: string): Map<string, unknown> | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "not JSON (corrupt)";
  }
  const parsed = packSchema.safeParse(raw);
  if (!parsed.success) return `not a Rotunda cache pack (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`;
  if (parsed.data.optionsKey !== optionsKey || parsed.data.shard !== shard) return "it is the pack of another recipe or shard than its key says (foreign)";
  // The records as they were written (a checked copy may order their keys otherwise).
  const records = (raw as { records: unknown[] }).records;
  return new Map(parsed.data.records.map((r, i) => [r.hash, records[i]]));
}

/** A pack's text: the records in order of their content hash, so the same records give the same bytes. */
export function packText(optionsKey: string, shard: string, records: Iterable<unknown>): string {
  const hashOf = (record: unknown) => (record as Pick<CacheRecord, "hash">).hash;
  const list = [...records].sort((a, b) => (hashOf(a) < hashOf(b) ? -1 : 1));
  return JSON.stringify({ version: PACK_VERSION, generator: "rotunda", kind: "pack", optionsKey, shard, records: list });
}
