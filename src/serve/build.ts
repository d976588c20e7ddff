// One rebuild of the previewed site: config → process (incremental: an unchanged
// picture costs a stat, a caption edit re-reads text only) → Eleventy render →
// pages of pictures that left the gallery removed. Never throws: whatever the
// author broke comes back as problems, and the last good pages stay served.
import { readdir, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import Eleventy from "@11ty/eleventy";
import { loadConfig, type GalleryConfig } from "../config.ts";
import { readManifest } from "../manifest.ts";
import { processGallery, type ProcessOptions } from "../process/index.ts";
import type { Problem } from "./problems.ts";

export interface BuildOptions {
  inputDir: string;
  outputDir: string;
  /** Eleventy's input (the layouts) and config file. */
  layoutsDir: string;
  eleventyConfig: string;
  /** Progress of the process step (a bar on a terminal). */
  reporter?: Pick<ProcessOptions, "onStart" | "onPicture">;
}

export interface BuildOutcome {
  problems: Problem[];
  /** Pictures whose outputs were made in this run. */
  made: string[];
  panoramas: number;
  /** False when the pages were not (re)written: bad config or a render error. */
  rendered: boolean;
  processMs: number;
  renderMs: number;
}

/** Eleventy wraps template errors (EleventyTemplateError → nunjucks Template render error → …): all their messages, once each. */
export function errorMessages(error: unknown): string {
  const seen: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 6; depth++) {
    const message = current.message.trim();
    if (message && !seen.some((m) => m.includes(message))) seen.push(message);
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return seen.length > 0 ? seen.join("\n") : String(error);
}

export class Builder {
  /** The config of the last run that could read it (the pull loop uses it). */
  config: GalleryConfig | undefined;
  /** Pages the last render wrote: those the next one does not write (a picture left the gallery) are removed. */
  private pages: Set<string> | undefined;
  /** Slugs in the manifest found at start-up: pictures deleted while no server ran leave their pages too. */
  private startSlugs: string[] | undefined;

  constructor(private readonly options: BuildOptions) {}

  /**
   * `quick`: new or changed pictures get only what the viewer needs (process's
   * quick recipe), so they show in about a second; a later full run completes them.
   */
  async run(mode: "quick" | "full" = "full"): Promise<BuildOutcome> {
    const { inputDir, outputDir } = this.options;
    const outcome: BuildOutcome = { problems: [], made: [], panoramas: 0, rendered: false, processMs: 0, renderMs: 0 };
    this.startSlugs ??= await readManifest(outputDir).then((m) => m.panoramas.map((p) => p.slug), () => []);
    let config: GalleryConfig;
    try {
      config = await loadConfig(inputDir);
      this.config = config;
    } catch (error) {
      // Keep serving the last good site; nothing is rebuilt with a config we cannot read.
      outcome.problems.push({ kind: "config", message: errorMessages(error) });
      return outcome;
    }

    let started = performance.now();
    let slugs: Set<string>;
    try {
      const result = await processGallery({ inputDir, outputDir, config, quick: mode === "quick", ...this.options.reporter });
      outcome.made = result.made;
      outcome.panoramas = result.manifest.panoramas.length;
      slugs = new Set(result.manifest.panoramas.map((p) => p.slug));
      for (const f of result.failed) {
        outcome.problems.push({ kind: /\.md$/i.test(f.source) ? "sidecar" : "picture", source: f.source, message: f.message });
      }
    } catch (error) {
      outcome.problems.push({ kind: "error", message: `processing stopped: ${errorMessages(error)}` });
      return outcome;
    } finally {
      outcome.processMs = performance.now() - started;
    }

    started = performance.now();
    try {
      const pages = await this.render();
      outcome.rendered = true;
      if (this.pages) {
        for (const gone of this.pages) if (!pages.has(gone)) await removePage(outputDir, gone);
      } else {
        for (const slug of this.startSlugs) if (!slugs.has(slug)) await removePagesUnder(outputDir, path.join(outputDir, slug), pages);
      }
      this.pages = pages;
    } catch (error) {
      outcome.problems.push({ kind: "render", message: errorMessages(error) });
    } finally {
      outcome.renderMs = performance.now() - started;
    }
    return outcome;
  }

  /** A fresh Eleventy each time (~90 ms here, config import cached); its global template cache is off so edited layouts are re-read. */
  private async render(): Promise<Set<string>> {
    const eleventy = new Eleventy(this.options.layoutsDir, this.options.outputDir, {
      configPath: this.options.eleventyConfig,
      quietMode: true,
      runMode: "serve",
      config: (c) => c.setUseTemplateCache(false),
    });
    // Its summary line and error dump would bury ours; errors come back to run().
    eleventy.disableLogger();
    const [, templates] = (await eleventy.write()) as [unknown, unknown[]];
    const pages = new Set<string>();
    for (const entry of templates.flat(2) as Array<{ outputPath?: unknown } | undefined>) {
      if (typeof entry?.outputPath === "string") pages.add(path.resolve(entry.outputPath));
    }
    return pages;
  }
}

/** The page, then its folders as long as they are left empty (never the output folder itself). */
async function removePage(outputDir: string, file: string): Promise<void> {
  if (!file.startsWith(outputDir + path.sep)) return;
  await rm(file, { force: true });
  for (let dir = path.dirname(file); dir.startsWith(outputDir + path.sep); dir = path.dirname(dir)) {
    if (!(await rmdir(dir).then(() => true, () => false))) break;
  }
}

/** The .html pages under a departed picture's folder (e.g. `/<slug>/`, `/<slug>/compare/`), never one this render wrote. */
async function removePagesUnder(outputDir: string, dir: string, keep: Set<string>): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const parent = (entry as { parentPath?: string; path?: string }).parentPath ?? (entry as { path: string }).path;
    const file = path.join(parent, entry.name);
    if (entry.isFile() && entry.name.endsWith(".html") && !keep.has(file)) await removePage(outputDir, file);
  }
}
