// What the viewer shows first on a page, decided from the page's data and what the
// device can do, and nothing else: whether it can show the panorama at all, the
// settings every scene shares, and the first scene (the cube tiles, or the
// equirectangular variant that suits the device; on the comparison page, the
// ladder step of the gallery's own quality). viewer.ts measures the device and
// hands the result to Pannellum.
import { chooseVariant, type VariantChoice } from "./choose-variant.ts";

/** The viewer's data on a page, as the page's <script id="rotunda-viewer-data"> holds it. */
export interface PageData {
  title: string;
  variants: VariantChoice[];
  preview: string;
  viewer: Record<string, number | undefined>;
  /** Comparison page: the ladder step shown first (the gallery's own quality). */
  initial?: string;
  /** Cube tiles: loaded progressively, on any device with WebGL. */
  multiRes?: Record<string, string | number>;
}

/** The device as the page measures it. */
export interface Device {
  /** WebGL's MAX_TEXTURE_SIZE; 0 without WebGL. */
  maxTextureSize: number;
  /** window.innerWidth, in CSS pixels. */
  viewportWidth: number;
  /** window.devicePixelRatio; 0 counts as 1. */
  devicePixelRatio: number;
  /** The browser asks for less data (navigator.connection.saveData). */
  saveData: boolean;
}

/** One scene as Pannellum takes it. */
export type Scene =
  | { type: "multires"; multiRes: Record<string, string | number> }
  | { type: "equirectangular"; panorama: string };

export interface ViewerPlan {
  /** Settings every scene on the page shares: the preview, and GPano's view and limits. */
  base: Record<string, unknown>;
  /** The scene shown first. */
  first: Scene;
  /** URL of the variant chosen for this device (the comparison page marks its ladder step). */
  variant: string;
}

/** The narrowest viewport a variant is chosen for: a phone held upright. */
const MIN_VIEWPORT_WIDTH = 320;
/** Pannellum's own initial field of view, when GPano gives none. */
const DEFAULT_HFOV = 100;

/**
 * The viewer's start on this page and device, or undefined when it cannot show the
 * panorama (no WebGL, or a GPU too small for every variant): the page's picture and
 * text then stay as they are. The cube tiles go to any device that can show a
 * variant, except on the comparison page, which compares the full-size ladder.
 */
export function planViewer(data: PageData, device: Device, comparisonPage: boolean): ViewerPlan | undefined {
  const chosen = chooseVariant(data.variants, {
    maxTextureSize: device.maxTextureSize,
    screenWidth: Math.max(device.viewportWidth, MIN_VIEWPORT_WIDTH),
    pixelRatio: device.devicePixelRatio || 1,
    hfov: data.viewer.hfov ?? DEFAULT_HFOV,
    saveData: device.saveData,
  });
  if (!chosen) return undefined;
  // The comparison page starts at the gallery's own quality, at the size chosen.
  const variant = data.variants.find((v) => v.url === data.initial && v.width === chosen.width) ?? chosen;
  const base = { preview: data.preview, autoLoad: true, ignoreGPanoXMP: true, showControls: true, ...data.viewer };
  const first = data.multiRes && !comparisonPage ? multiresScene(data.multiRes) : equirectangularScene(variant.url);
  return { base, first, variant: variant.url };
}

export function equirectangularScene(url: string): Scene {
  return { type: "equirectangular", panorama: url };
}

function multiresScene(multiRes: Record<string, string | number>): Scene {
  return { type: "multires", multiRes };
}

/** How <html data-variant> names a scene: "multires", or the picture's URL. */
export function sceneLabel(scene: Scene): string {
  return scene.type === "multires" ? "multires" : scene.panorama;
}
