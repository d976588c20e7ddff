// The emulator's live preview as a THETA streams it: MJPEG frames of the folder's
// picture turning with the frame number drawn, at the previewFormat it reports;
// the stream ends when a picture is taken and is refused meanwhile; --drop cuts
// it and --no-preview makes a camera without one.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { boundaryOf, MultipartParser, type Part } from "../../src/live/multipart.ts";
import { startEmulator, type Emulator } from "../../src/pull/emulator/server.ts";
import { OscError } from "../../src/pull/errors.ts";
import { OscClient } from "../../src/pull/osc-client.ts";
import { startRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";
import { tempDir } from "./helpers.ts";

const USER = "THETAYL00000005";
const PASSWORD = "preview-Pass-3";

/** Reads frames until `enough` says so or the stream ends; `ended` tells which, and how. */
async function readFrames(client: OscClient, enough: (frames: Part[]) => boolean): Promise<{ frames: Part[]; ended?: string }> {
  const { contentType, body } = await client.livePreview({ stallMs: 10_000 });
  const parser = new MultipartParser(boundaryOf(contentType)!);
  const frames: Part[] = [];
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      frames.push(...parser.push(chunk));
      if (enough(frames)) return { frames };
    }
    return { frames, ended: parser.finished ? "closed" : "cut" };
  } catch (error) {
    return { frames, ended: `error: ${(error as Error).message}` };
  } finally {
    body.destroy();
  }
}

describe("emulator live preview", () => {
  let dir = "";
  let cleanup = async () => {};
  let emulator: Emulator;
  let client: OscClient;

  before(async () => {
    ({ dir, cleanup } = await tempDir("rotunda-preview-"));
    await makeEquirect(path.join(dir, "R0010001.JPG"), 1024, 512, 4);
    emulator = await startEmulator({ dir, username: USER, password: PASSWORD, captureMs: 300 });
    client = new OscClient({ name: "emu", url: emulator.url, username: USER, password: PASSWORD });
  });
  after(async () => {
    await client.close();
    await emulator.close();
    await cleanup();
  });

  test("frames of the picture turning, numbered, at the previewFormat it reports", async () => {
    await client.setOptions({ previewFormat: { width: 640, height: 320, framerate: 30 } });
    const options = await client.getOptions(["previewFormat", "previewFormatSupport"]);
    assert.deepEqual(options.previewFormat, { width: 640, height: 320, framerate: 30 });
    assert.ok(Array.isArray(options.previewFormatSupport));
    const { contentType } = await client.livePreview().then((s) => (s.body.destroy(), s));
    assert.equal(boundaryOf(contentType), "---osclivepreview---", "the boundary a THETA sends, quoted");

    const { frames } = await readFrames(client, (f) => f.length >= 40);
    const numbers = frames.map((f) => Number(f.headers["x-frame"]));
    assert.ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!), "frame numbers go up");
    const first = await sharp(frames[0]!.body).raw().toBuffer({ resolveWithObject: true });
    const last = await sharp(frames.at(-1)!.body).raw().toBuffer({ resolveWithObject: true });
    assert.equal(first.info.width, 640);
    assert.equal(first.info.height, 320);
    // The number sits on a black box in the middle; the picture around it turns.
    const at = (img: typeof first, x: number, y: number) => img.data[(y * img.info.width + x) * 3]!;
    const boxCorner = [Math.round(640 / 2 - 10), Math.round(320 / 2 - 18)] as const;
    assert.ok(at(first, boxCorner[0], boxCorner[1]) < 40, "a dark box behind the number");
    let moved = 0;
    for (let x = 0; x < 640; x += 4) moved += Math.abs(at(first, x, 40) - at(last, x, 40));
    assert.ok(moved / 160 > 3, `the picture turned between the first and the last frame (${(moved / 160).toFixed(1)})`);
    const whiteIn = (img: typeof first) => {
      let n = 0;
      for (let y = 150; y < 170; y++) for (let x = 290; x < 350; x++) if (at(img, x, y) > 200) n++;
      return n;
    };
    assert.ok(whiteIn(first) > 0, "digits are drawn");
  });

  test("taking a picture ends the preview, and a new one is refused until the picture is done", async () => {
    const reading = readFrames(client, () => false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = (await client.execute("camera.takePicture", {}, false)).id!;
    const { ended } = await reading;
    assert.equal(ended, "closed", "the stream ended with its closing boundary");
    await assert.rejects(client.livePreview(), (error: unknown) => error instanceof OscError && error.osc.code === "disabledCommand");
    for (let i = 0; i < 50 && (await client.status(id)).state !== "done"; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const { frames } = await readFrames(client, (f) => f.length >= 2);
    assert.equal(frames.length, 2, "the preview works again after the shot");
  });

  test("an unsupported previewFormat is refused", async () => {
    await assert.rejects(client.setOptions({ previewFormat: { width: 333, height: 111, framerate: 5 } }), (error: unknown) => error instanceof OscError && error.osc.code === "invalidParameterValue");
  });
});

describe("rotunda camera emulate: faults apply to the preview", () => {
  let dir = "";
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir("rotunda-preview-cli-"));
  });
  after(() => cleanup());

  const start = async (extra: string[]) => {
    const emulate = startRotunda(["camera", "emulate", "--dir", dir, "--port", "0", ...extra]);
    const url = (await emulate.waitFor(/at (http:\/\/\S+) /))[1]!;
    return { emulate, client: new OscClient({ name: "emu", url }) };
  };

  test("--drop cuts the stream mid-frame", async () => {
    const { emulate, client } = await start(["--drop", "1"]);
    try {
      const { frames, ended } = await readFrames(client, (f) => f.length >= 300);
      assert.ok(ended !== undefined && ended !== "closed", `the stream was cut (${ended} after ${frames.length} frames)`);
    } finally {
      await client.close();
      await emulate.stop();
    }
  });

  test("--no-preview: getLivePreview is an unknown command", async () => {
    const { emulate, client } = await start(["--no-preview"]);
    try {
      await assert.rejects(client.livePreview(), (error: unknown) => error instanceof OscError && error.osc.code === "unknownCommand");
    } finally {
      await client.close();
      await emulate.stop();
    }
  });
});
