// The HTTP side of `rotunda serve`: Eleventy's dev server (static files from the
// output folder, live reload over a WebSocket on the same port), with three changes:
// it binds one address (upstream passes no host to listen(), so it would answer on
// every interface), every HTML page it serves carries the current problems, and a
// request it cannot map to a file in the output folder gets 400 or 404 instead of
// an exception that would end the process.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import EleventyDevServer from "@11ty/eleventy-dev-server";
import path from "node:path";
import { CACHE_IMMUTABLE, cacheControlFor } from "../deploy/headers.ts";
import { STATE_DIR } from "../manifest.ts";
import { freePort } from "../ports.ts";

export interface HttpServerOptions {
  /** The folder served: the site's output. */
  root: string;
  host: string;
  /** First port tried; 0 lets the system pick. */
  port: number;
  /** HTML put at the top of every page's body (empty: nothing). */
  banner: () => string;
  /** Answers requests of its own before the file server (true: answered); its responses stream as they are written. */
  routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface HttpServer {
  url: string;
  port: number;
  /** Every open page reloads. */
  reload(): void;
  close(): Promise<void>;
}

/**
 * The Cache-Control for a URL in dev. A file whose name carries a content hash is
 * immutable by the same rule deploy uses (src/deploy/headers.ts), so a reload
 * after a caption edit need not fetch and decode the panorama again; everything
 * else changes under the server and is revalidated on every request, pages always.
 */
export function devCacheControl(url: string): string {
  const pathname = url.split(/[?#]/, 1)[0] ?? "/";
  const relPath = (pathname.endsWith("/") ? `${pathname}index.html` : pathname).replace(/^\/+/, "");
  // A URL without an extension is a page (or its redirect), whatever its slug looks like.
  const immutable = path.posix.extname(relPath) !== "" && cacheControlFor(relPath) === CACHE_IMMUTABLE;
  return immutable ? CACHE_IMMUTABLE : "no-cache";
}

/**
 * Why a request target is refused before it reaches the file server, or undefined
 * when it may: not a path ("*", an absolute URL), percent-escapes that do not
 * decode, a NUL byte, a path that leaves the served folder once decoded, or one
 * into the build's state folder, which deploy never publishes either.
 */
export function refusedTarget(target: string | undefined): { status: 400 | 404; reason: string } | undefined {
  if (!target || !target.startsWith("/")) return { status: 400, reason: "not a path" };
  const pathname = target.split(/[?#]/, 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { status: 400, reason: "malformed percent-encoding" };
  }
  if (decoded.includes("\0")) return { status: 400, reason: "NUL in the path" };
  const segments = decoded.split(/[\\/]/);
  if (segments.includes("..")) return { status: 404, reason: "outside the site" };
  // The build's state (the manifest with where every picture was taken, the caches) is never part of the site.
  if (segments.includes(STATE_DIR)) return { status: 404, reason: "not part of the site" };
  return undefined;
}

function cacheHeaders(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader("Cache-Control", devCacheControl(req.url ?? "/"));
  next();
}

class BoundDevServer extends EleventyDevServer {
  constructor(
    root: string,
    private readonly host: string,
    private readonly banner: () => string,
    private readonly routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  ) {
    super("rotunda", root, {
      // Full reloads: DOM-diffing would keep the old viewer and drop <html data-viewer>.
      domDiff: false,
      showAllHosts: false,
      messageOnStart: () => false,
      middleware: [cacheHeaders],
      logger: { info() {}, log() {}, error() {} },
    });
  }

  override _serverListen(port: number): void {
    this.server.listen({ port, host: this.host });
  }

  override async onRequestHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusedTarget(req.url);
    if (refused) {
      res.writeHead(refused.status, { "content-type": "text/plain; charset=utf-8" }).end(`${refused.status === 400 ? "Bad request" : "Not found"}: ${refused.reason}\n`);
      return;
    }
    try {
      // Before the dev server wraps the response: it would hold back streamed text.
      if (this.routes && (await this.routes(req, res))) return;
      await super.onRequestHandler(req, res);
    } catch {
      // Whatever else the file server trips over ends this request, never the server.
      if (res.headersSent) res.destroy();
      else res.writeHead(400, { "content-type": "text/plain; charset=utf-8" }).end("Bad request\n");
    }
  }

  override augmentContentWithNotifier(content: string, inlineContents?: boolean, options?: Record<string, unknown>): string {
    const html = super.augmentContentWithNotifier(content, inlineContents, options);
    const banner = this.banner();
    if (!banner) return html;
    const body = /<body[^>]*>/i.exec(html);
    return body ? html.slice(0, body.index + body[0].length) + banner + html.slice(body.index + body[0].length) : banner + html;
  }
}

export function urlFor(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  // Port 0: the dev server lets the system pick.
  const port = options.port === 0 ? 0 : await freePort(options.host, options.port);
  const server = new BoundDevServer(options.root, options.host, options.banner, options.routes);
  // A taken port is retried by the dev server itself (port + 1); anything else (a bad --host) is fatal.
  const failed = new Promise<never>((_, reject) =>
    server.server.on("error", (error: NodeJS.ErrnoException) => error.code !== "EADDRINUSE" && reject(error)));
  server.serve(port);
  await Promise.race([server.ready(), failed]);
  const actual = (server.server.address() as AddressInfo).port;
  return {
    url: urlFor(options.host, actual),
    port: actual,
    reload: () => server.reload({}),
    close: () => server.close(),
  };
}
