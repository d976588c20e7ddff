// `--pull-every <seconds>`: polls the configured cameras, one pull at a time, and
// asks for a rebuild when new pictures landed (the watcher sees them too; this
// makes it not depend on timing). Camera failures are problems, never fatal.
import type { GalleryConfig } from "../config.ts";
import type { Problem } from "./problems.ts";

export interface PullLoopOptions {
  everyMs: number;
  inputDir: string;
  /** The last config that could be read (undefined until one could). */
  config: () => GalleryConfig | undefined;
  /** After each pull: what went wrong (empty when all went well), and how many pictures are new. */
  onPulled: (problems: Problem[], newPictures: number) => void;
  log: (line: string) => void;
}

export interface PullLoop {
  stop(): Promise<void>;
}

export function startPullLoop(options: PullLoopOptions): PullLoop {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let saidNoCameras = false;

  const once = async () => {
    const config = options.config();
    if (!config) return;
    if (config.cameras.length === 0) {
      if (!saidNoCameras) options.log("pull: no cameras in rotunda.json; --pull-every waits for some");
      saidNoCameras = true;
      return;
    }
    saidNoCameras = false;
    try {
      const { pullGallery } = await import("../pull/index.ts");
      const result = await pullGallery({ galleryDir: options.inputDir, cameras: config.cameras, pull: config.pull, signal: abort.signal });
      const problems: Problem[] = result.cameras.flatMap((c) => c.errors.map((message) => ({ kind: "pull" as const, source: c.name, message })));
      if (result.new > 0) options.log(`pull: ${result.new} new picture(s) from ${result.cameras.filter((c) => c.new > 0).map((c) => c.name).join(", ")}`);
      options.onPulled(problems, result.new);
    } catch (error) {
      if (abort.signal.aborted) return;
      // A missing password variable and the like: reported, and tried again next time.
      options.onPulled([{ kind: "pull", message: (error as Error).message }], 0);
    }
  };

  const schedule = (delayMs: number) => {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      current = once().finally(() => {
        current = undefined;
        schedule(options.everyMs);
      });
    }, delayMs);
  };
  // The first pull right away: the author asked for the cameras' pictures.
  schedule(0);

  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await current?.catch(() => {});
    },
  };
}
