// The `panorama` shortcode's figures in a page: each shows its thumbnail until it
// scrolls into view or its button is pressed, then starts the viewer. Pannellum
// (panorama-viewer.js and its stylesheet, named on each figure) is loaded for the
// first figure that starts, once; figures never scrolled to load nothing. Every
// figure includes this script, so it sets itself up only once. A browser that asks
// for less data (Save-Data) starts a figure only when its button is pressed.
import "./panoramas.css";

interface InlineViewer {
  start(figure: HTMLElement, focus: boolean): void;
}

type PanoramasWindow = Window & { rotundaPanoramas?: true; rotundaPanoramaViewer?: InlineViewer };

const win = window as PanoramasWindow;

let viewer: Promise<InlineViewer> | undefined;

/** Pannellum and the start-up code, loaded once for the whole page. */
function loadViewer(js: string, css: string): Promise<InlineViewer> {
  viewer ??= new Promise<InlineViewer>((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = css;
    document.head.append(link);
    const script = document.createElement("script");
    script.src = js;
    script.async = true;
    script.onload = () => (win.rotundaPanoramaViewer ? resolve(win.rotundaPanoramaViewer) : reject(new Error(`${js} did not set up the viewer`)));
    script.onerror = () => reject(new Error(`${js} could not be loaded`));
    document.head.append(script);
  });
  return viewer;
}

function setUp(): void {
  const figures = Array.from(document.querySelectorAll<HTMLElement>("[data-rotunda-panorama]"));
  const started = new WeakSet<HTMLElement>();
  const saveData = (navigator as Navigator & { connection?: { saveData?: boolean } }).connection?.saveData === true;
  const observer =
    !saveData && "IntersectionObserver" in window
      ? new IntersectionObserver((entries) => {
          for (const entry of entries) if (entry.isIntersecting) start(entry.target as HTMLElement, false);
        }, { threshold: 0.35 })
      : undefined;

  function start(figure: HTMLElement, focus: boolean): void {
    if (started.has(figure)) return;
    started.add(figure);
    observer?.unobserve(figure);
    figure.dataset.state = "loading";
    loadViewer(figure.dataset.viewerJs!, figure.dataset.viewerCss!)
      .then((inline) => inline.start(figure, focus))
      .catch((error: Error) => {
        figure.dataset.state = "error";
        console.error(`panorama could not be shown: ${error.message}`);
      });
  }

  for (const figure of figures) {
    const button = figure.querySelector<HTMLButtonElement>("[data-rotunda-start]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", () => start(figure, true));
    }
    observer?.observe(figure);
  }
}

if (!win.rotundaPanoramas) {
  win.rotundaPanoramas = true;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
}
