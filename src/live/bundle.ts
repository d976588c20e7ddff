// The live view's browser code (src/client/live.ts, with Pannellum and its
// stylesheet), bundled by esbuild into memory once per process. Served by the
// live server and serve's /_cameras/ only: it is never written to a site, and no
// gallery page loads it.
import path from "node:path";
import { build } from "esbuild";

export interface LiveBundle {
  js: Buffer;
  css: Buffer;
}

const entry = path.resolve(import.meta.dirname, "../client/live.ts");
let bundled: Promise<LiveBundle> | undefined;

export function liveBundle(): Promise<LiveBundle> {
  bundled ??= build({
    entryPoints: { live: entry },
    outdir: "/live-bundle",
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2019", "chrome80", "firefox78", "safari13"],
    loader: { ".png": "dataurl", ".svg": "dataurl", ".gif": "dataurl" },
    legalComments: "eof",
    write: false,
    logLevel: "silent",
  }).then((result) => {
    const file = (ext: string) => {
      const out = result.outputFiles.find((f) => f.path.endsWith(ext));
      if (!out) throw new Error(`esbuild produced no live${ext}`);
      return Buffer.from(out.contents);
    };
    return { js: file(".js"), css: file(".css") };
  });
  bundled.catch(() => (bundled = undefined));
  return bundled;
}
