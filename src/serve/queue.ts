// Turns a stream of file events into few rebuilds: events are gathered until
// `quietMs` pass without one (debounce), then one run starts. Runs never overlap:
// events during a run mark one follow-up run, however many arrive. A burst of 50
// pictures therefore costs one run (or two, if it straddles a run), and since
// processing is incremental each picture is made once.

export class RebuildQueue {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private pending = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly run: (changes: string[]) => Promise<void>,
    private readonly quietMs = 60,
    /** A run waits while this says no (a picture still being copied in). */
    private readonly ready: () => boolean = () => true,
  ) {}

  /** Something changed (a path, or a reason such as "pull"). */
  trigger(change: string): void {
    if (this.closed) return;
    this.pending.add(change);
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(), this.quietMs);
  }

  private async start(): Promise<void> {
    if (!this.ready()) {
      this.timer = setTimeout(() => void this.start(), this.quietMs);
      return;
    }
    this.timer = undefined;
    const changes = [...this.pending];
    this.pending.clear();
    this.running = this.run(changes).catch(() => {});
    await this.running;
    this.running = undefined;
    if (this.again && !this.closed) {
      this.again = false;
      // Debounced again, so a burst still being copied in lands in one more run, not several.
      this.timer = setTimeout(() => void this.start(), this.quietMs);
      return;
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when nothing is scheduled or running. */
  idle(): Promise<void> {
    if (!this.running && !this.timer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduling; waits for a run in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
