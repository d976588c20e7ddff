// The emulator's live preview (camera.getLivePreview): an MJPEG stream, as a
// THETA sends it, of a picture turning (the folder's first JPEG, or a test
// pattern) with the frame number drawn in the middle. One frame source per
// camera, running only while someone watches; a watcher whose socket is still
// busy misses frames instead of queueing them, like a camera on Wi-Fi. Each part
// carries X-Frame (its number) and X-Sent-At (epoch ms when written) so a
// benchmark can tell frames shown from frames sent, and their age.
import { readdir } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import sharp from "sharp";

export const PREVIEW_BOUNDARY = "---osclivepreview---";

export interface PreviewFormat {
  width: number;
  height: number;
  framerate: number;
}

/** previewFormat values a THETA Z1 lists (previewFormatSupport). */
export const PREVIEW_FORMATS: PreviewFormat[] = [
  { width: 1920, height: 960, framerate: 8 },
  { width: 1024, height: 512, framerate: 30 },
  { width: 1024, height: 512, framerate: 8 },
  { width: 640, height: 320, framerate: 30 },
  { width: 640, height: 320, framerate: 8 },
];

export interface PreviewFaults {
  /** Chance, per second of streaming, that a stream is cut mid-frame. */
  drop: number;
  /** The stream goes silent this long after every five seconds of frames. */
  stallMs: number;
}

export interface PreviewStats {
  /** getLivePreview requests answered with a stream. */
  previewRequests: number;
  /** Frames written, summed over every stream. */
  previewFramesSent: number;
  /** Streams open now. */
  previewStreams: number;
}

/** Seconds a full turn of the picture takes. */
const TURN_SECONDS = 20;
const STALL_EVERY_MS = 5000;

interface Frame {
  number: number;
  jpeg: Buffer;
}

/** Makes frames at the preview format's rate while anyone watches. */
export class PreviewSource {
  private readonly watchers = new Set<(frame: Frame) => void>();
  private timer: NodeJS.Timeout | undefined;
  private base: { raw: Buffer; format: PreviewFormat } | undefined;
  private frameNumber = 0;
  private encoding = false;
  private started = 0;

  constructor(
    private readonly dir: string,
    private readonly format: () => PreviewFormat,
    private readonly log: (line: string) => void,
  ) {}

  watch(onFrame: (frame: Frame) => void): () => void {
    this.watchers.add(onFrame);
    if (!this.timer) this.start();
    return () => {
      this.watchers.delete(onFrame);
      if (this.watchers.size === 0) this.stop();
    };
  }

  private start(): void {
    const { framerate } = this.format();
    this.started = performance.now();
    let ticks = 0;
    // A self-correcting clock: tick n is due at started + n/framerate.
    const tick = () => {
      ticks += 1;
      void this.makeFrame();
      const due = this.started + (ticks * 1000) / framerate;
      this.timer = setTimeout(tick, Math.max(0, due - performance.now()));
    };
    this.timer = setTimeout(tick, 0);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One frame: the picture rolled by the turn so far, the frame number drawn, encoded. A busy encoder skips the tick. */
  private async makeFrame(): Promise<void> {
    if (this.encoding) return;
    this.encoding = true;
    try {
      const format = this.format();
      if (!this.base || this.base.format !== format) this.base = { raw: await basePicture(this.dir, format), format };
      const number = ++this.frameNumber;
      const { width, height, framerate } = format;
      const shift = Math.round((number * width) / (framerate * TURN_SECONDS)) % width;
      const raw = rolled(this.base.raw, width, height, shift);
      drawNumber(raw, width, height, number);
      const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 75 }).toBuffer();
      for (const watcher of this.watchers) watcher({ number, jpeg });
    } catch (error) {
      this.log(`preview frame failed: ${(error as Error).message}`);
    } finally {
      this.encoding = false;
    }
  }
}

/**
 * Answers one getLivePreview: streams frames until the client leaves, `end()` is
 * called (a picture is taken) or a fault cuts it. Returns `end`.
 */
export function streamPreview(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  source: PreviewSource,
  faults: PreviewFaults,
  stats: PreviewStats,
  framerate: number,
  log: (line: string) => void,
): () => void {
  stats.previewRequests += 1;
  stats.previewStreams += 1;
  res.writeHead(200, {
    "content-type": `multipart/x-mixed-replace; boundary="${PREVIEW_BOUNDARY}"`,
    "cache-control": "no-cache",
    connection: "close",
  });
  const opened = performance.now();
  let silentUntil = 0;
  let nextStall = opened + STALL_EVERY_MS;
  let closed = false;
  const close = (how: "end" | "cut") => {
    if (closed) return;
    closed = true;
    unwatch();
    stats.previewStreams -= 1;
    if (how === "end") res.end(`--${PREVIEW_BOUNDARY}--\r\n`);
    else req.socket.destroy();
  };
  const unwatch = source.watch((frame) => {
    const now = performance.now();
    if (faults.stallMs > 0 && now >= nextStall) {
      silentUntil = now + faults.stallMs;
      nextStall = silentUntil + STALL_EVERY_MS;
      log(`preview: stalling ${faults.stallMs} ms`);
    }
    if (now < silentUntil) return;
    // A client that has not taken the last frame yet misses this one.
    if (res.writableNeedDrain) return;
    const head = `--${PREVIEW_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.jpeg.length}\r\nX-Frame: ${frame.number}\r\nX-Sent-At: ${Date.now()}\r\n\r\n`;
    if (faults.drop > 0 && Math.random() < faults.drop / framerate) {
      log(`preview: cutting the stream in frame ${frame.number}`);
      res.write(head);
      res.write(frame.jpeg.subarray(0, frame.jpeg.length >> 1));
      setTimeout(() => close("cut"), 5);
      return;
    }
    res.write(head);
    res.write(frame.jpeg);
    res.write("\r\n");
    stats.previewFramesSent += 1;
  });
  res.on("close", () => {
    if (!closed) {
      closed = true;
      unwatch();
      stats.previewStreams -= 1;
    }
  });
  return () => close("end");
}

/** The folder's first JPEG at the preview size, or a test pattern; raw RGB. */
async function basePicture(dir: string, format: PreviewFormat): Promise<Buffer> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.jpe?g$/i.test(n) && !n.startsWith(".")).sort();
  for (const name of names) {
    try {
      return await sharp(path.join(dir, name)).resize(format.width, format.height, { fit: "fill" }).removeAlpha().raw().toBuffer();
    } catch {
      // not a picture sharp reads: try the next one
    }
  }
  return testPattern(format.width, format.height);
}

/** Colour bands by longitude, lighter towards the horizon, with a grid: a turn is plain to see. */
function testPattern(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const light = 1 - Math.abs(y / height - 0.5);
    for (let x = 0; x < width; x++) {
      const hue = (x / width) * 6;
      const i = Math.floor(hue);
      const f = hue - i;
      const rgb = [[1, f, 0], [1 - f, 1, 0], [0, 1, f], [0, 1 - f, 1], [f, 0, 1], [1, 0, 1 - f]][i % 6]!;
      const grid = x % 64 === 0 || y % 64 === 0 ? 0.3 : 1;
      const o = (y * width + x) * 3;
      raw[o] = rgb[0]! * 255 * light * grid;
      raw[o + 1] = rgb[1]! * 255 * light * grid;
      raw[o + 2] = rgb[2]! * 255 * light * grid;
    }
  }
  return raw;
}

/** The picture turned: every row moved `shift` pixels to the left, wrapping. */
function rolled(raw: Buffer, width: number, height: number, shift: number): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  const row = width * 3;
  const cut = shift * 3;
  for (let y = 0; y < height; y++) {
    const start = y * row;
    raw.copy(out, start, start + cut, start + row);
    raw.copy(out, start + row - cut, start, start + cut);
  }
  return out;
}

// Seven segments per digit: a, b, c, d, e, f, g.
const SEGMENTS = ["abcdef", "bc", "abdeg", "abcdg", "bcfg", "acdfg", "acdefg", "abc", "abcdefg", "abcdfg"];

/** The frame number in white seven-segment digits on a black box, in the middle of the picture (straight ahead). */
function drawNumber(raw: Buffer, width: number, height: number, n: number): void {
  const digits = String(n);
  const h = Math.max(10, Math.round(height / 10));
  const w = Math.round(h / 2);
  const t = Math.max(2, Math.round(h / 8));
  const gap = t * 2;
  const boxW = digits.length * (w + gap) + gap;
  const boxH = h + 2 * gap;
  const x0 = Math.round(width / 2 - boxW / 2);
  const y0 = Math.round(height / 2 - boxH / 2);
  const fill = (x: number, y: number, fw: number, fh: number, v: number) => {
    for (let yy = Math.max(0, y); yy < Math.min(height, y + fh); yy++) {
      for (let xx = x; xx < x + fw; xx++) {
        const o = (yy * width + (((xx % width) + width) % width)) * 3;
        raw[o] = raw[o + 1] = raw[o + 2] = v;
      }
    }
  };
  fill(x0, y0, boxW, boxH, 0);
  const half = Math.round(h / 2);
  [...digits].forEach((d, i) => {
    const x = x0 + gap + i * (w + gap);
    const y = y0 + gap;
    const on = SEGMENTS[Number(d)]!;
    if (on.includes("a")) fill(x, y, w, t, 255);
    if (on.includes("b")) fill(x + w - t, y, t, half, 255);
    if (on.includes("c")) fill(x + w - t, y + half, t, h - half, 255);
    if (on.includes("d")) fill(x, y + h - t, w, t, 255);
    if (on.includes("e")) fill(x, y + half, t, h - half, 255);
    if (on.includes("f")) fill(x, y, t, half, 255);
    if (on.includes("g")) fill(x, y + half - (t >> 1), w, t, 255);
  });
}
