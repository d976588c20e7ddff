// One camera's live preview, shared: a single upstream connection however many
// viewers watch, opened for the first viewer and closed when the last one
// leaves. Viewers are told that a frame is newer, and take the newest one when
// they are ready for it (never a queue). A stream that ends, breaks or stalls is
// opened again with backoff while anyone watches ("reconnecting"); a camera
// without live preview, or that refuses the login, is said so once and not
// asked again until a new viewer comes. `pause()` closes the stream for a shot
// (a THETA ends its preview when it starts shooting) and `resume()` reopens it.
import { backoffDelay, type RetryPolicy } from "../retry.ts";
import { AuthError, CameraError, OscError } from "../pull/errors.ts";
import type { OscClient } from "../pull/osc-client.ts";
import { boundaryOf, MultipartParser } from "./multipart.ts";

export type FeedState = "idle" | "connecting" | "live" | "reconnecting" | "shooting" | "unsupported" | "failed";

export interface FeedStatus {
  state: FeedState;
  /** Why, for reconnecting, unsupported and failed: one readable line naming the camera. */
  message?: string;
}

export interface Frame {
  /** Numbered by Rotunda from 1 for this feed. */
  seq: number;
  jpeg: Buffer;
  /** The camera's own X-… part headers (a frame number, a send time), passed on to viewers. */
  extra: Record<string, string>;
}

export interface FeedViewer {
  /** A newer frame is there (`feed.latest`). */
  frame(): void;
  status(status: FeedStatus): void;
}

export interface FeedOptions {
  /** Silence in the middle of a stream after which it is opened again (default 5 s). */
  stallMs?: number;
  /** Waits between attempts to open the stream (default 250 ms doubling to 5 s). */
  backoff?: Omit<RetryPolicy, "retries">;
  /** Largest frame accepted (default 16 MiB). */
  maxFrameBytes?: number;
  /** Told every change of status (the page's events channel). */
  onStatus?: (status: FeedStatus) => void;
  log?: (line: string) => void;
}

/** OSC error codes from a camera that has no live preview at all. */
const NO_PREVIEW_CODES = new Set(["unknownCommand", "invalidName", "invalidParameterName"]);

export class CameraFeed {
  latest: Frame | undefined;
  /** Upstream connections opened so far (tests and the benchmark read it). */
  connections = 0;
  private readonly viewers = new Set<FeedViewer>();
  private current: FeedStatus = { state: "idle" };
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private paused = false;
  private closed = false;
  private seq = 0;
  private wake: (() => void) | undefined;
  private sessionId: string | undefined;
  private readonly stallMs: number;
  private readonly backoff: RetryPolicy;
  private readonly log: (line: string) => void;

  constructor(
    readonly client: OscClient,
    private readonly options: FeedOptions = {},
  ) {
    this.stallMs = options.stallMs ?? 5000;
    this.backoff = { retries: Number.MAX_SAFE_INTEGER, baseDelayMs: 250, maxDelayMs: 5000, ...options.backoff };
    this.log = options.log ?? (() => {});
  }

  get name(): string {
    return this.client.name;
  }

  get status(): FeedStatus {
    return this.current;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Adds a viewer (the stream opens if it is the first); returns its goodbye. */
  watch(viewer: FeedViewer): () => void {
    this.viewers.add(viewer);
    viewer.status(this.current);
    if (this.latest) viewer.frame();
    // A camera found without preview (or refusing the login) is asked again for a new viewer.
    if (this.current.state === "unsupported" || this.current.state === "failed") this.setStatus({ state: "idle" });
    this.ensureRunning();
    return () => {
      this.viewers.delete(viewer);
      if (this.viewers.size === 0) this.stopStream();
    };
  }

  /** Closes the stream for a shot; viewers see "shooting". Resolves once the connection is closed. */
  async pause(): Promise<void> {
    this.paused = true;
    this.setStatus({ state: "shooting" });
    this.abort?.abort();
    this.wake?.();
    await this.running;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.setStatus({ state: "idle" });
    this.ensureRunning();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopStream();
    await this.running;
  }

  private stopStream(): void {
    this.abort?.abort();
    this.wake?.();
  }

  private setStatus(status: FeedStatus): void {
    if (status.state === this.current.state && status.message === this.current.message) return;
    this.current = status;
    for (const viewer of this.viewers) viewer.status(status);
    this.options.onStatus?.(status);
  }

  private wanted(): boolean {
    return !this.closed && !this.paused && this.viewers.size > 0;
  }

  private ensureRunning(): void {
    if (this.running || !this.wanted()) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // A viewer that came while the last attempt was winding down.
      if (this.wanted() && this.current.state !== "unsupported" && this.current.state !== "failed") this.ensureRunning();
    });
  }

  /** Opens the stream and reads it, again and again with backoff, while anyone watches. */
  private async run(): Promise<void> {
    let attempt = 0;
    while (this.wanted()) {
      if (this.current.state !== "reconnecting") this.setStatus({ state: "connecting" });
      let reason: string;
      try {
        const framesBefore = this.seq;
        await this.readStream();
        if (!this.wanted()) break;
        if (this.seq > framesBefore) attempt = 0;
        reason = `${this.name}: the camera ended its live preview`;
      } catch (error) {
        if (!this.wanted()) break;
        const verdict = this.classify(error);
        if (verdict.final) {
          this.setStatus({ state: verdict.state, message: verdict.message });
          this.log(verdict.message);
          return;
        }
        reason = verdict.message;
        if (verdict.progressed) attempt = 0;
      }
      const delay = backoffDelay(attempt++, this.backoff);
      this.setStatus({ state: "reconnecting", message: `${reason}; trying again in ${(delay / 1000).toFixed(1)} s` });
      this.log(`${reason}; reconnecting in ${delay} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (!this.closed && !this.paused) this.setStatus({ state: "idle" });
  }

  /** One connection: open, parse, hand out frames until it ends; throws what broke it. */
  private async readStream(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    this.connections += 1;
    const { contentType, body } = await this.open(abort.signal);
    const boundary = boundaryOf(contentType);
    try {
      if (!boundary) throw new CameraError(this.name, `live preview: no boundary in Content-Type "${contentType}"`);
      const parser = new MultipartParser(boundary, { maxPartBytes: this.options.maxFrameBytes });
      for await (const chunk of body as AsyncIterable<Buffer>) {
        for (const part of parser.push(chunk)) this.accept(part.headers, part.body);
        if (parser.finished) break;
      }
    } catch (error) {
      (error as { progressed?: boolean }).progressed = this.current.state === "live";
      throw error;
    } finally {
      body.destroy();
      if (this.abort === abort) this.abort = undefined;
    }
  }

  /** getLivePreview; on a camera speaking the v2.0 API (THETA S in its old mode), a session and _getLivePreview. */
  private async open(signal: AbortSignal) {
    try {
      return await this.client.livePreview({ signal, stallMs: this.stallMs, sessionId: this.sessionId });
    } catch (error) {
      if (error instanceof OscError && error.osc.code === "invalidSessionId" && this.sessionId) {
        this.sessionId = await this.startSession();
        return this.client.livePreview({ signal, stallMs: this.stallMs, sessionId: this.sessionId });
      }
      if (!(error instanceof OscError) || !NO_PREVIEW_CODES.has(error.osc.code) || this.sessionId) throw error;
      const state = await this.client.state().catch(() => undefined);
      if ((state?.state as { _apiVersion?: unknown } | undefined)?._apiVersion !== 1) throw error;
      this.sessionId = await this.startSession();
      return this.client.livePreview({ signal, stallMs: this.stallMs, sessionId: this.sessionId });
    }
  }

  private async startSession(): Promise<string> {
    const answer = await this.client.execute("camera.startSession", {});
    const id = answer.results?.sessionId;
    if (typeof id !== "string") throw new CameraError(this.name, "camera.startSession: no sessionId in the answer");
    return id;
  }

  /** A part that is a JPEG becomes the newest frame; anything else is skipped. */
  private accept(headers: Record<string, string>, body: Buffer): void {
    const type = headers["content-type"];
    if ((type && !/^image\/jpe?g/i.test(type)) || body.length < 4 || body[0] !== 0xff || body[1] !== 0xd8) return;
    const extra: Record<string, string> = {};
    for (const [key, value] of Object.entries(headers)) {
      if (key.startsWith("x-") && /^[\x20-\x7e]{0,200}$/.test(value) && /^[a-z0-9-]{1,64}$/.test(key)) extra[key] = value;
    }
    this.latest = { seq: ++this.seq, jpeg: body, extra };
    if (this.current.state !== "live") this.setStatus({ state: "live" });
    for (const viewer of this.viewers) viewer.frame();
  }

  /** Whether a failure ends the attempts (no preview, wrong password) or is one more reason to reconnect. */
  private classify(error: unknown): { final: true; state: "unsupported" | "failed"; message: string } | { final: false; message: string; progressed: boolean } {
    const progressed = (error as { progressed?: boolean }).progressed === true;
    if (error instanceof OscError && NO_PREVIEW_CODES.has(error.osc.code)) {
      return { final: true, state: "unsupported", message: `${this.name}: this camera has no live preview (it answered camera.getLivePreview with ${error.osc.code})` };
    }
    if (error instanceof CameraError && (error.status === 404 || error.status === 501) && !(error instanceof OscError)) {
      return { final: true, state: "unsupported", message: `${this.name}: this camera has no live preview (HTTP ${error.status} for camera.getLivePreview)` };
    }
    if (error instanceof AuthError) return { final: true, state: "failed", message: error.message };
    const code = (error as { code?: string }).code;
    if (code === "UND_ERR_BODY_TIMEOUT") return { final: false, message: `${this.name}: the live preview stalled for ${(this.stallMs / 1000).toFixed(1)} s`, progressed };
    if (error instanceof CameraError) return { final: false, message: error.message, progressed };
    return { final: false, message: `${this.name}: live preview: ${(error as Error).message}`, progressed };
  }
}
