// Starts the Pannellum viewer on a panorama page. Settings come from the page
// (computed at build time from GPano); this only picks the variant this device
// can show and reports the viewer's state on <html data-viewer="…"> for tests
// and styling.
import "pannellum";
import "pannellum/build/pannellum.css";
import { chooseVariant, type VariantChoice } from "./choose-variant.ts";

interface PageData {
  title: string;
  variants: VariantChoice[];
  preview: string;
  viewer: Record<string, number | undefined>;
  /** Comparison page: the ladder step shown first (the gallery's own quality). */
  initial?: string;
  /** Cube tiles: loaded progressively, on any device with WebGL. */
  multiRes?: Record<string, string | number>;
}

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
  const hfov = data.viewer.hfov ?? 100;
  const connection = (navigator as Navigator & { connection?: { saveData?: boolean } }).connection;
  const chosen = chooseVariant(data.variants, {
    maxTextureSize: maxTextureSize(),
    screenWidth: Math.max(window.innerWidth, 320),
    pixelRatio: window.devicePixelRatio || 1,
    hfov,
    saveData: connection?.saveData === true,
  });
  const variant = chosen && (data.variants.find((v) => v.url === data.initial && v.width === chosen.width) ?? chosen);
  if (!variant) {
    // No WebGL, or a GPU too small for every variant: the picture and text stay as they are.
    root.dataset.viewer = "unsupported";
    return;
  }
  container.classList.add("viewer--live");
  const base = {
    preview: data.preview,
    autoLoad: true,
    ignoreGPanoXMP: true,
    showControls: true,
    ...(data.viewer as object),
  };
  const ladder = document.getElementById("rotunda-ladder");
  const show = (config: Pannellum.ConfigOptions, label: string) => {
    const previous = (window as ViewerWindow).rotundaViewer;
    const view = previous ? { yaw: previous.getYaw(), pitch: previous.getPitch(), hfov: previous.getHfov() } : {};
    previous?.destroy();
    const viewer = pannellum.viewer(container, { ...base, ...view, ...config } as Pannellum.ConfigOptions);
    root.dataset.viewer = "loading";
    root.dataset.variant = label;
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
  if (data.multiRes && !ladder) {
    show({ type: "multires", multiRes: data.multiRes } as unknown as Pannellum.ConfigOptions, "multires");
  } else {
    show({ type: "equirectangular", panorama: variant.url } as Pannellum.ConfigOptions, variant.url);
  }
  // Comparison page: one button per ladder step switches the picture, keeping the view.
  ladder?.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-url]");
    if (!button) return;
    for (const b of ladder.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
    show({ type: "equirectangular", panorama: button.dataset.url } as Pannellum.ConfigOptions, button.dataset.url!);
  });
  ladder?.querySelector(`button[data-url="${CSS.escape(variant.url)}"]`)?.setAttribute("aria-pressed", "true");
}

start();
