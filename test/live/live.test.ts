// The live proxy against the emulator with Digest auth: one upstream connection
// however many viewers (the emulator counts its preview requests), closed when the
// last viewer leaves; a viewer that reads nothing holds at most a frame; a cut or
// stalled stream shows "reconnecting" and comes back; a camera without preview
// and a wrong password are said once; Shoot closes the preview, takes the picture
// and pulls it into the gallery. Credentials never reach a page.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pullShot } from "../../src/live/landing.ts";
import { startLiveServer, type LiveServer } from "../../src/live/server.ts";
import { startEmulator, type Emulator } from "../../src/pull/emulator/server.ts";
import { makeEquirect } from "../support/pictures.ts";
import { tempDir } from "../pull/helpers.ts";
import { until, watchEvents, watchStream } from "./helpers.ts";

const USER = "THETAYL00000042";
const PASSWORD = "live-Pass-77";
const SMALL = { width: 640, height: 320, framerate: 30 };
const quick = { stallMs: 2000, backoff: { baseDelayMs: 50, maxDelayMs: 200 } };

async function emulatorWithPicture(dir: string, options: Partial<Parameters<typeof startEmulator>[0]> = {}): Promise<Emulator> {
  await makeEquirect(path.join(dir, "R0010001.JPG"), 1024, 512, 3);
  return startEmulator({ dir, username: USER, password: PASSWORD, captureMs: 200, previewFormat: SMALL, ...options });
}

const camera = (emulator: Emulator, password = PASSWORD) => ({ name: "lobby-cam", url: emulator.url, username: USER, password });

describe("live proxy", () => {
  let dir = "";
  let cleanup = async () => {};
  let emulator: Emulator;
  let live: LiveServer;

  before(async () => {
    ({ dir, cleanup } = await tempDir("rotunda-live-"));
    emulator = await emulatorWithPicture(dir);
    live = await startLiveServer({ camera: camera(emulator), host: "127.0.0.1", port: 0, ...quick });
  });
  after(async () => {
    await live?.close();
    await emulator?.close();
    await cleanup();
  });

  test("two viewers at once share one upstream connection, closed when the last leaves", async () => {
    const before = emulator.stats.previewRequests;
    const a = watchStream(`${live.url}stream`);
    const b = watchStream(`${live.url}stream`);
    try {
      await a.waitFor(() => a.items.length >= 5, { what: "5 frames for viewer a" });
      await b.waitFor(() => b.items.length >= 5, { what: "5 frames for viewer b" });
      assert.equal(emulator.stats.previewRequests - before, 1, "one getLivePreview for both viewers");
      assert.equal(emulator.stats.previewStreams, 1);
      for (const frame of [...a.items, ...b.items]) {
        assert.equal(frame.headers["content-type"], "image/jpeg");
        assert.deepEqual([...frame.body.subarray(0, 2)], [0xff, 0xd8], "a JPEG");
      }
      const seqs = a.items.map((f) => Number(f.headers["x-rotunda-seq"]));
      assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), "frames in order, none twice");
      assert.ok(a.items.some((f) => f.headers["x-frame"]), "the camera's own frame headers are passed on");
    } finally {
      a.close();
      b.close();
    }
    await until(() => emulator.stats.previewStreams === 0, "the upstream preview closed after the last viewer left");
    assert.equal(live.camera.feed.status.state, "idle");
  });

  test("a viewer that reads nothing for 10 s holds at most a frame, and the others still get theirs", async () => {
    const socket = net.connect(new URL(live.url).port ? Number(new URL(live.url).port) : 80, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    socket.pause(); // never reads: its socket buffers fill, then Rotunda's would
    const reader = watchStream(`${live.url}stream`);
    try {
      await reader.waitFor(() => true, { what: "a first frame" });
      const firstSeq = live.camera.feed.latest!.seq;
      let largestFrame = 0;
      let mostBuffered = 0;
      for (let i = 0; i < 100; i++) {
        await sleep(100);
        largestFrame = Math.max(largestFrame, live.camera.feed.latest?.jpeg.length ?? 0);
        mostBuffered = Math.max(mostBuffered, live.bufferedBytes());
      }
      const sent = live.camera.feed.latest!.seq - firstSeq;
      assert.ok(sent >= 30, `frames kept coming meanwhile (${sent})`);
      assert.ok(reader.items.length >= 30, `the reading viewer got frames meanwhile (${reader.items.length})`);
      // The stalled viewer and the reading one: at most one frame (plus its part headers) each, never a queue.
      assert.ok(mostBuffered <= 2 * (largestFrame + 1024), `buffered at most ${mostBuffered} bytes for ${sent} frames of up to ${largestFrame} bytes`);
    } finally {
      reader.close();
      socket.destroy();
    }
  });

  test("a stream cut upstream shows reconnecting, and frames come back by themselves", async () => {
    const events = watchEvents(`${live.url}events`);
    const frames = watchStream(`${live.url}stream`);
    try {
      await events.waitFor((e) => e.status?.state === "live", { what: "live" });
      await frames.waitFor(() => true, { what: "a first frame" });
      const requests = emulator.stats.previewRequests;
      const seen = events.items.length;
      emulator.cutPreviews();
      const reconnecting = await events.waitFor((e) => e.status?.state === "reconnecting", { from: seen, what: "reconnecting" });
      assert.match(reconnecting.status!.message!, /lobby-cam/);
      await events.waitFor((e) => e.status?.state === "live", { from: events.items.indexOf(reconnecting), what: "live again" });
      const after = frames.items.length;
      await frames.waitFor(() => frames.items.length >= after + 3, { what: "frames after the cut" });
      assert.equal(emulator.stats.previewRequests, requests + 1, "one new upstream connection");
    } finally {
      events.close();
      frames.close();
    }
  });

  test("a request naming another host (DNS rebinding) is refused; an address or localhost is served", async () => {
    const port = Number(new URL(live.url).port);
    const statusFor = (host: string, target: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: target, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    assert.equal(await statusFor(`rebound.example:${port}`, "/"), 403);
    assert.equal(await statusFor(`rebound.example:${port}`, "/state"), 403);
    assert.equal(await statusFor(`localhost:${port}`, "/"), 200);
    assert.equal(await statusFor(`127.0.0.1:${port}`, "/"), 200);
  });

  test("the page carries no credentials; Shoot needs the page's header", async () => {
    for (const url of [live.url, `${live.url}live.js`, `${live.url}state`]) {
      const text = await (await fetch(url)).text();
      assert.ok(!text.includes(PASSWORD) && !text.includes(USER), `${url} names no credential`);
    }
    const refused = await fetch(`${live.url}shoot`, { method: "POST" });
    assert.equal(refused.status, 403);
    const state = (await (await fetch(`${live.url}state`)).json()) as { camera: { batteryLevel: number; remainingPictures: number; captureStatus: string } };
    assert.equal(state.camera.batteryLevel, 0.89);
    assert.equal(state.camera.captureStatus, "idle");
    assert.equal(typeof state.camera.remainingPictures, "number");
  });
});

describe("live proxy: shoot into a gallery", () => {
  let dir = "";
  let cleanup = async () => {};
  let emulator: Emulator;
  let live: LiveServer;
  let gallery = "";

  before(async () => {
    ({ dir, cleanup } = await tempDir("rotunda-live-shoot-"));
    await mkdir(path.join(dir, "camera"));
    gallery = path.join(dir, "gallery");
    await mkdir(gallery);
    emulator = await emulatorWithPicture(path.join(dir, "camera"));
    const cam = camera(emulator);
    live = await startLiveServer({ camera: cam, host: "127.0.0.1", port: 0, ...quick, shotPollMs: 100, land: (fileUrl) => pullShot({ galleryDir: gallery, camera: cam, pull: { into: "cameras" }, fileUrl }) });
  });
  after(async () => {
    await live?.close();
    await emulator?.close();
    await cleanup();
  });

  test("Shoot closes the preview, takes the picture, opens the preview again and pulls the picture in", async () => {
    const events = watchEvents(`${live.url}events`);
    const frames = watchStream(`${live.url}stream`);
    try {
      await frames.waitFor(() => true, { what: "a first frame" });
      const requests = emulator.stats.previewRequests;
      const [first, second] = await Promise.all([
        fetch(`${live.url}shoot`, { method: "POST", headers: { "x-rotunda-live": "1" } }),
        sleep(20).then(() => fetch(`${live.url}shoot`, { method: "POST", headers: { "x-rotunda-live": "1" } })),
      ]);
      assert.equal(second.status, 409, "one shot at a time");
      assert.equal(first.status, 200);
      const shot = (await first.json()) as { fileUrl: string; file: string; picture: string; page?: string };
      assert.match(shot.fileUrl, /\/files\/R\d+\.JPG$/);
      assert.equal(shot.file, `cameras/lobby-cam/${shot.fileUrl.split("/").pop()}`);
      assert.equal(shot.page, undefined, "no build here, so no page");
      assert.ok(events.items.some((e) => e.status?.state === "shooting"), "the page was told the camera is shooting");
      const onDisk = await readFile(path.join(gallery, shot.file));
      const served = Buffer.from(await (await fetch(new URL(shot.picture, live.url))).arrayBuffer());
      assert.ok(served.equals(onDisk), "the page can show the landed picture");
      await events.waitFor((e) => e.type === "shot", { what: "the shot announced" });
      const count = frames.items.length;
      await frames.waitFor(() => frames.items.length > count + 2, { what: "frames after the shot" });
      assert.equal(emulator.stats.previewRequests, requests + 1, "the preview was opened again once");
      // The pull took the camera's other new picture too, as `rotunda pull` would.
      assert.deepEqual((await readdir(path.join(gallery, "cameras/lobby-cam"))).filter((n) => !n.startsWith(".")).sort(), ["R0010001.JPG", shot.file.split("/").pop()].sort());
    } finally {
      events.close();
      frames.close();
    }
  });
});

describe("live proxy: cameras that cannot stream", () => {
  let dir = "";
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir("rotunda-live-no-"));
  });
  after(() => cleanup());

  interface Session {
    emulator: Emulator;
    live: LiveServer;
    events: ReturnType<typeof watchEvents>;
    frames: ReturnType<typeof watchStream>;
  }

  /** An emulator and a live server with a page's two connections open, for `fn`; all closed after. */
  async function watching(emulatorOptions: Parameters<typeof emulatorWithPicture>[1], liveOptions: Partial<Parameters<typeof startLiveServer>[0]>, fn: (session: Session) => Promise<void>): Promise<void> {
    const emulator = await emulatorWithPicture(dir, emulatorOptions);
    const live = await startLiveServer({ camera: camera(emulator), host: "127.0.0.1", port: 0, ...quick, ...liveOptions });
    const events = watchEvents(`${live.url}events`);
    const frames = watchStream(`${live.url}stream`);
    try {
      await fn({ emulator, live, events, frames });
    } finally {
      events.close();
      frames.close();
      await live.close();
      await emulator.close();
    }
  }

  test("a camera without live preview gets a clear message, asked once", () =>
    watching({ livePreview: false }, {}, async ({ events, frames }) => {
      const unsupported = await events.waitFor((e) => e.status?.state === "unsupported", { what: "unsupported" });
      assert.match(unsupported.status!.message!, /lobby-cam: this camera has no live preview/);
      await sleep(500);
      assert.equal(frames.items.length, 0);
      assert.ok(!events.items.some((e) => e.status?.state === "reconnecting"), "not asked again and again");
    }));

  test("a wrong password is said once, and never shown", () =>
    watching({ password: "right-Secret-2" }, {}, async ({ events }) => {
      const failed = await events.waitFor((e) => e.status?.state === "failed", { what: "failed" });
      assert.match(failed.status!.message!, /lobby-cam: authentication failed/);
      assert.ok(!JSON.stringify(events.items).includes(PASSWORD) && !JSON.stringify(events.items).includes("right-Secret-2"));
    }));

  test("a THETA speaking API v2.0: a session, then camera._getLivePreview", () =>
    watching({ apiVersion: 1 }, {}, async ({ emulator, live, frames }) => {
      await frames.waitFor(() => frames.items.length >= 3, { what: "3 frames from the v2.0 preview" });
      assert.equal(emulator.stats.previewRequests, 1);
      assert.equal(live.camera.feed.status.state, "live");
    }));

  // The emulator goes silent stallMs after every five seconds of frames (and answers stallMs late).
  test("a camera that stalls mid-stream is asked again, and frames come back", () =>
    watching({ stallMs: 1500 }, { stallMs: 500 }, async ({ emulator, events, frames }) => {
      const stalled = await events.waitFor((e) => e.status?.state === "reconnecting", { what: "reconnecting after a stall", timeoutMs: 30_000 });
      assert.match(stalled.status!.message!, /stalled/);
      const count = frames.items.length;
      await frames.waitFor(() => frames.items.length > count + 2, { what: "frames after the stall", timeoutMs: 30_000 });
      assert.ok(emulator.stats.previewRequests >= 2);
    }));
});
