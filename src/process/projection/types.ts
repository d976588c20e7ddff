/**
 * Shared types of the projection modules.
 *
 * Conventions used everywhere in src/process/projection (they are Pannellum's):
 * - World axes are WebGL's as libpannellum uses them: +x right, +y up, and the
 *   viewer at yaw 0, pitch 0 looks along -z.
 * - yaw (longitude) is 0 at the centre column of the equirectangular and grows
 *   to the right (yaw +90° looks along +x); pitch (latitude) is positive up.
 *   direction(yaw, pitch) = (cos p · sin y, sin p, -cos p · cos y).
 * - Pixel centres: pixel i of an image n pixels wide covers [i, i+1) and its
 *   centre is i + 0.5. Equirectangular column X (continuous) maps to
 *   yaw = (X / width - 0.5) · 360°, row Y to pitch = (0.5 - Y / height) · 180°.
 */

/** 8-bit sRGB, row-major, as from sharp(...).raw().toBuffer({ resolveWithObject: true }). */
export interface RawImage {
  data: Buffer | Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * Where a partial (GPano cropped) equirectangular sits inside its full sphere:
 * the full panorama is fullWidth × fullHeight and the image's top-left pixel is
 * at (left, top) of it (GPano CroppedAreaLeftPixels / CroppedAreaTopPixels).
 */
export interface Crop {
  fullWidth: number;
  fullHeight: number;
  left: number;
  top: number;
}

/** RGB, each 0–255, used outside a partial panorama. */
export type Rgb = readonly [number, number, number];

/** Pannellum's `multiRes` object (https://pannellum.org/documentation/reference/ "multiRes"). */
export interface MultiresConfig {
  /** Left unset by writeMultires: the caller knows the URL the tiles are served from. */
  basePath?: string;
  path: string;
  fallbackPath: string;
  extension: string;
  tileResolution: number;
  maxLevel: number;
  cubeResolution: number;
}
