// What this device's WebGL can do, for the viewer's decisions (viewer-plan.ts).

/**
 * WebGL's MAX_TEXTURE_SIZE; 0 without WebGL. The context it asks is let go at once:
 * a page gets only a few (Chromium keeps 16), each holds GPU memory, and the
 * viewer makes its own.
 */
export function maxTextureSize(): number {
  try {
    const gl = document.createElement("canvas").getContext("webgl");
    if (!gl) return 0;
    const size = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return size;
  } catch {
    return 0;
  }
}
