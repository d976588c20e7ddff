// Entry point of the `rotunda` command: finds the subcommand, runs it, maps
// errors to exit codes. Subcommands are loaded on demand so `rotunda pull`
// never loads sharp and `rotunda build` never loads the camera client.
import { UsageError, type Command } from "./command.ts";
import { EXIT } from "./exit-codes.ts";
import { afterPendingSignals, describeError, installExitHandlers } from "./exit-handlers.js";

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  init: { summary: "create a new site: package.json, a sample panorama, layouts/, eleventy.config.ts", load: async () => (await import("./commands/init.ts")).command },
  build: { summary: "pull (when cameras are configured), process, then render the site", load: async () => (await import("./commands/build.ts")).command },
  pull: { summary: "download new pictures from the configured OSC cameras", load: async () => (await import("./commands/pull.ts")).command },
  process: { summary: "make the web variants, thumbnails and metadata of every original (or of one shard)", load: async () => (await import("./commands/process.ts")).command },
  render: { summary: "merge the shards' partial manifests and render the site (the second half of build)", load: async () => (await import("./commands/render.ts")).command },
  serve: { summary: "dev server with live preview while you author", load: async () => (await import("./commands/serve.ts")).command },
  deploy: { summary: "upload the built site to S3-compatible storage, only what changed", load: async () => (await import("./commands/deploy.ts")).command },
  camera: { summary: "talk to cameras: info, state, options, set, shoot, emulate", load: async () => (await import("./commands/camera.ts")).command },
};

const usage = `Usage: rotunda <command> [options]

Commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`).join("\n")}

Run \`rotunda <command> --help\` for a command's options.

Exit codes: 0 done; 1 done, but some items failed (listed in the summary);
2 bad command line or configuration; 3 unexpected error; 130 interrupted.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    const { readFile } = await import("node:fs/promises");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    console.log(pkg.version);
    return EXIT.ok;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`rotunda: unknown command "${name}"\n\n${usage}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (args.includes("--help") || args.includes("-h")) {
    console.log(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`rotunda ${name}: ${error.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    // Loaded here, not at start: config.ts brings zod, which --help and --version do without.
    const { ConfigError } = await import("../config.ts");
    if (error instanceof ConfigError) {
      console.error(`rotunda ${name}: ${error.message}`);
      return EXIT.usage;
    }
    await afterPendingSignals(); // an error a Ctrl-C caused is reported as the interruption
    console.error(`rotunda ${name}: ${describeError(error)}`);
    return EXIT.crash;
  }
}

installExitHandlers();
process.exitCode = await main(process.argv.slice(2));
