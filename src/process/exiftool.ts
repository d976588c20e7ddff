// ExifTool for the process stage, started so that its perl processes end with the
// Node process that started them. exiftool-vendored keeps `exiftool -stay_open True`
// running between pictures and stops it when Node exits normally; a Node process
// killed outright (SIGKILL, the OOM killer, an uncaught signal) cannot, and ExifTool
// then polls its closed command pipe for ever. So each perl process is tied to its
// parent: on Linux through util-linux's `setpriv --pdeathsig`, which asks the kernel
// to signal perl when its parent dies; elsewhere through a small perl watchdog that
// holds one end of a pipe from Node and stops ExifTool when the pipe closes.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { DefaultExiftoolArgs, ExifTool, exiftoolPath, type ExifToolOptions } from "exiftool-vendored";

export type ParentTie = "pdeathsig" | "watchdog";

/**
 * The watchdog, run by perl before it becomes ExifTool: fd 3 is a pipe Node never
 * writes to, so it turns readable (end of file) only when Node is gone. The
 * watchdog also ends when ExifTool does (it is then no longer its parent).
 */
const WATCHDOG = String.raw`
my $exiftool = $$;
open(my $lifeline, "<&=", 3) or die "rotunda: no pipe from the parent on fd 3: $!\n";
defined(my $pid = fork()) or die "rotunda: fork: $!\n";
if ($pid == 0) {
  close STDIN; close STDOUT; close STDERR;
  my $wanted = ""; vec($wanted, fileno($lifeline), 1) = 1;
  while (getppid() == $exiftool) {
    if (select(my $ready = $wanted, undef, undef, 1) > 0) {
      kill "TERM", $exiftool if getppid() == $exiftool;
      exit 0;
    }
  }
  exit 0;
}
close $lifeline;
exec $^X, @ARGV or die "rotunda: cannot start exiftool: $!\n";
`;

let pdeathsigWorks: Promise<boolean> | undefined;

/** Whether `setpriv --pdeathsig` runs here (Linux with util-linux 2.33 or later); asked once. */
function hasPdeathsig(): Promise<boolean> {
  pdeathsigWorks ??= process.platform !== "linux"
    ? Promise.resolve(false)
    : new Promise((resolve) => execFile("setpriv", ["--pdeathsig", "TERM", "--", "true"], (error) => resolve(!error)));
  return pdeathsigWorks;
}

/** How ExifTool's processes are tied to this one here: the kernel's parent-death signal where setpriv has it. */
export async function parentTie(): Promise<ParentTie> {
  return (await hasPdeathsig()) ? "pdeathsig" : "watchdog";
}

/** Starts `perl <exiftool> <args>` tied to this process, with the environment exiftool-vendored gives it. */
async function spawnTied(tie: ParentTie, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const script = await exiftoolPath();
  if (tie === "pdeathsig") {
    return spawn("setpriv", ["--pdeathsig", "TERM", "--", "perl", script, ...args], { env, stdio: "pipe" });
  }
  const child = spawn("perl", ["-e", WATCHDOG, script, ...args], { env, stdio: ["pipe", "pipe", "pipe", "pipe"] });
  // Node's end of the lifeline: never read or written, and no reason to stay alive.
  (child.stdio[3] as { unref?: () => void } | null)?.unref?.();
  child.once("exit", () => child.stdio[3]?.destroy());
  return child;
}

/**
 * An ExifTool whose perl processes end when this process does, however it ends.
 * `tie` chooses the mechanism (tests use it to run the portable one on Linux).
 */
export function startExifTool(options: Partial<ExifToolOptions> = {}, tie?: ParentTie): ExifTool {
  const env: NodeJS.ProcessEnv = { ...options.exiftoolEnv, LANG: "C", PATH: process.env.PATH };
  if (process.env.EXIFTOOL_HOME && !env.EXIFTOOL_HOME) env.EXIFTOOL_HOME = process.env.EXIFTOOL_HOME;
  const args = options.exiftoolArgs ?? DefaultExiftoolArgs;
  return new ExifTool({
    ...options,
    processFactory: async () => spawnTied(tie ?? (await parentTie()), args, env),
  });
}
