// Small pieces: file-name sanitising, the ledger's crash tolerance, retry policy, dates.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { CameraError, OscError, ProtocolError, AuthError } from "../../src/pull/errors.ts";
import { startEmulator } from "../../src/pull/emulator/server.ts";
import { pullCameras } from "../../src/pull/fleet.ts";
import { identity, Ledger, LEDGER_FILE } from "../../src/pull/ledger.ts";
import { parseDateTimeZone } from "../../src/pull/osc-client.ts";
import { isTransient, withRetry } from "../../src/pull/retry.ts";
import { alternativeName, folderNameForUrl, sanitizeFileName } from "../../src/pull/sanitize.ts";
import { makeFiles, tempDir } from "./helpers.ts";

test("sanitizeFileName keeps names inside the folder and out of our dotfiles", () => {
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

test("ledger: identity ignores the host, a torn last line is skipped and the next entry starts a new line", async () => {
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
    assert.equal(reopened.size, 1);
    assert.ok(reopened.has({ ...file, name: "R1.JPG" }));
    await reopened.record({ fileUrl: "http://x/files/R3.JPG", size: 3, file: "R3.JPG", at: "t" });
    await reopened.close();
    const lines = (await readFile(path.join(dir, LEDGER_FILE), "utf8")).split("\n");
    assert.equal(lines.length, 4); // entry, torn line, entry, ""
    assert.equal((await Ledger.open(dir)).size, 2);
  } finally {
    await cleanup();
  }
});

test("retry: what is transient for a camera, timeouts retried at most once", async () => {
  assert.equal(isTransient(new OscError("c", "x", { code: "serviceUnavailable", message: "" }, 503)), true);
  assert.equal(isTransient(new OscError("c", "x", { code: "invalidParameterValue", message: "" }, 400)), false);
  assert.equal(isTransient(new AuthError("c", "no", 401)), false);
  assert.equal(isTransient(new ProtocolError("c", "html", 200)), false);
  assert.equal(isTransient(new CameraError("c", "reset", undefined, { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) })), true);
  assert.equal(isTransient(new CameraError("c", "404", 404)), false);
  let calls = 0;
  const timeout = () => new CameraError("c", "t", undefined, { cause: Object.assign(new Error("t"), { code: "UND_ERR_HEADERS_TIMEOUT" }) });
  await assert.rejects(withRetry(async () => { calls++; throw timeout(); }, { policy: { retries: 5, baseDelayMs: 1, maxDelayMs: 2 } }));
  assert.equal(calls, 2);
  calls = 0;
  const value = await withRetry(async () => { if (++calls < 4) throw new OscError("c", "x", { code: "serviceUnavailable", message: "" }, 503); return 42; }, { policy: { retries: 5, baseDelayMs: 1, maxDelayMs: 2 } });
  assert.equal(value, 42);
  assert.equal(calls, 4);
});

test("parseDateTimeZone", () => {
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00+02:00")?.toISOString(), "2024-05-01T10:30:00.000Z");
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00-0530")?.toISOString(), "2024-05-01T18:00:00.000Z");
  assert.equal(parseDateTimeZone("2024:05:01 12:30:00Z")?.toISOString(), "2024-05-01T12:30:00.000Z");
  assert.equal(parseDateTimeZone("yesterday"), undefined);
  assert.equal(parseDateTimeZone(undefined), undefined);
});

test("a camera folder locked by a live pull is refused; a lock left by a dead one is taken over", async () => {
  const { dir, cleanup } = await tempDir();
  const src = path.join(dir, "src");
  await mkdir(src);
  await makeFiles(src, 2, 100, 200);
  const emulator = await startEmulator({ dir: src });
  const sleeper = spawn("sleep", ["30"]);
  try {
    const folder = path.join(dir, "out", "cam");
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, ".rotunda-pull.lock"), String(sleeper.pid));
    const busy = await pullCameras({ root: path.join(dir, "out"), cameras: [{ name: "cam", url: emulator.url }] });
    assert.equal(busy.ok, false);
    assert.match(busy.cameras[0]!.errors[0]!, new RegExp(`^cam: another pull \\(pid ${sleeper.pid}\\) is writing to`));
    sleeper.kill("SIGKILL");
    await new Promise((r) => sleeper.once("exit", r));
    const after = await pullCameras({ root: path.join(dir, "out"), cameras: [{ name: "cam", url: emulator.url }] });
    assert.equal(after.ok, true);
    assert.equal(after.new, 2);
  } finally {
    sleeper.kill("SIGKILL");
    await emulator.close();
    await cleanup();
  }
});

test("a camera that disappears after its listing: a few files fail, the rest are not tried, the other camera is unaffected", async () => {
  const { dir, cleanup } = await tempDir();
  const srcA = path.join(dir, "a");
  const srcB = path.join(dir, "b");
  await mkdir(srcA);
  await mkdir(srcB);
  await makeFiles(srcA, 8, 1_000, 2_000);
  await makeFiles(srcB, 8, 1_000, 2_000);
  const gone = await startEmulator({ dir: srcA });
  const fine = await startEmulator({ dir: srcB });
  try {
    const result = await pullCameras({
      root: path.join(dir, "out"),
      cameras: [{ name: "gone", url: gone.url }, { name: "fine", url: fine.url }],
      pull: { perCamera: 2, concurrency: 4 },
      retryPolicy: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
      sink: { log: (line) => void (line.startsWith("gone: 8 on camera") && gone.close()) },
    });
    const [a, b] = result.cameras;
    assert.equal(a!.new, 0);
    assert.equal(a!.failed, 8);
    assert.match(a!.errors.at(-1)!, /^gone: gave up on [4-6] more file\(s\) after repeated failures$/);
    assert.match(a!.errors[0]!, /^gone: download \/files\/R\d+\.JPG: connection refused/);
    assert.equal(b!.new, 8);
    assert.deepEqual(b!.errors, []);
  } finally {
    await fine.close();
    await gone.close().catch(() => {});
    await cleanup();
  }
});
