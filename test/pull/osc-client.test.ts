// What the OSC client reads from a camera's answers, apart from the wire (see
// emulator.test.ts and apache-digest.test.ts for that).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDateTimeZone } from "../../src/pull/osc-client.ts";

test("a camera's dateTimeZone is read with its offset; anything else is no date", () => {
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00+02:00")?.toISOString(), "2024-05-01T10:30:00.000Z");
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00-0530")?.toISOString(), "2024-05-01T18:00:00.000Z");
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00Z")?.toISOString(), "2024-05-01T12:30:00.000Z");
  assert.equal(parseDateTimeZone("yesterday"), undefined);
  assert.equal(parseDateTimeZone(undefined), undefined);
});
