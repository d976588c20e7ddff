// What a subcommand looks like, and the shared argument parsing every one uses.
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Command {
  name: string;
  /** One line for `rotunda --help`. */
  summary: string;
  /** Full help text for `rotunda <name> --help`. */
  help: string;
  /** Returns the process exit code (see exit-codes.ts). */
  run(args: string[]): Promise<number>;
}

/** A mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `util.parseArgs` in strict mode, with its errors turned into UsageErrors. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses a positive integer option, or throws a UsageError naming the option. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}
