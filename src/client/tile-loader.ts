// Rotunda's hooks into its build of libpannellum (multiRes.rotunda; see
// src/client/pannellum/libpannellum.patch): the level a view needs and which
// tiles it shows (tile-plan.ts), and the tiles themselves: taken from the boot
// script's early fetches when it made them, decoded off the main thread, with
// the overview of the whole sphere cut into its six faces.
import { fetchBlob } from "./fetch-tile.ts";
import { levelFor, quadInView } from "./tile-plan.ts";
import type { MultiresData } from "./viewer-plan.ts";

/** What the patched renderer calls. */
export interface RendererHooks {
  levelFor(hfovRadians: number, canvasWidth: number): number;
  quadInView(matrix: ArrayLike<number>, vertices: ArrayLike<number>): number | false;
  loadTile(url: string): Promise<TexImageSource>;
  loadOverview?: () => Promise<TexImageSource[]>;
}

/** The tile's bytes: the boot script's fetch when it started one (each is used once), else a new one. */
function take(url: string): Promise<Blob> {
  const early = window.rotundaPrefetch?.get(url);
  if (early) {
    window.rotundaPrefetch!.delete(url);
    return early.catch(() => fetchBlob(url));
  }
  return fetchBlob(url);
}

/** A decoded picture: an ImageBitmap where the browser makes them, else a decoded <img>. */
async function decode(blob: Blob): Promise<TexImageSource> {
  if (typeof createImageBitmap === "function") return createImageBitmap(blob);
  const img = new Image();
  const url = URL.createObjectURL(blob);
  try {
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Cuts the overview (six square faces side by side) into its faces. */
async function overviewFaces(url: string, faceSize: number): Promise<TexImageSource[]> {
  const blob = await take(url);
  if (typeof createImageBitmap !== "function") throw new Error("no createImageBitmap: tiles only");
  const strip = await createImageBitmap(blob);
  try {
    return await Promise.all([0, 1, 2, 3, 4, 5].map((i) => createImageBitmap(strip, i * faceSize, 0, faceSize, faceSize)));
  } finally {
    strip.close();
  }
}

export function rendererHooks(tiles: MultiresData): RendererHooks {
  const { overview } = tiles;
  return {
    levelFor: (hfov, canvasWidth) => levelFor(tiles, hfov, canvasWidth),
    quadInView,
    loadTile: (url) => take(url).then(decode),
    ...(overview ? { loadOverview: () => overviewFaces(overview.url, overview.faceSize) } : {}),
  };
}
