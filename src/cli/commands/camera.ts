// `rotunda camera`: talk to the configured cameras (info, state, options, set,
// shoot), watch one live (live), or emulate one (emulate). One readable line per camera.
import path from "node:path";
import { loadConfig, ConfigError } from "../../config.ts";
import { camerasFromUrls, resolveCameras, type Camera } from "../../pull/cameras.ts";
import { startEmulator } from "../../pull/emulator/server.ts";
import { CameraError } from "../../pull/errors.ts";
import { pullCameras } from "../../pull/fleet.ts";
import { OscClient } from "../../pull/osc-client.ts";
import { freePort } from "../../ports.ts";
import { intOption, parseCommandArgs, UsageError, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";
import { formatSummary } from "./pull.ts";

const help = `Usage: rotunda camera <action> [--camera <name>|all|<url>] [--input <gallery>]

Actions:
  info                  manufacturer, model, firmware (GET /osc/info)
  state                 battery, storage, capture status (POST /osc/state)
  options [name…]       read options (a useful default set when none are named)
  set key=value…        set options; values are JSON (iso=200, captureMode="image" or
                        captureMode=image); dateTimeZone is set in a call of its own
  shoot [--pull]        take a picture, wait for it (polls every second), print its
                        fileUrl; --pull then pulls it into the gallery
  live --camera <name|url> [--port 8090] [--host 127.0.0.1] [--input <gallery>] [--verbose]
                        a page with the camera's live preview in a 360° viewer, its
                        state and a Shoot button (Ctrl-C stops); with --input, a shot
                        is pulled into that gallery
  emulate --dir <pictures> [--port N] [--host 127.0.0.1] [--user U --password-env VAR]
          [--drop 0.2] [--busy 0.2] [--stall-ms N] [--nonce-ttl-ms N] [--no-preview]
                        run an OSC v2.1 camera emulator serving the pictures in <dir>,
                        with a live preview of the first one turning (--port 0 picks
                        a free port; the URL is printed); --drop and --stall-ms also
                        cut and stall the preview

Options:
  --camera <name>       a camera of rotunda.json, "all" (default), or a URL
  --input <dir>         gallery folder (default: content)
  --user, --password-env  credentials for a camera given by URL

Output: one line per camera, "<name>: <JSON>". Exit code 1 if any camera failed.`;

const DEFAULT_OPTIONS = [
  "captureMode",
  "exposureProgram",
  "exposureCompensation",
  "iso",
  "whiteBalance",
  "fileFormat",
  "dateTimeZone",
  "sleepDelay",
  "offDelay",
  "remainingPictures",
  "remainingSpace",
  "totalSpace",
];

/** "iso=200" → ["iso", 200]; a value that is not JSON stays a string. */
export function parseSetting(arg: string): [string, unknown] {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new UsageError(`"${arg}": expected key=value`);
  const key = arg.slice(0, eq);
  const text = arg.slice(eq + 1);
  try {
    return [key, JSON.parse(text)];
  } catch {
    return [key, text];
  }
}

async function selectCameras(values: { camera?: string; input: string; user?: string; "password-env"?: string }): Promise<Camera[]> {
  const which = values.camera ?? "all";
  if (/^https?:\/\//i.test(which)) return camerasFromUrls([which], values.user, values["password-env"]);
  const config = await loadConfig(values.input);
  if (config.cameras.length === 0) throw new ConfigError(`no cameras configured in ${path.join(values.input, "rotunda.json")}`);
  const chosen = which === "all" ? config.cameras : config.cameras.filter((c) => c.name === which);
  if (chosen.length === 0) {
    throw new UsageError(`no camera named "${which}" (configured: ${config.cameras.map((c) => c.name).join(", ")})`);
  }
  return resolveCameras(chosen);
}

async function emulate(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    dir: { type: "string" },
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    user: { type: "string" },
    "password-env": { type: "string" },
    drop: { type: "string", default: "0" },
    busy: { type: "string", default: "0" },
    "stall-ms": { type: "string", default: "0" },
    "nonce-ttl-ms": { type: "string" },
    "capture-ms": { type: "string" },
    "no-preview": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  });
  if (!values.dir) throw new UsageError("emulate needs --dir <pictures>");
  const fraction = (v: string, name: string) => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a fraction between 0 and 1, got "${v}"`);
    return n;
  };
  let password: string | undefined;
  if ((values.user === undefined) !== (values["password-env"] === undefined)) throw new UsageError("--user and --password-env go together");
  if (values["password-env"]) {
    password = process.env[values["password-env"]];
    if (!password) throw new ConfigError(`emulator: environment variable ${values["password-env"]} (--password-env) is not set`);
  }
  const emulator = await startEmulator({
    dir: values.dir,
    port: intOption(values.port, "port", 0, 0),
    host: values.host,
    username: values.user,
    password,
    drop: fraction(values.drop, "drop"),
    busy: fraction(values.busy, "busy"),
    stallMs: intOption(values["stall-ms"], "stall-ms", 0, 0),
    nonceTtlMs: values["nonce-ttl-ms"] === undefined ? undefined : intOption(values["nonce-ttl-ms"], "nonce-ttl-ms", 300_000),
    captureMs: values["capture-ms"] === undefined ? undefined : intOption(values["capture-ms"], "capture-ms", 1500, 0),
    livePreview: !values["no-preview"],
    log: values.verbose ? (line) => console.error(`emulator: ${line}`) : undefined,
  });
  console.log(`Emulating an OSC camera at ${emulator.url} (pictures from ${path.resolve(values.dir)})`);
  await stopSignal();
  await emulator.close();
  return EXIT.ok;
}

/** Waits for Ctrl-C or a stop signal. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
}

async function live(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    camera: { type: "string" },
    input: { type: "string" },
    user: { type: "string" },
    "password-env": { type: "string" },
    port: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    verbose: { type: "boolean", default: false },
  });
  const cameras = await selectCameras({ ...values, input: values.input ?? "content", camera: values.camera ?? "all" });
  if (cameras.length !== 1) throw new UsageError(`live shows one camera: name it with --camera (configured: ${cameras.map((c) => c.name).join(", ")})`);
  const camera = cameras[0]!;
  const port = intOption(values.port, "port", 8090, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const gallery = values.input;
  const config = gallery === undefined ? undefined : await loadConfig(gallery);
  const log = (line: string) => console.error(line);
  const { startLiveServer } = await import("../../live/server.ts");
  const { pullShot } = await import("../../live/landing.ts");
  let server;
  try {
    server = await startLiveServer({
      camera,
      host: values.host,
      port: port === 0 ? 0 : await freePort(values.host, port),
      log: values.verbose ? log : undefined,
      land: gallery === undefined ? undefined : (fileUrl) => pullShot({ galleryDir: gallery, camera, pull: config!.pull, fileUrl, log }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRNOTAVAIL" || code === "EADDRINUSE" || code === "EACCES" || /no free port/.test((error as Error).message)) {
      console.error(`rotunda camera live: cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
      return EXIT.usage;
    }
    throw error;
  }
  console.log(`Live view of ${camera.name} at ${server.url}${gallery === undefined ? "" : ` (shots are pulled into ${path.resolve(gallery)})`} · Ctrl-C stops`);
  if (!["127.0.0.1", "localhost", "::1"].includes(values.host)) {
    console.error(`  note: listening on ${values.host}, so other machines on the network can watch this camera and take pictures with it`);
  }
  await stopSignal();
  await server.close();
  return EXIT.ok;
}

export const command: Command = {
  name: "camera",
  summary: "talk to cameras: info, state, options, set, shoot, live, emulate",
  help,
  async run(args) {
    const [action, ...rest] = args;
    if (action === "emulate") return emulate(rest);
    if (action === "live") return live(rest);
    if (!action || !["info", "state", "options", "set", "shoot"].includes(action)) {
      throw new UsageError(action ? `unknown action "${action}"` : "an action is required");
    }
    const { values, positionals } = parseCommandArgs(
      rest,
      {
        camera: { type: "string" },
        input: { type: "string", default: "content" },
        user: { type: "string" },
        "password-env": { type: "string" },
        pull: { type: "boolean", default: false },
      },
      true,
    );
    if ((action === "info" || action === "state" || action === "shoot") && positionals.length > 0) {
      throw new UsageError(`${action} takes no arguments`);
    }
    const settings = action === "set" ? Object.fromEntries(positionals.map(parseSetting)) : {};
    if (action === "set" && positionals.length === 0) throw new UsageError("set needs key=value…");
    const cameras = await selectCameras(values);

    let failed = false;
    const shot: Camera[] = [];
    await Promise.all(
      cameras.map(async (camera) => {
        const client = new OscClient({ name: camera.name, url: camera.url, username: camera.username, password: camera.password });
        try {
          let output: unknown;
          if (action === "info") output = await client.info();
          else if (action === "state") output = await client.state();
          else if (action === "options") output = await client.getOptions(positionals.length > 0 ? positionals : DEFAULT_OPTIONS);
          else if (action === "set") {
            await client.setOptions(settings);
            output = await client.getOptions(Object.keys(settings));
          } else {
            output = { fileUrl: await client.takePicture(1000) };
            shot.push(camera);
          }
          console.log(`${camera.name}: ${JSON.stringify(output)}`);
        } catch (error) {
          failed = true;
          console.error(error instanceof CameraError ? error.message : `${camera.name}: ${(error as Error).message}`);
        } finally {
          await client.close().catch(() => {});
        }
      }),
    );
    if (action === "shoot" && values.pull && shot.length > 0) {
      const config = await loadConfig(values.input);
      const into = path.join(values.input, config.pull.into);
      const result = await pullCameras({ root: into, cameras: shot, pull: config.pull, sink: { log: (l) => console.error(l) } });
      console.log(formatSummary(result));
      if (!result.ok) failed = true;
    }
    return failed ? EXIT.partial : EXIT.ok;
  },
};
