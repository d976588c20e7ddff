// How the demo gallery in content/ was made (kept for the record; the build never
// runs it). Three pictures derived from Pannellum's example panorama
// (© Matthew Petroff, CC BY-SA 3.0), each written with the GPano metadata a
// 360° camera writes, plus a sidecar with title, caption and attribution.
//   node --import tsx scripts/make-demo.ts <pannellum-examplepano.jpg> [content]
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ExifTool } from "exiftool-vendored";
import sharp from "sharp";

const [source, out = "content"] = process.argv.slice(2);
if (!source) {
  console.error("usage: node --import tsx scripts/make-demo.ts <pannellum-examplepano.jpg> [content]");
  process.exit(2);
}
const dir = path.join(out, "pictures");
await mkdir(dir, { recursive: true });
const exiftool = new ExifTool({ writeArgs: ["-overwrite_original"] });
const W = 3072;
const H = 1536;
const base = await sharp(source).resize(W, H).raw().toBuffer({ resolveWithObject: true });
const full = () => sharp(base.data, { raw: base.info });

async function gpano(file: string, tags: Record<string, unknown>) {
  await exiftool.write(file, {
    "XMP-GPano:ProjectionType": "equirectangular",
    "XMP-GPano:UsePanoramaViewer": true,
    "XMP-GPano:StitchingSoftware": "Rotunda demo",
    ...tags,
  } as never);
}

try {
  const summit = path.join(dir, "summit.jpg");
  await full().jpeg({ quality: 80 }).toFile(summit);
  await gpano(summit, {
    "XMP-GPano:FullPanoWidthPixels": W, "XMP-GPano:FullPanoHeightPixels": H,
    "XMP-GPano:CroppedAreaImageWidthPixels": W, "XMP-GPano:CroppedAreaImageHeightPixels": H,
    "XMP-GPano:CroppedAreaLeftPixels": 0, "XMP-GPano:CroppedAreaTopPixels": 0,
    "XMP-GPano:PoseHeadingDegrees": 305.9, "XMP-GPano:InitialViewHeadingDegrees": 0,
    "XMP-GPano:InitialViewPitchDegrees": -10, "XMP-GPano:InitialHorizontalFOVDegrees": 90,
    "EXIF:DateTimeOriginal": "2026:06:14 09:30:00", "EXIF:OffsetTimeOriginal": "-04:00",
  });

  // The same place looking the other way: the sphere turned by 180°.
  const turned = path.join(dir, "summit-looking-back.jpg");
  const half = W / 2;
  await sharp({ create: { width: W, height: H, channels: 3, background: "#000" } })
    .composite([
      { input: await full().extract({ left: half, top: 0, width: half, height: H }).png().toBuffer(), left: 0, top: 0 },
      { input: await full().extract({ left: 0, top: 0, width: half, height: H }).png().toBuffer(), left: half, top: 0 },
    ])
    .jpeg({ quality: 80 })
    .toFile(turned);
  await gpano(turned, {
    "XMP-GPano:FullPanoWidthPixels": W, "XMP-GPano:FullPanoHeightPixels": H,
    "XMP-GPano:CroppedAreaImageWidthPixels": W, "XMP-GPano:CroppedAreaImageHeightPixels": H,
    "XMP-GPano:CroppedAreaLeftPixels": 0, "XMP-GPano:CroppedAreaTopPixels": 0,
    "XMP-GPano:PoseHeadingDegrees": 125.9, "XMP-GPano:InitialViewHeadingDegrees": 40,
    "XMP-GPano:InitialHorizontalFOVDegrees": 100,
    "EXIF:DateTimeOriginal": "2026:06:14 09:34:00", "EXIF:OffsetTimeOriginal": "-04:00",
  });

  // A partial panorama: 240° × 120° cut from the sphere, placed by GPano's cropped-area fields.
  const partial = path.join(dir, "ridge-partial.jpg");
  const crop = { left: 512, top: 256, width: 2048, height: 1024 };
  await full().extract(crop).jpeg({ quality: 80 }).toFile(partial);
  await gpano(partial, {
    "XMP-GPano:FullPanoWidthPixels": W, "XMP-GPano:FullPanoHeightPixels": H,
    "XMP-GPano:CroppedAreaImageWidthPixels": crop.width, "XMP-GPano:CroppedAreaImageHeightPixels": crop.height,
    "XMP-GPano:CroppedAreaLeftPixels": crop.left, "XMP-GPano:CroppedAreaTopPixels": crop.top,
    "XMP-GPano:PoseHeadingDegrees": 305.9, "XMP-GPano:InitialHorizontalFOVDegrees": 80,
    "EXIF:DateTimeOriginal": "2026:06:14 09:40:00", "EXIF:OffsetTimeOriginal": "-04:00",
  });
} finally {
  await exiftool.end();
}
console.log(`demo pictures written to ${dir}`);
