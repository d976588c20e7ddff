// A client for the Open Spherical Camera API v2.1 (RICOH THETA and others) on
// undici 7. Digest auth is an interceptor composed onto the client's Agent, so the
// calls below never see credentials; timeouts make a silent camera fail fast.
import { writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, type Dispatcher } from "undici";
import { digestAuth } from "./digest.ts";
import { AuthError, CameraError, OscError, ProtocolError } from "./errors.ts";
import type { RetryPolicy } from "../retry.ts";
import { defaultRetryPolicy, withRetry } from "./retry.ts";

export interface OscClientOptions {
  /** Used in every error message. */
  name: string;
  /** Base URL, e.g. http://192.168.1.1 (a path prefix is kept). */
  url: string;
  username?: string;
  password?: string;
  /** An unreachable camera fails after this (default 4 s). */
  connectTimeoutMs?: number;
  /** A camera that accepts the connection but never answers fails after this (default 20 s). */
  headersTimeoutMs?: number;
  /** Longest silence in the middle of a body (default 20 s). */
  bodyTimeoutMs?: number;
  /** Sockets open to the camera at once (default 4). */
  connections?: number;
  retry?: RetryPolicy;
}

/** One file as listed by camera.listFiles: what the pull needs of it. */
export interface CameraFile {
  name: string;
  fileUrl: string;
  size: number;
  /** "YYYY:MM:DD hh:mm:ss+hh:mm" when the camera gave it. */
  dateTimeZone?: string;
}

/** An open live preview: the camera's Content-Type (with its boundary) and the MJPEG body; destroy the body to close it. */
export interface LivePreviewStream {
  contentType: string;
  body: Dispatcher.ResponseData["body"];
}

export interface CommandResult {
  name?: string;
  state: "done" | "inProgress" | "error";
  id?: string;
  results?: Record<string, unknown>;
  error?: { code: string; message: string };
  progress?: { completion?: number };
}

/** The largest JSON answer we accept: a hostile camera cannot make us buffer gigabytes. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export class OscClient {
  readonly name: string;
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly dispatcher: Dispatcher;
  private readonly hasCredentials: boolean;
  private readonly retryPolicy: RetryPolicy;
  private readonly headersTimeout: number;
  private readonly bodyTimeout: number;

  constructor(options: OscClientOptions) {
    this.name = options.name;
    this.base = new URL(options.url.endsWith("/") ? options.url : options.url + "/");
    this.headersTimeout = options.headersTimeoutMs ?? 20_000;
    this.bodyTimeout = options.bodyTimeoutMs ?? 20_000;
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 4_000 },
      connections: options.connections ?? 4,
      headersTimeout: this.headersTimeout,
      bodyTimeout: this.bodyTimeout,
      keepAliveTimeout: 4_000,
    });
    this.hasCredentials = options.username !== undefined && options.password !== undefined;
    this.dispatcher = this.hasCredentials
      ? this.agent.compose(digestAuth({ username: options.username!, password: options.password! }))
      : this.agent;
    this.retryPolicy = options.retry ?? defaultRetryPolicy;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Closes at once, aborting requests in flight. */
  async destroy(): Promise<void> {
    await this.agent.destroy();
  }

  private resolve(pathOrUrl: string): URL {
    return new URL(pathOrUrl.replace(/^\//, ""), this.base);
  }

  /** Turns undici's network errors into CameraErrors naming the camera (cause kept for retry decisions). */
  private networkError(error: unknown, what: string): CameraError {
    if (error instanceof CameraError) return error;
    const code = (error as { code?: string }).code;
    const reason =
      code === "UND_ERR_CONNECT_TIMEOUT"
        ? "cannot connect (connect timeout)"
        : code === "UND_ERR_HEADERS_TIMEOUT"
          ? `no answer within ${Math.round(this.headersTimeout / 100) / 10} s (connected, but the camera stays silent)`
          : code === "UND_ERR_BODY_TIMEOUT"
            ? `stalled for ${Math.round(this.bodyTimeout / 100) / 10} s in the middle of an answer`
            : code === "ECONNREFUSED"
              ? "connection refused"
              : `${(error as Error).message}${code ? ` (${code})` : ""}`;
    return new CameraError(this.name, `${what}: ${reason}`, undefined, { cause: error });
  }

  private async requestJson(method: "GET" | "POST", path: string, body: unknown, what: string): Promise<unknown> {
    const url = this.resolve(path);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json;charset=utf-8" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw this.networkError(error, what);
    }
    let text: string;
    try {
      text = await readLimited(response.body, MAX_JSON_BYTES, this.name, what);
    } catch (error) {
      throw error instanceof CameraError ? error : this.networkError(error, what);
    }
    return this.jsonAnswer(response.statusCode, response.headers["content-type"], text, what);
  }

  /** A JSON answer's object, or the error it stands for (refused login, OSC error, HTTP error, not JSON). */
  private jsonAnswer(status: number, contentType: string | string[] | undefined, text: string, what: string): unknown {
    if (status === 401) throw this.authError();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (status >= 500 || status === 404 || status === 403) {
        throw new CameraError(this.name, `${what}: HTTP ${status}${describeBody(contentType, text)}`, status);
      }
      throw new ProtocolError(this.name, `${what}: the camera did not answer JSON (HTTP ${status}${describeBody(contentType, text)})`, status);
    }
    const oscError = (json as CommandResult | null)?.error;
    if ((json as CommandResult | null)?.state === "error" || (status >= 400 && oscError)) {
      throw new OscError(this.name, what, { code: String(oscError?.code ?? "unknown"), message: String(oscError?.message ?? "") }, status);
    }
    if (status < 200 || status >= 300) throw new CameraError(this.name, `${what}: HTTP ${status}`, status);
    if (json === null || typeof json !== "object") throw new ProtocolError(this.name, `${what}: expected a JSON object`, status);
    return json;
  }

  private authError(): AuthError {
    return new AuthError(
      this.name,
      this.hasCredentials
        ? "authentication failed: the camera refused the user name or password"
        : "the camera requires authentication: configure username and passwordEnv",
      401,
    );
  }

  /** Runs `fn` under the client's retry policy: transient failures are tried again. */
  private retrying<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { policy: this.retryPolicy });
  }

  /**
   * Opens the live preview: camera.getLivePreview (API v2.1), or with a
   * `sessionId` camera._getLivePreview (v2.0, THETA S in its old mode). Resolves
   * once the stream's headers are in; rejects with the camera's OSC error (an
   * unknownCommand from a camera without preview, a disabledCommand while it
   * shoots) or a ProtocolError for an answer that is not a multipart stream.
   * `stallMs` bounds the silence between two chunks; never retried here.
   */
  async livePreview(options: { signal?: AbortSignal; stallMs?: number; sessionId?: string } = {}): Promise<LivePreviewStream> {
    const name = options.sessionId ? "camera._getLivePreview" : "camera.getLivePreview";
    const url = this.resolve("/osc/commands/execute");
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: "POST",
        headers: { accept: "multipart/x-mixed-replace, application/json", "content-type": "application/json;charset=utf-8" },
        body: JSON.stringify({ name, parameters: options.sessionId ? { sessionId: options.sessionId } : {} }),
        signal: options.signal,
        bodyTimeout: options.stallMs ?? this.bodyTimeout,
      });
    } catch (error) {
      throw this.networkError(error, name);
    }
    const type = response.headers["content-type"];
    const contentType = (Array.isArray(type) ? type[0] : type) ?? "";
    if (response.statusCode === 200 && /^multipart\//i.test(contentType)) return { contentType, body: response.body };
    let text: string;
    try {
      text = await readLimited(response.body, 64 * 1024, this.name, name);
    } catch (error) {
      throw error instanceof CameraError ? error : this.networkError(error, name);
    }
    this.jsonAnswer(response.statusCode, type, text, name);
    throw new ProtocolError(this.name, `${name}: answered ${contentType || "no Content-Type"} instead of a multipart stream`, response.statusCode);
  }

  /** GET /osc/info: manufacturer, model, firmware, supported API. */
  info(): Promise<Record<string, unknown>> {
    return this.retrying(() => this.requestJson("GET", "/osc/info", undefined, "info") as Promise<Record<string, unknown>>);
  }

  /** POST /osc/state: fingerprint and state (battery, storage, capture status). */
  state(): Promise<Record<string, unknown>> {
    return this.retrying(() => this.requestJson("POST", "/osc/state", undefined, "state") as Promise<Record<string, unknown>>);
  }

  /**
   * POST /osc/commands/execute. `retry` only for commands safe to repeat: a
   * retried takePicture could take two pictures when the first answer was lost.
   */
  async execute(name: string, parameters: Record<string, unknown> = {}, retry = true): Promise<CommandResult> {
    const call = () => this.requestJson("POST", "/osc/commands/execute", { name, parameters }, name) as Promise<CommandResult>;
    if (retry) return this.retrying(call);
    // Not idempotent: still retry a 503 (the camera refused before doing anything).
    return withRetry(call, {
      policy: this.retryPolicy,
      retryable: (error) => error instanceof OscError && (error.status === 503 || error.osc.code === "serviceUnavailable"),
    });
  }

  /** POST /osc/commands/status for an inProgress command. */
  status(id: string): Promise<CommandResult> {
    return this.retrying(() => this.requestJson("POST", "/osc/commands/status", { id }, "status") as Promise<CommandResult>);
  }

  /** Every file on the camera, paging with startPosition/entryCount until totalEntries. */
  async listFiles(fileType: "image" | "video" | "all" = "image", pageSize = 100): Promise<CameraFile[]> {
    const files = new Map<string, CameraFile>();
    let start = 0;
    for (let page = 0; page < 100_000; page++) {
      const answer = await this.execute("camera.listFiles", { fileType, entryCount: pageSize, maxThumbSize: 0, startPosition: start, _detail: true });
      const results = answer.results ?? {};
      const entries = results.entries;
      const total = results.totalEntries;
      if (!Array.isArray(entries) || typeof total !== "number") {
        throw new ProtocolError(this.name, "camera.listFiles: answer has no entries/totalEntries");
      }
      for (const raw of entries) {
        const file = toCameraFile(raw);
        if (!file) throw new ProtocolError(this.name, `camera.listFiles: malformed entry ${JSON.stringify(raw).slice(0, 200)}`);
        files.set(file.fileUrl, file); // pages can shift when a picture is taken meanwhile: dedupe
      }
      start += entries.length;
      if (entries.length === 0 || start >= total) break;
    }
    return [...files.values()];
  }

  async getOptions(optionNames: string[]): Promise<Record<string, unknown>> {
    const answer = await this.execute("camera.getOptions", { optionNames });
    return (answer.results?.options as Record<string, unknown> | undefined) ?? {};
  }

  /** camera.setOptions. THETA wants dateTimeZone set alone, so it goes in a call of its own. */
  async setOptions(options: Record<string, unknown>): Promise<void> {
    const { dateTimeZone, ...rest } = options;
    if (dateTimeZone !== undefined) await this.execute("camera.setOptions", { options: { dateTimeZone } });
    if (Object.keys(rest).length > 0) await this.execute("camera.setOptions", { options: rest });
  }

  /** camera.delete in batches of at most 128 fileUrls (the API's limit). */
  async delete(fileUrls: string[]): Promise<void> {
    for (let i = 0; i < fileUrls.length; i += 128) {
      await this.execute("camera.delete", { fileUrls: fileUrls.slice(i, i + 128) });
    }
  }

  /** Takes a picture and polls /osc/commands/status until done; returns the new fileUrl. */
  async takePicture(pollMs = 1000, timeoutMs = 120_000): Promise<string> {
    let answer = await this.execute("camera.takePicture", {}, false);
    const deadline = Date.now() + timeoutMs;
    while (answer.state === "inProgress") {
      if (!answer.id) throw new ProtocolError(this.name, "camera.takePicture: inProgress without an id");
      if (Date.now() > deadline) throw new CameraError(this.name, `camera.takePicture: not done after ${timeoutMs / 1000} s`);
      await sleep(pollMs);
      const id = answer.id;
      answer = await this.status(id);
      answer.id ??= id;
    }
    const fileUrl = answer.results?.fileUrl;
    if (answer.state !== "done" || typeof fileUrl !== "string") {
      throw new ProtocolError(this.name, `camera.takePicture: unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
    }
    return fileUrl;
  }

  /**
   * Streams a file into `destination` (a path, created or truncated); returns the
   * bytes written. Not fsynced: durability is the caller's business (the pull
   * fsyncs outside its download slots, so disk flushes overlap the network).
   * Written straight from undici's handler with writeSync: no stream layers, no
   * buffering beyond one socket chunk, so memory does not grow with the file's
   * size. The caller retries (into a fresh temp file) on a dropped body.
   */
  async download(fileUrl: string, destination: string): Promise<number> {
    // Always from the camera's own origin: a hostile listing cannot send us (and our
    // Digest answers) to another host, and a camera whose IP changed still works.
    const listed = new URL(fileUrl, this.base);
    const url = new URL(listed.pathname + listed.search, this.base.origin);
    const what = `download ${url.pathname}`;
    const file = await open(destination, "w", 0o644);
    let written = 0;
    try {
      const result = await new Promise<{ status: number; contentType?: string; errorBody: string }>((resolve, reject) => {
        let status = 0;
        let contentType: string | undefined;
        const errorChunks: Buffer[] = [];
        let errorBytes = 0;
        const handler: Dispatcher.DispatchHandler = {
          // Its presence tells undici this handler speaks the v7 API (onResponse*).
          onRequestStart() {},
          onResponseStart(_controller, statusCode, headers) {
            status = statusCode;
            const type = headers["content-type"];
            contentType = Array.isArray(type) ? type[0] : type;
          },
          onResponseData(controller, chunk) {
            if (status !== 200) {
              if (errorBytes < 64 * 1024) errorChunks.push(chunk);
              errorBytes += chunk.length;
              return;
            }
            try {
              let offset = 0;
              while (offset < chunk.length) offset += writeSync(file.fd, chunk, offset, chunk.length - offset);
              written += chunk.length;
            } catch (error) {
              controller.abort(error as Error); // disk full, etc.: stop the transfer
            }
          },
          onResponseEnd() {
            resolve({ status, contentType, errorBody: Buffer.concat(errorChunks).toString("utf8") });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        };
        try {
          this.dispatcher.dispatch({ origin: url.origin, path: url.pathname + url.search, method: "GET" }, handler);
        } catch (error) {
          reject(error);
        }
      }).catch((error: unknown) => {
        throw this.networkError(error, what);
      });
      const { status, contentType, errorBody } = result;
      if (status !== 200) {
        if (status === 401) throw this.authError();
        let osc: CommandResult | undefined;
        try {
          osc = JSON.parse(errorBody) as CommandResult;
        } catch {
          // not JSON: described below
        }
        if (osc?.error) throw new OscError(this.name, what, osc.error, status);
        throw new CameraError(this.name, `${what}: HTTP ${status}${describeBody(contentType, errorBody)}`, status);
      }
    } finally {
      await file.close();
    }
    return written;
  }
}

function toCameraFile(raw: unknown): CameraFile | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.fileUrl !== "string" || typeof r.size !== "number" || !Number.isFinite(r.size) || r.size < 0) return undefined;
  const name = typeof r.name === "string" ? r.name : decodeURIComponent(r.fileUrl.split("/").pop() ?? "");
  return {
    name,
    fileUrl: r.fileUrl,
    size: r.size,
    dateTimeZone: typeof r.dateTimeZone === "string" ? r.dateTimeZone : typeof r.dateTime === "string" ? r.dateTime : undefined,
  };
}

/** Reads a body as text, giving up (and dropping the connection) past `limit` bytes. */
async function readLimited(body: Dispatcher.ResponseData["body"], limit: number, camera: string, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new ProtocolError(camera, `${what}: answer larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** ", text/html: <title>…" — enough of an unexpected body to recognise it, no more. */
function describeBody(contentType: string | string[] | undefined, text: string): string {
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  const title = /<title>([^<]{0,80})/i.exec(text)?.[1];
  const snippet = title ?? text.replace(/\s+/g, " ").trim().slice(0, 80);
  return `${type ? `, ${type.split(";")[0]}` : ""}${snippet ? `: ${JSON.stringify(snippet)}` : ""}`;
}

/** "2024:05:01 12:30:00+02:00" → Date, or undefined. */
export function parseDateTimeZone(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:([+-]\d{2}):?(\d{2})|Z)?$/.exec(value.trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? `${m[7]}:${m[8]}` : "Z"}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
