// `rotunda pull`: new pictures from every configured OSC camera into the gallery,
// or from cameras named by URL on the command line into --output.
import path from "node:path";
import { loadConfig, type PullConfig } from "../../config.ts";
import { formatBytes } from "../../format.ts";
import { camerasFromUrls } from "../../pull/cameras.ts";
import { pullCameras, pullGallery, type PullResult } from "../../pull/fleet.ts";
import { intOption, parseCommandArgs, UsageError, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { createProgress } from "../progress.ts";

const help = `Usage: rotunda pull [--input <gallery>] [options]
       rotunda pull --camera <url> [--camera <url>…] [--user <name> --password-env <VAR>] --output <dir> [options]

Downloads new pictures from OSC cameras (RICOH THETA and others), all cameras at
once. The first form pulls the cameras of <gallery>/rotunda.json into
<gallery>/<pull.into>/<camera>/; the second pulls cameras given by URL into
<dir>/<host_port>/. Nothing already pulled is downloaded again (a ledger per
camera remembers it, even after you rename or move a picture); interrupted runs
resume; files land only when complete.

Options:
  --input <dir>         gallery folder (default: content)
  --camera <url>        a camera's base URL, e.g. http://192.168.1.1 (repeatable)
  --user <name>         user name for Digest auth (with --camera)
  --password-env <VAR>  environment variable holding the password (with --camera)
  --output <dir>        where pictures land, one sub-folder per camera (with --camera)
  --delete-after        remove pictures from the camera once safely on disk
  --concurrency <n>     downloads at once, all cameras together (default: pull.concurrency or 8)
  --per-camera <n>      downloads at once from one camera (default: pull.perCamera or 2)

Exit codes: 0 all pulled; 1 some camera or file failed (see the summary);
2 bad command line or configuration.`;

/** One line per camera, then a total; errors are listed under their camera. */
export function formatSummary(result: PullResult): string {
  const width = Math.max(6, ...result.cameras.map((c) => c.name.length));
  const lines = result.cameras.map((c) => {
    const status = c.errors.length > 0 ? "FAILED" : "ok";
    const line = `  ${c.name.padEnd(width)}  ${String(c.new).padStart(4)} new  ${String(c.skipped).padStart(4)} skipped  ${String(c.failed).padStart(4)} failed  ${formatBytes(c.bytes).padStart(9)}${c.deleted ? `  ${c.deleted} deleted` : ""}  ${status}`;
    const shown = c.errors.slice(0, 5).map((e) => `      ${e}`);
    if (c.errors.length > 5) shown.push(`      … and ${c.errors.length - 5} more`);
    return [line, ...shown].join("\n");
  });
  const seconds = result.ms / 1000;
  const rate = seconds > 0 ? `, ${formatBytes(result.bytes / seconds)}/s` : "";
  return [
    `Pulled ${result.new} new picture(s) from ${result.cameras.length} camera(s) in ${seconds.toFixed(1)} s${rate}:`,
    ...lines,
  ].join("\n");
}

export const command: Command = {
  name: "pull",
  summary: "download new pictures from the configured OSC cameras",
  help,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", default: "content" },
      camera: { type: "string", multiple: true },
      user: { type: "string" },
      "password-env": { type: "string" },
      output: { type: "string" },
      "delete-after": { type: "boolean", default: false },
      concurrency: { type: "string" },
      "per-camera": { type: "string" },
    });
    const urls = values.camera ?? [];
    if (urls.length === 0 && (values.output || values.user || values["password-env"])) {
      throw new UsageError("--output, --user and --password-env go with --camera <url>");
    }
    const progress = createProgress("pull");
    let result: PullResult;
    if (urls.length > 0) {
      if (!values.output) throw new UsageError("--camera needs --output <dir> (the folder pictures land in)");
      if ((values.user === undefined) !== (values["password-env"] === undefined)) {
        throw new UsageError("--user and --password-env go together");
      }
      const cameras = camerasFromUrls(urls, values.user, values["password-env"]);
      const pull: Partial<PullConfig> = {
        deleteAfter: values["delete-after"],
        concurrency: intOption(values.concurrency, "concurrency", 8),
        perCamera: intOption(values["per-camera"], "per-camera", 2),
      };
      result = await pullCameras({ root: path.resolve(values.output), cameras, pull, sink: progress });
    } else {
      const config = await loadConfig(values.input);
      if (config.cameras.length === 0) {
        console.log(`rotunda pull: no cameras configured in ${path.join(values.input, "rotunda.json")}: nothing to pull`);
        return EXIT.ok;
      }
      const pull: PullConfig = {
        ...config.pull,
        deleteAfter: values["delete-after"] || config.pull.deleteAfter,
        concurrency: intOption(values.concurrency, "concurrency", config.pull.concurrency),
        perCamera: intOption(values["per-camera"], "per-camera", config.pull.perCamera),
      };
      result = await pullGallery({ galleryDir: values.input, cameras: config.cameras, pull, sink: progress });
    }
    progress.done();
    console.log(formatSummary(result));
    return result.ok ? EXIT.ok : EXIT.partial;
  },
};
