// A picture whose horizon is tilted (GPano PosePitch/PoseRoll, Pannellum's
// horizonPitch/horizonRoll): the view libpannellum renders for the reader's
// yaw, pitch and roll. Used by the boot script to know which tiles the first
// view shows, and by the process stage to draw the placeholder of that view.

/** Degrees; yaw 0 is the picture's centre, roll in Pannellum's sense. */
export interface View {
  yaw: number;
  pitch: number;
  roll?: number;
}

/**
 * The view libpannellum actually renders for a picture whose horizon is tilted
 * (Pannellum's horizonPitch/horizonRoll, degrees): its render() turns the
 * reader's yaw and pitch into the picture's own and adds a roll.
 */
export function applyHorizon<V extends View>(view: V, horizonPitch?: number, horizonRoll?: number): V {
  if (horizonPitch === undefined && horizonRoll === undefined) return view;
  const rad = Math.PI / 180;
  const hp = (horizonPitch ?? 0) * rad;
  const hr = (horizonRoll ?? 0) * rad;
  const p0 = view.pitch * rad;
  const y0 = view.yaw * rad;
  const x = Math.cos(hr) * Math.sin(p0) * Math.sin(hp) + Math.cos(p0) * (Math.cos(hp) * Math.cos(y0) + Math.sin(hr) * Math.sin(hp) * Math.sin(y0));
  const y = -Math.sin(p0) * Math.sin(hr) + Math.cos(p0) * Math.cos(hr) * Math.sin(y0);
  const z = Math.cos(hr) * Math.cos(hp) * Math.sin(p0) + Math.cos(p0) * (-Math.cos(y0) * Math.sin(hp) + Math.cos(hp) * Math.sin(hr) * Math.sin(y0));
  const pitch = Math.asin(Math.max(-1, Math.min(1, z)));
  const yaw = Math.atan2(y, x);
  const v = [
    Math.cos(p0) * (Math.sin(hr) * Math.sin(hp) * Math.cos(y0) - Math.cos(hp) * Math.sin(y0)),
    Math.cos(p0) * Math.cos(hr) * Math.cos(y0),
    Math.cos(p0) * (Math.cos(hp) * Math.sin(hr) * Math.cos(y0) + Math.sin(y0) * Math.sin(hp)),
  ] as const;
  const w = [-Math.cos(pitch) * Math.sin(yaw), Math.cos(pitch) * Math.cos(yaw)] as const;
  const cos = (v[0] * w[0] + v[1] * w[1]) / (Math.hypot(v[0], v[1], v[2]) * Math.hypot(w[0], w[1]));
  let roll = Math.acos(Math.max(-1, Math.min(1, cos)));
  if (v[2] < 0) roll = 2 * Math.PI - roll;
  return { ...view, yaw: yaw / rad, pitch: pitch / rad, roll: (view.roll ?? 0) + roll / rad };
}
