// Distances and directions between pictures' positions (WGS 84 degrees), and a
// grid that finds the pictures near one without comparing every pair.
import type { GpsPoint } from "../manifest.ts";

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** Great-circle distance in metres (haversine). */
export function distanceMetres(a: GpsPoint, b: GpsPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from `a` to `b`, degrees clockwise from true north, in [0, 360). */
export function bearingDegrees(a: GpsPoint, b: GpsPoint): number {
  const φ1 = rad(a.lat);
  const φ2 = rad(b.lat);
  const Δλ = rad(b.lng - a.lng);
  const y = Math.sin(Δλ) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ);
  return normalizeDegrees(deg(Math.atan2(y, x)));
}

/** An angle in [0, 360). */
export function normalizeDegrees(angle: number): number {
  const a = angle % 360;
  return a < 0 ? a + 360 : a === 0 ? 0 : a;
}

/** An angle in (-180, 180], as the viewer's yaw is given. */
export function signedDegrees(angle: number): number {
  const a = normalizeDegrees(angle);
  return a > 180 ? a - 360 : a;
}

/**
 * Items by position, in cells about `radius` metres wide: the items within
 * `radius` of a point lie in its cell or the eight around it.
 */
export class ProximityGrid<T> {
  private readonly cells = new Map<string, Array<{ at: GpsPoint; item: T }>>();
  private readonly latStep: number;

  constructor(private readonly radius: number) {
    this.latStep = radius / 111_000;
  }

  private lngStep(lat: number): number {
    return this.radius / (111_320 * Math.max(0.01, Math.cos(rad(lat))));
  }

  private key(row: number, col: number): string {
    return `${row}:${col}`;
  }

  add(at: GpsPoint, item: T): void {
    const row = Math.floor(at.lat / this.latStep);
    // Columns are measured at the row's own latitude, so neighbours agree on them.
    const col = Math.floor(at.lng / this.lngStep(row * this.latStep));
    const key = this.key(row, col);
    const cell = this.cells.get(key);
    if (cell) cell.push({ at, item });
    else this.cells.set(key, [{ at, item }]);
  }

  /** Items within `radius` metres of `at`, nearest first, with their distance. */
  near(at: GpsPoint): Array<{ item: T; at: GpsPoint; metres: number }> {
    const row = Math.floor(at.lat / this.latStep);
    const found: Array<{ item: T; at: GpsPoint; metres: number }> = [];
    for (let r = row - 1; r <= row + 1; r++) {
      const step = this.lngStep(r * this.latStep);
      const col = Math.floor(at.lng / step);
      // A row nearer the pole has wider steps in degrees: two columns either side cover the radius.
      for (let c = col - 2; c <= col + 2; c++) {
        for (const entry of this.cells.get(this.key(r, c)) ?? []) {
          const metres = distanceMetres(at, entry.at);
          if (metres <= this.radius) found.push({ item: entry.item, at: entry.at, metres });
        }
      }
    }
    return found.sort((a, b) => a.metres - b.metres);
  }
}
