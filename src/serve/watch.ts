// Watches what the author edits: the gallery (originals, sidecars, rotunda.json)
// and the layouts and browser code, skipping what the scan skips (dotfiles and
// dot-folders, such as pull's `.rotunda-*.part` temp files and ledgers;
// node_modules) and the output folder when it lies inside the gallery.
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface WatchOptions {
  roots: string[];
  /** Never reported (the output folder). */
  exclude: string[];
  onChange: (file: string) => void;
  onError: (error: Error) => void;
}

export async function watchSources(options: WatchOptions): Promise<FSWatcher> {
  const excluded = (file: string) => options.exclude.some((dir) => file === dir || file.startsWith(dir + path.sep));
  const roots = new Set(options.roots);
  const watcher = watch([...roots], {
    ignoreInitial: true,
    ignored: (file) => excluded(file) || (!roots.has(file) && (path.basename(file).startsWith(".") || path.basename(file) === "node_modules")),
    // A picture being copied in is reported once, when its size has held still
    // for 100 ms, not half-written (a THETA original is 5–10 MB).
    awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 20 },
  });
  watcher.on("all", (event, file) => {
    if (event !== "addDir") options.onChange(file);
  });
  watcher.on("error", (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return watcher;
}
