// The browser side, bundled with esbuild into content-hashed files under
// `<output>/assets/`: the site's stylesheet, and the viewer (Pannellum, self-hosted,
// plus Rotunda's start-up code) with its stylesheet. Old bundles are removed.
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { build } from "esbuild";

export const ASSETS_DIR = "assets";
const clientDir = path.resolve(import.meta.dirname, "../client");

export interface ClientAssets {
  /** Site-absolute URLs. */
  siteCss: string;
  viewerJs: string;
  viewerCss: string;
}

export async function bundleClient(outputDir: string): Promise<ClientAssets> {
  const outdir = path.join(outputDir, ASSETS_DIR);
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { site: path.join(clientDir, "site.css"), viewer: path.join(clientDir, "viewer.ts") },
    outdir,
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2019", "chrome80", "firefox78", "safari13"],
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    loader: { ".png": "dataurl", ".svg": "dataurl", ".gif": "dataurl" },
    metafile: true,
    logLevel: "silent",
    legalComments: "linked",
  });
  const url = (file: string) => `/${ASSETS_DIR}/${path.basename(file)}`;
  const outputs = Object.entries(result.metafile.outputs);
  const find = (entry: string, ext: string) => {
    const hit = outputs.find(([file, meta]) => file.endsWith(ext) && (meta.entryPoint?.endsWith(entry) || (ext === ".css" && path.basename(file).startsWith(path.parse(entry).name + "-"))));
    if (!hit) throw new Error(`esbuild produced no ${ext} for ${entry}`);
    return url(hit[0]);
  };
  const assets: ClientAssets = {
    siteCss: find("site.css", ".css"),
    viewerJs: find("viewer.ts", ".js"),
    viewerCss: find("viewer.ts", ".css"),
  };
  const keep = new Set(outputs.map(([file]) => path.basename(file)));
  for (const name of await readdir(outdir)) if (!keep.has(name)) await rm(path.join(outdir, name), { force: true });
  return assets;
}
