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

describe("emulator answers malformed requests as a camera does", () => {
  let emulator: Emulator;
  let dir = "";
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await makeFiles(dir, 3, 1_000, 2_000);
    emulator = await startEmulator({ dir });
  });
  after(async () => {
    await emulator.close();
    await cleanup();
  });

  const execute = async (body: string | object) => {
    const response = await fetch(`${emulator.url}/osc/commands/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { name?: string; state?: string; error?: { code: string }; results?: Record<string, unknown> } };
  };

  test("commands with missing or invalid parameters get an OSC error naming the command", async () => {
    const cases: Array<[string | object, number, string | undefined, string]> = [
      ["not json", 400, "unknown", "invalidParameterValue"],
      [{}, 400, "unknown", "unknownCommand"],
      [{ name: "camera.nope" }, 400, "camera.nope", "unknownCommand"],
      [{ name: "camera.listFiles", parameters: { fileType: "image" } }, 400, "camera.listFiles", "missingParameter"],
      [{ name: "camera.listFiles", parameters: { fileType: "image", entryCount: -1, maxThumbSize: 0 } }, 400, "camera.listFiles", "invalidParameterValue"],
      [{ name: "camera.getOptions", parameters: {} }, 400, "camera.getOptions", "missingParameter"],
      [{ name: "camera.setOptions", parameters: {} }, 400, "camera.setOptions", "missingParameter"],
      [{ name: "camera.setOptions", parameters: { options: { dateTimeZone: "tomorrow" } } }, 400, "camera.setOptions", "invalidParameterValue"],
      [{ name: "camera.delete", parameters: { fileUrls: [] } }, 400, "camera.delete", "missingParameter"],
      [{ name: "camera.delete", parameters: { fileUrls: Array.from({ length: 129 }, () => "x") } }, 400, "camera.delete", "invalidParameterValue"],
      [{ name: "camera.delete", parameters: { fileUrls: [`${emulator.url}/files/R0010001.JPG`, `${emulator.url}/files/none.JPG`] } }, 400, "camera.delete", "invalidParameterValue"],
    ];
    for (const [body, status, name, code] of cases) {
      const answer = await execute(body);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(answer.json.state, "error", JSON.stringify(body));
      assert.equal(answer.json.name, name, JSON.stringify(body));
      assert.equal(answer.json.error?.code, code, JSON.stringify(body));
    }
    const status = await fetch(`${emulator.url}/osc/commands/status`, { method: "POST", body: JSON.stringify({ id: "42" }) });
    assert.equal(status.status, 400);
    assert.equal(((await status.json()) as { error: { code: string } }).error.code, "invalidParameterValue");
    const files = await execute({ name: "camera.listFiles", parameters: { fileType: "image", entryCount: 10, maxThumbSize: 0 } });
    assert.equal(files.json.results?.totalEntries, 3, "a delete naming one missing file deletes nothing");
  });

  test("listings without detail or of videos, state, info, HEAD, and paths that name no file", async () => {
    const brief = await execute({ name: "camera.listFiles", parameters: { fileType: "image", entryCount: 2, maxThumbSize: 0, _detail: false } });
    const entries = brief.json.results?.entries as Array<Record<string, unknown>>;
    assert.equal(entries.length, 2);
    assert.deepEqual(Object.keys(entries[0]!).sort(), ["fileUrl", "name", "size"]);
    const videos = await execute({ name: "camera.listFiles", parameters: { fileType: "video", entryCount: 10, maxThumbSize: 0 } });
    assert.deepEqual(videos.json.results, { entries: [], totalEntries: 0 });

    const state = (await (await fetch(`${emulator.url}/osc/state`, { method: "POST" })).json()) as { fingerprint: string; state: { _captureStatus: string; _latestFileUrl: string } };
    assert.equal(state.fingerprint, "FIG_0003");
    assert.equal(state.state._captureStatus, "idle");
    assert.match(state.state._latestFileUrl, new RegExp(`^${emulator.url}/files/R\\d+\\.JPG$`));
    const info = (await (await fetch(`${emulator.url}/osc/info`)).json()) as { endpoints: { httpPort: number } };
    assert.equal(info.endpoints.httpPort, emulator.port);

    const head = await fetch(`${emulator.url}/files/R0010001.JPG`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get("content-length")), (await readFile(path.join(dir, "R0010001.JPG"))).length);
    assert.equal(head.headers.get("content-type"), "image/jpeg");
    for (const target of ["/files/%E0%A4%A", "/files/.hidden", "/files/a%2Fb.JPG", "/files/none.JPG"]) {
      const response = await fetch(`${emulator.url}${target}`);
      assert.equal(response.status, 404, target);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "invalidParameterValue", target);
    }
    for (const [method, target] of [["GET", "/osc/nope"], ["PUT", "/osc/info"], ["POST", "/osc/nope"]] as const) {
      const response = await fetch(`${emulator.url}${target}`, { method });
      assert.equal(response.status, 404, `${method} ${target}`);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "unknownCommand", `${method} ${target}`);
    }
  });
});

describe("emulator faults", () => {
  test("busy answers 503 serviceUnavailable; drop cuts a download short", async () => {
    const { dir, cleanup } = await tempDir();
    await makeFiles(dir, 1, 100_000, 100_000);
    const busy = await startEmulator({ dir, busy: 1 });
    const cutting = await startEmulator({ dir, drop: 1 });
    try {
      const refused = await fetch(`${busy.url}/osc/info`);
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "serviceUnavailable");
      assert.equal(busy.stats.busy, 1);
      await assert.rejects(async () => {
        const response = await fetch(`${cutting.url}/files/R0010001.JPG`);
        await response.arrayBuffer();
      });
      assert.deepEqual({ downloads: cutting.stats.downloads, dropped: cutting.stats.dropped }, { downloads: 1, dropped: 1 });
    } finally {
      await busy.close();
      await cutting.close();
      await cleanup();
    }
  });
});
