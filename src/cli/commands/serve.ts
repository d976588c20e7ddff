// `rotunda serve`: the live preview (src/serve/). Runs until Ctrl-C or SIGTERM;
// whatever the author breaks is shown, never fatal. Only a bad command line, a
// missing gallery folder or an address it cannot listen on stop it.
import { access } from "node:fs/promises";
import path from "node:path";
import { intOption, parseCommandArgs, UsageError, type Command } from "../command.ts";
import { EXIT } from "../exit-codes.ts";

const help = `Usage: rotunda serve [--input content] [--output dist] [--port 8080] [--host 127.0.0.1] [--pull-every <seconds>]

Live preview while you author: builds the gallery, serves it, and rebuilds when
anything changes. A new or changed picture is processed (only that one), a
caption edit re-renders without touching images, a deleted picture leaves the
gallery; open pages reload by themselves. Problems (a corrupt picture, bad front
matter, a template error, a bad rotunda.json) show in the terminal and at the top
of every page, and the server keeps running: fix the file and it recovers.
Like \`rotunda build\`, it uses the working folder's eleventy.config.ts and layouts/.

Options:
  --input, -i      gallery folder (default: content)
  --output, -o     site folder (default: dist)
  --port, -p       port (default: 8080; the next free one if it is taken; 0: any)
  --host           address to listen on (default: 127.0.0.1, this machine only;
                   0.0.0.0 shows the preview to the whole network)
  --pull-every <s> pull new pictures from the configured cameras every s seconds

Exit codes: 0 stopped (SIGTERM); 130 stopped with Ctrl-C; 2 bad options, or the
address cannot be used.`;

export const command: Command = {
  name: "serve",
  summary: "dev server with live preview while you author",
  help,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      input: { type: "string", short: "i", default: "content" },
      output: { type: "string", short: "o", default: "dist" },
      port: { type: "string", short: "p" },
      host: { type: "string", default: "127.0.0.1" },
      "pull-every": { type: "string" },
    });
    const port = intOption(values.port, "port", 8080, 0);
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    let pullEverySeconds: number | undefined;
    if (values["pull-every"] !== undefined) {
      pullEverySeconds = Number(values["pull-every"]);
      if (!Number.isFinite(pullEverySeconds) || pullEverySeconds < 1) {
        throw new UsageError(`--pull-every must be a number of seconds >= 1, got "${values["pull-every"]}"`);
      }
    }
    const inputDir = path.resolve(values.input);
    try {
      await access(inputDir);
    } catch {
      throw new UsageError(`gallery folder ${inputDir} does not exist`);
    }

    // Listening for the stop signals first: a stop during the first build must work too.
    // Kept listening: a second SIGTERM (the launcher forwards one that the process
    // group also got) must not kill the server mid-shutdown.
    const signalled = new Promise<number>((resolve) => {
      process.on("SIGTERM", () => resolve(EXIT.ok));
      process.on("SIGHUP", () => resolve(EXIT.ok));
    });
    const { startDevServer } = await import("../../serve/index.ts");
    const { siteFilesIn } = await import("../../render/index.ts");
    // The working folder is the site: its layouts/ and eleventy.config.ts, when it has them.
    const site = siteFilesIn(process.cwd());
    const starting = startDevServer({ inputDir, outputDir: path.resolve(values.output), host: values.host, port, pullEverySeconds, ...site });
    let server: Awaited<typeof starting>;
    try {
      const first = await Promise.race([starting, signalled]);
      if (typeof first === "number") process.exit(first); // stopped mid-start: nothing worth waiting for
      server = first;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRNOTAVAIL" || code === "EADDRINUSE" || code === "EACCES" || /no free port/.test((error as Error).message)) {
        console.error(`rotunda serve: cannot listen on ${values.host}:${port}: ${(error as Error).message}`);
        return EXIT.usage;
      }
      throw error;
    }

    const stopped = await signalled;
    await server.close();
    // close() waits a few seconds at most for a rebuild in progress; whatever is
    // left of it (ExifTool, esbuild) must not keep the process, or its port, alive.
    process.exit(stopped);
  },
};
