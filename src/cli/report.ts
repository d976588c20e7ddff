// Terminal output shared by the commands that process pictures.
import type { ProcessOptions, ProcessResult } from "../process/index.ts";
import type { Progress } from "../progress.ts";
import { createProgress } from "./progress.ts";

/** Hooks that drive a progress bar and print one line per failed picture. */
export function processReporter(): Pick<ProcessOptions, "onStart" | "onPicture"> & { progress: () => Progress | undefined } {
  let progress: Progress | undefined;
  return {
    progress: () => progress,
    onStart(total) {
      progress = createProgress("process", total);
    },
    onPicture(event) {
      if (event.outcome === "failed") progress?.log(`✗ ${event.relPath}: ${event.message}`);
      progress?.tick(1, event.relPath);
    },
  };
}

export function processSummary(result: ProcessResult): string {
  const seconds = (result.ms / 1000).toFixed(1);
  const lines = [
    `process: ${result.manifest.panoramas.length} panoramas · ${result.made.length} made, ${result.unchanged.length} unchanged, ${result.failed.length} failed · ${seconds} s`,
  ];
  if (result.removed > 0) lines.push(`process: removed ${result.removed} outputs no picture uses any more`);
  for (const f of result.failed) lines.push(`  failed: ${f.source}: ${f.message}`);
  return lines.join("\n");
}
