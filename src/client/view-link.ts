// The view in a panorama page's address: `#view=<yaw>,<pitch>,<hfov>`, degrees,
// the yaw as the viewer's yaw for that picture. Opening such an address starts
// there; turning rewrites it (viewer.ts); "copy link to this view" copies it.

export interface ViewAngles {
  yaw: number;
  pitch: number;
  hfov: number;
}

const NUMBER = "(-?\\d+(?:\\.\\d+)?)";
const VIEW_HASH = new RegExp(`^#view=${NUMBER},${NUMBER},${NUMBER}$`);

/** The view a location hash asks for, or undefined when it asks for none (or nonsense). */
export function parseViewHash(hash: string): ViewAngles | undefined {
  const m = VIEW_HASH.exec(hash);
  if (!m) return undefined;
  const [yaw, pitch, hfov] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(hfov > 0 && hfov < 180) || pitch < -90 || pitch > 90) return undefined;
  return { yaw, pitch, hfov };
}

/** One decimal at most, no "-0", no trailing ".0". */
function short(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Degrees in [0, 360). */
export function wrap360(degrees: number): number {
  const wrapped = ((degrees % 360) + 360) % 360;
  return wrapped >= 359.95 ? 0 : wrapped;
}

/** `#view=…` for a view: yaw in [0, 360), everything to a tenth of a degree. */
export function formatViewHash(view: ViewAngles): string {
  return `#view=${short(wrap360(view.yaw))},${short(view.pitch)},${short(view.hfov)}`;
}

/** `url` with its fragment replaced by the view's. */
export function urlWithView(url: string, view: ViewAngles): string {
  const hash = url.indexOf("#");
  return (hash === -1 ? url : url.slice(0, hash)) + formatViewHash(view);
}

/** Whether two views would write the same address. */
export function sameView(a: ViewAngles, b: ViewAngles): boolean {
  return formatViewHash(a) === formatViewHash(b);
}
