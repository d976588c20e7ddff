// What a page measures of the device before it starts a viewer: the largest
// texture WebGL takes (0 without WebGL), the width the viewer gets, the pixel
// ratio and whether the reader asks for less data. viewer-plan.ts decides from it.
import type { Device } from "./viewer-plan.ts";
import { maxTextureSize } from "./webgl.ts";

/** The device, for a viewer `width` CSS pixels wide (the window's width by default). */
export function measureDevice(width = window.innerWidth): Device {
  const connection = (navigator as Navigator & { connection?: { saveData?: boolean } }).connection;
  return {
    maxTextureSize: maxTextureSize(),
    viewportWidth: width,
    devicePixelRatio: window.devicePixelRatio,
    saveData: connection?.saveData === true,
  };
}
