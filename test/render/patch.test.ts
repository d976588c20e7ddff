// The patches Rotunda keeps to Pannellum, and the applier that puts them in at bundle time.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { applyPatch, PatchError } from "../../src/render/patch.ts";

/** What `diff -u` (GNU diffutils) makes of two texts. */
async function unifiedDiff(before: string, after: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-patch-"));
  try {
    await writeFile(path.join(dir, "a"), before);
    await writeFile(path.join(dir, "b"), after);
    try {
      return execFileSync("diff", ["-u", "a", "b"], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      return (error as { stdout: string }).stdout; // exit status 1: the files differ
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const lines = (n: number, tag = "line") => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join("\n") + "\n";

describe("applyPatch", () => {
  test("applies what diff -u writes: changes, insertions, deletions, blank lines, several hunks", async () => {
    const before = lines(60).replace("line 5\n", "line 5\n\n    indented\n");
    const after = before
      .replace("line 3\n", "line three\n")
      .replace("    indented\n", "    indented more\n\n")
      .replace("line 40\n", "")
      .replace("line 58\n", "line 58\nline 58½\n");
    const patch = await unifiedDiff(before, after);
    assert.ok((patch.match(/^@@/gm) ?? []).length >= 2, "the test needs several hunks");
    assert.equal(applyPatch(before, patch), after);
  });

  test("finds a hunk whose lines moved (the file gained lines above it)", async () => {
    const before = lines(30);
    const patch = await unifiedDiff(before, before.replace("line 20\n", "line twenty\n"));
    const moved = "new first line\nnew second line\n" + before;
    assert.equal(applyPatch(moved, patch), moved.replace("line 20\n", "line twenty\n"));
  });

  test("a hunk that no longer matches, or matches twice, is an error naming the hunk", async () => {
    const before = lines(30);
    const patch = await unifiedDiff(before, before.replace("line 20\n", "line twenty\n"));
    assert.throws(() => applyPatch(before.replace("line 19\n", "line 19 edited\n"), patch, "x.patch"), (e: unknown) => {
      return e instanceof PatchError && /x\.patch: hunk "@@ -\d+,\d+ \+\d+,\d+ @@" does not match the file/.test(e.message);
    });
    const twice = lines(30, "a") + before + "\n" + before;
    assert.throws(() => applyPatch(twice.replace("a 1\n", "x\n"), patch), /matches 2 places/);
    assert.throws(() => applyPatch(before, "not a patch"), /no hunks/);
  });
});

describe("Rotunda's patches to Pannellum", () => {
  const require = createRequire(import.meta.url);
  const sources = path.join(path.dirname(require.resolve("pannellum/package.json")), "src/js");
  const patches = path.join(import.meta.dirname, "../../src/client/pannellum");

  test("apply to the installed Pannellum and put its hooks in", async () => {
    const lib = applyPatch(await readFile(path.join(sources, "libpannellum.js"), "utf8"), await readFile(path.join(patches, "libpannellum.patch"), "utf8"));
    for (const hook of ["hooks.levelFor(", "hooks.quadInView(", "hooks.loadTile(", "hooks.loadOverview("]) assert.ok(lib.includes(hook), hook);
    const viewer = applyPatch(await readFile(path.join(sources, "pannellum.js"), "utf8"), await readFile(path.join(patches, "pannellum.patch"), "utf8"));
    assert.ok(viewer.includes("c.rotunda = config.multiRes.rotunda;"));
    assert.ok(viewer.includes("window.isSecureContext"));
  });
});
