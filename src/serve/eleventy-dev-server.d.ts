// @11ty/eleventy-dev-server ships no TypeScript types: the part Rotunda's dev
// server uses (and overrides: see http.ts).
declare module "@11ty/eleventy-dev-server" {
  import type { Server } from "node:http";

  export interface DevServerOptions {
    port?: number;
    liveReload?: boolean;
    domDiff?: boolean;
    showAllHosts?: boolean;
    portReassignmentRetryCount?: number;
    messageOnStart?: (info: unknown) => string | false;
    headers?: Record<string, string>;
    /** Run before the static files, in order. */
    middleware?: Array<(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse, next: () => void) => void>;
    logger?: { info(...a: unknown[]): void; log(...a: unknown[]): void; error(...a: unknown[]): void };
  }

  export default class EleventyDevServer {
    constructor(name: string, dir: string, options?: DevServerOptions);
    options: DevServerOptions;
    /** Created on first access; listens when serve() is called. */
    get server(): Server;
    _server?: Server;
    serve(port: number): void;
    ready(): Promise<void>;
    close(): Promise<void>;
    /** Tells every open page to reload (full reload when no DOM-diff templates are given). */
    reload(event?: { files?: string[]; subtype?: string; build?: unknown }): void;
    /** Listens on `port`; upstream passes no host, so it binds every interface. */
    _serverListen(port: number): void;
    /** Handles one request: middleware, then the output folder's files. */
    onRequestHandler(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): Promise<void>;
    /** Adds the live-reload script to an HTML response. */
    augmentContentWithNotifier(content: string, inlineContents?: boolean, options?: Record<string, unknown>): string;
  }
}
