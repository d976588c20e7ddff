// Starts Pannellum in a `panorama` shortcode's figure, with the figure's own data
// and the same decisions as the panorama page's viewer (viewer-plan.ts): what this
// device can show, and what first. Loaded by panoramas.js when the first figure
// starts; reports each figure's state on its data-state attribute.
import "pannellum";
import "pannellum/build/pannellum.css";
import { measureDevice } from "./device.ts";
import { pannellumScene } from "./pannellum-scene.ts";
import { planViewer, type PageData } from "./viewer-plan.ts";

function start(figure: HTMLElement, focus: boolean): void {
  const container = figure.querySelector<HTMLElement>("[data-rotunda-viewer]");
  const dataElement = figure.querySelector("script[data-rotunda-viewer-data]");
  if (!container || !dataElement) return;
  const data = JSON.parse(dataElement.textContent ?? "{}") as PageData;
  const plan = planViewer(data, measureDevice(), false);
  if (!plan) {
    figure.dataset.state = "unsupported";
    return;
  }
  container.setAttribute("role", "application");
  container.setAttribute("aria-label", `360° view of ${data.title}: arrow keys turn it, + and − zoom`);
  figure.classList.add("rotunda-panorama--live");
  figure.querySelector<HTMLButtonElement>("[data-rotunda-start]")?.setAttribute("hidden", "");
  const viewer = pannellum.viewer(container, { ...plan.base, ...pannellumScene(plan.first, data.preview) } as Pannellum.ConfigOptions);
  viewer.on("load", () => {
    figure.dataset.state = "loaded";
  });
  viewer.on("error", (message: string) => {
    figure.dataset.state = "error";
    console.error(`panorama could not be shown: ${message}`);
  });
  // Multires scenes can finish loading inside pannellum.viewer(), before `on` is called.
  if (viewer.isLoaded()) figure.dataset.state = "loaded";
  // Pressed by keyboard or pointer: the viewer takes the focus, so the arrow keys turn it at once.
  if (focus) container.focus();
}

(window as Window & { rotundaPanoramaViewer?: { start: typeof start } }).rotundaPanoramaViewer = { start };
