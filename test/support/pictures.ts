// Test pictures made in the test, with the metadata a 360° camera writes.
import { ExifTool } from "exiftool-vendored";
import sharp from "sharp";

/** A recognisable equirectangular: hue by longitude, brightness by latitude, with noise so JPEGs have real weight. */
export async function makeEquirect(file: string, width = 1024, height = width / 2, seed = 1): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const noise = (s >> 16) & 31;
      const i = (y * width + x) * 3;
      data[i] = Math.round((x / width) * 200) + noise;
      data[i + 1] = Math.round((y / height) * 200) + noise;
      data[i + 2] = ((x >> 5) + (y >> 5)) % 2 ? 200 : 40 + noise;
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
}

/** Writes tags with ExifTool (e.g. `{ "XMP-GPano:PoseHeadingDegrees": 10, SerialNumber: "X" }`). */
export async function writeTags(file: string, tags: Record<string, unknown>): Promise<void> {
  const exiftool = new ExifTool({ writeArgs: ["-overwrite_original"], maxProcs: 1 });
  try {
    await exiftool.write(file, tags as never);
  } finally {
    await exiftool.end();
  }
}

/** A small PNG whose header claims width × height (IHDR patched, CRC recomputed). */
export async function pixelBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 64, height: 32, channels: 3, background: "#000" } }).png().toBuffer());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  let crc = ~0;
  for (const byte of png.subarray(12, 29)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  png.writeUInt32BE(~crc >>> 0, 29);
  return png;
}
