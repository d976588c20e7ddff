// One scene as Rotunda's build of Pannellum takes it: the cube tiles with the
// renderer's hooks (tile-loader.ts), or one equirectangular picture with its
// preview (Pannellum shows a preview only for a single picture: for tiles it
// would fetch one and never show it). The panorama page and the side-by-side
// page start their viewers with it.
import { rendererHooks } from "./tile-loader.ts";
import type { Scene } from "./viewer-plan.ts";

export function pannellumScene(scene: Scene, preview: string): Record<string, unknown> {
  return scene.type === "multires"
    ? { type: "multires", multiRes: { ...scene.multiRes, rotunda: rendererHooks(scene.multiRes) } }
    : { ...scene, preview };
}
