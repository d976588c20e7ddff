import assert from "node:assert/strict";
import { test } from "node:test";
import { assignSlugs, slugify, titleFromFileName } from "../../src/process/slug.ts";

test("slugs come from file names, clashes take the folder, wishes win", () => {
  assert.equal(slugify("Café Lobby (East) 2.JPG"), "cafe-lobby-east-2-jpg");
  assert.deepEqual(
    assignSlugs([{ relPath: "lobby/R001.JPG" }, { relPath: "roof/R001.JPG" }, { relPath: "hall.jpg" }, { relPath: "x.jpg", wish: "hall" }]),
    ["lobby-r001", "roof-r001", "hall-2", "hall"],
  );
  assert.equal(titleFromFileName("cameras/lobby/east_wing-2026.jpg"), "East wing 2026");
});
