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
}

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
  const variant = chooseVariant(data.variants, {
    maxTextureSize: maxTextureSize(),
    screenWidth: Math.max(window.innerWidth, 320),
    pixelRatio: window.devicePixelRatio || 1,
    hfov,
    saveData: connection?.saveData === true,
  });
  if (!variant) {
    // No WebGL, or a GPU too small for every variant: the picture and text stay as they are.
    root.dataset.viewer = "unsupported";
    return;
  }
  container.classList.add("viewer--live");
  const viewer = pannellum.viewer(container, {
    type: "equirectangular",
    panorama: variant.url,
    preview: data.preview,
    autoLoad: true,
    ignoreGPanoXMP: true,
    showControls: true,
    ...(data.viewer as object),
  } as Pannellum.ConfigOptions);
  root.dataset.viewer = "loading";
  root.dataset.variant = variant.url;
  viewer.on("load", () => {
    root.dataset.viewer = "loaded";
  });
  viewer.on("error", (message: string) => {
    root.dataset.viewer = "error";
    console.error(`panorama could not be shown: ${message}`);
  });
  (window as Window & { rotundaViewer?: Pannellum.Viewer }).rotundaViewer = viewer;
}

start();
