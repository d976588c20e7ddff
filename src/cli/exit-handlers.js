// How a `rotunda` process ends when its command cannot say so itself: Ctrl-C, a stop
// signal, or an error nothing caught. Each prints one line that names the command and
// exits with the code README gives it (src/cli/exit-codes.ts), so that scripts can
// tell "interrupted" (130) and "unexpected error" (3) from "done, some items failed"
// (1), which Node would otherwise use for an uncaught error.
// Plain JavaScript: the launcher installs these before any TypeScript runs (an
// error while it loads the sources is one of the cases), and main.ts installs them
// when the sources run without the launcher. They are installed once per process.

import { constants } from "node:os";

const CRASH = 3;
const INTERRUPTED = 130;

/** `rotunda build`, or plain `rotunda` when no command word was given. */
export function commandLabel(argv = process.argv.slice(2)) {
  return /^[a-z][a-z-]*$/.test(argv[0] ?? "") ? `rotunda ${argv[0]}` : "rotunda";
}

/** An error's message, or its stack with ROTUNDA_DEBUG set. */
export function describeError(error) {
  if (!(error instanceof Error)) return String(error);
  return process.env.ROTUNDA_DEBUG ? (error.stack ?? error.message) : error.message;
}

/**
 * Waits two turns of the event loop. A Ctrl-C reaches the whole process group at
 * once, so a child it killed (esbuild's service, say) can fail a request before
 * Node has run its SIGINT handler; waiting lets "interrupted" win over that error.
 */
export function afterPendingSignals() {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

let crashing = false;

/** Prints `error` as the command's last words and exits 3, unless a pending Ctrl-C ends the process first. */
async function crash(label, error) {
  if (crashing) return; // the first error is the one to report
  crashing = true;
  await afterPendingSignals();
  lastWords(`${label}: ${describeError(error)}`, CRASH);
}

/** Prints `line` and exits with `code`, even where the terminal is gone and printing fails. */
function lastWords(line, code) {
  try {
    console.error(line);
  } finally {
    process.exit(code);
  }
}

const installed = { crashes: false, signals: false };

/**
 * Installs the handlers in this process: `crashes` for uncaught exceptions and
 * unhandled rejections; `signals` for SIGINT (exit 130) and for SIGTERM and SIGHUP
 * (exit 128 + the signal's number) where the command has no handler of its own.
 * A process that only passes signals on to a child (the launcher) takes `crashes` alone.
 */
export function installExitHandlers({ crashes = true, signals = true } = {}, label = commandLabel()) {
  if (crashes && !installed.crashes) {
    installed.crashes = true;
    process.on("uncaughtException", (error) => void crash(label, error));
    process.on("unhandledRejection", (reason) => void crash(label, reason));
  }
  if (signals && !installed.signals) {
    installed.signals = true;
    process.on("SIGINT", () => lastWords(`${label}: interrupted`, INTERRUPTED));
    for (const signal of ["SIGTERM", "SIGHUP"]) {
      const stop = () => {
        // A command that listens for it (serve, the camera emulator) stops in its own way.
        if (process.listeners(signal).some((listener) => listener !== stop)) return;
        lastWords(`${label}: stopped by ${signal}`, 128 + constants.signals[signal]);
      };
      process.on(signal, stop);
    }
  }
}
