// One rebuild of the previewed site: config → process (incremental: an unchanged
// picture costs a stat, a caption edit re-reads text only) → Eleventy render →
// pages of pictures that left the gallery removed. Never throws: whatever the
// author broke comes back as problems, and the last good pages stay served.
import { loadConfig, type GalleryConfig } from "../config.ts";
import { processGallery, type ProcessOptions } from "../process/index.ts";
import { renderSite } from "../render/index.ts";
import type { Problem } from "./problems.ts";

export interface BuildOptions {
  inputDir: string;
  outputDir: string;
  /** Eleventy's input (the layouts) and config file. */
  layoutsDir: string;
  eleventyConfig?: string;
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

  constructor(private readonly options: BuildOptions) {}

  /**
   * `quick`: new or changed pictures get only what the viewer needs (process's
   * quick recipe), so they show in about a second; a later full run completes them.
   */
  async run(mode: "quick" | "full" = "full"): Promise<BuildOutcome> {
    const { inputDir, outputDir } = this.options;
    const outcome: BuildOutcome = { problems: [], made: [], panoramas: 0, rendered: false, processMs: 0, renderMs: 0 };
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
    try {
      const result = await processGallery({ inputDir, outputDir, config, quick: mode === "quick", ...this.options.reporter });
      outcome.made = result.made;
      outcome.panoramas = result.manifest.panoramas.length;
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
      // renderSite also removes the pages of pictures that left the gallery.
      await renderSite({ outputDir, layoutsDir: this.options.layoutsDir, eleventyConfig: this.options.eleventyConfig, mode: "serve" });
      outcome.rendered = true;
    } catch (error) {
      outcome.problems.push({ kind: "render", message: errorMessages(error) });
    } finally {
      outcome.renderMs = performance.now() - started;
    }
    return outcome;
  }
}
