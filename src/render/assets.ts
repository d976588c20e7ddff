// The browser side, bundled with esbuild into content-hashed files under
// `<output>/assets/`: the site's stylesheet (also as text, for the panorama page to
// inline so its first paint waits for no stylesheet), and the viewer (Pannellum, self-hosted,
// built from its sources with Rotunda's patches, plus Rotunda's start-up code) with
// its stylesheet, and the panorama page's boot script, inlined in the page rather
// than written as a file; for the `panorama` shortcode, a small script and
// stylesheet every page with one loads, and the viewer it loads once a figure is
// in view; the panorama page's copy-the-embed-code control; a place's side-by-side
// page (two viewers turning together); and, only for a gallery that publishes GPS,
// the map (Leaflet, self-hosted) of /map/ and of each panorama page. Names carry a hex SHA-256 of
// the bytes (`viewer-3f9a…js`), the same form as media names, so deploy and the
// `_headers` file recognise them as immutable. Bundles no page uses any more are
// swept by the build (src/output/), which knows which files it wrote.
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { build, type BuildOptions, type Plugin } from "esbuild";
import { applyPatch } from "./patch.ts";

export const ASSETS_DIR = "assets";
const clientDir = path.resolve(import.meta.dirname, "../client");

/** The bundles made: what the layouts are given, and every file written (relative to the output folder). */
export interface ClientBundle {
  assets: ClientAssets;
  files: string[];
}

export interface ClientAssets {
  /** Site-absolute URLs. */
  siteCss: string;
  /**
   * The site stylesheet's text, for a <style> element in the head: the panorama
   * page inlines it so its frame, placeholder, title and details are painted
   * styled from the HTML alone. The whole stylesheet: it is small, and a
   * critical part alone would leave the rest to restyle what is already on screen.
   */
  siteCssText: string;
  viewerJs: string;
  viewerCss: string;
  /** The shortcode's figures: their stylesheet and the script that starts each one when needed. */
  panoramasJs: string;
  panoramasCss: string;
  /** Loaded by panoramas.js for the first figure that starts: Pannellum and its stylesheet. */
  panoramaViewerJs: string;
  panoramaViewerCss: string;
  /** The panorama page's "copy the embed code" button. */
  shareJs: string;
  /** The panorama page's boot script, as code to inline in a <script> element. */
  viewerBoot: string;
  sideBySideJs: string;
  sideBySideCss: string;
  /** Only when asked for (a gallery that publishes GPS). */
  mapJs?: string;
  mapCss?: string;
}

export interface BundleOptions {
  /** The map's bundle: Leaflet and the map pages' code. */
  map?: boolean;
}

/**
 * Pannellum's sources with Rotunda's changes (src/client/pannellum/<name>.patch):
 * a patch that no longer matches fails the bundle, naming the hunk.
 */
const pannellumPatches: Plugin = {
  name: "rotunda-pannellum-patches",
  setup(build) {
    build.onLoad({ filter: /[\\/]pannellum[\\/]src[\\/]js[\\/](lib)?pannellum\.js$/ }, async (args) => {
      const name = path.basename(args.path, ".js");
      const patchFile = path.join(clientDir, "pannellum", `${name}.patch`);
      const [source, patch] = await Promise.all([readFile(args.path, "utf8"), readFile(patchFile, "utf8")]);
      return { contents: applyPatch(source, patch, path.relative(path.resolve(clientDir, "../.."), patchFile)), loader: "js" };
    });
  },
};

const COMMON = {
  bundle: true,
  minify: true,
  format: "iife",
  // Browsers from 2021 on: the viewer decodes tiles with createImageBitmap (Safari 15).
  target: ["es2019", "chrome90", "firefox90", "safari15"],
  write: false,
  logLevel: "silent",
} as const satisfies BuildOptions;

export async function bundleClient(outputDir: string, options: BundleOptions = {}): Promise<ClientBundle> {
  const outdir = path.join(outputDir, ASSETS_DIR);
  await mkdir(outdir, { recursive: true });
  const [result, boot] = await Promise.all([
    build({
      ...COMMON,
      entryPoints: {
        site: path.join(clientDir, "site.css"),
        viewer: path.join(clientDir, "viewer.ts"),
        panoramas: path.join(clientDir, "panoramas.ts"),
        "panorama-viewer": path.join(clientDir, "panorama-viewer.ts"),
        share: path.join(clientDir, "share.ts"),
        "side-by-side": path.join(clientDir, "side-by-side.ts"),
        ...(options.map ? { map: path.join(clientDir, "map.ts") } : {}),
      },
      outdir,
      loader: { ".png": "dataurl", ".svg": "dataurl", ".gif": "dataurl" },
      legalComments: "eof", // Pannellum's and Leaflet's licences stay in the bundles
      plugins: [pannellumPatches],
    }),
    build({ ...COMMON, entryPoints: [path.join(clientDir, "viewer-boot.ts")], legalComments: "none" }),
  ]);
  const names = new Map<string, string>();
  const files: string[] = [];
  let siteCssText: string | undefined;
  for (const file of result.outputFiles) {
    const { name, ext } = path.parse(file.path);
    const hash = createHash("sha256").update(file.contents).digest("hex").slice(0, 12);
    const hashed = `${name}-${hash}${ext}`;
    names.set(`${name}${ext}`, hashed);
    if (`${name}${ext}` === "site.css") siteCssText = file.text.trim();
    await writeFile(path.join(outdir, hashed), file.contents);
    files.push(`${ASSETS_DIR}/${hashed}`);
  }
  const url = (name: string) => {
    const hashed = names.get(name);
    if (!hashed) throw new Error(`esbuild produced no ${name}`);
    return `/${ASSETS_DIR}/${hashed}`;
  };
  // Inside <script>…</script>, "</script" would end the element early.
  const viewerBoot = boot.outputFiles[0]!.text.trim().replace(/<\/(script)/gi, "<\\/$1");
  if (siteCssText === undefined) throw new Error("esbuild produced no site.css");
  // Inlined, a relative url() would resolve against the page, and "</style" would end the element.
  if (/url\(\s*['"]?(?!data:)/i.test(siteCssText) || /<\/style/i.test(siteCssText)) {
    throw new Error("site.css must stay inlinable: no url() but data: URLs, no \"</style\"");
  }
  const assets: ClientAssets = {
    siteCss: url("site.css"),
    siteCssText,
    viewerJs: url("viewer.js"),
    viewerCss: url("viewer.css"),
    panoramasJs: url("panoramas.js"),
    panoramasCss: url("panoramas.css"),
    panoramaViewerJs: url("panorama-viewer.js"),
    panoramaViewerCss: url("panorama-viewer.css"),
    shareJs: url("share.js"),
    viewerBoot,
    sideBySideJs: url("side-by-side.js"),
    sideBySideCss: url("side-by-side.css"),
    ...(options.map ? { mapJs: url("map.js"), mapCss: url("map.css") } : {}),
  };
  return { assets, files };
}
