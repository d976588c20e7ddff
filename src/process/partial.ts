// Partial manifests: what a process run that does not render leaves for the render
// (`.rotunda/shards/<k>-of-<n>.json`; an unsharded `rotunda process` leaves 1-of-1).
//
// A shard knows its own pictures but not the gallery's slugs, which are assigned
// over the whole gallery: so a partial manifest carries each picture's record
// without its slug, the slug it asks for, and its place in the gallery's order;
// the merge puts the parts together and assigns the slugs as one process of the
// whole gallery would (assembleManifest), so n shards give the very manifest one
// run gives. Each part also names the gallery it saw (a key of every original's
// path) and the recipe it used: parts of different galleries or recipes, a
// missing part or one twice are refused, never merged into a site with holes.
import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "../config.ts";
import { writeFileAtomic } from "../files.ts";
import { panoramaRecordSchema, STATE_DIR, validateManifest } from "../manifest.ts";
import type { ManifestHeader, PictureItem } from "./records.ts";
import { stableStringify } from "./hash.ts";
import { shardLabel } from "./shard.ts";

export const PARTIALS_DIR = "shards";
export const PARTIAL_VERSION = 2;
const PARTIAL_NAME = /^(\d+)-of-(\d+)\.json$/;

const problem = z.object({ source: z.string(), message: z.string() });

/** One picture of a part: its record but for the slug, the slug it asks for, its sidecar, its place in the gallery's order. */
export interface PartialItem extends PictureItem {
  order: number;
}

const partialSchema = z.object({
  version: z.literal(PARTIAL_VERSION),
  shard: z.object({ index: z.int().positive(), count: z.int().positive() }),
  /** The recipe every picture of the part was made with (prepareRecipe's optionsKey). */
  optionsKey: z.string(),
  /** A key of every original's path in the gallery the part saw. */
  galleryKey: z.string(),
  /** The originals this part answers for (its pictures, and files that are not pictures). */
  sources: z.array(z.string()),
  /** The manifest but for its panoramas and failures (the gallery's title…). */
  header: z.looseObject({}),
  items: z.array(
    z.object({
      order: z.int().nonnegative(),
      relPath: z.string(),
      record: panoramaRecordSchema.omit({ id: true, slug: true }),
      wish: z.string().optional(),
      sidecar: z.string().optional(),
    }),
  ),
  failures: z.array(problem),
  /** Notes on the part's own pictures (slugs are the merge's). */
  warnings: z.array(problem),
  /** Slugs of the part's pictures that are left out (drafts): links to them wait. */
  leftOut: z.array(z.string()),
  /** Media folders of pictures of the part that are not published now (drafts). */
  unpublished: z.array(z.string()),
  /** Media folders the part took from the shared cache without bringing them here. */
  remote: z.object({ url: z.string(), endpoint: z.string().optional(), folders: z.array(z.string()) }).optional(),
});

export type PartialManifest = Omit<z.infer<typeof partialSchema>, "items" | "header"> & {
  header: ManifestHeader;
  items: PartialItem[];
};

/** The parts cannot be merged: one is missing, twice, unreadable or of another gallery (exit 2). */
export class PartialManifestError extends ConfigError {
  override name = "PartialManifestError";
}

export const partialsDir = (outputDir: string) => path.join(outputDir, STATE_DIR, PARTIALS_DIR);

/** A key of the gallery's originals, by path: parts made from different galleries differ here. */
export function galleryKeyOf(relPaths: Iterable<string>): string {
  return createHash("sha256").update(JSON.stringify([...relPaths].sort())).digest("hex");
}

export async function writePartial(outputDir: string, part: PartialManifest): Promise<string> {
  const file = path.join(partialsDir(outputDir), `${shardLabel(part.shard)}.json`);
  await writeFileAtomic(file, JSON.stringify(part) + "\n");
  return file;
}

/** The part files in the output folder, by name ("2-of-3.json"). */
async function partFiles(outputDir: string): Promise<string[]> {
  const names = await readdir(partialsDir(outputDir)).catch(() => [] as string[]);
  return names.filter((n) => PARTIAL_NAME.test(n)).sort();
}

export async function hasPartials(outputDir: string): Promise<boolean> {
  return (await partFiles(outputDir)).length > 0;
}

/**
 * Removes the parts a run supersedes: every part (`keepCount` undefined: a build
 * or a whole-gallery process covers them all), or those cut into another number
 * of shards than `keepCount` (leftovers of an earlier sharding).
 */
export async function removePartials(outputDir: string, keepCount?: number): Promise<void> {
  for (const name of await partFiles(outputDir)) {
    if (keepCount !== undefined && Number(PARTIAL_NAME.exec(name)![2]) === keepCount) continue;
    await rm(path.join(partialsDir(outputDir), name), { force: true });
  }
}

/** Reads and checks every part in the output folder; a part that does not read is an error naming it. */
export async function readPartials(outputDir: string): Promise<PartialManifest[]> {
  const parts: PartialManifest[] = [];
  for (const name of await partFiles(outputDir)) {
    const file = path.join(partialsDir(outputDir), name);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new PartialManifestError(`${file}: not a partial manifest that reads (${(error as Error).message}): run its shard again`);
    }
    const parsed = partialSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new PartialManifestError(`${file}: not a valid partial manifest (${where}): run its shard again`);
    }
    const part = parsed.data as PartialManifest;
    if (name !== `${shardLabel(part.shard)}.json`) throw new PartialManifestError(`${file}: holds shard ${part.shard.index}/${part.shard.count}, not the one its name says`);
    parts.push(part);
  }
  return parts;
}

export interface MergedParts {
  header: ManifestHeader;
  /** In the gallery's order. */
  items: PartialItem[];
  failures: Array<{ source: string; message: string }>;
  warnings: Array<{ source: string; message: string }>;
  leftOut: string[];
  unpublished: string[];
  remote?: { url: string; endpoint?: string; folders: string[] };
}

/**
 * The parts as one: every shard of one sharding present once, all of the same
 * gallery and recipe, together covering every original of it exactly once.
 */
export function mergePartials(parts: PartialManifest[]): MergedParts {
  if (parts.length === 0) throw new PartialManifestError("no partial manifests to merge");
  const counts = [...new Set(parts.map((p) => p.shard.count))];
  if (counts.length > 1) {
    throw new PartialManifestError(`partial manifests of different shardings (${counts.map((n) => `n=${n}`).join(", ")}): run every shard of one sharding again`);
  }
  const count = counts[0]!;
  const missing: string[] = [];
  for (let k = 1; k <= count; k++) if (!parts.some((p) => p.shard.index === k)) missing.push(`${k}/${count}`);
  if (missing.length > 0) {
    throw new PartialManifestError(
      `shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} missing: run \`rotunda process --shard ${missing[0]}\`${missing.length > 1 ? " (and the others)" : ""} into this folder, or gather its output folder here`,
    );
  }
  const first = parts[0]!;
  for (const part of parts) {
    const which = `shard ${part.shard.index}/${count}`;
    if (part.optionsKey !== first.optionsKey) throw new PartialManifestError(`${which} was made with other process settings than shard ${first.shard.index}/${count}: run the shards again with one rotunda.json`);
    if (part.galleryKey !== first.galleryKey) throw new PartialManifestError(`${which} saw another gallery than shard ${first.shard.index}/${count} (other originals): run the shards again on one copy of the gallery`);
    if (stableStringify(part.header) !== stableStringify(first.header)) throw new PartialManifestError(`${which} has other gallery settings than shard ${first.shard.index}/${count}: run the shards again with one rotunda.json`);
  }
  const caches = [...new Set(parts.filter((p) => p.remote).map((p) => stableStringify({ url: p.remote!.url, endpoint: p.remote!.endpoint })))];
  if (caches.length > 1) throw new PartialManifestError(`the shards took media from different caches (${caches.join(", ")}): run them again with one cache`);
  const sources = parts.flatMap((p) => p.sources);
  if (new Set(sources).size !== sources.length || galleryKeyOf(sources) !== first.galleryKey) {
    throw new PartialManifestError("the shards do not cover the gallery exactly once (its originals differ from machine to machine): run the shards again on one copy of the gallery");
  }
  // Validates the header as the manifest it will head.
  validateManifest({ ...first.header, panoramas: [], failures: [] }, "the shards' gallery settings");
  const remoteParts = parts.filter((p) => p.remote);
  return {
    header: first.header,
    items: parts.flatMap((p) => p.items).sort((a, b) => a.order - b.order),
    failures: parts.flatMap((p) => p.failures).sort((a, b) => (a.source < b.source ? -1 : 1)),
    warnings: parts.flatMap((p) => p.warnings),
    leftOut: parts.flatMap((p) => p.leftOut).sort(),
    unpublished: parts.flatMap((p) => p.unpublished).sort(),
    ...(remoteParts.length > 0
      ? { remote: { url: remoteParts[0]!.remote!.url, ...(remoteParts[0]!.remote!.endpoint ? { endpoint: remoteParts[0]!.remote!.endpoint } : {}), folders: remoteParts.flatMap((p) => p.remote!.folders).sort() } }
      : {}),
  };
}
