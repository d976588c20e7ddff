// The HTTP side of `rotunda serve`: Eleventy's dev server (static files from the
// output folder, live reload over a WebSocket on the same port), with two changes:
// it binds one address (upstream passes no host to listen(), so it would answer on
// every interface), and every HTML page it serves carries the current problems.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import EleventyDevServer from "@11ty/eleventy-dev-server";

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
 * Pages change under the server all the time: always revalidated. Media and bundles
 * carry content hashes in their URLs (README), so a reload after a caption edit
 * need not fetch and decode the panorama again.
 */
function cacheHeaders(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const hashed = /^\/(media|assets)\//.test(req.url ?? "");
  res.setHeader("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
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

/** Is `port` free on `host`? (A probe: the real listen may still race, and then retries.) */
function isFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    // Taken: try the next. Anything else (an address this machine does not have) is the author's to fix.
    probe.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first free port from `from` on, trying `tries` of them. */
export async function freePort(host: string, from: number, tries = 50): Promise<number> {
  if (from === 0) return 0;
  for (let port = from; port < from + tries && port <= 65535; port++) {
    if (await isFree(host, port)) return port;
  }
  throw new Error(`no free port on ${host} from ${from} to ${from + tries - 1}`);
}

export function urlFor(host: string, port: number): string {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const port = await freePort(options.host, options.port);
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
