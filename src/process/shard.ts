// Shards: `rotunda process --shard k/n` processes only the originals whose content
// hash falls in shard k of n, so n machines (or n processes) share a gallery
// without a scheduler. The choice depends on the bytes alone: the same on every
// machine, in every run, whatever the gallery's order or the files' names.

export interface Shard {
  /** 1 … count. */
  index: number;
  count: number;
}

/** The most shards a gallery may be cut into. */
export const MAX_SHARDS = 1024;

/** `"2/3"` → shard 2 of 3; undefined when it is not one (the message says why). */
export function parseShard(text: string): Shard | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return { error: `"${text}" is not k/n (shard k of n, counted from 1: 1/3, 2/3, 3/3)` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) return { error: `"${text}": n must be from 1 to ${MAX_SHARDS}` };
  if (index < 1 || index > count) return { error: `"${text}": k must be from 1 to n (shards are counted from 1)` };
  return { index, count };
}

/** The shard (1 … count) an original's content hash (hex SHA-256) falls in. */
export function shardOfHash(hash: string, count: number): number {
  // The first 48 bits, uniform for SHA-256, taken modulo n.
  return (parseInt(hash.slice(0, 12), 16) % count) + 1;
}

export function inShard(hash: string, shard: Shard): boolean {
  return shardOfHash(hash, shard.count) === shard.index;
}

/** The shard's name in file names: "2-of-3". */
export function shardLabel(shard: Shard): string {
  return `${shard.index}-of-${shard.count}`;
}
