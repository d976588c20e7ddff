// The viewer bundle of a panorama page (and the comparison page): Pannellum
// with Rotunda's changes, started on the page's #viewer. On the comparison page
// one button per ladder step switches the picture, keeping the view.
import "./pannellum.ts";
import { startPanoramaPage, type PanoramaPage } from "./panorama-page.ts";
import { equirectangularScene } from "./viewer-plan.ts";

/** How long the viewer waits for the browser to report the first paint. */
const PAINT_WAIT_MS = 1000;

/**
 * Once the page's first paint is on the screen: starting WebGL is one long task
 * (long on a slow device, and it holds up the GPU process), and the placeholder
 * and text must not wait for it. The browser's first-contentful-paint entry
 * says when; where it has none (or the page is in a background tab, which
 * paints nothing) the viewer starts after a frame, or after a second at most.
 */
function afterFirstPaint(run: () => void): void {
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    setTimeout(run, 0);
  };
  setTimeout(start, PAINT_WAIT_MS);
  try {
    new PerformanceObserver((list, observer) => {
      if (!list.getEntriesByName("first-contentful-paint").length) return;
      observer.disconnect();
      start();
    }).observe({ type: "paint", buffered: true });
  } catch {
    requestAnimationFrame(start); // no paint timing here
  }
}

afterFirstPaint(() => {
  const page = startPanoramaPage();
  const ladder = document.getElementById("rotunda-ladder");
  if (page && ladder) startLadder(page, ladder);
});

function startLadder(page: PanoramaPage, ladder: HTMLElement): void {
  ladder.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-url]");
    if (!button) return;
    for (const b of ladder.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
    page.show(equirectangularScene(button.dataset.url!));
  });
  ladder.querySelector(`button[data-url="${CSS.escape(page.plan.variant)}"]`)?.setAttribute("aria-pressed", "true");
}
