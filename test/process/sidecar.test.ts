// Sidecars as authors write them: front matter and a caption, a caption alone, a
// byte order mark from a Windows editor; and front matter that must never run.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAlbumFile, parseSidecar, SidecarError } from "../../src/process/sidecar.ts";

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

describe("the gallery's keys", () => {
  test("tags (each once, trimmed), a place, and links with pitch 0 and no label unless given", () => {
    const text = "---\ntags: [kitchen, ' north ', kitchen]\nplace: Loading bay\nlinks:\n  - { to: hall, yaw: 90, label: Hall }\n  - { to: yard, yaw: -45, pitch: -10 }\n---\nCaption.\n";
    assert.deepEqual(parseSidecar(text, "p.md"), {
      tags: ["kitchen", "north"],
      place: "Loading bay",
      links: [{ to: "hall", yaw: 90, pitch: 0, label: "Hall" }, { to: "yard", yaw: -45, pitch: -10 }],
      caption: "Caption.",
    });
  });

  test("each mistake names the file and the key, in the sidecar's own terms", () => {
    const fails = (text: string) => {
      try {
        parseSidecar(text, "p.md");
      } catch (error) {
        assert.ok(error instanceof SidecarError);
        return error.message;
      }
      return "accepted";
    };
    assert.equal(fails("---\ntags: kitchen\n---\n"), "p.md: tags: must be a list, like tags: [kitchen, north wing]");
    assert.equal(fails("---\ntags: ['']\n---\n"), "p.md: tags[0]: must not be empty (a tag)");
    assert.equal(fails("---\nplace: 3\n---\n"), "p.md: place: must be text (a place's name)");
    assert.equal(fails("---\nlinks: hall\n---\n"), "p.md: links: must be a list, like links: [{ to: hall, yaw: 90 }]");
    assert.equal(
      fails("---\nlinks:\n  - { to: Hall, yaw: 900 }\n  - { yaw: 3, pich: 2 }\n---\n"),
      "p.md: links[0].to: lowercase letters, digits and '-' only: a picture's slug; links[0].yaw: Too big: expected number to be <=360; links[1].to: is required (a picture's slug); links[1]: unknown key pich",
    );
  });
});

describe("parseAlbumFile", () => {
  test("title, cover, order and draft from the front matter; the body is the description", () => {
    assert.deepEqual(parseAlbumFile("---\ntitle: East wing\ncover: r001.jpg\norder: date-asc\ndraft: false\n---\nThe east wing.\n", "_album.md"), {
      title: "East wing",
      cover: "r001.jpg",
      order: "date-asc",
      draft: false,
      description: "The east wing.",
    });
    assert.deepEqual(parseAlbumFile("Just a description.\n", "_album.md"), { description: "Just a description." });
  });

  test("mistakes name the file and the key", () => {
    assert.throws(() => parseAlbumFile("---\norder: newest\n---\n", "a/_album.md"), /^SidecarError: a\/_album\.md: order: use one of date, date-asc, title, name$/);
    assert.throws(() => parseAlbumFile("---\ndescription: x\n---\n", "a/_album.md"), /unknown key description \(known: title, cover, order, draft\)/);
    assert.throws(() => parseAlbumFile("---\ncover: b/c.jpg\n---\n", "a/_album.md"), /cover: "b\/c\.jpg" must be the file name of a picture in this folder/);
    assert.throws(() => parseAlbumFile("---js\n{}\n---\n", "a/_album.md"), /front matter in "js" is not read/);
  });
});
