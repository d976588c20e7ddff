// Device-aware choice of the equirectangular variant to load.
//
// Pannellum refuses a picture whose width/2 or height exceeds the GPU's
// MAX_TEXTURE_SIZE, so only variants that fit are candidates. Among those, the
// smallest one still sharp on this screen wins: the picture's width that maps to
// one screen pixel at the initial field of view is screenWidth·dpr·360/hfov.
export interface VariantChoice {
  url: string;
  width: number;
  height: number;
  bytes: number;
  quality: number;
}

export function chooseVariant<V extends VariantChoice>(
  variants: V[],
  device: { maxTextureSize: number; screenWidth: number; pixelRatio: number; hfov: number; saveData?: boolean },
): V | undefined {
  const fitting = variants.filter((v) => v.width / 2 <= device.maxTextureSize && v.height <= device.maxTextureSize);
  if (fitting.length === 0) return undefined;
  const wanted = (device.screenWidth * device.pixelRatio * 360) / Math.max(30, device.hfov) / (device.saveData ? 2 : 1);
  const bestQuality = (width: number) => fitting.filter((v) => v.width === width).sort((a, b) => b.quality - a.quality)[0];
  const widths = [...new Set(fitting.map((v) => v.width))].sort((a, b) => a - b);
  return bestQuality(widths.find((w) => w >= wanted) ?? widths[widths.length - 1]!);
}
