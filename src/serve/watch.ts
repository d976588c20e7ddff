// Watches what the author edits: the gallery (originals, sidecars, rotunda.json)
// and the layouts and browser code, skipping what the scan skips (dotfiles and
// dot-folders, such as pull's `.rotunda-*.part` temp files and ledgers;
// node_modules) and the output folder when it lies inside the gallery.
//
// Text (sidecars, config, templates) is saved in one write and reported at once.
// Anything else may be a picture still being copied in (a THETA original is
// 5–10 MB): it is reported once its size and mtime have held still for
// `settleMs`, and while any file is settling `settling()` is true, so no rebuild
// starts on half a picture. (chokidar's own awaitWriteFinish would delay every
// caption edit by as much.)
import { stat } from "node:fs/promises";
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface WatchOptions {
  roots: string[];
  /** Never reported (the output folder). */
  exclude: string[];
  onChange: (file: string) => void;
  onError: (error: Error) => void;
  settleMs?: number;
}

export interface SourceWatcher {
  /** True while a file is still being written. */
  settling(): boolean;
  close(): Promise<void>;
}

const TEXT = /\.(md|markdown|json|njk|html|css|ts|js|txt|ya?ml)$/i;
const POLL_MS = 20;

export async function watchSources(options: WatchOptions): Promise<SourceWatcher> {
  const settleMs = options.settleMs ?? 100;
  const excluded = (file: string) => options.exclude.some((dir) => file === dir || file.startsWith(dir + path.sep));
  const roots = new Set(options.roots);
  const unsettled = new Map<string, NodeJS.Timeout>();
  let closed = false;

  const settle = (file: string) => {
    if (unsettled.has(file)) return; // its poll loop sees the newer size
    let last = "";
    let stableSince = 0;
    const poll = async () => {
      if (closed) return;
      const info = await stat(file).catch(() => undefined);
      const signature = info ? `${info.size}:${info.mtimeMs}` : "gone";
      const now = performance.now();
      if (signature !== last) {
        last = signature;
        stableSince = now;
      }
      if (!info || now - stableSince >= settleMs) {
        unsettled.delete(file);
        options.onChange(file);
      } else {
        unsettled.set(file, setTimeout(() => void poll(), POLL_MS));
      }
    };
    unsettled.set(file, setTimeout(() => void poll(), 0));
  };

  const watcher: FSWatcher = watch([...roots], {
    ignoreInitial: true,
    ignored: (file) => excluded(file) || (!roots.has(file) && (path.basename(file).startsWith(".") || path.basename(file) === "node_modules")),
  });
  watcher.on("all", (event, file) => {
    if (event === "addDir") return;
    if ((event === "add" || event === "change") && !TEXT.test(file)) settle(file);
    else options.onChange(file);
  });
  watcher.on("error", (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return {
    settling: () => unsettled.size > 0,
    async close() {
      closed = true;
      for (const timer of unsettled.values()) clearTimeout(timer);
      unsettled.clear();
      await watcher.close();
    },
  };
}
