// Judging screenshots (WebGL canvases read back blank, so tests look at what
// Chromium put on screen): pixel spread, and how much two shots differ.
import sharp from "sharp";

/** A screenshot's raw RGB pixels and their standard deviation (a blank one is near 0). */
export async function imageStats(png: Buffer): Promise<{ data: Buffer; stdev: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const stats = await sharp(data, { raw: info }).stats();
  return { data, stdev: stats.channels.reduce((s, c) => s + c.stdev, 0) / stats.channels.length };
}

/** Mean absolute difference of two same-size screenshots' pixels. */
export function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
