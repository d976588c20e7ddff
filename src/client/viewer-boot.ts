// Inlined in a panorama page right after its viewer frame and data: once the
// page's first paint is on the screen it works out which tiles the first view
// needs for this frame and screen (the same decisions the viewer makes,
// viewer-plan.ts) and starts fetching them. The viewer's script waits for the
// same moment and asks for it later, so the fetches start just before the
// viewer's start-up and arrive while it runs; the viewer takes them from
// window.rotundaPrefetch. Until then it reads nothing of the page: reading the
// frame's size while the page is parsed forces a layout, and a long script here
// makes the parser yield, splitting the page's first paint in two frames.
import { fetchBlob } from "./fetch-tile.ts";
import { afterFirstPaint } from "./first-paint.ts";
import { firstTiles, type PageData } from "./viewer-plan.ts";

function boot(): void {
  const dataElement = document.getElementById("rotunda-viewer-data");
  const frame = document.getElementById("viewer");
  if (!dataElement || !frame || typeof WebGLRenderingContext === "undefined" || typeof fetch !== "function") return;
  const prefetch = new Map<string, Promise<Blob>>();
  window.rotundaPrefetch = prefetch;
  afterFirstPaint(() => {
    let data: PageData;
    try {
      data = JSON.parse(dataElement.textContent ?? "") as PageData;
    } catch {
      return; // the viewer reports it
    }
    for (const url of firstTiles(data, location.hash, { width: frame.clientWidth, height: frame.clientHeight }, window.devicePixelRatio)) {
      const blob = fetchBlob(url);
      blob.catch(() => {}); // the viewer fetches it again, or leaves a missing tile out
      prefetch.set(url, blob);
    }
  });
}

boot();
