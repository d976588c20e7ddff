// serve's development-only camera pages: /_cameras/ lists the gallery's
// configured cameras with their state, /_cameras/<name>/ is the live view with a
// Shoot button (src/live/). A shot is pulled into the gallery by the pull stage,
// built like any new picture, and answered with its page. Served from memory on
// 127.0.0.1 only (a request that reached serve on any other address gets 404, as
// if there were no such page), never written to the output folder.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConfigError, type GalleryConfig } from "../config.ts";
import { escapeHtml } from "../format.ts";
import { LiveCamera, type Landing } from "../live/camera.ts";
import { pullShot } from "../live/landing.ts";
import { LiveRoutes } from "../live/routes.ts";
import { readManifest } from "../manifest.ts";
import { resolveCameras, type Camera } from "../pull/cameras.ts";

export const CAMERAS_BASE = "/_cameras/";

export interface CameraPagesOptions {
  inputDir: string;
  outputDir: string;
  /** The gallery's config as last read (undefined until one could be). */
  config: () => GalleryConfig | undefined;
  /** Rebuilds for a new picture and resolves once the site is built. */
  rebuild: (file: string) => Promise<void>;
  log: (line: string) => void;
}

/** Whether a request came in on this machine's loopback address. */
export function onLoopback(req: IncomingMessage): boolean {
  const local = req.socket.localAddress ?? "";
  return local === "127.0.0.1" || local === "::1" || local === "::ffff:127.0.0.1";
}

export class CameraPages {
  private routes: LiveRoutes | undefined;
  private cameras: LiveCamera[] = [];
  /** The camera settings the current routes were made from. */
  private made = "";

  constructor(private readonly options: CameraPagesOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? "/";
    if (!(url === CAMERAS_BASE.slice(0, -1) || url.startsWith(CAMERAS_BASE) || url.startsWith(`${CAMERAS_BASE.slice(0, -1)}?`))) return false;
    if (!onLoopback(req)) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return true;
    }
    const config = this.options.config();
    if (!config) return this.problem(res, 503, "The gallery's rotunda.json could not be read yet: see the problems rotunda serve shows.");
    try {
      return await this.routesFor(config).handle(req, res);
    } catch (error) {
      if (error instanceof ConfigError) return this.problem(res, 500, error.message);
      throw error;
    }
  }

  /** The live routes for the cameras configured now; made again when their settings change. */
  private routesFor(config: GalleryConfig): LiveRoutes {
    const key = JSON.stringify([config.cameras, config.pull]);
    if (this.routes && key === this.made) return this.routes;
    const cameras = resolveCameras(config.cameras);
    const old = this.cameras;
    this.cameras = cameras.map((camera) => new LiveCamera(camera, { land: (fileUrl) => this.land(camera, fileUrl), log: this.options.log }));
    this.routes = new LiveRoutes({ base: CAMERAS_BASE, cameras: this.cameras, single: false, log: this.options.log });
    this.made = key;
    for (const camera of old) void camera.close();
    return this.routes;
  }

  /** Pulls the shot into the gallery, waits for the rebuild, and finds the picture's page. */
  private async land(camera: Camera, fileUrl: string): Promise<Landing> {
    const config = this.options.config();
    const landing = await pullShot({ galleryDir: this.options.inputDir, camera, pull: config?.pull ?? {}, fileUrl, log: this.options.log });
    await this.options.rebuild(landing.absolute);
    const manifest = await readManifest(this.options.outputDir).catch(() => undefined);
    const record = manifest?.panoramas.find((p) => p.source.path === landing.file);
    return { ...landing, ...(record ? { page: `/${record.slug}/` } : {}) };
  }

  private problem(res: ServerResponse, status: number, message: string): boolean {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><meta charset="utf-8"><title>Cameras · Rotunda</title><h1>Cameras</h1><p>${escapeHtml(message)}</p>`);
    return true;
  }

  async close(): Promise<void> {
    this.routes?.close();
    await Promise.all(this.cameras.map((c) => c.close()));
  }
}
