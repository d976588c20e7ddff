// Sidecars as authors write them: front matter and a caption, a caption alone, a
// byte order mark from a Windows editor; and front matter that must never run.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSidecar, SidecarError } from "../../src/process/sidecar.ts";

const BOM = "\uFEFF";

describe("parseSidecar", () => {
  test("a sidecar without front matter is its caption", () => {
    assert.deepEqual(parseSidecar("Sunset over the loading bay.\n\nMore.\n", "p.md"), { caption: "Sunset over the loading bay.\n\nMore." });
  });

  test("a line of four dashes opens a Markdown rule, not front matter", () => {
    assert.deepEqual(parseSidecar("----\nAfter the rule.\n", "p.md"), { caption: "----\nAfter the rule." });
  });

  test("front matter gives the title, the body the caption", () => {
    assert.deepEqual(parseSidecar("---\ntitle: Loading bay\n---\nSunset.\n", "p.md"), { title: "Loading bay", caption: "Sunset." });
  });

  test("a byte order mark before the front matter is ignored", () => {
    assert.deepEqual(parseSidecar(`${BOM}---\ntitle: Loading bay\n---\nSunset.\n`, "p.md"), { title: "Loading bay", caption: "Sunset." });
  });

  test("a byte order mark before a caption is not part of it", () => {
    assert.deepEqual(parseSidecar(`${BOM}Sunset.\n`, "p.md"), { caption: "Sunset." });
  });

  test("Windows line endings, with and without a byte order mark", () => {
    for (const text of ["---\r\ntitle: Bay\r\n---\r\nSunset.\r\n", `${BOM}---\r\ntitle: Bay\r\n---\r\nSunset.\r\n`]) {
      assert.deepEqual(parseSidecar(text, "p.md"), { title: "Bay", caption: "Sunset." });
    }
  });

  test("front matter in another language is refused, naming it, and never evaluated", () => {
    const evaluate = "{ title: (globalThis.rotundaSidecarEvaluated = true, 'ran') }";
    for (const [text, language] of [
      [`---js\n${evaluate}\n---\n`, "js"],
      [`--- javascript\n${evaluate}\n---\n`, "javascript"],
      [`---JS\r\n${evaluate}\r\n---\r\n`, "JS"],
      [`${BOM}---js\n${evaluate}\n---\n`, "js"],
      ['---json\n{"title": "x"}\n---\n', "json"],
    ] as const) {
      assert.throws(
        () => parseSidecar(text, "p.md"),
        (error: unknown) => error instanceof SidecarError && error.message === `p.md: front matter in "${language}" is not read: use YAML`,
        JSON.stringify(text),
      );
    }
    assert.equal((globalThis as { rotundaSidecarEvaluated?: boolean }).rotundaSidecarEvaluated, undefined);
  });

  test("broken YAML names the file and the cause", () => {
    assert.throws(() => parseSidecar("---\ntitle: [unclosed\n---\n", "p.md"), /^SidecarError: p\.md: front matter is not valid YAML: /);
  });

  test("an empty sidecar has no caption", () => {
    assert.equal(parseSidecar("", "p.md").caption, undefined);
    assert.equal(parseSidecar(BOM, "p.md").caption, undefined);
  });
});
