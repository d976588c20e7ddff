// Hostile cameras and bad configuration, through the real CLI: each failure names
// its camera, the others are unaffected, nothing lands outside the destination,
// and no password ever appears in any output.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startEmulator, type Emulator } from "../../src/pull/emulator/server.ts";
import { LEDGER_FILE } from "../../src/pull/ledger.ts";
import { runRotunda } from "../support/cli.ts";
import { hashFolder, makeFiles, freePort, tempDir } from "./helpers.ts";

const USER = "THETAYL00000001";
const PASSWORD = "Hostile-Secret-99";
const WRONG = "Wrong-Secret-12";

const HOSTILE_NAMES = [
  "../../../../../tmp/rotunda-evil-1.JPG",
  "/etc/passwd",
  "..",
  "CON.jpg",
  "a\u0000b.JPG",
  ".hidden.JPG",
  "sub\\..\\..\\x.JPG",
  "x.JPG",
  ".rotunda-pull.jsonl",
  "R0010001.md", // would be read as a sidecar
];
const SANITISED = ["rotunda-evil-1.JPG", "passwd.bin", "file.bin", "_CON.jpg", "a_b.JPG", "hidden.JPG", "x.JPG", "x-1.JPG", "rotunda-pull.jsonl.bin", "R0010001.md.bin"];

describe("hostile cameras", () => {
  let root = "";
  let cleanup: () => Promise<void> = async () => {};
  const servers: Array<{ close(): unknown }> = [];
  const emulators: Emulator[] = [];
  let goodHashes: Map<string, string>;
  let trapHashes: Map<string, string>;
  let urls: Record<string, string> = {};

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    const dirOf = async (name: string) => {
      const dir = path.join(root, "src", name);
      await mkdir(dir, { recursive: true });
      return dir;
    };
    const goodDir = await dirOf("good");
    goodHashes = await makeFiles(goodDir, 6, 10_000, 80_000);
    const good = await startEmulator({ dir: goodDir, username: USER, password: PASSWORD });
    const trapDir = await dirOf("trap");
    trapHashes = await makeFiles(trapDir, HOSTILE_NAMES.length, 1_000, 5_000);
    const names = [...trapHashes.keys()].sort();
    const trap = await startEmulator({ dir: trapDir, username: USER, password: PASSWORD, listName: (n) => HOSTILE_NAMES[names.indexOf(n)] ?? n });
    const locked = await startEmulator({ dir: goodDir, username: USER, password: "the-camera-has-another-one" });
    emulators.push(good, trap, locked);

    const listen = async (server: http.Server | net.Server) => {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      servers.push(server);
      return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    };
    const malformed = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"name":"camera.listFiles","state":"done","results":{"entries":[{"name":');
    });
    const html = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html><head><title>Hotel Wi-Fi login</title></head><body>Please log in</body></html>");
    });
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket)); // accepts, never answers
    servers.push({ close: () => sockets.forEach((s) => s.destroy()) });
    urls = {
      good: good.url,
      trap: trap.url,
      locked: locked.url,
      malformed: await listen(malformed),
      html: await listen(html),
      silent: await listen(silent),
      refused: `http://127.0.0.1:${await freePort()}`,
    };
  });

  after(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    for (const s of servers) s.close();
    await cleanup();
  });

  test("each bad camera fails fast with a message naming it; the others pull everything; no password in any output", async () => {
    const gallery = path.join(root, "gallery");
    await mkdir(gallery);
    const cameras = Object.entries(urls).map(([name, url]) => ({ name, url, username: USER, passwordEnv: name === "locked" ? "WRONG_PW" : "CAM_PW" }));
    await writeFile(
      path.join(gallery, "rotunda.json"),
      JSON.stringify({ cameras, pull: { timeoutSeconds: 2, connectTimeoutSeconds: 2, retries: 2 } }),
    );
    const started = Date.now();
    const result = await runRotunda(["pull", "--input", gallery], { env: { CAM_PW: PASSWORD, WRONG_PW: WRONG } });
    const elapsed = Date.now() - started;
    const output = result.stdout + result.stderr;
    assert.equal(result.code, 1, output);
    assert.ok(elapsed < 20_000, `a silent camera must not hold the pull (took ${elapsed} ms)`);

    const line = (name: string) => result.stdout.split("\n").find((l) => l.trimStart().startsWith(`${name} `)) ?? "";
    assert.match(line("good"), /\b6 new .* ok$/);
    assert.match(line("trap"), /\b10 new .* ok$/);
    for (const name of ["locked", "malformed", "html", "silent", "refused"]) assert.match(line(name), /FAILED$/, `${name}\n${output}`);
    assert.match(result.stdout, /silent: camera\.listFiles: no answer within 2 s/);
    assert.match(result.stdout, /malformed: camera\.listFiles: the camera did not answer JSON \(HTTP 200, application\/json/);
    assert.match(result.stdout, /html: camera\.listFiles: the camera did not answer JSON \(HTTP 200, text\/html: "Hotel Wi-Fi login"\)/);
    assert.match(result.stdout, /locked: authentication failed/);
    assert.match(result.stdout, /refused: camera\.listFiles: connection refused/);

    for (const secret of [PASSWORD, WRONG]) assert.ok(!output.includes(secret), "a password leaked into the output");

    assert.deepEqual(await hashFolder(path.join(gallery, "cameras", "good")), goodHashes);
    // Path traversal and friends: every file inside the camera folder, sanitised, none overwritten.
    const trapFolder = path.join(gallery, "cameras", "trap");
    const landed = await hashFolder(trapFolder);
    assert.deepEqual([...landed.keys()].sort(), [...SANITISED].sort());
    assert.deepEqual([...landed.values()].sort(), [...trapHashes.values()].sort(), "all contents arrived, none overwritten");
    assert.ok(!existsSync("/tmp/rotunda-evil-1.JPG"));
    assert.deepEqual((await readdir(gallery)).sort(), ["cameras", "rotunda.json"]);
    assert.deepEqual((await readdir(path.join(gallery, "cameras"))).sort(), Object.keys(urls).sort());
    // The camera's own ".rotunda-pull.jsonl" landed beside the ledger, not over it: the ledger still lists every file saved.
    const ledger = (await readFile(path.join(trapFolder, LEDGER_FILE), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { file: string });
    assert.deepEqual(ledger.map((entry) => entry.file).sort(), [...SANITISED].sort(), "the ledger was not clobbered");
  });

  test("camera info against the good and the locked camera: exit 1, each line names its camera", async () => {
    const gallery = path.join(root, "gallery-info");
    await mkdir(gallery);
    await writeFile(
      path.join(gallery, "rotunda.json"),
      JSON.stringify({ cameras: [{ name: "good", url: urls.good, username: USER, passwordEnv: "CAM_PW" }, { name: "locked", url: urls.locked, username: USER, passwordEnv: "WRONG_PW" }] }),
    );
    const result = await runRotunda(["camera", "info", "--input", gallery], { env: { CAM_PW: PASSWORD, WRONG_PW: WRONG } });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^good: \{"manufacturer":"RICOH"/m);
    assert.match(result.stderr, /^locked: authentication failed/m);
    assert.ok(!(result.stdout + result.stderr).includes(PASSWORD) && !(result.stdout + result.stderr).includes(WRONG));
  });
});

describe("configuration errors name the camera", () => {
  let root = "";
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir: root, cleanup } = await tempDir()));
  after(() => cleanup());

  const pullWith = async (config: unknown, env: NodeJS.ProcessEnv = {}) => {
    const gallery = await import("node:fs/promises").then((fs) => fs.mkdtemp(path.join(root, "g-")));
    await writeFile(path.join(gallery, "rotunda.json"), JSON.stringify(config));
    return runRotunda(["pull", "--input", gallery], { env });
  };

  test("an unknown key is refused, naming the camera and the key; exit 2", async () => {
    const r = await pullWith({ cameras: [{ name: "lobby", url: "http://127.0.0.1:9", passwrd: "x" }] });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cameras\[0\] \(lobby\): unknown key "passwrd"/);
  });

  test("every camera whose URL is not http(s) is named with the reason; exit 2", async () => {
    const r = await pullWith({ cameras: [{ name: "ok", url: "http://127.0.0.1:9" }, { name: "roof", url: "ftp://roof" }, { name: "garden", url: "not a url" }] });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cameras\[1\] \(roof\)\.url: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(r.stderr, /cameras\[2\] \(garden\)\.url: /);
  });

  test("a missing password variable is named with its camera, and another camera's password stays out of the message; exit 2", async () => {
    const r = await pullWith(
      { cameras: [{ name: "lobby", url: "http://127.0.0.1:9", username: "u", passwordEnv: "ROTUNDA_TEST_UNSET_PW" }, { name: "hall", url: "http://127.0.0.1:9", username: "u", passwordEnv: "HALL_PW" }] },
      { HALL_PW: "hall-Secret-1" },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /camera "lobby": environment variable ROTUNDA_TEST_UNSET_PW \(its passwordEnv\) is not set/);
    assert.ok(!(r.stdout + r.stderr).includes("hall-Secret-1"));
  });

  test("no camera configured: one line saying there is nothing to pull; exit 0", async () => {
    const r = await pullWith({ title: "x" });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^rotunda pull: no cameras configured in .*: nothing to pull\n$/);
  });

  test("--camera without --output is a usage error; exit 2", async () => {
    const r = await runRotunda(["pull", "--camera", "http://127.0.0.1:9"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--camera needs --output/);
  });
});
