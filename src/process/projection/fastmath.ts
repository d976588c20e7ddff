/**
 * Table-driven atan/atan2 for the per-pixel loops: linear interpolation in a
 * 4097-entry table of atan on [0, 1], plus octant reduction. The worst-case
 * error is about 5e-9 rad (h²/8 · max|atan''| with h = 1/4096), i.e. far below
 * 1e-4 pixel for any panorama size, and cheaper per call than Math.atan /
 * Math.atan2 in V8.
 */
const N = 4096;
const TABLE = new Float64Array(N + 2);
for (let i = 0; i <= N + 1; i++) TABLE[i] = Math.atan(i / N);

const HALF_PI = Math.PI / 2;

/** atan(t) for 0 ≤ t ≤ 1. */
function atanUnit(t: number): number {
  const x = t * N;
  const i = x | 0;
  const f = x - i;
  const a = TABLE[i]!;
  return a + (TABLE[i + 1]! - a) * f;
}

export function fastAtan(t: number): number {
  if (t >= 0) return t <= 1 ? atanUnit(t) : HALF_PI - atanUnit(1 / t);
  return t >= -1 ? -atanUnit(-t) : atanUnit(-1 / t) - HALF_PI;
}

/** Same as Math.atan2(y, x) to ~5e-9 rad; (0, 0) gives 0. */
export function fastAtan2(y: number, x: number): number {
  const ax = x < 0 ? -x : x;
  const ay = y < 0 ? -y : y;
  let r: number;
  if (ax >= ay) {
    if (ax === 0) return 0;
    r = atanUnit(ay / ax);
  } else {
    r = HALF_PI - atanUnit(ax / ay);
  }
  if (x < 0) r = Math.PI - r;
  return y < 0 ? -r : r;
}
