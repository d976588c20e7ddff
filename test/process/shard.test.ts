// Shards: which originals a shard takes (by content hash alone), and what the
// merge of partial manifests refuses. The end-to-end runs are in test/build/.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { galleryKeyOf, mergePartials, PARTIAL_VERSION, type PartialManifest } from "../../src/process/partial.ts";
import { inShard, parseShard, shardOfHash } from "../../src/process/shard.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("choosing a shard", () => {
  test("k/n is read strictly, counted from 1", () => {
    assert.deepEqual(parseShard("2/3"), { index: 2, count: 3 });
    assert.deepEqual(parseShard(" 1/1 "), { index: 1, count: 1 });
    for (const bad of ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3", "1/5000"]) assert.ok("error" in parseShard(bad), bad);
  });

  test("every hash falls in exactly one shard, the same one each time, and shards are of about equal size", () => {
    const hashes = Array.from({ length: 3000 }, (_, i) => sha(`picture ${i}`));
    for (const n of [1, 2, 3, 7]) {
      const sizes = new Array<number>(n).fill(0);
      for (const hash of hashes) {
        const k = shardOfHash(hash, n);
        assert.equal(shardOfHash(hash, n), k);
        assert.equal([...Array(n).keys()].filter((i) => inShard(hash, { index: i + 1, count: n })).length, 1);
        sizes[k - 1]!++;
      }
      for (const size of sizes) assert.ok(Math.abs(size - hashes.length / n) < (hashes.length / n) * 0.15, `n=${n}: ${sizes.join(", ")}`);
    }
  });
});

function header(title: string): PartialManifest["header"] {
  return { version: 1, generator: "rotunda", gallery: { title, albums: [], pageSize: 48, publishGps: false }, pages: [] };
}

/** A part of a gallery of `paths`, covering `mine`. */
function part(index: number, count: number, paths: string[], mine: string[], extra: Partial<PartialManifest> = {}): PartialManifest {
  return {
    version: PARTIAL_VERSION,
    shard: { index, count },
    optionsKey: "recipe-1",
    galleryKey: galleryKeyOf(paths),
    sources: mine,
    header: header("Test"),
    items: [],
    failures: [],
    warnings: [],
    leftOut: [],
    unpublished: [],
    ...extra,
  };
}

describe("merging partial manifests", () => {
  const gallery = ["a.jpg", "b.jpg", "c.jpg"];

  test("a complete set merges, whatever order the parts come in", () => {
    const merged = mergePartials([part(2, 2, gallery, ["c.jpg"]), part(1, 2, gallery, ["a.jpg", "b.jpg"], { failures: [{ source: "b.jpg", message: "bad" }] })]);
    assert.deepEqual(merged.failures, [{ source: "b.jpg", message: "bad" }]);
  });

  test("a missing shard is named, with the command that makes it", () => {
    assert.throws(() => mergePartials([part(1, 3, gallery, ["a.jpg"]), part(3, 3, gallery, ["c.jpg"])]), /shard 2\/3 missing: run `rotunda process --shard 2\/3`/);
  });

  test("parts of different shardings, galleries, recipes or settings are refused", () => {
    assert.throws(() => mergePartials([part(1, 2, gallery, ["a.jpg", "b.jpg"]), part(1, 3, gallery, ["c.jpg"])]), /different shardings/);
    assert.throws(() => mergePartials([part(1, 2, gallery, ["a.jpg", "b.jpg"]), part(2, 2, [...gallery, "d.jpg"], ["c.jpg", "d.jpg"])]), /saw another gallery/);
    assert.throws(() => mergePartials([part(1, 2, gallery, ["a.jpg", "b.jpg"]), part(2, 2, gallery, ["c.jpg"], { optionsKey: "recipe-2" })]), /other process settings/);
    assert.throws(
      () => mergePartials([part(1, 2, gallery, ["a.jpg", "b.jpg"]), part(2, 2, gallery, ["c.jpg"], { header: header("Other") })]),
      /other gallery settings/,
    );
  });

  test("shards that disagree on which originals are theirs (other bytes on another machine) are refused", () => {
    // b.jpg claimed by both, c.jpg by none.
    assert.throws(() => mergePartials([part(1, 2, gallery, ["a.jpg", "b.jpg"]), part(2, 2, gallery, ["b.jpg"])]), /do not cover the gallery exactly once/);
  });
});
