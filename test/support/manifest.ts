// Manifest records for tests: a minimal valid one, and one with everything the
// process stage makes (sizes, the quality ladder, cube tiles with their overview, a social card, the placeholder).
import type { PanoramaRecord } from "../../src/manifest.ts";

/** The smallest record render takes: one variant, no ladder, no tiles. */
export function sampleRecord(slug = "lobby"): PanoramaRecord {
  return {
    id: slug,
    slug,
    source: { path: `${slug}.jpg`, hash: "a".repeat(64), bytes: 1234, format: "jpeg" },
    title: "Lobby",
    captureDate: "2026-11-01T09:00:00+09:00",
    width: 2048,
    height: 1024,
    variants: [{ url: "/media/aaaaaaaaaaaa/w2048-q85-0123456789.jpg", width: 2048, height: 1024, quality: 85, bytes: 1000 }],
    thumbnail: { url: "/media/aaaaaaaaaaaa/thumb-0123456789.jpg", width: 640, height: 320, bytes: 100 },
    preview: { url: "/media/aaaaaaaaaaaa/preview-0123456789.jpg", width: 128, height: 64, bytes: 10 },
    metadata: { url: "/media/aaaaaaaaaaaa/metadata-0123456789.json", bytes: 50 },
    metadataTable: [{ label: "Camera", value: "RICOH THETA Z1" }],
    viewer: { yaw: 0, pitch: 0, hfov: 100, haov: 360, vaov: 180, vOffset: 0 },
  };
}

/** A panorama as a full process run records it: three sizes at quality 85, a ladder of four qualities, tiles. */
export function completeRecord(slug = "lobby"): PanoramaRecord {
  const media = `/media/${"b".repeat(12)}`;
  const jpeg = (width: number, quality: number, bytes: number) => ({ url: `${media}/w${width}-q${quality}-0123456789.jpg`, width, height: width / 2, quality, bytes });
  return {
    ...sampleRecord(slug),
    width: 8192,
    height: 4096,
    variants: [jpeg(8192, 85, 9_000_000), jpeg(4096, 85, 2_500_000), jpeg(2048, 85, 700_000)],
    ladder: [jpeg(8192, 95, 20_000_000), jpeg(8192, 85, 9_000_000), jpeg(8192, 60, 4_000_000), jpeg(8192, 20, 1_000_000)],
    tiles: {
      basePath: `${media}/tiles-0123456789`,
      path: "/%l/%s%y_%x",
      fallbackPath: "/fallback/%s",
      extension: "jpg",
      tileResolution: 512,
      maxLevel: 4,
      cubeResolution: 2608,
      files: 520,
      bytes: 30_000_000,
      overview: { url: `${media}/tiles-0123456789/overview.jpg`, bytes: 20_000, faceSize: 128 },
    },
    placeholder: { dataUri: "data:image/jpeg;base64,/9j/4AAQSkZJRg==", width: 60, height: 96 },
    socialCard: { url: `${media}/card-0123456789.jpg`, width: 1200, height: 630, bytes: 90_000 },
    viewer: { yaw: 40, pitch: -5, hfov: 90, haov: 360, vaov: 180, vOffset: 0, northOffset: 125.9 },
  };
}
