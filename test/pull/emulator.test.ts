// The emulator's Digest checked by a client Rotunda did not write (curl), and the
// OSC client's commands against the emulator: paging, takePicture, options, delete,
// expiring nonces.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { startEmulator, type Emulator } from "../../src/pull/emulator/server.ts";
import { OscError } from "../../src/pull/errors.ts";
import { OscClient } from "../../src/pull/osc-client.ts";
import { makeFiles, tempDir } from "./helpers.ts";

const run = promisify(execFile);
const USER = "THETAYL00000001";
const PASSWORD = "emu-Pass-42";

describe("emulator", () => {
  let emulator: Emulator;
  let dir = "";
  let cleanup: () => Promise<void> = async () => {};
  let hashes: Map<string, string>;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    hashes = await makeFiles(dir, 13, 10_000, 60_000);
    emulator = await startEmulator({ dir, username: USER, password: PASSWORD, nonceTtlMs: 400, captureMs: 300 });
  });
  after(async () => {
    await emulator.close();
    await cleanup();
  });

  const curl = (args: string[]) => run("curl", ["--silent", "--show-error", "--digest", ...args], { encoding: "buffer", maxBuffer: 1 << 24 });

  test("curl --digest: info, a JSON POST and a download; a wrong password gets 401", async () => {
    const info = await curl(["-u", `${USER}:${PASSWORD}`, `${emulator.url}/osc/info`]);
    assert.equal((JSON.parse(info.stdout.toString()) as { model: string }).model, "RICOH THETA Z1 Emulator");
    const list = await curl([
      "-u", `${USER}:${PASSWORD}`,
      "-H", "content-type: application/json",
      "--data", JSON.stringify({ name: "camera.listFiles", parameters: { fileType: "image", entryCount: 100, maxThumbSize: 0 } }),
      `${emulator.url}/osc/commands/execute`,
    ]);
    const results = (JSON.parse(list.stdout.toString()) as { results: { entries: Array<{ name: string; size: number; dateTimeZone: string }>; totalEntries: number } }).results;
    assert.equal(results.totalEntries, 13);
    assert.match(results.entries[0]!.dateTimeZone, /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    const file = await curl(["-u", `${USER}:${PASSWORD}`, `${emulator.url}/files/R0010003.JPG?x=1`]);
    assert.ok((await readFile(path.join(dir, "R0010003.JPG"))).equals(file.stdout));
    const wrong = await curl(["-u", `${USER}:nope`, "-o", "/dev/null", "-w", "%{http_code}", `${emulator.url}/osc/info`]);
    assert.equal(wrong.stdout.toString(), "401");
  });

  test("download goes to the camera's own origin whatever host a fileUrl names", async () => {
    const client = new OscClient({ name: "emu", url: emulator.url, username: USER, password: PASSWORD });
    try {
      const target = path.join(dir, ".download-test");
      assert.equal(await client.download("http://127.0.0.1:9/files/R0010004.JPG?x=1", target), (await readFile(path.join(dir, "R0010004.JPG"))).length);
      assert.ok((await readFile(target)).equals(await readFile(path.join(dir, "R0010004.JPG"))));
    } finally {
      await client.close();
    }
  });

  test("listFiles pages with startPosition/entryCount until totalEntries", async () => {
    const client = new OscClient({ name: "emu", url: emulator.url, username: USER, password: PASSWORD });
    try {
      const files = await client.listFiles("image", 5);
      assert.deepEqual(files.map((f) => f.name).sort(), [...hashes.keys()].sort());
      assert.ok(files.every((f) => f.fileUrl.startsWith(`${emulator.url}/files/`) && f.size > 0 && f.dateTimeZone));
    } finally {
      await client.close();
    }
  });

  test("expired nonces are answered stale=true and re-authenticated without failing", async () => {
    const client = new OscClient({ name: "emu", url: emulator.url, username: USER, password: PASSWORD });
    try {
      await client.state();
      const staleBefore = emulator.guard!.staleChallenges;
      await sleep(500);
      await client.state();
      assert.equal(emulator.guard!.staleChallenges, staleBefore + 1);
    } finally {
      await client.close();
    }
  });

  test("takePicture polls status until done; options round-trip; dateTimeZone alone; delete", async () => {
    const client = new OscClient({ name: "emu", url: emulator.url, username: USER, password: PASSWORD });
    try {
      const fileUrl = await client.takePicture(100);
      assert.match(fileUrl, /\/files\/R\d+\.JPG$/);
      assert.equal((await client.listFiles()).length, 14);
      await client.setOptions({ iso: 400, dateTimeZone: "2030:01:02 03:04:05+00:00" });
      const options = await client.getOptions(["iso", "dateTimeZone"]);
      assert.equal(options.iso, 400);
      assert.match(String(options.dateTimeZone), /^2030:01:0[12] /);
      await assert.rejects(client.execute("camera.setOptions", { options: { iso: 100, dateTimeZone: "2030:01:02 03:04:05+00:00" } }), (e: unknown) => {
        assert.ok(e instanceof OscError);
        assert.equal(e.osc.code, "invalidParameterValue");
        assert.equal(e.status, 400);
        return true;
      });
      await assert.rejects(client.getOptions(["noSuchOption"]), /emu: camera.getOptions failed: invalidParameterName/);
      await client.delete([fileUrl]);
      assert.equal((await client.listFiles()).length, 13);
    } finally {
      await client.close();
    }
  });
});
