// Which cube tiles a view needs, decided the way Rotunda's build of libpannellum
// draws them (src/client/pannellum/libpannellum.patch calls levelFor and
// quadInView): the level the screen resolves at the field of view, and the
// tiles of that level inside the view, nearest its centre first. The page's
// boot script asks the same questions before the viewer has started, so the
// tiles it fetches early are exactly the ones the viewer then draws.
//
// Geometry is libpannellum's: a cube of side 2 around the eye, faces in the
// order front, back, up, down, left, right (createCube), each face's first
// vertex its top-left corner; the camera matrix and perspective of its render().

/** The multiRes settings of a page (Pannellum's names), as far as tiles go. */
export interface TileSet {
  basePath: string;
  path: string;
  extension: string;
  tileResolution: number;
  maxLevel: number;
  cubeResolution: number;
}

/** A view in degrees, as the renderer draws it (horizon tilt already applied). */
export interface RenderView {
  yaw: number;
  pitch: number;
  hfov: number;
  roll?: number;
}

export interface Tile {
  level: number;
  face: FaceName;
  x: number;
  y: number;
  /** The tile's URL: basePath + path with its level, face, row and column, + extension. */
  url: string;
  /** How far its centre is from the centre of the view (radians). */
  distance: number;
}

export type FaceName = "f" | "b" | "u" | "d" | "l" | "r";
export const FACE_NAMES: readonly FaceName[] = ["f", "b", "u", "d", "l", "r"];

/** libpannellum's createCube(): four vertices (x, y, z) per face. */
const CUBE = [
  [-1, 1, -1, 1, 1, -1, 1, -1, -1, -1, -1, -1],
  [1, 1, 1, -1, 1, 1, -1, -1, 1, 1, -1, 1],
  [-1, 1, 1, 1, 1, 1, 1, 1, -1, -1, 1, -1],
  [-1, -1, -1, 1, -1, -1, 1, -1, 1, -1, -1, 1],
  [-1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1],
  [1, 1, -1, 1, 1, 1, 1, -1, 1, 1, -1, -1],
] as const;

/**
 * How many texels a level must put on each screen pixel at the centre of the
 * view: a texel may be stretched over at most √2 pixels, as Pannellum intends
 * (its own test, written for cubes of a power-of-two size, lets a level stretch
 * from 0.7 to 1.4 texels per pixel depending on the picture's size).
 */
export const TEXELS_PER_PIXEL = Math.SQRT1_2;

/** Face size of a level, as libpannellum computes it. */
export function levelSize(tiles: TileSet, level: number): number {
  return tiles.cubeResolution * 2 ** (level - tiles.maxLevel);
}

/**
 * The coarsest level that gives each of `screenPixels` across the view (device
 * pixels: what the screen can resolve) at least TEXELS_PER_PIXEL texels at the
 * centre of the view, or the finest there is.
 */
export function levelFor(tiles: TileSet, hfovRadians: number, screenPixels: number): number {
  // A face of size s spans tan ∈ [-1, 1]: s/2 texels per unit; the screen: screenPixels / (2 tan(hfov/2)).
  const tan = Math.tan(Math.min(hfovRadians, Math.PI * 0.99) / 2);
  for (let level = 1; level < tiles.maxLevel; level++) {
    if ((levelSize(tiles, level) * tan) / screenPixels >= TEXELS_PER_PIXEL) return level;
  }
  return tiles.maxLevel;
}

type M3 = number[];

function rotate(m: M3, angle: number, axis: "x" | "y" | "z"): M3 {
  const s = Math.sin(angle);
  const c = Math.cos(angle);
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m as [number, number, number, number, number, number, number, number, number];
  if (axis === "x") return [m0, c * m1 + s * m2, c * m2 - s * m1, m3, c * m4 + s * m5, c * m5 - s * m4, m6, c * m7 + s * m8, c * m8 - s * m7];
  if (axis === "y") return [c * m0 - s * m2, m1, c * m2 + s * m0, c * m3 - s * m5, m4, c * m5 + s * m3, c * m6 - s * m8, m7, c * m8 + s * m6];
  return [c * m0 + s * m1, c * m1 - s * m0, m2, c * m3 + s * m4, c * m4 - s * m3, m5, c * m6 + s * m7, c * m7 - s * m6, m8];
}

/**
 * libpannellum's rotated perspective matrix (rotatePersp(makePersp(…), matrix))
 * for a view on a canvas of this shape: row 0 and 1 give clip x and y, row 3
 * gives w (positive in front of the eye).
 */
export function viewMatrix(view: RenderView, width: number, height: number): number[] {
  const rad = Math.PI / 180;
  const hfov = view.hfov * rad;
  const fovy = 2 * Math.atan((Math.tan(hfov / 2) * height) / width);
  const f = 1 / Math.tan(fovy / 2);
  const aspect = width / height;
  const [znear, zfar] = [0.1, 100];
  const p = [f / aspect, f, (zfar + znear) / (znear - zfar), (2 * zfar * znear) / (znear - zfar)] as const;
  let r: M3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  r = rotate(r, -(view.roll ?? 0) * rad, "z");
  r = rotate(r, -view.pitch * rad, "x");
  r = rotate(r, view.yaw * rad, "y");
  return [
    p[0] * r[0]!, p[0] * r[1]!, p[0] * r[2]!, 0,
    p[1] * r[3]!, p[1] * r[4]!, p[1] * r[5]!, 0,
    p[2] * r[6]!, p[2] * r[7]!, p[2] * r[8]!, p[3],
    -r[6]!, -r[7]!, -r[8]!, 0,
  ];
}

/** Clip coordinates of a point: x, y and w (w > 0 in front of the eye). */
function clip(m: ArrayLike<number>, x: number, y: number, z: number): [number, number, number] {
  return [m[0]! * x + m[1]! * y + m[2]! * z, m[4]! * x + m[5]! * y + m[6]! * z, m[12]! * x + m[13]! * y + m[14]! * z];
}

const NEAR = 1e-6;

/**
 * Whether a square of the cube (four vertices, as libpannellum keeps them)
 * shows on the screen, given libpannellum's rotated perspective matrix; when it
 * does, the angle between its centre and the centre of the view (radians).
 * Unlike libpannellum's own test, squares partly behind the eye are cut at the
 * eye's plane first, and a square is kept only when it overlaps the screen.
 */
export function quadInView(m: ArrayLike<number>, v: ArrayLike<number>): number | false {
  const corners = [0, 3, 6, 9].map((i) => clip(m, v[i]!, v[i + 1]!, v[i + 2]!));
  // Keep the part in front of the eye (w > 0): clip the polygon against w = NEAR.
  const polygon: [number, number][] = [];
  for (let i = 0; i < 4; i++) {
    const a = corners[i]!;
    const b = corners[(i + 1) % 4]!;
    if (a[2] > NEAR) polygon.push([a[0] / a[2], a[1] / a[2]]);
    if (a[2] > NEAR !== b[2] > NEAR) {
      const t = (NEAR - a[2]) / (b[2] - a[2]);
      const x = a[0] + t * (b[0] - a[0]);
      const y = a[1] + t * (b[1] - a[1]);
      polygon.push([x / NEAR, y / NEAR]);
    }
  }
  if (polygon.length < 3) return false;
  // Separating axes: the screen's edges, then the polygon's.
  if (polygon.every((p) => p[0] > 1) || polygon.every((p) => p[0] < -1) || polygon.every((p) => p[1] > 1) || polygon.every((p) => p[1] < -1)) return false;
  let area = 0;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    area += a[0] * b[1] - b[0] * a[1];
  }
  const screen = [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    // Outward normal of a counter-clockwise polygon's edge is (dy, -dx).
    const nx = (b[1] - a[1]) * Math.sign(area);
    const ny = -(b[0] - a[0]) * Math.sign(area);
    if (screen.every((s) => (s[0] - a[0]) * nx + (s[1] - a[1]) * ny > 0)) return false;
  }
  // Angle between the square's centre and the view's axis (eye space −z, which is clip w).
  const cx = (v[0]! + v[3]! + v[6]! + v[9]!) / 4;
  const cy = (v[1]! + v[4]! + v[7]! + v[10]!) / 4;
  const cz = (v[2]! + v[5]! + v[8]! + v[11]!) / 4;
  const w = m[12]! * cx + m[13]! * cy + m[14]! * cz;
  return Math.acos(Math.max(-1, Math.min(1, w / Math.hypot(cx, cy, cz))));
}

/** The four vertices of tile (x, y) of a face at a level: pixel-exact, the last row and column hold the remainder. */
export function tileVertices(tiles: TileSet, face: number, level: number, x: number, y: number): number[] {
  const size = levelSize(tiles, level);
  const T = tiles.tileResolution;
  const u0 = (x * T) / size;
  const u1 = Math.min(size, (x + 1) * T) / size;
  const v0 = (y * T) / size;
  const v1 = Math.min(size, (y + 1) * T) / size;
  const c = CUBE[face]!;
  const at = (u: number, w: number) => [0, 1, 2].map((k) => c[k]! + u * (c[3 + k]! - c[k]!) + w * (c[9 + k]! - c[k]!));
  return [...at(u0, v0), ...at(u1, v0), ...at(u1, v1), ...at(u0, v1)];
}

export function tileUrl(tiles: TileSet, level: number, face: FaceName, x: number, y: number): string {
  const path = tiles.path.replace("%s", face).replace("%l", String(level)).replace("%x", String(x)).replace("%y", String(y));
  return `${tiles.basePath}${path}.${tiles.extension}`;
}

/**
 * The tiles of `level` a view shows on a canvas of width × height, nearest its
 * centre first. Like libpannellum, a tile is looked at only when the tile one
 * level up that holds it shows.
 */
export function visibleTiles(tiles: TileSet, view: RenderView, width: number, height: number, level: number): Tile[] {
  const m = viewMatrix(view, width, height);
  const found: Tile[] = [];
  const visit = (face: number, l: number, x: number, y: number) => {
    const distance = quadInView(m, tileVertices(tiles, face, l, x, y));
    if (distance === false) return;
    if (l === level) {
      found.push({ level, face: FACE_NAMES[face]!, x, y, url: tileUrl(tiles, level, FACE_NAMES[face]!, x, y), distance });
      return;
    }
    const count = Math.ceil(levelSize(tiles, l + 1) / tiles.tileResolution);
    for (const [cx, cy] of [[2 * x, 2 * y], [2 * x + 1, 2 * y], [2 * x, 2 * y + 1], [2 * x + 1, 2 * y + 1]] as const) {
      if (cx < count && cy < count) visit(face, l + 1, cx, cy);
    }
  };
  for (let face = 0; face < 6; face++) visit(face, 1, 0, 0);
  return found.sort((a, b) => a.distance - b.distance);
}
