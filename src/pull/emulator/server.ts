// An OSC v2.1 camera emulator (THETA-like) on node:http: Digest auth, listFiles
// with details, file downloads, takePicture, options, delete, and faults on
// request (cut downloads, 503s, stalls, expiring nonces) to test the client
// against a hostile network. It is a peer, not the client: only node:http here.
import { copyFile, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DigestGuard } from "./digest-server.ts";

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
  /** Fraction of file downloads cut mid-body (socket destroyed). */
  drop?: number;
  /** Fraction of requests answered 503 serviceUnavailable. */
  busy?: number;
  /** Delay before every answer, ms. */
  stallMs?: number;
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
export interface EmulatorStats {
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
  /** Digest counters (undefined without auth). */
  guard?: DigestGuard;
  close(): Promise<void>;
}

interface Capture {
  state: "inProgress" | "done" | "error";
  fileUrl?: string;
  error?: { code: string; message: string };
}

const JSON_TYPE = "application/json;charset=utf-8";

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
async function jpegSize(file: string): Promise<{ width: number; height: number } | undefined> {
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

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const dir = path.resolve(options.dir);
  const host = options.host ?? "127.0.0.1";
  const guard =
    options.username !== undefined && options.password !== undefined
      ? new DigestGuard(options.realm ?? "RICOH THETA Z1 Emulator", options.username, options.password, options.nonceTtlMs)
      : undefined;
  const stats: EmulatorStats = { downloads: 0, dropped: 0, busy: 0 };
  const captures = new Map<string, Capture>();
  const sizeCache = new Map<string, { width: number; height: number } | undefined>();
  const log = options.log ?? (() => {});
  let shotCounter = 0;
  const cameraOptions: Record<string, unknown> = {
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
    remainingPictures: 1234,
    totalSpace: 19_000_000_000,
    remainingSpace: 12_000_000_000,
  };
  let base = "";
  /** setOptions dateTimeZone moves the camera's clock: kept as an offset from ours. */
  let clockOffsetMs = 0;

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const oscError = (res: http.ServerResponse, status: number, name: string, code: string, message: string) =>
    sendJson(res, status, { name, state: "error", error: { code, message } });

  async function listPictures() {
    const names = (await readdir(dir, { withFileTypes: true }))
      // A camera lists what it shot: pictures (and DNG raws), not sidecars or notes.
      .filter((d) => d.isFile() && !d.name.startsWith(".") && /\.(jpe?g|dng|png|insp)$/i.test(d.name))
      .map((d) => d.name);
    const files = await Promise.all(
      names.map(async (name) => {
        const full = path.join(dir, name);
        const s = await stat(full);
        const key = `${name}:${s.size}:${s.mtimeMs}`;
        if (!sizeCache.has(key)) sizeCache.set(key, /\.jpe?g$/i.test(name) ? await jpegSize(full).catch(() => undefined) : undefined);
        return { name, size: s.size, mtime: s.mtime, dims: sizeCache.get(key) };
      }),
    );
    // newest first, as THETA lists by default
    return files.sort((a, b) => b.mtime.getTime() - a.mtime.getTime() || a.name.localeCompare(b.name));
  }

  const fileUrlOf = (name: string) => `${base}/files/${encodeURIComponent(name)}`;
  const nameOfUrl = (url: unknown): string | undefined => {
    if (typeof url !== "string" || !url.startsWith(`${base}/files/`)) return undefined;
    const name = decodeURIComponent(url.slice(base.length + "/files/".length));
    return name.includes("/") || name.startsWith(".") ? undefined : name;
  };

  async function execute(res: http.ServerResponse, body: { name?: unknown; parameters?: Record<string, unknown> }) {
    const name = typeof body.name === "string" ? body.name : "";
    const p = body.parameters ?? {};
    switch (name) {
      case "camera.listFiles": {
        if (p.fileType === undefined || p.entryCount === undefined || p.maxThumbSize === undefined) {
          return oscError(res, 400, name, "missingParameter", "fileType, entryCount and maxThumbSize are required");
        }
        const entryCount = Number(p.entryCount);
        const start = Number(p.startPosition ?? 0);
        if (!Number.isInteger(entryCount) || entryCount < 0 || !Number.isInteger(start) || start < 0) {
          return oscError(res, 400, name, "invalidParameterValue", "entryCount/startPosition");
        }
        const all = p.fileType === "video" ? [] : await listPictures();
        const detail = p._detail !== false;
        const entries = all.slice(start, start + entryCount).map((f) => ({
          name: options.listName ? options.listName(f.name) : f.name,
          fileUrl: fileUrlOf(f.name),
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
        return sendJson(res, 200, { name, state: "done", results: { entries, totalEntries: all.length } });
      }
      case "camera.takePicture": {
        const id = String(++shotCounter + 1000);
        captures.set(id, { state: "inProgress" });
        setTimeout(async () => {
          try {
            const existing = await listPictures();
            const source = existing.find((f) => /\.jpe?g$/i.test(f.name));
            let n = existing.length + 1;
            let target: string;
            do target = `R${String(10000 + n++).padStart(7, "0")}.JPG`;
            while (existing.some((f) => f.name === target));
            if (source) await copyFile(path.join(dir, source.name), path.join(dir, target));
            else await writeFile(path.join(dir, target), TINY_JPEG);
            captures.set(id, { state: "done", fileUrl: fileUrlOf(target) });
          } catch (error) {
            captures.set(id, { state: "error", error: { code: "unexpected", message: (error as Error).message } });
          }
        }, options.captureMs ?? 1500).unref();
        return sendJson(res, 200, { name, state: "inProgress", id, progress: { completion: 0 } });
      }
      case "camera.getOptions": {
        const names = p.optionNames;
        if (!Array.isArray(names)) return oscError(res, 400, name, "missingParameter", "optionNames");
        const out: Record<string, unknown> = {};
        for (const key of names) {
          if (key === "dateTimeZone") out[key] = formatDateTimeZone(new Date(Date.now() + clockOffsetMs));
          else if (typeof key === "string" && key in cameraOptions) out[key] = cameraOptions[key];
          else return oscError(res, 400, name, "invalidParameterName", `unknown option ${String(key)}`);
        }
        return sendJson(res, 200, { name, state: "done", results: { options: out } });
      }
      case "camera.setOptions": {
        const opts = p.options;
        if (!opts || typeof opts !== "object") return oscError(res, 400, name, "missingParameter", "options");
        const keys = Object.keys(opts);
        if (keys.includes("dateTimeZone") && keys.length > 1) {
          return oscError(res, 400, name, "invalidParameterValue", "dateTimeZone must be set alone");
        }
        const { dateTimeZone, ...rest } = opts as Record<string, unknown>;
        if (dateTimeZone !== undefined) {
          const m = typeof dateTimeZone === "string" ? /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})([+-]\d{2}:\d{2})$/.exec(dateTimeZone) : null;
          if (!m) return oscError(res, 400, name, "invalidParameterValue", "dateTimeZone must be YYYY:MM:DD hh:mm:ss+hh:mm");
          clockOffsetMs = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}`).getTime() - Date.now();
        }
        Object.assign(cameraOptions, rest);
        return sendJson(res, 200, { name, state: "done" });
      }
      case "camera.delete": {
        const urls = p.fileUrls;
        if (!Array.isArray(urls) || urls.length === 0) return oscError(res, 400, name, "missingParameter", "fileUrls");
        if (urls.length > 128) return oscError(res, 400, name, "invalidParameterValue", "at most 128 fileUrls");
        const names = urls.map(nameOfUrl);
        const present = new Set((await listPictures()).map((f) => f.name));
        // One bad URL fails the whole call, as on a THETA.
        if (names.some((n) => n === undefined || !present.has(n))) {
          return oscError(res, 400, name, "invalidParameterValue", "a fileUrl does not exist");
        }
        for (const n of names) await rm(path.join(dir, n!));
        return sendJson(res, 200, { name, state: "done" });
      }
      default:
        return oscError(res, 400, name || "unknown", "unknownCommand", `unknown command ${name}`);
    }
  }

  function serveFile(req: http.IncomingMessage, res: http.ServerResponse, name: string) {
    const full = path.join(dir, name);
    stat(full).then(
      (s) => {
        if (!s.isFile()) return oscError(res, 404, "file", "invalidParameterValue", "no such file");
        stats.downloads += 1;
        res.writeHead(200, { "content-type": /\.jpe?g$/i.test(name) ? "image/jpeg" : "application/octet-stream", "content-length": s.size });
        if (req.method === "HEAD") return res.end();
        const drop = Math.random() < (options.drop ?? 0) && s.size > 1;
        if (!drop) {
          createReadStream(full).pipe(res);
          return;
        }
        // Cut the connection part-way through the body, like a camera losing Wi-Fi.
        stats.dropped += 1;
        const cut = Math.max(1, Math.floor(s.size * (0.1 + Math.random() * 0.8)));
        log(`drop ${name} after ${cut}/${s.size} bytes`);
        const stream = createReadStream(full, { start: 0, end: cut - 1 });
        stream.on("data", (chunk) => res.write(chunk));
        stream.on("end", () => setTimeout(() => req.socket.destroy(), 5));
        stream.on("error", () => req.socket.destroy());
      },
      () => oscError(res, 404, "file", "invalidParameterValue", "no such file"),
    );
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    if (options.stallMs) await new Promise((r) => setTimeout(r, options.stallMs));

    if (guard) {
      const verdict = guard.verify(method, target, req.headers.authorization);
      if (!verdict.ok) {
        if (verdict.status === 400) {
          log(`400 ${method} ${target}: ${verdict.reason}`);
          return oscError(res, 400, "auth", "invalidParameterValue", verdict.reason);
        }
        if (req.headers.authorization) log(`401 ${method} ${target}: ${verdict.reason}`);
        res.writeHead(401, { "www-authenticate": guard.challenge(verdict.stale), "content-type": "text/html" });
        return res.end("<html><head><title>401 Unauthorized</title></head><body>401 Unauthorized</body></html>");
      }
    }
    if (options.busy && Math.random() < options.busy) {
      stats.busy += 1;
      return oscError(res, 503, "busy", "serviceUnavailable", "camera busy");
    }

    const pathname = target.split("?")[0]!;
    if (pathname.startsWith("/files/") && (method === "GET" || method === "HEAD")) {
      let name: string;
      try {
        name = decodeURIComponent(pathname.slice("/files/".length));
      } catch {
        return oscError(res, 404, "file", "invalidParameterValue", "bad file name");
      }
      if (name.includes("/") || name.includes("\\") || name.startsWith(".") || name.includes("\0")) {
        return oscError(res, 404, "file", "invalidParameterValue", "bad file name");
      }
      return serveFile(req, res, name);
    }
    if (pathname === "/osc/info" && method === "GET") {
      return sendJson(res, 200, {
        manufacturer: "RICOH",
        model: "RICOH THETA Z1 Emulator",
        serialNumber: "10000001",
        firmwareVersion: "2.20.3",
        supportUrl: "https://theta360.com/en/support/",
        gps: false,
        gyro: true,
        uptime: Math.round(process.uptime()),
        api: ["/osc/info", "/osc/state", "/osc/checkForUpdates", "/osc/commands/execute", "/osc/commands/status"],
        endpoints: { httpPort: Number(new URL(base).port), httpUpdatesPort: Number(new URL(base).port) },
        apiLevel: [2],
      });
    }
    if (method !== "POST") return oscError(res, 404, "unknown", "unknownCommand", `no such endpoint ${pathname}`);
    let body: Record<string, unknown> = {};
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        return oscError(res, 400, "unknown", "invalidParameterValue", "body is not JSON");
      }
    }
    if (pathname === "/osc/state") {
      const pictures = await listPictures();
      return sendJson(res, 200, {
        fingerprint: `FIG_${pictures.length.toString(16).padStart(4, "0")}`,
        state: {
          batteryLevel: 0.89,
          storageUri: "http://192.168.1.1/files/150100525831424d42075b53ce68c300/",
          _captureStatus: [...captures.values()].some((c) => c.state === "inProgress") ? "shooting" : "idle",
          _latestFileUrl: pictures[0] ? fileUrlOf(pictures[0].name) : "",
          _batteryState: "disconnect",
          _apiVersion: 2,
          _cameraError: [],
        },
      });
    }
    if (pathname === "/osc/commands/execute") return execute(res, body as { name?: unknown; parameters?: Record<string, unknown> });
    if (pathname === "/osc/commands/status") {
      const id = String(body.id ?? "");
      const capture = captures.get(id);
      if (!capture) return oscError(res, 400, "camera.takePicture", "invalidParameterValue", `unknown id ${id}`);
      if (capture.state === "error") return sendJson(res, 200, { name: "camera.takePicture", state: "error", id, error: capture.error });
      if (capture.state === "inProgress") return sendJson(res, 200, { name: "camera.takePicture", state: "inProgress", id, progress: { completion: 0.5 } });
      return sendJson(res, 200, { name: "camera.takePicture", state: "done", id, results: { fileUrl: capture.fileUrl } });
    }
    return oscError(res, 404, "unknown", "unknownCommand", `no such endpoint ${pathname}`);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`error: ${(error as Error).message}`);
      if (!res.headersSent) oscError(res, 500, "unknown", "unexpected", "internal error");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  base = `http://${hostPart}:${address.port}`;
  return {
    url: base,
    port: address.port,
    stats,
    guard,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
