// The Digest interceptor and the OSC client against a server Rotunda did not write:
// Apache httpd with mod_auth_digest (and mod_reflector to answer JSON POSTs).
// Needs Debian apache2-bin; without it this test FAILS (it never skips silently).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AuthError } from "../../src/pull/errors.ts";
import { OscClient } from "../../src/pull/osc-client.ts";
import { freePort, tempDir } from "./helpers.ts";

const APACHE = "/usr/sbin/apache2";
const MODULES = "/usr/lib/apache2/modules";
const REALM = "RICOH THETA Z1 (Apache, realm with a comma)";
const USER = "THETAYL00000001";
const PASSWORD = "pa55-Word==";

describe("Digest against Apache httpd", () => {
  let apache: ChildProcess | undefined;
  let root = "";
  let cleanup: () => Promise<void> = async () => {};
  let url = "";
  const picture = randomBytes(300 * 1024 + 17);

  before(async () => {
    assert.ok(
      existsSync(APACHE) && existsSync(path.join(MODULES, "mod_auth_digest.so")),
      `${APACHE} with mod_auth_digest is required: apt-get install apache2-bin apache2-utils`,
    );
    ({ dir: root, cleanup } = await tempDir("rotunda-apache-"));
    // Apache drops to www-data for its workers: they must be able to read these.
    await chmod(root, 0o755);
    await mkdir(path.join(root, "htdocs/osc"), { recursive: true, mode: 0o755 });
    await mkdir(path.join(root, "htdocs/files"), { recursive: true, mode: 0o755 });
    await writeFile(path.join(root, "htdocs/osc/info"), JSON.stringify({ manufacturer: "Apache", model: "httpd" }), { mode: 0o644 });
    await writeFile(path.join(root, "htdocs/files/R0010001.JPG"), picture, { mode: 0o644 });
    const ha1 = createHash("md5").update(`${USER}:${REALM}:${PASSWORD}`).digest("hex");
    await writeFile(path.join(root, "htdigest"), `${USER}:${REALM}:${ha1}\n`, { mode: 0o644 });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const load = (name: string, file: string) => `LoadModule ${name}_module ${MODULES}/mod_${file}.so`;
    const conf = [
      `ServerRoot "${root}"`,
      `PidFile "${root}/httpd.pid"`,
      `ErrorLog "${root}/error.log"`,
      `Listen 127.0.0.1:${port}`,
      `ServerName 127.0.0.1`,
      ...(process.getuid?.() === 0 ? ["User www-data", "Group www-data"] : []),
      load("mpm_event", "mpm_event"),
      load("authz_core", "authz_core"),
      load("authz_user", "authz_user"),
      load("authn_core", "authn_core"),
      load("authn_file", "authn_file"),
      load("auth_digest", "auth_digest"),
      load("reflector", "reflector"),
      `DocumentRoot "${root}/htdocs"`,
      `LogFormat "%m %U%q %>s" brief`,
      `CustomLog "${root}/access.log" brief`,
      `<Directory "${root}/htdocs">`,
      `  AuthType Digest`,
      `  AuthName "${REALM}"`,
      `  AuthDigestProvider file`,
      `  AuthUserFile "${root}/htdigest"`,
      `  Require valid-user`,
      `</Directory>`,
      `<Location "/osc/commands">`,
      `  SetHandler reflector`,
      `  AuthType Digest`,
      `  AuthName "${REALM}"`,
      `  AuthDigestProvider file`,
      `  AuthUserFile "${root}/htdigest"`,
      `  Require valid-user`,
      `</Location>`,
    ].join("\n");
    await writeFile(path.join(root, "httpd.conf"), conf + "\n");
    apache = spawn(APACHE, ["-f", path.join(root, "httpd.conf"), "-DFOREGROUND"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    apache.stdout!.on("data", (d: Buffer) => (output += d));
    apache.stderr!.on("data", (d: Buffer) => (output += d));
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => (s.end(), resolve(true)));
        s.on("error", () => resolve(false));
      });
      if (up) break;
      if (apache.exitCode !== null || i > 100) {
        const log = await readFile(path.join(root, "error.log"), "utf8").catch(() => "");
        assert.fail(`apache did not start: ${output}\n${log}`);
      }
      await sleep(100);
    }
  });

  after(async () => {
    if (apache && apache.exitCode === null) {
      const exited = new Promise((r) => apache!.once("exit", r));
      apache.kill("SIGTERM");
      await exited;
    }
    await cleanup();
  });

  const statuses = async () =>
    (await readFile(path.join(root, "access.log"), "utf8"))
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" "));

  test("right password: GET JSON, JSON POSTs and a streamed download, all on one nonce", async () => {
    const client = new OscClient({ name: "apache", url, username: USER, password: PASSWORD });
    const { dir, cleanup: done } = await tempDir();
    try {
      assert.deepEqual(await client.info(), { manufacturer: "Apache", model: "httpd" });
      for (let i = 0; i < 5; i++) {
        const echoed = await client.execute("camera.getOptions", { optionNames: ["iso"], i });
        assert.deepEqual(echoed, { name: "camera.getOptions", parameters: { optionNames: ["iso"], i } } as unknown);
      }
      const file = path.join(dir, "a.jpg");
      assert.equal(await client.download(`${url}/files/R0010001.JPG?cache=no&x=1`, file), picture.length);
      assert.ok((await readFile(file)).equals(picture));
    } finally {
      await client.close();
      await done();
    }
    const lines = await statuses();
    assert.equal(lines.filter((l) => l[2] === "401").length, 1, `one challenge for all requests:\n${lines.join("\n")}`);
    assert.equal(lines.filter((l) => l[2] === "200").length, 7);
    assert.ok(lines.some((l) => l[0] === "GET" && l[1] === "/files/R0010001.JPG?cache=no&x=1" && l[2] === "200"));
  });

  test("wrong password: a clear AuthError naming the camera, the password nowhere in it", async () => {
    const client = new OscClient({ name: "lobby", url, username: USER, password: "not-the-Password" });
    try {
      await assert.rejects(client.info(), (error: unknown) => {
        assert.ok(error instanceof AuthError, String(error));
        assert.equal(error.status, 401);
        assert.match(error.message, /^lobby: authentication failed/);
        assert.ok(!error.message.includes("not-the-Password"));
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
