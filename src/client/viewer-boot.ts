// Inlined in a panorama page right after its viewer frame and data, so it runs
// before the viewer's script has even been requested: it works out which tiles
// the first view needs for this frame and screen (the same decisions the viewer
// makes, viewer-plan.ts) and starts fetching them, so they arrive alongside the
// script instead of after it. The viewer takes them from window.rotundaPrefetch.
import { fetchBlob } from "./fetch-tile.ts";
import { firstTiles, type PageData } from "./viewer-plan.ts";

function boot(): void {
  const dataElement = document.getElementById("rotunda-viewer-data");
  const frame = document.getElementById("viewer");
  if (!dataElement || !frame || typeof WebGLRenderingContext === "undefined" || typeof fetch !== "function") return;
  let data: PageData;
  try {
    data = JSON.parse(dataElement.textContent ?? "") as PageData;
  } catch {
    return; // the viewer reports it
  }
  const prefetch = new Map<string, Promise<Blob>>();
  for (const url of firstTiles(data, location.hash, { width: frame.clientWidth, height: frame.clientHeight }, window.devicePixelRatio)) {
    const blob = fetchBlob(url);
    blob.catch(() => {}); // the viewer fetches it again, or leaves a missing tile out
    prefetch.set(url, blob);
  }
  window.rotundaPrefetch = prefetch;
}

boot();
