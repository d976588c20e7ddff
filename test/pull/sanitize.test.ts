// File and folder names from what a camera says: a hostile or odd name never
// leaves the camera's folder or overwrites Rotunda's own files.
import assert from "node:assert/strict";
import { test } from "node:test";
import { alternativeName, folderNameForUrl, sanitizeFileName } from "../../src/pull/sanitize.ts";

test("names from a camera stay inside its folder, out of Rotunda's dotfiles and clear of Windows' reserved names", () => {
  const cases: Array<[string, string]> = [
    ["R0010015.JPG", "R0010015.JPG"],
    ["../../etc/passwd", "passwd"],
    ["/abs/path/x.jpg", "x.jpg"],
    ["..\\..\\windows\\win.ini", "win.ini"],
    ["..", "file"],
    [".", "file"],
    ["", "file"],
    ["a/..", "a"],
    [".rotunda-pull.jsonl", "rotunda-pull.jsonl"],
    [".rotunda-abc.part", "rotunda-abc.part"],
    ["nul", "_nul"],
    ["COM1.txt", "_COM1.txt"],
    ["lpt9.JPG", "_lpt9.JPG"],
    ["con.tar.gz", "con.tar.gz"],
    ["bad\u0000name\n.jpg", "bad_name_.jpg"],
    ['a<b>c:d"e|f?g*h.jpg', "a_b_c_d_e_f_g_h.jpg"],
    ["trailing. . ", "trailing"],
  ];
  for (const [input, expected] of cases) assert.equal(sanitizeFileName(input), expected, JSON.stringify(input));
  const long = sanitizeFileName("é".repeat(300) + ".JPG");
  assert.ok(Buffer.byteLength(long) <= 200 && long.endsWith(".JPG"));
  assert.equal(alternativeName("R1.JPG", 2), "R1-2.JPG");
  assert.equal(folderNameForUrl("http://192.168.1.1"), "192-168-1-1");
  assert.equal(folderNameForUrl("http://[::1]:8080/x"), "1_8080");
  assert.equal(folderNameForUrl("http://cam.local:80"), "cam-local");
});
