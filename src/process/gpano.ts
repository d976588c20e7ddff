// GPano (Google Photo Sphere XMP) → Pannellum viewer settings, computed at build
// time so the browser never has to re-download a picture to read its XMP.
//
// Conventions (checked against Pannellum 2.5.7's own GPano reader):
//   haov    = croppedWidth  / fullWidth  · 360
//   vaov    = croppedHeight / fullHeight · 180
//   vOffset = ((top + croppedHeight / 2) / fullHeight − 0.5) · −180   (positive: centre above horizon)
//   northOffset = PoseHeadingDegrees, plus the yaw of the picture's centre inside
//   the full sphere when a partial panorama is not centred horizontally (Pannellum
//   ignores CroppedAreaLeftPixels; we do not).
// InitialViewHeadingDegrees is read relative to the picture's centre, as RICOH
// cameras write it (0 = the front lens) and as Pannellum's yaw is defined.
import type { ViewerConfig } from "../manifest.ts";

export interface GPano {
  ProjectionType?: string;
  FullPanoWidthPixels?: number;
  FullPanoHeightPixels?: number;
  CroppedAreaImageWidthPixels?: number;
  CroppedAreaImageHeightPixels?: number;
  CroppedAreaLeftPixels?: number;
  CroppedAreaTopPixels?: number;
  PoseHeadingDegrees?: number;
  PosePitchDegrees?: number;
  PoseRollDegrees?: number;
  InitialViewHeadingDegrees?: number;
  InitialViewPitchDegrees?: number;
  InitialHorizontalFOVDegrees?: number;
}

/** Where the picture sits in its full sphere, in pixels of the picture itself. */
export interface PanoGeometry {
  fullWidth: number;
  fullHeight: number;
  croppedWidth: number;
  croppedHeight: number;
  left: number;
  top: number;
  /** True when the picture covers the whole sphere. */
  full: boolean;
}

export const DEFAULT_HFOV = 100;

const round = (n: number, digits = 4) => Number(n.toFixed(digits));
const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);

/** Angle into (−180, 180]. */
export function wrapDegrees(a: number): number {
  const r = ((((a + 180) % 360) + 360) % 360) - 180;
  return r === -180 ? 180 : r;
}

/**
 * Works out where a picture of `width`×`height` sits in its sphere, or explains why
 * it cannot be shown as a panorama. A 2:1 picture without GPano is a full sphere;
 * anything else needs GPano's cropped-area fields.
 */
export function panoGeometry(width: number, height: number, gpano: GPano = {}): PanoGeometry | { error: string } {
  const projection = gpano.ProjectionType?.toLowerCase();
  if (projection && projection !== "equirectangular") {
    return { error: `GPano ProjectionType is "${gpano.ProjectionType}"; only equirectangular is supported` };
  }
  const hasCrop = finite(gpano.FullPanoWidthPixels) && finite(gpano.CroppedAreaImageWidthPixels);
  if (!hasCrop) {
    if (width !== 2 * height) {
      return { error: `picture is ${width}×${height}, not 2:1, and has no GPano cropped-area metadata to place it as a partial panorama` };
    }
    return { fullWidth: width, fullHeight: height, croppedWidth: width, croppedHeight: height, left: 0, top: 0, full: true };
  }
  // The GPano pixel fields may describe a larger original (e.g. after a resize):
  // scale them to this picture's width.
  const croppedW = gpano.CroppedAreaImageWidthPixels!;
  const fullW = gpano.FullPanoWidthPixels!;
  const fullH = finite(gpano.FullPanoHeightPixels) ? gpano.FullPanoHeightPixels : fullW / 2;
  const scale = width / croppedW;
  const croppedH = finite(gpano.CroppedAreaImageHeightPixels) ? gpano.CroppedAreaImageHeightPixels : height / scale;
  const fullWidth = fullW * scale;
  const fullHeight = fullH * scale;
  const croppedHeight = croppedH * scale;
  const left = (finite(gpano.CroppedAreaLeftPixels) ? gpano.CroppedAreaLeftPixels : (fullW - croppedW) / 2) * scale;
  const top = (finite(gpano.CroppedAreaTopPixels) ? gpano.CroppedAreaTopPixels : (fullH - croppedH) / 2) * scale;
  if (Math.abs(croppedHeight - height) > Math.max(2, height * 0.01)) {
    return { error: `GPano CroppedAreaImageHeightPixels does not match the picture's ${width}×${height} proportions` };
  }
  if (fullWidth < width - 1 || fullHeight < height - 1 || top < -1 || top + croppedHeight > fullHeight + 1) {
    return { error: "GPano cropped area does not fit inside the full panorama" };
  }
  const full = Math.abs(fullWidth - width) < 1 && Math.abs(fullHeight - height) < 1;
  return { fullWidth, fullHeight, croppedWidth: width, croppedHeight: height, left, top, full };
}

/** Pannellum settings for a picture with this geometry and GPano. */
export function viewerConfig(geometry: PanoGeometry, gpano: GPano = {}): ViewerConfig {
  const haov = (geometry.croppedWidth / geometry.fullWidth) * 360;
  const vaov = (geometry.croppedHeight / geometry.fullHeight) * 180;
  const vOffset = ((geometry.top + geometry.croppedHeight / 2) / geometry.fullHeight - 0.5) * -180;
  const config: ViewerConfig = {
    yaw: finite(gpano.InitialViewHeadingDegrees) ? round(wrapDegrees(gpano.InitialViewHeadingDegrees)) : 0,
    pitch: finite(gpano.InitialViewPitchDegrees) ? round(Math.max(-90, Math.min(90, gpano.InitialViewPitchDegrees))) : 0,
    hfov: finite(gpano.InitialHorizontalFOVDegrees) && gpano.InitialHorizontalFOVDegrees > 0
      ? round(Math.min(120, Math.max(30, gpano.InitialHorizontalFOVDegrees)))
      : DEFAULT_HFOV,
    haov: round(haov),
    vaov: round(vaov),
    vOffset: round(vOffset) + 0, // + 0 turns −0 into 0
  };
  if (finite(gpano.PoseHeadingDegrees)) {
    // Yaw of the picture's centre inside the full sphere (0 for a centred crop).
    const centreYaw = ((geometry.left + geometry.croppedWidth / 2) / geometry.fullWidth) * 360 - 180;
    config.northOffset = round((((gpano.PoseHeadingDegrees + centreYaw) % 360) + 360) % 360);
  }
  if (finite(gpano.PosePitchDegrees) && gpano.PosePitchDegrees !== 0) config.horizonPitch = round(gpano.PosePitchDegrees);
  if (finite(gpano.PoseRollDegrees) && gpano.PoseRollDegrees !== 0) config.horizonRoll = round(gpano.PoseRollDegrees);
  if (!geometry.full) {
    // Keep the view inside the picture.
    config.minPitch = round(vOffset - vaov / 2);
    config.maxPitch = round(vOffset + vaov / 2);
    if (haov < 360) {
      config.minYaw = round(-haov / 2);
      config.maxYaw = round(haov / 2);
    }
  }
  return config;
}
