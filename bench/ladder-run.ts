// Rotunda's side of the ladder benchmark, in a process of its own so it runs with
// the glibc malloc settings `rotunda process` gets from its launcher (bench/process.ts
// starts it with them). It stays up between runs, as a gallery build would be warm
// after its first picture, and answers one JSON line per JSON request line on stdin:
//   {"run":"ladder","out":dir}  watermark + quality ladder + thumbnail of the sample → {"seconds"}
//   {"run":"encodes"}           the 12 ladder encodes alone, from the decoded sample →
//                               {"seconds", "cpuSeconds", "pageFaults"} (CPU time and minor page faults of this process)
//   node --import tsx bench/ladder-run.ts <sample> <logo>
import { createInterface } from "node:readline";
import { rm } from "node:fs/promises";
import { ExifTool } from "exiftool-vendored";
import sharp, { type OutputInfo } from "sharp";
import { parseConfig } from "../src/config.ts";
import { eachLimit } from "../src/limit.ts";
import { imageOptionsFrom, processImage } from "../src/process/pipeline.ts";
import { loadOverlays } from "../src/process/watermark.ts";
import { secondsOf } from "./common.ts";

const [sample, logo] = process.argv.slice(2);
if (!sample || !logo) throw new Error("usage: ladder-run.ts <sample> <logo>");

const config = parseConfig({ process: { sizes: [], tiles: false, socialCard: false, watermark: { file: logo, position: "+3000+1600" } } });
const overlays = await loadOverlays(process.cwd(), config.process.watermark);
const options = imageOptionsFrom(config.process);
const exiftool = new ExifTool({ maxProcs: 1 });
await exiftool.read(sample); // started outside the timing, as in a gallery build

let decoded: { data: Buffer; info: OutputInfo } | undefined;
let runs = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const { run: what, out } = JSON.parse(line) as { run: string; out?: string };
  let result: { seconds: number; cpuSeconds?: number; pageFaults?: number };
  if (what === "ladder" && out) {
    const hash = `${runs++}`.padEnd(64, "0");
    result = { seconds: await secondsOf(() => processImage({ file: sample, hash, format: "jpeg" }, { outputDir: out, exiftool, options, overlays })) };
    await rm(out, { recursive: true, force: true });
  } else if (what === "encodes") {
    decoded ??= await sharp(sample).raw().toBuffer({ resolveWithObject: true });
    const { data, info } = decoded;
    const cpu = process.cpuUsage();
    const faults = process.resourceUsage().minorPageFault;
    const seconds = await secondsOf(() => eachLimit(options.qualities, 2, async (q) => void (await sharp(data, { raw: info }).jpeg({ quality: q }).toBuffer())));
    const used = process.cpuUsage(cpu);
    result = { seconds, cpuSeconds: (used.user + used.system) / 1e6, pageFaults: process.resourceUsage().minorPageFault - faults };
  } else {
    throw new Error(`unknown request: ${line}`);
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
await exiftool.end();
