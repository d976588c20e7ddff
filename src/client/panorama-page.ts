// A panorama page's viewer: starts Pannellum on #viewer with the plan for this
// page, address and device (viewer-plan.ts), wires the controls, the tour's
// hotspots, the view events, the address and the links that carry the view,
// and reveals the drawing over the page's placeholder once the first view is
// sharp (or the reader moves). It reports the viewer's
// state on <html data-viewer="…"> for tests and styling, and keeps the live
// Pannellum viewer on window.rotundaViewer.
import { keepAddressInStep } from "./address.ts";
import { carryViewInLinks } from "./carry-view.ts";
import { decorateControls } from "./controls.ts";
import { measureDevice } from "./device.ts";
import { neighbourForKey, type FocusPlace } from "./neighbours.ts";
import { pannellumScene } from "./pannellum-scene.ts";
import { tourHotSpots } from "./tour.ts";
import { turnTo } from "./turn-to.ts";
import { watchView } from "./view-events.ts";
import type { ViewAngles } from "./view-link.ts";
import { openingView, planViewer, sceneLabel, type PageData, type Scene, type ViewerPlan } from "./viewer-plan.ts";

type ViewerWindow = Window & { rotundaViewer?: Pannellum.Viewer };

export interface PanoramaPage {
  plan: ViewerPlan;
  /** Shows a scene of this picture (the comparison page's ladder steps), keeping the view or taking `view`. */
  show(scene: Scene, view?: ViewAngles): void;
}

const FIELDS = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role=slider], [role=spinbutton], [role=textbox], [role=combobox], [role=listbox], [role=grid], [role=tree], [role=tablist], [role=menu], [role=menubar], [role=radiogroup]";

/** Page-wide keys for the previous and next picture (neighbours.ts decides). */
function listenForNeighbourKeys(container: HTMLElement, data: PageData): void {
  document.addEventListener("keydown", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const focus: FocusPlace = target && container.contains(target) ? "viewer" : target?.closest(FIELDS) ? "field" : "page";
    const url = neighbourForKey(event.key, event.altKey || event.ctrlKey || event.metaKey || event.shiftKey, focus, data.neighbours);
    if (!url || event.defaultPrevented) return;
    event.preventDefault();
    location.assign(url);
  });
}

/** Without WebGL, the picture the page shows without JavaScript: its <noscript> thumbnail. */
function showFallback(container: HTMLElement): void {
  const noscript = container.querySelector("noscript");
  if (noscript?.textContent && !container.querySelector(".viewer-fallback")) container.insertAdjacentHTML("beforeend", noscript.textContent);
}

function describe(container: HTMLElement, data: PageData): void {
  container.setAttribute("role", "application");
  container.setAttribute("aria-roledescription", "360° panorama viewer");
  const help = document.createElement("p");
  help.id = `${container.id}-help`;
  help.className = "visually-hidden";
  help.textContent =
    "Drag, or use the arrow keys, to look around; + and − zoom." +
    (data.neighbours ? " Page Up and Page Down go to the previous and next picture." : "");
  container.after(help);
  container.setAttribute("aria-describedby", help.id);
}

export function startPanoramaPage(): PanoramaPage | undefined {
  const dataElement = document.getElementById("rotunda-viewer-data");
  const container = document.getElementById("viewer");
  if (!dataElement || !container) return undefined;
  const root = document.documentElement;
  const data = JSON.parse(dataElement.textContent ?? "{}") as PageData;
  listenForNeighbourKeys(container, data);
  const ladder = document.getElementById("rotunda-ladder");
  const reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
  const device = { ...measureDevice(), reducedMotion };
  const plan = planViewer(data, device, ladder !== null, location.hash);
  if (!plan) {
    root.dataset.viewer = "unsupported";
    showFallback(container);
    return undefined;
  }
  container.classList.add("viewer--live");
  describe(container, data);

  let viewer: Pannellum.Viewer | undefined;
  const view = (): ViewAngles => ({ yaw: viewer!.getYaw(), pitch: viewer!.getPitch(), hfov: viewer!.getHfov() });
  // Keys and pointers the reader holds down: Pannellum may start moving the view some frames after the press.
  const held = new Set<string>();
  const watch = watchView({ view: () => (viewer?.isLoaded() ? view() : undefined), northOffset: () => data.viewer.northOffset, held: () => held.size > 0 });
  // Anything that may move the view wakes the watch; it sleeps again once the view is still and nothing is held.
  for (const type of ["pointerdown", "pointermove", "wheel", "keydown", "touchstart", "touchmove"]) {
    container.addEventListener(type, () => watch.wake(), { passive: true });
  }
  container.addEventListener("keydown", (event) => held.add(`key ${event.code}`));
  container.addEventListener("pointerdown", (event) => held.add(`pointer ${event.pointerId}`));
  // Let go anywhere (focus or the pointer may have left the viewer): inertia may still carry the view.
  document.addEventListener("keyup", (event) => held.delete(`key ${event.code}`) && watch.wake());
  for (const type of ["pointerup", "pointercancel"] as const) document.addEventListener(type, (event) => held.delete(`pointer ${event.pointerId}`) && watch.wake());
  window.addEventListener("blur", () => held.clear());
  window.addEventListener("deviceorientation", () => viewer?.isOrientationActive() && watch.wake());
  // The drawing replaces the page's placeholder once the first view is sharp, or as soon as the reader moves.
  const reveal = () => container.classList.add("viewer--drawn");
  for (const type of ["pointerdown", "wheel", "keydown", "touchstart"]) container.addEventListener(type, reveal, { passive: true });

  const show = (scene: Scene, at?: ViewAngles) => {
    const keep = at ?? (viewer ? view() : {});
    viewer?.destroy();
    const sceneConfig = pannellumScene(scene, data.preview);
    const hotSpots = tourHotSpots(data.links, { viewer: () => viewer, reducedMotion, moving: () => watch.wake() });
    const config = { ...plan.base, ...keep, ...sceneConfig, hotSpots };
    const current = pannellum.viewer(container, config as Pannellum.ConfigOptions);
    viewer = current;
    (window as ViewerWindow).rotundaViewer = current;
    root.dataset.viewer = "loading";
    root.dataset.variant = sceneLabel(scene);
    const loaded = () => {
      root.dataset.viewer = "loaded";
      watch.report(true);
      watch.wake();
      if (scene.type === "equirectangular") reveal();
    };
    current.on("load", loaded);
    current.on("error", (message: string) => {
      root.dataset.viewer = "error";
      reveal();
      console.error(`panorama could not be shown: ${message}`);
    });
    current.on("animatefinished", () => {
      watch.report();
      reveal();
    });
    current.on("zoomchange", () => watch.wake());
    // Multires scenes can finish loading inside pannellum.viewer(), before `on` is called.
    if (current.isLoaded()) loaded();
    decorateControls({ container, viewer: current, title: data.title, northOffset: data.viewer.northOffset, neighbours: data.neighbours, reducedMotion, view });
  };

  if (!ladder) carryViewInLinks(data);
  show(plan.first, openingView(data, location.hash));
  if (!ladder) keepAddressInStep(view(), (to) => {
    if (viewer) turnTo(viewer, to, 0);
    watch.wake();
  });

  return { plan, show };
}
