// The HTTP side of `rotunda serve`: Eleventy's dev server (static files from the
// output folder, live reload over a WebSocket on the same port), with two changes:
// it binds one address (upstream passes no host to listen(), so it would answer on
// every interface), and every HTML page it serves carries the current problems.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import EleventyDevServer from "@11ty/eleventy-dev-server";
import path from "node:path";
import { CACHE_IMMUTABLE, cacheControlFor } from "../deploy/headers.ts";
import { freePort } from "../ports.ts";

export interface HttpServerOptions {
  /** The folder served: the site's output. */
  root: string;
  host: string;
  /** First port tried; 0 lets the system pick. */
  port: number;
  /** HTML put at the top of every page's body (empty: nothing). */
  banner: () => string;
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

function cacheHeaders(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader("Cache-Control", devCacheControl(req.url ?? "/"));
  next();
}

class BoundDevServer extends EleventyDevServer {
  constructor(
    root: string,
    private readonly host: string,
    private readonly banner: () => string,
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
  const server = new BoundDevServer(options.root, options.host, options.banner);
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
