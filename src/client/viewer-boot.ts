// Inlined in a panorama page right after its viewer frame and data, so it runs
// before the viewer's script has even been requested: it works out which tiles
// the first view needs for this frame and screen (the same decisions the viewer
// makes, viewer-plan.ts) and starts fetching them, so they arrive alongside the
// script instead of after it. The viewer takes them from window.rotundaPrefetch.
// The fetches start once the frame with the page's first paint has been
// produced, so they never compete with what that paint needs.
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
  const urls = firstTiles(data, location.hash, { width: frame.clientWidth, height: frame.clientHeight }, window.devicePixelRatio);
  const prefetch = new Map<string, Promise<Blob>>();
  window.rotundaPrefetch = prefetch;
  const fetchAll = () => {
    for (const url of urls) {
      const blob = fetchBlob(url);
      blob.catch(() => {}); // the viewer fetches it again, or leaves a missing tile out
      prefetch.set(url, blob);
    }
  };
  // A page opened in a background tab paints nothing (and runs no animation frames) until shown.
  if (document.hidden) setTimeout(fetchAll, 0);
  else requestAnimationFrame(() => setTimeout(fetchAll, 0));
}

boot();
