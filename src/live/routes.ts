// The live view's URLs, for `rotunda camera live` (one camera, its page at "/")
// and for serve's /_cameras/ (a list, then one page per camera):
//   <camera>/           the page: viewer, state, Shoot button
//   <camera>/stream     the camera's preview, multipart/x-mixed-replace of JPEGs
//   <camera>/events     status and state as server-sent events
//   <camera>/state      the state once, JSON
//   <camera>/shoot      POST: take a picture, answer JSON (fileUrl, file, page, picture)
//   <camera>/shots/<n>  a picture that landed in the gallery
//   live.js, live.css   the browser code
// Credentials stay in each camera's OscClient: nothing here sends them anywhere.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { formatBytes } from "../format.ts";
import { CameraError } from "../pull/errors.ts";
import { liveBundle } from "./bundle.ts";
import { ShootBusyError, type LiveCamera } from "./camera.ts";
import { cameraListPage, livePage } from "./page.ts";
import { serveStream, type CameraSummary } from "./viewers.ts";

/** Header the page's Shoot request carries: another site's form or script cannot send it without our consent. */
export const SHOOT_HEADER = "x-rotunda-live";

/**
 * Whether a request names this server by address (or as localhost). A page of
 * another site whose name was pointed at 127.0.0.1 (DNS rebinding) sends its own
 * name, and is refused: it must not watch the camera or shoot with it.
 */
export function addressedByIp(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  return name === "localhost" || isIP(name) !== 0;
}

export interface LiveRoutesOptions {
  /** Path prefix, ending in "/". */
  base: string;
  cameras: LiveCamera[];
  /** One camera whose page is the base itself (`camera live`); otherwise a list at the base and a folder per camera. */
  single: boolean;
  /** Where the list's "Gallery" link and the pages' "All cameras" link lead. */
  log?: (line: string) => void;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  const data = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "content-type": type, "content-length": String(data.length), "cache-control": "no-store", "x-content-type-options": "nosniff", ...extra });
  res.end(data);
}

const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
const notFound = (res: ServerResponse) => send(res, 404, "text/plain; charset=utf-8", "Not found\n");

/** "86% (charging)" / "1234 pictures, 12 GB" / "idle": the state in words. */
export function describeSummary(summary: CameraSummary): { battery: string; storage: string; capture: string } {
  if (summary.error) return { battery: "?", storage: "?", capture: summary.error };
  const battery = summary.batteryLevel === undefined ? "unknown" : `${Math.round(summary.batteryLevel * 100)}%${summary.batteryState && summary.batteryState !== "disconnect" ? ` (${summary.batteryState})` : ""}`;
  const storage = [summary.remainingPictures === undefined ? "" : `${summary.remainingPictures} pictures`, summary.remainingSpace === undefined ? "" : formatBytes(summary.remainingSpace)].filter(Boolean).join(", ") || "unknown";
  return { battery, storage, capture: summary.captureStatus ?? "unknown" };
}

export class LiveRoutes {
  /** Streams and event channels open now: closing the routes ends them. */
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly options: LiveRoutesOptions) {}

  /** Ends every stream and event channel these routes keep open. */
  close(): void {
    for (const res of this.open) res.destroy();
    this.open.clear();
  }

  /** Bytes written to open streams and not yet taken by the network: what slow viewers cost. */
  bufferedBytes(): number {
    let total = 0;
    for (const res of this.open) total += res.writableLength;
    return total;
  }

  private keep(res: ServerResponse): void {
    this.open.add(res);
    res.on("close", () => this.open.delete(res));
  }

  private cameraBase(camera: LiveCamera): string {
    return this.options.single ? this.options.base : `${this.options.base}${encodeURIComponent(camera.name)}/`;
  }

  /** Answers the request if its path is one of ours; false otherwise (the caller serves it). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const { base, cameras, single } = this.options;
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://live.invalid").pathname;
    } catch {
      return false;
    }
    if (!pathname.startsWith(base) && pathname !== base.slice(0, -1)) return false;
    if (pathname === base.slice(0, -1)) {
      res.writeHead(301, { location: base }).end();
      return true;
    }
    if (!addressedByIp(req.headers.host)) {
      send(res, 403, "text/plain; charset=utf-8", "The live view answers only to its address (127.0.0.1:port), not to a host name.\n");
      return true;
    }
    const rest = pathname.slice(base.length);
    try {
      if (rest === "live.js" || rest === "live.css") {
        const bundle = await liveBundle();
        if (rest === "live.js") send(res, 200, "text/javascript; charset=utf-8", bundle.js);
        else send(res, 200, "text/css; charset=utf-8", bundle.css);
        return true;
      }
      if (single) return await this.cameraRoute(req, res, cameras[0]!, rest);
      if (rest === "") {
        await this.list(res);
        return true;
      }
      const slash = rest.indexOf("/");
      const segment = slash < 0 ? rest : rest.slice(0, slash);
      const camera = cameras.find((c) => encodeURIComponent(c.name) === segment || c.name === safeDecode(segment));
      if (!camera) {
        notFound(res);
        return true;
      }
      if (slash < 0) {
        res.writeHead(301, { location: this.cameraBase(camera) }).end();
        return true;
      }
      return await this.cameraRoute(req, res, camera, rest.slice(slash + 1));
    } catch (error) {
      this.options.log?.(`live view: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "Internal error\n");
      else res.destroy();
      return true;
    }
  }

  private async list(res: ServerResponse): Promise<void> {
    const { css } = this.assetUrls();
    const entries = await Promise.all(
      this.options.cameras.map(async (camera) => {
        const summary = await Promise.race([camera.summary(), new Promise<CameraSummary>((resolve) => setTimeout(() => resolve({ error: "no answer within 3 s" }), 3000).unref())]);
        const words = describeSummary(summary);
        const state = summary.error ? summary.error : `battery ${words.battery} · storage ${words.storage} · ${words.capture}`;
        return { name: camera.name, href: this.cameraBase(camera), state };
      }),
    );
    send(res, 200, "text/html; charset=utf-8", cameraListPage(entries, css));
  }

  private assetUrls(): { js: string; css: string } {
    return { js: `${this.options.base}live.js`, css: `${this.options.base}live.css` };
  }

  private async cameraRoute(req: IncomingMessage, res: ServerResponse, camera: LiveCamera, sub: string): Promise<boolean> {
    const method = req.method ?? "GET";
    const here = this.cameraBase(camera);
    if (sub === "shoot") {
      if (method !== "POST") {
        send(res, 405, "text/plain; charset=utf-8", "Use POST\n", { allow: "POST" });
        return true;
      }
      await this.shoot(req, res, camera, here);
      return true;
    }
    if (method !== "GET" && method !== "HEAD") {
      send(res, 405, "text/plain; charset=utf-8", "Method not allowed\n", { allow: "GET, HEAD" });
      return true;
    }
    if (sub === "") {
      const page = livePage(camera.name, { stream: `${here}stream`, events: `${here}events`, shoot: `${here}shoot`, ...this.assetUrls(), index: this.options.single ? undefined : this.options.base });
      send(res, 200, "text/html; charset=utf-8", page);
    } else if (sub === "stream") {
      this.keep(res);
      serveStream(camera.feed, res);
    } else if (sub === "events") {
      this.keep(res);
      camera.openEvents(res);
    } else if (sub === "state") {
      json(res, 200, { status: camera.feed.status, camera: await camera.summary() });
    } else if (sub.startsWith("shots/")) {
      await this.shot(res, camera, Number(sub.slice("shots/".length)));
    } else {
      notFound(res);
    }
    return true;
  }

  private async shoot(req: IncomingMessage, res: ServerResponse, camera: LiveCamera, here: string): Promise<void> {
    req.resume();
    if (req.headers[SHOOT_HEADER] !== "1") {
      json(res, 403, { error: `a shot needs the ${SHOOT_HEADER} header the live page sends` });
      return;
    }
    try {
      const shot = await camera.shoot((n) => `${here}shots/${n}`);
      json(res, 200, shot);
    } catch (error) {
      if (error instanceof ShootBusyError) json(res, 409, { error: error.message });
      else if (error instanceof CameraError) json(res, 502, { error: error.message });
      else throw error;
    }
  }

  private async shot(res: ServerResponse, camera: LiveCamera, n: number): Promise<void> {
    const landing = camera.shots.get(n);
    const info = landing ? await stat(landing.absolute).catch(() => undefined) : undefined;
    if (!landing || !info?.isFile()) return notFound(res);
    res.writeHead(200, { "content-type": /\.png$/i.test(landing.absolute) ? "image/png" : "image/jpeg", "content-length": String(info.size), "cache-control": "no-store" });
    createReadStream(landing.absolute).pipe(res);
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
