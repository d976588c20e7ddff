/**
 * Projection geometry for the process stage: all functions take the already
 * decoded raw pixels. Conventions (axes, yaw/pitch, pixel centres) are in
 * types.ts and cubemap.ts.
 */
export type { Crop, MultiresConfig, RawImage, Rgb } from "./types.ts";
export { EquirectSampler, cropBounds } from "./sample.ts";
export { FACES, direction, directionToFace, faceByName, renderFace, type Face, type FaceName } from "./cubemap.ts";
export {
  defaultCubeSize,
  multiresLayout,
  writeMultires,
  type LevelLayout,
  type MultiresLayout,
  type MultiresOptions,
  type MultiresResult,
} from "./multires.ts";
export { applyHorizon, renderPerspective, viewMatrix, type PerspectiveOptions, type View } from "./perspective.ts";
export { nadirOverlay, type NadirOptions, type NadirOverlay } from "./nadir.ts";
