// Exit codes scripts can rely on (documented in `rotunda --help` and README).
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** The command ran, but some items failed (a camera, a picture, an upload); the rest was done. */
  partial: 1,
  /** Bad command line or configuration: nothing was done. */
  usage: 2,
  /** An unexpected error stopped the command. */
  crash: 3,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;
