import assert from "node:assert/strict";
import { test } from "node:test";
import { assignSlugs, slugify, titleFromFileName } from "../../src/process/slug.ts";

test("slugs come from file names, clashes take the folder, wishes win", () => {
  assert.equal(slugify("Café Lobby (East) 2.JPG"), "cafe-lobby-east-2-jpg");
  const { slugs, warnings } = assignSlugs([{ relPath: "lobby/R001.JPG" }, { relPath: "roof/R001.JPG" }, { relPath: "hall.jpg" }, { relPath: "x.jpg", wish: "hall" }]);
  assert.deepEqual(slugs, ["lobby-r001", "roof-r001", "hall-2", "hall"]);
  assert.deepEqual(warnings, [{ relPath: "hall.jpg", message: 'slug "hall" is taken by x.jpg: its page is /hall-2/' }]);
  assert.equal(titleFromFileName("cameras/lobby/east_wing-2026.jpg"), "East wing 2026");
});

test("a slug the gallery's own folders use gets a number, with a warning naming the picture", () => {
  const { slugs, warnings } = assignSlugs([{ relPath: "assets.jpg" }, { relPath: "b.jpg", wish: "media" }, { relPath: "tours/albums.jpg" }], new Set(["assets", "media", "albums"]));
  assert.deepEqual(slugs, ["assets-2", "media-2", "albums-2"]);
  assert.deepEqual(warnings.map((w) => w.relPath), ["assets.jpg", "b.jpg", "tours/albums.jpg"]);
  assert.match(warnings[0]!.message, /"assets" is a name the gallery's own pages use: its page is \/assets-2\//);
});
