// Which encoding the cube tiles should use: bytes, fidelity (PSNR against the
// unencoded tile) and decode time in the reader's browser (headless Chromium,
// createImageBitmap from a Blob, as the viewer decodes tiles), for JPEG as
// generate.py and Rotunda make it, JPEG with mozjpeg's tools, WebP and AVIF, on
// 512 px tiles of a THETA Z1-sized panorama's top level.
//
//   npm run bench -- tile-formats
//
// Env: BENCH_FORMATS_TILES (24 tiles, spread over the six faces), BENCH_FORMATS_REPEAT (7 decode passes; the fastest counts).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sharp, { type Sharp } from "sharp";
import { launchBrowser } from "../test/support/browser.ts";
import { EquirectSampler, FACES, renderFace } from "../src/process/projection/index.ts";
import { defaultCubeSize } from "../src/process/projection/multires.ts";
import { round, thetaSample, type Figure } from "./common.ts";
import os from "node:os";
import { mkdtemp, rm } from "node:fs/promises";

interface Candidate {
  name: string;
  type: string;
  encode: (s: Sharp) => Sharp;
}

const mozjpeg = { trellisQuantisation: true, overshootDeringing: true, optimiseCoding: true, quantisationTable: 3 } as const;
const CANDIDATES: Candidate[] = [
  { name: "JPEG q75 (generate.py, Rotunda before)", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 75, optimiseCoding: false }) },
  { name: "JPEG q75 optimised Huffman", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 75, optimiseCoding: true }) },
  { name: "JPEG q80 optimised Huffman", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 80, optimiseCoding: true }) },
  { name: "JPEG q75 mozjpeg baseline (trellis, optimised Huffman)", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 75, ...mozjpeg }) },
  { name: "JPEG q78 mozjpeg baseline", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 78, ...mozjpeg }) },
  { name: "JPEG q75 mozjpeg progressive", type: "image/jpeg", encode: (s) => s.jpeg({ quality: 75, mozjpeg: true }) },
  { name: "WebP q75", type: "image/webp", encode: (s) => s.webp({ quality: 75 }) },
  { name: "WebP q85", type: "image/webp", encode: (s) => s.webp({ quality: 85 }) },
  { name: "AVIF q50", type: "image/avif", encode: (s) => s.avif({ quality: 50, effort: 4 }) },
  { name: "AVIF q60", type: "image/avif", encode: (s) => s.avif({ quality: 60, effort: 4 }) },
];

/** PSNR of an encoded tile against its pixels, over RGB. */
async function psnr(encoded: Buffer, reference: Buffer): Promise<number> {
  const decoded = await sharp(encoded).removeAlpha().raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = decoded[i]! - reference[i]!;
    sum += d * d;
  }
  const mse = sum / reference.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

export async function run(): Promise<Figure[]> {
  const count = Math.max(1, Number(process.env.BENCH_FORMATS_TILES ?? 24));
  const repeat = Math.max(1, Number(process.env.BENCH_FORMATS_REPEAT ?? 7));
  const work = await mkdtemp(path.join(os.tmpdir(), "rotunda-bench-formats-"));
  try {
    const { data, info } = await sharp(await thetaSample(work)).raw().toBuffer({ resolveWithObject: true });
    const sampler = new EquirectSampler({ data, width: info.width, height: info.height, channels: 3 });
    const size = defaultCubeSize(info.width);
    const T = 512;
    const perSide = Math.floor(size / T);
    // Full 512 px tiles from every face, spread evenly.
    const all: { face: number; x: number; y: number }[] = [];
    for (let face = 0; face < 6; face++) for (let y = 0; y < perSide; y++) for (let x = 0; x < perSide; x++) all.push({ face, x, y });
    const picked = Array.from({ length: Math.min(count, all.length) }, (_, i) => all[Math.floor((i * all.length) / Math.min(count, all.length))]!);
    const faces = new Map<number, Buffer>();
    const tiles: Buffer[] = [];
    for (const p of picked) {
      if (!faces.has(p.face)) {
        const out = Buffer.alloc(size * size * 3);
        renderFace(sampler, FACES[p.face]!, size, out);
        faces.set(p.face, out);
      }
      const face = faces.get(p.face)!;
      const tile = Buffer.alloc(T * T * 3);
      for (let r = 0; r < T; r++) face.copy(tile, r * T * 3, ((p.y * T + r) * size + p.x * T) * 3, ((p.y * T + r) * size + p.x * T + T) * 3);
      tiles.push(tile);
    }

    const encoded = new Map<string, Buffer[]>();
    const fidelity = new Map<string, number>();
    const encodeSeconds = new Map<string, number>();
    for (const c of CANDIDATES) {
      const t0 = performance.now();
      const files = await Promise.all(tiles.map((t) => c.encode(sharp(t, { raw: { width: T, height: T, channels: 3 } })).toBuffer()));
      encodeSeconds.set(c.name, (performance.now() - t0) / 1000);
      encoded.set(c.name, files);
      const scores = await Promise.all(files.map((f, i) => psnr(f, tiles[i]!)));
      fidelity.set(c.name, scores.reduce((a, b) => a + b, 0) / scores.length);
    }

    // Decode in Chromium: every tile of a candidate, one after another, several passes.
    const server = createServer((req, res) => {
      const [, name, index] = /^\/(\d+)\/(\d+)$/.exec(req.url ?? "") ?? [];
      const c = CANDIDATES[Number(name)];
      const file = c && encoded.get(c.name)?.[Number(index)];
      if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>decode</title>");
      if (!c || !file) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": c.type }).end(file);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchBrowser();
    const decodeMs = new Map<string, number>();
    try {
      const page = await browser.newPage();
      await page.goto(base + "/");
      // Round-robin passes over the candidates, so a busy moment on the machine hits them all;
      // the fastest pass of each is its cost (interference only ever adds time).
      const passes = (await page.evaluate(
        async ({ base, count, n, repeat }) => {
          const blobs = await Promise.all(
            Array.from({ length: count }, (_, i) => Promise.all(Array.from({ length: n }, (_, k) => fetch(`${base}/${i}/${k}`).then((r) => r.blob())))),
          );
          const times: number[][] = blobs.map(() => []);
          for (let r = 0; r < repeat + 1; r++) {
            for (const [i, list] of blobs.entries()) {
              const t0 = performance.now();
              for (const b of list) (await createImageBitmap(b)).close();
              if (r > 0) times[i]!.push(performance.now() - t0); // the first pass warms the decoders up
            }
          }
          return times;
        },
        { base, count: CANDIDATES.length, n: tiles.length, repeat },
      )) as number[][];
      for (const [i, c] of CANDIDATES.entries()) decodeMs.set(c.name, Math.min(...passes[i]!) / tiles.length);
    } finally {
      await browser.close();
      server.close();
    }

    const reference = CANDIDATES[0]!.name;
    const bytesOf = (name: string) => encoded.get(name)!.reduce((n, b) => n + b.length, 0) / tiles.length;
    const figures: Figure[] = [];
    console.log(`\n${tiles.length} tiles of ${T} px from a ${size} px cube face; per tile:`);
    console.log("| encoding | KB | PSNR dB | decode ms (Chromium) | encode ms (sharp, all cores) |");
    console.log("|---|---|---|---|---|");
    for (const c of CANDIDATES) {
      console.log(
        `| ${c.name} | ${(bytesOf(c.name) / 1000).toFixed(1)} | ${fidelity.get(c.name)!.toFixed(2)} | ${decodeMs.get(c.name)!.toFixed(2)} | ${((encodeSeconds.get(c.name)! * 1000) / tiles.length).toFixed(1)} |`,
      );
      figures.push({ name: `${c.name}: bytes per tile`, value: round(bytesOf(c.name) / 1000, 1), unit: "KB", baseline: { name: reference, value: round(bytesOf(reference) / 1000, 1) } });
      figures.push({ name: `${c.name}: PSNR`, value: round(fidelity.get(c.name)!), unit: "dB", baseline: { name: reference, value: round(fidelity.get(reference)!) } });
      figures.push({ name: `${c.name}: decode per tile`, value: round(decodeMs.get(c.name)!), unit: "ms", baseline: { name: reference, value: round(decodeMs.get(reference)!) } });
    }
    return figures;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
