// `rotunda camera live`: one camera's live view on its own HTTP server, bound to
// one address (127.0.0.1 unless the operator says otherwise).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Camera } from "../pull/cameras.ts";
import { LiveCamera, type LiveCameraOptions } from "./camera.ts";
import { LiveRoutes } from "./routes.ts";

export interface LiveServerOptions extends LiveCameraOptions {
  camera: Camera;
  host: string;
  /** 0 lets the system pick. */
  port: number;
}

export interface LiveServer {
  url: string;
  port: number;
  camera: LiveCamera;
  /** Bytes queued for viewers that have not taken them yet. */
  bufferedBytes(): number;
  close(): Promise<void>;
}

export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const { camera: config, host, port, ...cameraOptions } = options;
  const camera = new LiveCamera(config, cameraOptions);
  const routes = new LiveRoutes({ base: "/", cameras: [camera], single: true, log: options.log });
  const server = http.createServer((req, res) => {
    void routes.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
    });
  });
  // Streams stay open for as long as a page watches.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host }, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}/`,
    port: actual,
    camera,
    bufferedBytes: () => routes.bufferedBytes(),
    async close() {
      routes.close();
      await camera.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
