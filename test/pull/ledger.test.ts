// The ledger of what was pulled: how a camera's file is recognised, and how a
// pull killed mid-write leaves it readable.
import assert from "node:assert/strict";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { identity, Ledger, LEDGER_FILE } from "../../src/pull/ledger.ts";
import { tempDir } from "./helpers.ts";

test("a file is known whatever host served it; a torn last line is skipped and the next entry starts a line of its own", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = { fileUrl: "http://192.168.1.1/files/100RICOH/R1.JPG", size: 10, dateTimeZone: "2024:01:02 03:04:05+01:00" };
    assert.equal(identity(file), identity({ ...file, fileUrl: "http://10.0.0.7/files/100RICOH/R1.JPG" }));
    assert.notEqual(identity(file), identity({ ...file, size: 11 }));
    assert.notEqual(identity(file), identity({ ...file, dateTimeZone: "2024:01:02 03:04:06+01:00" }));
    const ledger = await Ledger.open(dir);
    await ledger.record({ ...file, file: "R1.JPG", at: new Date().toISOString() });
    await ledger.close();
    await appendFile(path.join(dir, LEDGER_FILE), '{"fileUrl":"http://x/files/R2.JPG","si'); // killed mid-write
    const reopened = await Ledger.open(dir);
    assert.ok(reopened.has({ ...file, name: "R1.JPG" }));
    const r3 = { fileUrl: "http://x/files/R3.JPG", size: 3, name: "R3.JPG" };
    await reopened.record({ ...r3, file: "R3.JPG", at: "t" });
    await reopened.close();
    const lines = (await readFile(path.join(dir, LEDGER_FILE), "utf8")).split("\n");
    assert.equal(lines.length, 4); // entry, torn line, entry, ""
    const third = await Ledger.open(dir);
    assert.ok(third.has({ ...file, name: "R1.JPG" }));
    assert.ok(third.has(r3), "the entry after the torn line is read back");
    await third.close();
  } finally {
    await cleanup();
  }
});
