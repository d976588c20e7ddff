// Terminal output shared by the commands that process pictures.
import type { ProcessResult } from "../process/index.ts";

export function processSummary(result: ProcessResult): string {
  const seconds = (result.ms / 1000).toFixed(1);
  const lines = [
    `process: ${result.manifest.panoramas.length} panoramas · ${result.made.length} made, ${result.unchanged.length} unchanged, ${result.failed.length} failed · ${seconds} s`,
  ];
  for (const f of result.failed) lines.push(`  failed: ${f.source}: ${f.message}`);
  return lines.join("\n");
}
