// A map tile server on 127.0.0.1 for page tests: any /{z}/{x}/{y}.png is a small
// PNG (a flat colour per zoom level), and every request is recorded, so a test
// can tell that a map asked for tiles without any call leaving the machine.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";

export interface TileServer {
  /** The URL template a gallery's `map.tiles` takes. */
  template: string;
  /** The tiles asked for, as "z/x/y". */
  requests: string[];
  close(): Promise<void>;
}

const TILE = /^\/(\d+)\/(\d+)\/(\d+)\.png$/;

export async function serveTiles(): Promise<TileServer> {
  const requests: string[] = [];
  const tiles = new Map<string, Buffer>();
  const tileFor = async (z: number): Promise<Buffer> => {
    const key = String(z % 8);
    let tile = tiles.get(key);
    if (!tile) {
      const shade = 120 + (z % 8) * 16;
      tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: shade, g: 200, b: 160 } } }).png().toBuffer();
      tiles.set(key, tile);
    }
    return tile;
  };
  const server: Server = createServer(async (req, res) => {
    const m = TILE.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    requests.push(`${m[1]}/${m[2]}/${m[3]}`);
    const body = await tileFor(Number(m[1]));
    res.writeHead(200, { "content-type": "image/png", "content-length": body.length, "access-control-allow-origin": "*" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    template: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
