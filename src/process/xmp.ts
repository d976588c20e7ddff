// GPano XMP for each published picture, with the pixel fields for that picture's
// own size, so Facebook, Google Photos and other viewers still see a 360° photo
// after a resize (the original's XMP would describe the original's pixels).
import type { GPano, PanoGeometry } from "./gpano.ts";

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The XMP packet for a `width`×`height` picture of a panorama with this geometry. */
export function gpanoXmp(geometry: PanoGeometry, gpano: GPano, width: number, height: number): string {
  const scale = width / geometry.croppedWidth;
  const px = (n: number) => String(Math.round(n * scale));
  const fields: Array<[string, string]> = [
    ["ProjectionType", "equirectangular"],
    ["UsePanoramaViewer", "True"],
    ["FullPanoWidthPixels", px(geometry.fullWidth)],
    ["FullPanoHeightPixels", px(geometry.fullHeight)],
    ["CroppedAreaImageWidthPixels", String(width)],
    ["CroppedAreaImageHeightPixels", String(height)],
    ["CroppedAreaLeftPixels", px(geometry.left)],
    ["CroppedAreaTopPixels", px(geometry.top)],
  ];
  for (const key of [
    "PoseHeadingDegrees", "PosePitchDegrees", "PoseRollDegrees",
    "InitialViewHeadingDegrees", "InitialViewPitchDegrees", "InitialHorizontalFOVDegrees",
  ] as const) {
    const v = gpano[key];
    if (typeof v === "number" && Number.isFinite(v)) fields.push([key, String(v)]);
  }
  const attrs = fields.map(([k, v]) => `\n    GPano:${k}="${escapeAttr(v)}"`).join("");
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:GPano="http://ns.google.com/photos/1.0/panorama/"${attrs}/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
