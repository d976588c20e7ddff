// What this device's WebGL can do, for the viewer's decisions (viewer-plan.ts).

/** WebGL's MAX_TEXTURE_SIZE; 0 without WebGL. */
export function maxTextureSize(): number {
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    return gl ? (gl.getParameter(gl.MAX_TEXTURE_SIZE) as number) : 0;
  } catch {
    return 0;
  }
}
