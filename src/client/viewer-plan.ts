// What the viewer shows first on a page, decided from the page's data, its
// address and what the device can do, and nothing else: whether it can show the
// panorama at all, the settings every scene shares (the view a #view= address
// asks for, the compass when north is known, autorotation only when the page
// asks for it and the reader does not prefer reduced motion), the first scene
// (the cube tiles, or the equirectangular variant that suits the device; on the
// comparison page, the ladder step of the gallery's own quality), and which
// tiles that first view needs. viewer.ts measures the device and hands the
// result to Pannellum; the boot script fetches the tiles before it runs.
import { chooseVariant, type VariantChoice } from "./choose-variant.ts";
import { applyHorizon } from "./horizon.ts";
import type { Neighbours } from "./neighbours.ts";
import { levelFor, visibleTiles, type TileSet } from "./tile-plan.ts";
import { parseViewHash, type ViewAngles } from "./view-link.ts";

/** Pannellum settings computed at build time from GPano (manifest `viewer`). */
export interface ViewerSettings extends Partial<ViewAngles> {
  northOffset?: number;
  haov?: number;
  vaov?: number;
  vOffset?: number;
  horizonPitch?: number;
  horizonRoll?: number;
  minPitch?: number;
  maxPitch?: number;
  minYaw?: number;
  maxYaw?: number;
  minHfov?: number;
  maxHfov?: number;
  /** Degrees per second; only when the page asks for it. */
  autoRotate?: number;
}

/** The page's cube tiles: Pannellum's multiRes, plus the overview of the whole sphere. */
export interface MultiresData extends TileSet {
  fallbackPath: string;
  overview?: { url: string; faceSize: number };
}

/** The viewer's data on a page, as the page's <script id="rotunda-viewer-data"> holds it. */
export interface PageData {
  title: string;
  variants: VariantChoice[];
  preview: string;
  viewer: ViewerSettings;
  /** Comparison page: the ladder step shown first (the gallery's own quality). */
  initial?: string;
  /** Cube tiles: loaded progressively, on any device with WebGL. */
  multiRes?: MultiresData;
  /** Previous and next picture in the listing the page belongs to. */
  neighbours?: Neighbours;
  /** The same spot on other dates, tour links, position and map: for the modules that show them. */
  place?: { name: string; url: string; index: number; shots: { url: string; date: string; label: string; northOffset?: number }[] };
  links?: { url: string; title: string; yaw: number; pitch: number; northOffset?: number }[];
  position?: { lat: number; lng: number };
  map?: { tiles: string; attribution: string };
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
  /** The reader prefers reduced motion (prefers-reduced-motion: reduce). */
  reducedMotion?: boolean;
}

/** One scene as Pannellum takes it. */
export type Scene =
  | { type: "multires"; multiRes: MultiresData }
  | { type: "equirectangular"; panorama: string };

export interface ViewerPlan {
  /** Settings every scene on the page shares: GPano's view and limits, the compass, the address's view. */
  base: Record<string, unknown>;
  /** The scene shown first. */
  first: Scene;
  /** URL of the variant chosen for this device (the comparison page marks its ladder step). */
  variant: string;
}

/** The narrowest viewport a variant is chosen for: a phone held upright. */
const MIN_VIEWPORT_WIDTH = 320;
/** Pannellum's own initial field of view and zoom limits, when the page gives none. */
const DEFAULT_HFOV = 100;
const DEFAULT_MIN_HFOV = 50;
const DEFAULT_MAX_HFOV = 120;

/**
 * The viewer's start on this page and device, or undefined when it cannot show the
 * panorama (no WebGL, or a GPU too small for every variant): the page's picture and
 * text then stay as they are. The cube tiles go to any device that can show a
 * variant, except on the comparison page, which compares the full-size ladder.
 */
export function planViewer(data: PageData, device: Device, comparisonPage: boolean, hash = ""): ViewerPlan | undefined {
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
  const { autoRotate, ...settings } = data.viewer;
  const base = {
    autoLoad: true,
    ignoreGPanoXMP: true,
    showControls: true,
    ...settings,
    compass: data.viewer.northOffset !== undefined,
    ...(autoRotate && !device.reducedMotion ? { autoRotate } : {}),
    ...parseViewHash(hash),
  };
  const first = data.multiRes && !comparisonPage ? multiresScene(data.multiRes) : equirectangularScene(variant.url);
  return { base, first, variant: variant.url };
}

export function equirectangularScene(url: string): Scene {
  return { type: "equirectangular", panorama: url };
}

function multiresScene(multiRes: MultiresData): Scene {
  return { type: "multires", multiRes };
}

/** How <html data-variant> names a scene: "multires", or the picture's URL. */
export function sceneLabel(scene: Scene): string {
  return scene.type === "multires" ? "multires" : scene.panorama;
}

/**
 * The view Pannellum shows for a requested one on a canvas (device pixels), with
 * its limits applied as its render() and constrainHfov() apply them: the field of
 * view within [minHfov, maxHfov] (for tiles, minHfov lowered so the finest level
 * can fill the canvas), the pitch so the view stays inside the picture's vertical
 * range, the yaw inside a partial panorama's horizontal range.
 */
export function constrainView(view: ViewAngles, settings: ViewerSettings, canvas: { width: number; height: number }, multiRes?: TileSet): ViewAngles {
  let minHfov = settings.minHfov ?? DEFAULT_MIN_HFOV;
  const maxHfov = settings.maxHfov ?? DEFAULT_MAX_HFOV;
  if (multiRes) minHfov = Math.min(minHfov, canvas.width / ((multiRes.cubeResolution / 90) * 0.9));
  const hfov = minHfov > maxHfov ? view.hfov : Math.max(minHfov, Math.min(maxHfov, view.hfov));
  let yaw = view.yaw;
  const minYaw = settings.minYaw ?? -180;
  const maxYaw = settings.maxYaw ?? 180;
  if (maxYaw - minYaw < 360) {
    let low = minYaw + hfov / 2;
    let high = maxYaw - hfov / 2;
    if (maxYaw - minYaw < hfov) low = high = (low + high) / 2;
    yaw = Math.max(low, Math.min(high, yaw));
  }
  const vfov = ((2 * Math.atan(Math.tan((hfov / 180) * Math.PI * 0.5) / (canvas.width / canvas.height))) / Math.PI) * 180;
  const minPitchSetting = settings.minPitch ?? -90;
  const maxPitchSetting = settings.maxPitch ?? 90;
  let low = minPitchSetting + vfov / 2;
  let high = maxPitchSetting - vfov / 2;
  if (maxPitchSetting - minPitchSetting < vfov) low = high = (low + high) / 2;
  return { yaw, pitch: Math.max(low, Math.min(high, view.pitch)), hfov };
}

/** The view a page opens at: its address's #view=, else GPano's initial view. */
export function openingView(data: PageData, hash: string): ViewAngles {
  return parseViewHash(hash) ?? { yaw: data.viewer.yaw ?? 0, pitch: data.viewer.pitch ?? 0, hfov: data.viewer.hfov ?? DEFAULT_HFOV };
}

/**
 * The tile URLs the first view of a page needs, in the order to fetch them
 * (the overview of the whole sphere, or without one the level-1 tiles in view,
 * then the tiles of the view's level nearest the centre first),
 * for a viewer frame of `frame` CSS pixels on a screen of this pixel ratio;
 * none when the page has no tiles.
 */
export function firstTiles(data: PageData, hash: string, frame: { width: number; height: number }, pixelRatio: number): string[] {
  const tiles = data.multiRes;
  if (!tiles || frame.width < 1 || frame.height < 1) return [];
  // Pannellum's canvas: the frame's CSS size times the pixel ratio, in whole pixels.
  const canvas = { width: Math.trunc(frame.width * (pixelRatio || 1)), height: Math.trunc(frame.height * (pixelRatio || 1)) };
  const view = constrainView(openingView(data, hash), data.viewer, canvas, tiles);
  const rendered = applyHorizon(view, data.viewer.horizonPitch, data.viewer.horizonRoll);
  const level = levelFor(tiles, (rendered.hfov * Math.PI) / 180, canvas.width);
  const at = (l: number) => visibleTiles(tiles, rendered, canvas.width, canvas.height, l).map((t) => t.url);
  // Without an overview the viewer draws level 1 under the others, as stock Pannellum does.
  const under = tiles.overview ? [tiles.overview.url] : level > 1 ? at(1) : [];
  return [...under, ...at(level)];
}
