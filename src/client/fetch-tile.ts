// Tiles as the viewer takes them: fetched as bytes (the boot script starts the
// first view's just before the viewer starts), decoded off the main thread by
// createImageBitmap.

/** The tiles the boot script has started fetching, by URL; the viewer takes each once. */
export type Prefetched = Map<string, Promise<Blob>>;

declare global {
  interface Window {
    rotundaPrefetch?: Prefetched;
  }
}

export function fetchBlob(url: string): Promise<Blob> {
  return fetch(url).then((response) => (response.ok ? response.blob() : Promise.reject(new Error(`${response.status} ${url}`))));
}
