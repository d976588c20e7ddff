// The one build (src/build/), run in this process on a gallery folder: what
// `rotunda build` does, without the command line around it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildMemory, buildSite, type BuildMemory, type BuildReport } from "../../src/build/index.ts";
import { parseConfig } from "../../src/config.ts";
import { OutputFolder } from "../../src/output/index.ts";
import { makeEquirect } from "./pictures.ts";

export interface BuildOnceOptions {
  quick?: boolean;
  render?: boolean;
  /** The site's layouts/, whose templates replace Rotunda's. */
  layoutsDir?: string;
}

export async function buildOnce(inputDir: string, outputDir: string, config: object = {}, options: BuildOnceOptions = {}): Promise<BuildReport> {
  const output = await OutputFolder.open({ outputDir, inputDir, command: "test build" });
  try {
    return await buildSite({ inputDir, output, config: parseConfig(config), quick: options.quick, render: options.render, layoutsDir: options.layoutsDir });
  } finally {
    await output.close();
  }
}

/** A gallery, its output folder open, and a memory of builds: what `rotunda serve` holds while it runs. */
export interface ServedGallery {
  work: string;
  gallery: string;
  output: OutputFolder;
  memory: BuildMemory;
  close(): Promise<void>;
}

/** Three small pictures: hall.jpg (with a sidecar, "First caption.") and the album Yard's gate.jpg and bay.jpg. */
export async function servedGallery(prefix: string): Promise<ServedGallery> {
  const work = await mkdtemp(path.join(tmpdir(), prefix));
  const gallery = path.join(work, "gallery");
  await mkdir(path.join(gallery, "Yard"), { recursive: true });
  await makeEquirect(path.join(gallery, "hall.jpg"), 128, 64, 1);
  await makeEquirect(path.join(gallery, "Yard", "gate.jpg"), 128, 64, 2);
  await makeEquirect(path.join(gallery, "Yard", "bay.jpg"), 128, 64, 3);
  await writeFile(path.join(gallery, "hall.md"), "---\ntitle: Hall\n---\nFirst caption.\n");
  const output = await OutputFolder.open({ outputDir: path.join(work, "dist"), inputDir: gallery, command: "test" });
  return {
    work,
    gallery,
    output,
    memory: buildMemory(),
    async close() {
      await output.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}
