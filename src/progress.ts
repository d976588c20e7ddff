// How a long run tells how far it is: pull and deploy report through this, and
// the CLI's createProgress (src/cli/progress.ts) draws it as a bar.
export interface Progress {
  /** Adds to the total (work discovered as it goes, e.g. camera listings). */
  grow(n: number): void;
  /** Marks n items done, with an optional label of the current item. */
  tick(n?: number, label?: string): void;
  /** Prints a line for the user (above the bar, when there is one). */
  log(line: string): void;
  /** The run is over: the bar, if any, goes. */
  done(): void;
}
