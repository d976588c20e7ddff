// An OSC v2.1 camera emulator (THETA-like) on node:http: Digest auth, listFiles
// with details, file downloads, takePicture, options, delete, a live preview
// (preview.ts), and faults on request (cut downloads and previews, 503s, stalls,
// expiring nonces) to test the client against a hostile network. It is a peer,
// not the client: only node:http here (and sharp to draw preview frames).
import { copyFile, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createReadStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DigestGuard } from "./digest-server.ts";
import { PREVIEW_FORMATS, PreviewSource, streamPreview, type PreviewFormat, type PreviewStats } from "./preview.ts";

export interface EmulatorOptions {
  /** Folder whose pictures the camera holds (files directly inside, dotfiles ignored). */
  dir: string;
  /** 0 picks a free port (default). */
  port?: number;
  host?: string;
  /** When set (with password), every request needs Digest auth. */
  username?: string;
  password?: string;
  realm?: string;
  /** Fraction of file downloads cut mid-body (socket destroyed); a live preview is cut with this chance per second. */
  drop?: number;
  /** Fraction of requests answered 503 serviceUnavailable. */
  busy?: number;
  /** Delay before every answer, ms; a live preview also goes silent this long after every five seconds. */
  stallMs?: number;
  /** False: a camera without live preview (getLivePreview is an unknownCommand). */
  livePreview?: boolean;
  /** The preview format it starts with (one of PREVIEW_FORMATS; default 1024×512 at 30 fps). */
  previewFormat?: PreviewFormat;
  /**
   * 1: a THETA S speaking the older API v2.0 (its `_apiVersion` 1): the preview is
   * camera._getLivePreview inside a session (camera.startSession), and
   * camera.getLivePreview is unknown. Default 2 (API v2.1).
   */
  apiVersion?: 1 | 2;
  /** Nonces expire after this (answered stale=true). */
  nonceTtlMs?: number;
  /** takePicture stays inProgress this long (default 1500 ms). */
  captureMs?: number;
  /** Name shown in listings for a file (hostile-camera tests); the fileUrl stays real. */
  listName?: (name: string) => string;
  /** One line per notable event (faults, auth failures). */
  log?: (line: string) => void;
}

/** What the emulator did, for tests to check. */
export interface EmulatorStats extends PreviewStats {
  /** File downloads started (HEAD included). */
  downloads: number;
  /** Downloads cut mid-body (`drop`). */
  dropped: number;
  /** Requests answered 503 (`busy`). */
  busy: number;
}

export interface Emulator {
  url: string;
  port: number;
  stats: EmulatorStats;
  /** The Digest checker, whose staleChallenges tests read (undefined without auth). */
  guard?: DigestGuard;
  /** Cuts every live preview stream now (sockets destroyed mid-stream). */
  cutPreviews(): void;
  close(): Promise<void>;
}

interface Capture {
  state: "inProgress" | "done" | "error";
  fileUrl?: string;
  error?: { code: string; message: string };
}

interface Dimensions {
  width: number;
  height: number;
}

interface Picture {
  name: string;
  size: number;
  mtime: Date;
  dims?: Dimensions;
}

/** A command's `parameters`, or a request's JSON body. */
type Fields = Record<string, unknown>;

/** A JSON answer: its HTTP status and body. */
interface Answer {
  status: number;
  body: unknown;
}

const JSON_TYPE = "application/json;charset=utf-8";

const ok = (body: unknown): Answer => ({ status: 200, body });

/** The OSC error body: `{ name, state: "error", error: { code, message } }`. */
const oscError = (status: number, name: string, code: string, message: string): Answer => ({
  status,
  body: { name, state: "error", error: { code, message } },
});

function sendJson(res: http.ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** "YYYY:MM:DD hh:mm:ss+hh:mm" in local time, as THETA lists it. */
function formatDateTimeZone(date: Date): string {
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${p(date.getFullYear(), 4)}:${p(date.getMonth() + 1)}:${p(date.getDate())} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}${sign}${p(Math.trunc(offset / 60))}:${p(offset % 60)}`
  );
}

/** Width and height from a JPEG's SOF marker (first 256 KB only), or undefined. */
async function jpegSize(file: string): Promise<Dimensions | undefined> {
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
    let i = 2;
    while (i + 9 < bytesRead) {
      if (buf[i] !== 0xff) return undefined;
      const marker = buf[i + 1]!;
      const length = buf.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
      }
      i += 2 + length;
    }
  } finally {
    await handle.close();
  }
  return undefined;
}

// A 1×1 JPEG, used by takePicture when the folder holds nothing to copy.
const TINY_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////2wBDAf//////////////////////////////////////////////////////////////////////////////////////wAARCAABAAEDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AfwD/2Q==",
  "base64",
);

/** The options a fresh camera reports (getOptions) until setOptions changes them. */
function factorySettings(): Fields {
  return {
    captureMode: "image",
    captureModeSupport: ["image", "_video"],
    exposureProgram: 2,
    exposureProgramSupport: [1, 2, 3, 4, 9],
    exposureCompensation: 0,
    iso: 0,
    isoSupport: [0, 80, 100, 125, 160, 200, 250, 320, 400, 500, 640, 800, 1000, 1250, 1600],
    whiteBalance: "auto",
    fileFormat: { type: "jpeg", width: 6720, height: 3360 },
    sleepDelay: 65535,
    offDelay: 65535,
    _shutterVolume: 100,
    previewFormat: { ...PREVIEW_FORMATS[1]! },
    previewFormatSupport: PREVIEW_FORMATS.map((f) => ({ ...f })),
    remainingPictures: 1234,
    totalSpace: 19_000_000_000,
    remainingSpace: 12_000_000_000,
  };
}

/** Starts an emulated camera serving the pictures in `options.dir`; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const camera = new EmulatedCamera(path.resolve(options.dir), options);
  const server = http.createServer((req, res) => camera.answer(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  camera.base = `http://${hostPart}:${address.port}`;
  return {
    url: camera.base,
    port: address.port,
    stats: camera.stats,
    guard: camera.guard,
    cutPreviews: () => camera.cutPreviews(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One emulated camera: its pictures folder, settings, captures in progress and injected faults. */
class EmulatedCamera {
  readonly stats: EmulatorStats = { downloads: 0, dropped: 0, busy: 0, previewRequests: 0, previewFramesSent: 0, previewStreams: 0 };
  readonly guard: DigestGuard | undefined;
  /** The camera's own URL ("http://127.0.0.1:port"), set once the server listens. */
  base = "";
  private readonly log: (line: string) => void;
  private readonly captures = new Map<string, Capture>();
  private readonly dimensions = new Map<string, Dimensions | undefined>();
  private readonly settings = factorySettings();
  private shots = 0;
  /** setOptions dateTimeZone moves the camera's clock: kept as an offset from ours. */
  private clockOffsetMs = 0;
  private readonly preview: PreviewSource;
  /** Sessions opened with camera.startSession (API v2.0). */
  private readonly sessions = new Set<string>();
  /** Open live previews: each one's end (a picture taken ends them) and its socket (cutPreviews). */
  private readonly previews = new Map<() => void, http.IncomingMessage>();

  constructor(
    private readonly dir: string,
    private readonly options: EmulatorOptions,
  ) {
    this.log = options.log ?? (() => {});
    this.guard =
      options.username !== undefined && options.password !== undefined
        ? new DigestGuard(options.realm ?? "RICOH THETA Z1 Emulator", options.username, options.password, options.nonceTtlMs)
        : undefined;
    if (options.previewFormat) this.settings.previewFormat = { ...options.previewFormat };
    this.preview = new PreviewSource(dir, () => this.settings.previewFormat as PreviewFormat, this.log);
  }

  cutPreviews(): void {
    for (const req of this.previews.values()) req.socket.destroy();
  }

  /** A THETA stops its live preview when shooting starts or the preview format changes. */
  private endPreviews(): void {
    for (const end of [...this.previews.keys()]) end();
  }

  /** camera.getLivePreview (API v2.1) or camera._getLivePreview in a session (v2.0): the stream, or why not. */
  private livePreview(req: http.IncomingMessage, res: http.ServerResponse, name: string, body: Buffer): void {
    const legacy = this.options.apiVersion === 1;
    if (this.options.livePreview === false || legacy !== (name === "camera._getLivePreview")) return sendJson(res, oscError(400, name, "unknownCommand", `unknown command ${name}`));
    if (legacy) {
      const sessionId = (parsedBody(body)?.parameters as Fields | undefined)?.sessionId;
      if (sessionId === undefined || !this.sessions.has(String(sessionId))) return sendJson(res, oscError(400, name, "invalidSessionId", "no such session"));
    }
    if ([...this.captures.values()].some((c) => c.state === "inProgress")) {
      return sendJson(res, oscError(400, name, "disabledCommand", "Command is currently disabled: the camera is shooting"));
    }
    const format = this.settings.previewFormat as PreviewFormat;
    const faults = { drop: this.options.drop ?? 0, stallMs: this.options.stallMs ?? 0 };
    const end = streamPreview(req, res, this.preview, faults, this.stats, format.framerate, this.log);
    this.previews.set(end, req);
    res.on("close", () => this.previews.delete(end));
  }

  /** Answers one HTTP request; an unexpected failure answers 500, or cuts an answer already started. */
  answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.route(req, res).catch((error: unknown) => {
      this.log(`error: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, oscError(500, "unknown", "unexpected", "internal error"));
      else res.destroy();
    });
  }

  /** Stall, auth and busy faults first, as a camera meets them, then a file download or the OSC API. */
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    if (this.options.stallMs) await sleep(this.options.stallMs);
    if (this.refuseCredentials(req, res, method, target)) return;
    if (this.options.busy && Math.random() < this.options.busy) {
      this.stats.busy += 1;
      return sendJson(res, oscError(503, "busy", "serviceUnavailable", "camera busy"));
    }
    const pathname = target.split("?")[0]!;
    const command = method === "POST" && pathname === "/osc/commands/execute" ? commandName(body) : undefined;
    if (command === "camera.getLivePreview" || command === "camera._getLivePreview") return this.livePreview(req, res, command, body);
    if (pathname.startsWith("/files/") && (method === "GET" || method === "HEAD")) {
      const name = fileNameOf(pathname);
      if (name === undefined) return sendJson(res, oscError(404, "file", "invalidParameterValue", "bad file name"));
      return this.serveFile(req, res, name);
    }
    sendJson(res, await this.answerApi(method, pathname, body));
  }

  /**
   * With credentials configured, answers a request that lacks valid Digest
   * credentials (401 with a fresh challenge, or 400 for a malformed answer) and
   * returns true; returns false when the request may go on.
   */
  private refuseCredentials(req: http.IncomingMessage, res: http.ServerResponse, method: string, target: string): boolean {
    if (!this.guard) return false;
    const verdict = this.guard.verify(method, target, req.headers.authorization);
    if (verdict.ok) return false;
    if (verdict.status === 400) {
      this.log(`400 ${method} ${target}: ${verdict.reason}`);
      sendJson(res, oscError(400, "auth", "invalidParameterValue", verdict.reason));
      return true;
    }
    if (req.headers.authorization) this.log(`401 ${method} ${target}: ${verdict.reason}`);
    res.writeHead(401, { "www-authenticate": this.guard.challenge(verdict.stale), "content-type": "text/html" });
    res.end("<html><head><title>401 Unauthorized</title></head><body>401 Unauthorized</body></html>");
    return true;
  }

  /** Streams a picture, or (with `drop`) part of it before the connection is cut. */
  private async serveFile(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    const full = path.join(this.dir, name);
    const s = await stat(full).catch(() => undefined);
    if (!s?.isFile()) return sendJson(res, oscError(404, "file", "invalidParameterValue", "no such file"));
    this.stats.downloads += 1;
    res.writeHead(200, { "content-type": /\.jpe?g$/i.test(name) ? "image/jpeg" : "application/octet-stream", "content-length": s.size });
    if (req.method === "HEAD") return void res.end();
    if (Math.random() < (this.options.drop ?? 0) && s.size > 1) return this.sendCutShort(req, res, full, s.size);
    createReadStream(full).pipe(res);
  }

  /** Sends part of a file, then destroys the socket, like a camera losing Wi-Fi. */
  private sendCutShort(req: http.IncomingMessage, res: http.ServerResponse, full: string, size: number): void {
    this.stats.dropped += 1;
    const cut = Math.max(1, Math.floor(size * (0.1 + Math.random() * 0.8)));
    this.log(`drop ${path.basename(full)} after ${cut}/${size} bytes`);
    const stream = createReadStream(full, { start: 0, end: cut - 1 });
    stream.on("data", (chunk) => res.write(chunk));
    stream.on("end", () => setTimeout(() => req.socket.destroy(), 5));
    stream.on("error", () => req.socket.destroy());
  }

  /** /osc/info, /osc/state, /osc/commands/execute and /osc/commands/status. */
  private async answerApi(method: string, pathname: string, raw: Buffer): Promise<Answer> {
    if (pathname === "/osc/info" && method === "GET") return ok(this.info());
    if (method !== "POST") return oscError(404, "unknown", "unknownCommand", `no such endpoint ${pathname}`);
    let body: Fields = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8")) as Fields;
      } catch {
        return oscError(400, "unknown", "invalidParameterValue", "body is not JSON");
      }
    }
    if (pathname === "/osc/state") return ok(await this.state());
    if (pathname === "/osc/commands/execute") return this.execute(body);
    if (pathname === "/osc/commands/status") return this.commandStatus(body);
    return oscError(404, "unknown", "unknownCommand", `no such endpoint ${pathname}`);
  }

  private info(): Fields {
    const port = Number(new URL(this.base).port);
    return {
      manufacturer: "RICOH",
      model: "RICOH THETA Z1 Emulator",
      serialNumber: "10000001",
      firmwareVersion: "2.20.3",
      supportUrl: "https://theta360.com/en/support/",
      gps: false,
      gyro: true,
      uptime: Math.round(process.uptime()),
      api: ["/osc/info", "/osc/state", "/osc/checkForUpdates", "/osc/commands/execute", "/osc/commands/status"],
      endpoints: { httpPort: port, httpUpdatesPort: port },
      apiLevel: [2],
    };
  }

  private async state(): Promise<Fields> {
    const pictures = await this.listPictures();
    return {
      fingerprint: `FIG_${pictures.length.toString(16).padStart(4, "0")}`,
      state: {
        batteryLevel: 0.89,
        storageUri: "http://192.168.1.1/files/150100525831424d42075b53ce68c300/",
        _captureStatus: [...this.captures.values()].some((c) => c.state === "inProgress") ? "shooting" : "idle",
        _latestFileUrl: pictures[0] ? this.fileUrlOf(pictures[0].name) : "",
        _batteryState: "disconnect",
        _apiVersion: this.options.apiVersion ?? 2,
        _cameraError: [],
      },
    };
  }

  private execute(body: Fields): Answer | Promise<Answer> {
    const name = typeof body.name === "string" ? body.name : "";
    const parameters = (body.parameters ?? {}) as Fields;
    switch (name) {
      case "camera.listFiles":
        return this.listFiles(name, parameters);
      case "camera.takePicture":
        return this.takePicture(name);
      case "camera.getOptions":
        return this.getOptions(name, parameters);
      case "camera.setOptions":
        return this.setOptions(name, parameters);
      case "camera.delete":
        return this.deletePictures(name, parameters);
      case "camera.startSession": {
        if (this.options.apiVersion !== 1) return oscError(400, name, "unknownCommand", `unknown command ${name}`);
        const sessionId = `SID_${String(this.sessions.size + 1).padStart(4, "0")}`;
        this.sessions.add(sessionId);
        return ok({ name, state: "done", results: { sessionId, timeout: 180 } });
      }
      default:
        return oscError(400, name || "unknown", "unknownCommand", `unknown command ${name}`);
    }
  }

  /** One page of the listing, newest first; `_detail: false` leaves out the date and the rest. */
  private async listFiles(name: string, p: Fields): Promise<Answer> {
    if (p.fileType === undefined || p.entryCount === undefined || p.maxThumbSize === undefined) {
      return oscError(400, name, "missingParameter", "fileType, entryCount and maxThumbSize are required");
    }
    const entryCount = Number(p.entryCount);
    const start = Number(p.startPosition ?? 0);
    if (!Number.isInteger(entryCount) || entryCount < 0 || !Number.isInteger(start) || start < 0) {
      return oscError(400, name, "invalidParameterValue", "entryCount/startPosition");
    }
    const all = p.fileType === "video" ? [] : await this.listPictures();
    const detail = p._detail !== false;
    const entries = all.slice(start, start + entryCount).map((f) => ({
      name: this.options.listName ? this.options.listName(f.name) : f.name,
      fileUrl: this.fileUrlOf(f.name),
      size: f.size,
      ...(detail
        ? {
            dateTimeZone: formatDateTimeZone(f.mtime),
            ...(f.dims ? { width: f.dims.width, height: f.dims.height } : {}),
            _projectionType: "Equirectangular",
            isProcessed: true,
            previewUrl: "",
          }
        : {}),
    }));
    return ok({ name, state: "done", results: { entries, totalEntries: all.length } });
  }

  /** Answers inProgress at once; the picture appears `captureMs` later (finishCapture). */
  private takePicture(name: string): Answer {
    const id = String(++this.shots + 1000);
    this.captures.set(id, { state: "inProgress" });
    this.endPreviews();
    setTimeout(() => void this.finishCapture(id), this.options.captureMs ?? 1500).unref();
    return ok({ name, state: "inProgress", id, progress: { completion: 0 } });
  }

  /** Writes the new picture (a copy of a JPEG already there, else a 1×1 one) under the next free R00nnnnn.JPG. */
  private async finishCapture(id: string): Promise<void> {
    try {
      const existing = await this.listPictures();
      const source = existing.find((f) => /\.jpe?g$/i.test(f.name));
      let n = existing.length + 1;
      let target: string;
      do target = `R${String(10000 + n++).padStart(7, "0")}.JPG`;
      while (existing.some((f) => f.name === target));
      if (source) await copyFile(path.join(this.dir, source.name), path.join(this.dir, target));
      else await writeFile(path.join(this.dir, target), TINY_JPEG);
      this.captures.set(id, { state: "done", fileUrl: this.fileUrlOf(target) });
    } catch (error) {
      this.captures.set(id, { state: "error", error: { code: "unexpected", message: (error as Error).message } });
    }
  }

  /** /osc/commands/status: how a takePicture is getting on. */
  private commandStatus(body: Fields): Answer {
    const name = "camera.takePicture";
    const id = String(body.id ?? "");
    const capture = this.captures.get(id);
    if (!capture) return oscError(400, name, "invalidParameterValue", `unknown id ${id}`);
    if (capture.state === "error") return ok({ name, state: "error", id, error: capture.error });
    if (capture.state === "inProgress") return ok({ name, state: "inProgress", id, progress: { completion: 0.5 } });
    return ok({ name, state: "done", id, results: { fileUrl: capture.fileUrl } });
  }

  private getOptions(name: string, p: Fields): Answer {
    const names = p.optionNames;
    if (!Array.isArray(names)) return oscError(400, name, "missingParameter", "optionNames");
    const out: Fields = {};
    for (const key of names) {
      if (key === "dateTimeZone") out[key] = formatDateTimeZone(new Date(Date.now() + this.clockOffsetMs));
      else if (typeof key === "string" && key in this.settings) out[key] = this.settings[key];
      else return oscError(400, name, "invalidParameterName", `unknown option ${String(key)}`);
    }
    return ok({ name, state: "done", results: { options: out } });
  }

  /** Stores the options given; dateTimeZone, which THETA takes only on its own, sets the clock. */
  private setOptions(name: string, p: Fields): Answer {
    const opts = p.options;
    if (!opts || typeof opts !== "object") return oscError(400, name, "missingParameter", "options");
    const keys = Object.keys(opts);
    if (keys.includes("dateTimeZone") && keys.length > 1) {
      return oscError(400, name, "invalidParameterValue", "dateTimeZone must be set alone");
    }
    const { dateTimeZone, ...rest } = opts as Fields;
    if (rest.previewFormat !== undefined) {
      const wanted = rest.previewFormat as Partial<PreviewFormat>;
      const known = PREVIEW_FORMATS.find((f) => f.width === wanted.width && f.height === wanted.height && f.framerate === wanted.framerate);
      if (!known) return oscError(400, name, "invalidParameterValue", `previewFormat ${JSON.stringify(wanted)} is not supported`);
      rest.previewFormat = { ...known };
    }
    if (dateTimeZone !== undefined) {
      const m = typeof dateTimeZone === "string" ? /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-]\d{2}:\d{2})$/.exec(dateTimeZone) : null;
      if (!m) return oscError(400, name, "invalidParameterValue", "dateTimeZone must be YYYY:MM:DD hh:mm:ss+hh:mm");
      this.clockOffsetMs = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}`).getTime() - Date.now();
    }
    Object.assign(this.settings, rest);
    if (rest.previewFormat !== undefined) this.endPreviews();
    return ok({ name, state: "done" });
  }

  /** camera.delete: one fileUrl that names no picture fails the whole call, as on a THETA. */
  private async deletePictures(name: string, p: Fields): Promise<Answer> {
    const urls = p.fileUrls;
    if (!Array.isArray(urls) || urls.length === 0) return oscError(400, name, "missingParameter", "fileUrls");
    if (urls.length > 128) return oscError(400, name, "invalidParameterValue", "at most 128 fileUrls");
    const names = urls.map((url) => this.nameOfUrl(url));
    const present = new Set((await this.listPictures()).map((f) => f.name));
    if (names.some((n) => n === undefined || !present.has(n))) {
      return oscError(400, name, "invalidParameterValue", "a fileUrl does not exist");
    }
    for (const n of names) await rm(path.join(this.dir, n!));
    return ok({ name, state: "done" });
  }

  /** The pictures in the folder, newest first as THETA lists by default. */
  private async listPictures(): Promise<Picture[]> {
    const names = (await readdir(this.dir, { withFileTypes: true }))
      // A camera lists what it shot: pictures (and DNG raws), not sidecars or notes.
      .filter((d) => d.isFile() && !d.name.startsWith(".") && /\.(jpe?g|dng|png|insp)$/i.test(d.name))
      .map((d) => d.name);
    const files = await Promise.all(names.map((name) => this.pictureOf(name)));
    return files.sort((a, b) => b.mtime.getTime() - a.mtime.getTime() || a.name.localeCompare(b.name));
  }

  /** A picture's size, date and (for a JPEG, read once per version of the file) dimensions. */
  private async pictureOf(name: string): Promise<Picture> {
    const full = path.join(this.dir, name);
    const s = await stat(full);
    const key = `${name}:${s.size}:${s.mtimeMs}`;
    if (!this.dimensions.has(key)) this.dimensions.set(key, /\.jpe?g$/i.test(name) ? await jpegSize(full).catch(() => undefined) : undefined);
    return { name, size: s.size, mtime: s.mtime, dims: this.dimensions.get(key) };
  }

  private fileUrlOf(name: string): string {
    return `${this.base}/files/${encodeURIComponent(name)}`;
  }

  /** The picture a fileUrl of this camera names, or undefined. */
  private nameOfUrl(url: unknown): string | undefined {
    if (typeof url !== "string" || !url.startsWith(`${this.base}/files/`)) return undefined;
    const name = decodeURIComponent(url.slice(this.base.length + "/files/".length));
    return name.includes("/") || name.startsWith(".") ? undefined : name;
  }
}

/** A request body as a JSON object, or undefined. */
function parsedBody(body: Buffer): Fields | undefined {
  try {
    const value = JSON.parse(body.toString("utf8")) as unknown;
    return value !== null && typeof value === "object" ? (value as Fields) : undefined;
  } catch {
    return undefined;
  }
}

/** The command a request body names, if it is JSON with a name. */
function commandName(body: Buffer): string | undefined {
  const name = parsedBody(body)?.name;
  return typeof name === "string" ? name : undefined;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file name in a `/files/<name>` path, or undefined when it is malformed or could reach outside the folder. */
function fileNameOf(pathname: string): string | undefined {
  let name: string;
  try {
    name = decodeURIComponent(pathname.slice("/files/".length));
  } catch {
    return undefined;
  }
  if (name.includes("/") || name.includes("\\") || name.startsWith(".") || name.includes("\0")) return undefined;
  return name;
}
