// A progress bar on a TTY (redrawn in place on stderr), nothing on a pipe or in CI,
// so logs stay readable. Messages printed through `log` never tear the bar.
import type { Progress } from "../progress.ts";
/**
 * `showAfterMs`: the bar stays hidden until the run has lasted this long, so a
 * run that turns out to have nothing to do (a caption edit in serve) never flashes one.
 */
export function createProgress(title: string, total = 0, stream: NodeJS.WriteStream = process.stderr, showAfterMs = 0): Progress {
  const live = stream.isTTY === true && !process.env.CI;
  const shownFrom = Date.now() + showAfterMs;
  let done = 0;
  let label = "";
  let lastDraw = 0;
  const clear = () => live && stream.write("\r\x1b[2K");
  const draw = (force = false) => {
    const now = Date.now();
    if (!live || now < shownFrom) return;
    if (!force && now - lastDraw < 80) return;
    lastDraw = now;
    const width = 24;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const columns = stream.columns ?? 80;
    const line = `${title} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${label}`;
    stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  };
  return {
    grow(n) {
      total += n;
      draw();
    },
    tick(n = 1, current) {
      done += n;
      if (current !== undefined) label = current;
      draw();
    },
    log(line) {
      clear();
      stream.write(line + "\n");
      draw(true);
    },
    done() {
      clear();
    },
  };
}
