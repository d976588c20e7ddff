// Starts the Pannellum viewer on a panorama page. Settings come from the page
// (computed at build time from GPano); viewer-plan.ts decides from them and from
// what this device can do what to show first. This measures the device, starts
// Pannellum, and reports the viewer's state on <html data-viewer="…"> for tests
// and styling.
import "pannellum";
import "pannellum/build/pannellum.css";
import { equirectangularScene, planViewer, sceneLabel, type PageData, type Scene } from "./viewer-plan.ts";

type ViewerWindow = Window & { rotundaViewer?: Pannellum.Viewer };

function maxTextureSize(): number {
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    return gl ? (gl.getParameter(gl.MAX_TEXTURE_SIZE) as number) : 0;
  } catch {
    return 0;
  }
}

function start(): void {
  const dataElement = document.getElementById("rotunda-viewer-data");
  const container = document.getElementById("viewer");
  if (!dataElement || !container) return;
  const root = document.documentElement;
  const data = JSON.parse(dataElement.textContent ?? "{}") as PageData;
  const ladder = document.getElementById("rotunda-ladder");
  const connection = (navigator as Navigator & { connection?: { saveData?: boolean } }).connection;
  const plan = planViewer(
    data,
    {
      maxTextureSize: maxTextureSize(),
      viewportWidth: window.innerWidth,
      devicePixelRatio: window.devicePixelRatio,
      saveData: connection?.saveData === true,
    },
    ladder !== null,
  );
  if (!plan) {
    root.dataset.viewer = "unsupported";
    return;
  }
  container.classList.add("viewer--live");
  const show = (scene: Scene) => {
    const previous = (window as ViewerWindow).rotundaViewer;
    const view = previous ? { yaw: previous.getYaw(), pitch: previous.getPitch(), hfov: previous.getHfov() } : {};
    previous?.destroy();
    const viewer = pannellum.viewer(container, { ...plan.base, ...view, ...scene } as Pannellum.ConfigOptions);
    root.dataset.viewer = "loading";
    root.dataset.variant = sceneLabel(scene);
    viewer.on("load", () => {
      root.dataset.viewer = "loaded";
    });
    viewer.on("error", (message: string) => {
      root.dataset.viewer = "error";
      console.error(`panorama could not be shown: ${message}`);
    });
    // Multires scenes can finish loading inside pannellum.viewer(), before `on` is called.
    if (viewer.isLoaded()) root.dataset.viewer = "loaded";
    (window as ViewerWindow).rotundaViewer = viewer;
  };
  show(plan.first);
  // Comparison page: one button per ladder step switches the picture, keeping the view.
  ladder?.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-url]");
    if (!button) return;
    for (const b of ladder.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
    show(equirectangularScene(button.dataset.url!));
  });
  ladder?.querySelector(`button[data-url="${CSS.escape(plan.variant)}"]`)?.setAttribute("aria-pressed", "true");
}

start();
