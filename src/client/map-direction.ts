// The mini-map's view cone: an SVG path from the picture's position (the
// origin) spreading over the field of view around the compass heading, in
// screen coordinates (y down, north up).

/** A point `radius` from the origin towards `bearing` (degrees clockwise from north). */
function towards(bearing: number, radius: number): string {
  const r = (bearing * Math.PI) / 180;
  return `${(radius * Math.sin(r)).toFixed(2)} ${(-radius * Math.cos(r)).toFixed(2)}`;
}

/** The wedge for a view `hfov` degrees wide (at most a half circle drawn) looking towards `heading`. */
export function directionWedge(heading: number, hfov: number, radius: number): string {
  const half = Math.min(Math.max(hfov, 10), 180) / 2;
  return `M0 0L${towards(heading - half, radius)}A${radius} ${radius} 0 0 1 ${towards(heading + half, radius)}Z`;
}
