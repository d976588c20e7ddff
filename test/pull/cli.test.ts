// The commands end to end: `rotunda camera emulate` as a child process (with faults),
// `rotunda pull --camera <url> … --output`, and `rotunda camera info|state|options|set|shoot --pull`.
import assert from "node:assert/strict";
import { readdir, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { runRotunda, startRotunda, type RotundaProcess } from "../support/cli.ts";
import { hashFolder, makeFiles, tempDir } from "./helpers.ts";

const PW = "cli-Emu-Secret-3";
const env = { EMU_PW: PW };

describe("rotunda camera / rotunda pull", () => {
  let root = "";
  let cleanup: () => Promise<void> = async () => {};
  let emulator: RotundaProcess;
  let url = "";
  let sources: Map<string, string>;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    const pictures = path.join(root, "pictures");
    await mkdir(pictures);
    sources = await makeFiles(pictures, 8, 20_000, 200_000);
    emulator = startRotunda(
      ["camera", "emulate", "--dir", pictures, "--port", "0", "--user", "THETA", "--password-env", "EMU_PW", "--drop", "0.1", "--busy", "0.1", "--nonce-ttl-ms", "500", "--capture-ms", "200"],
      { env },
    );
    url = (await emulator.waitFor(/http:\/\/127\.0\.0\.1:\d+/))[0];
  });

  after(async () => {
    await emulator?.stop();
    await cleanup();
  });

  test("pull --camera <url> --output <dir>: one sub-folder named from host and port, files identical, rerun pulls nothing", async () => {
    const out = path.join(root, "out");
    const first = await runRotunda(["pull", "--camera", url, "--user", "THETA", "--password-env", "EMU_PW", "--output", out], { env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const port = new URL(url).port;
    assert.deepEqual(await readdir(out), [`127-0-0-1_${port}`]);
    assert.deepEqual(await hashFolder(path.join(out, `127-0-0-1_${port}`)), sources);
    const second = await runRotunda(["pull", "--camera", url, "--user", "THETA", "--password-env", "EMU_PW", "--output", out], { env });
    assert.equal(second.code, 0);
    assert.match(second.stdout, /0 new +8 skipped +0 failed/);
    assert.ok(!(first.stdout + first.stderr + second.stdout + second.stderr).includes(PW));
  });

  test("camera info, state, options, set, shoot --pull on a configured camera", async () => {
    const gallery = path.join(root, "gallery");
    await mkdir(gallery);
    await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify({ cameras: [{ name: "roof", url, username: "THETA", passwordEnv: "EMU_PW" }] }));
    const info = await runRotunda(["camera", "info", "--input", gallery], { env });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^roof: \{"manufacturer":"RICOH","model":"RICOH THETA Z1 Emulator"/);
    const state = await runRotunda(["camera", "state", "--camera", "roof", "--input", gallery], { env });
    assert.match(state.stdout, /^roof: \{"fingerprint":"FIG_\w+","state":\{"batteryLevel":/);
    const set = await runRotunda(["camera", "set", "iso=800", "captureMode=image", "--input", gallery], { env });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'roof: {"iso":800,"captureMode":"image"}\n');
    const options = await runRotunda(["camera", "options", "iso", "--input", gallery], { env });
    assert.equal(options.stdout, 'roof: {"iso":800}\n');
    const all = await runRotunda(["camera", "options", "--input", gallery], { env });
    assert.match(all.stdout, /"whiteBalance":"auto"/);
    const bad = await runRotunda(["camera", "options", "--camera", "cellar", "--input", gallery], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no camera named "cellar" \(configured: roof\)/);

    const shoot = await runRotunda(["camera", "shoot", "--pull", "--input", gallery], { env });
    assert.equal(shoot.code, 0, shoot.stdout + shoot.stderr);
    const fileUrl = /^roof: \{"fileUrl":"([^"]+)"\}$/m.exec(shoot.stdout)?.[1];
    assert.ok(fileUrl, shoot.stdout);
    const name = decodeURIComponent(fileUrl.split("/").pop()!);
    assert.ok((await readdir(path.join(gallery, "cameras", "roof"))).includes(name), "the new picture was pulled");
    assert.ok(!(info.stdout + info.stderr + shoot.stdout + shoot.stderr + set.stderr).includes(PW));
  });
});
