// The moment a panorama page's first paint is on the screen: the viewer starts
// then, and the boot script fetches the first view's tiles then. Starting WebGL
// is one long task (long on a slow device, and it holds up the GPU process), and
// the placeholder and text must not wait for it; the tiles' requests start with
// it, so they arrive while it runs.

/**
 * How long to wait at most for the browser to report the first paint: a page
 * in a background tab paints nothing until it is shown. Well above the time a
 * visible page takes to report it, so the order above holds wherever the page
 * is looked at.
 */
const PAINT_WAIT_MS = 3000;

/**
 * Runs `run` in a task of its own once the browser reports the first
 * contentful paint; in a browser without paint timing, after the next frame.
 * Either way, after PAINT_WAIT_MS at most. Calls made in the same page run in
 * the order they were made.
 */
export function afterFirstPaint(run: () => void): void {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    setTimeout(run, 0);
  };
  setTimeout(start, PAINT_WAIT_MS);
  if (typeof PerformanceObserver === "undefined" || !PerformanceObserver.supportedEntryTypes?.includes("paint")) {
    requestAnimationFrame(start);
    return;
  }
  new PerformanceObserver((list, observer) => {
    if (!list.getEntriesByName("first-contentful-paint").length) return;
    observer.disconnect();
    start();
  }).observe({ type: "paint", buffered: true });
}
