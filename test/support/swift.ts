// A real S3-compatible server for tests: OpenStack Swift from Debian with its S3
// API (s3api + tempauth, slo for multipart), one device in a temp dir, every
// server on a free 127.0.0.1 port, run as the current user. Starts in ~3–5 s.
//
// Needs: apt-get install swift swift-proxy swift-account swift-container swift-object
// Everything else (swift.conf, rings, configs) lives in the temp dir; /etc/swift is not read.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../src/ports.ts";

export interface SwiftS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  stop(): Promise<void>;
}

const SERVERS = ["account", "container", "object", "proxy"] as const;
const REQUIRED = [...SERVERS.map((s) => `swift-${s}-server`), "swift-ring-builder"];
export const INSTALL_HINT = "apt-get install -y swift swift-proxy swift-account swift-container swift-object";


function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

const common = (port: number, dir: string) => `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = ${os.userInfo().username}
swift_dir = ${dir}
devices = ${path.join(dir, "srv")}
mount_check = false
log_level = WARNING
`;

const proxyConf = (port: number, dir: string, memcachePort: number) => `${common(port, dir)}
[pipeline:main]
pipeline = catch_errors gatekeeper proxy-logging cache s3api tempauth copy slo dlo proxy-logging proxy-server

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:proxy-logging]
use = egg:swift#proxy_logging
# tempauth insists on a cache middleware; with no memcached behind it every lookup is a miss, which is fine here.
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachePort}
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
`;

/** `binDir` is where Debian puts the Swift commands; tests of the "not installed" error point it elsewhere. */
export async function startSwift({ binDir = "/usr/bin" }: { binDir?: string } = {}): Promise<SwiftS3> {
  const missing = REQUIRED.filter((b) => !existsSync(path.join(binDir, b)));
  if (missing.length > 0) {
    throw new Error(`OpenStack Swift is not installed (missing ${missing.join(", ")}); the deploy tests need a real S3 server: ${INSTALL_HINT}`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "rotunda-swift-"));
  await mkdir(path.join(dir, "srv", "d1"), { recursive: true });
  const ports = { account: await freePort(), container: await freePort(), object: await freePort(), proxy: await freePort(), memcache: await freePort() };
  await writeFile(
    path.join(dir, "swift.conf"),
    "[swift-hash]\nswift_hash_path_suffix = rotunda-test\nswift_hash_path_prefix = rotunda-test\n\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n",
  );
  for (const ring of ["account", "container", "object"] as const) {
    const builder = path.join(dir, `${ring}.builder`);
    for (const args of [["create", "0", "1", "0"], ["add", `r1z1-127.0.0.1:${ports[ring]}/d1`, "1"], ["rebalance"]]) {
      const r = spawnSync(path.join(binDir, "swift-ring-builder"), [builder, ...args], { encoding: "utf8" });
      if (r.status !== 0 && !(args[0] === "rebalance" && r.status === 1)) {
        throw new Error(`swift-ring-builder ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
      }
    }
    await writeFile(
      path.join(dir, `${ring}-server.conf`),
      `${common(ports[ring], dir)}\n[pipeline:main]\npipeline = ${ring}-server\n\n[app:${ring}-server]\nuse = egg:swift#${ring}\n`,
    );
  }
  await writeFile(path.join(dir, "proxy-server.conf"), proxyConf(ports.proxy, dir, ports.memcache));

  const children: ChildProcess[] = [];
  const logs = SERVERS.map((s) => path.join(dir, `${s}.log`));
  const killAll = () => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL"));
  process.once("exit", killAll);
  for (const [i, server] of SERVERS.entries()) {
    const log = openSync(logs[i] as string, "a");
    const child = spawn(path.join(binDir, `swift-${server}-server`), [path.join(dir, `${server}-server.conf`), "-v"], { stdio: ["ignore", log, log] });
    children.push(child);
  }

  const stop = async () => {
    process.removeListener("exit", killAll);
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill("SIGKILL"), 5000);
            c.once("exit", () => (clearTimeout(timer), resolve()));
            c.kill("SIGTERM");
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null);
    const up = await Promise.all(SERVERS.map((s) => canConnect(ports[s])));
    if (up.every(Boolean)) break;
    if (dead || Date.now() > deadline) {
      const tail = logs.map((l) => `--- ${path.basename(l)}\n${readFileSync(l, "utf8").slice(-1500)}`).join("\n");
      await stop();
      throw new Error(`Swift did not start (${dead ? "a server exited" : "timed out"}):\n${tail}`);
    }
    await sleep(100);
  }
  return {
    endpoint: `http://127.0.0.1:${ports.proxy}`,
    region: "us-east-1",
    accessKeyId: "test:tester",
    secretAccessKey: "testing",
    dir,
    stop,
  };
}

/** The environment the AWS SDK (and the rotunda command) needs to talk to this Swift. */
export function s3Env(swift: SwiftS3): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: swift.accessKeyId,
    AWS_SECRET_ACCESS_KEY: swift.secretAccessKey,
    AWS_REGION: swift.region,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** Creates a bucket, retrying while Swift, up already, has its account not ready yet. */
export async function createBucketWhenReady(swift: SwiftS3, bucket: string): Promise<void> {
  const { CreateBucketCommand, S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    endpoint: swift.endpoint,
    forcePathStyle: true,
    region: swift.region,
    credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
  });
  try {
    for (let i = 0; ; i++) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        return;
      } catch (error) {
        if (i > 50) throw error;
        await sleep(200);
      }
    }
  } finally {
    client.destroy();
  }
}
