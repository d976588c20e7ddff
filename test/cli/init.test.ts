// `rotunda init` as a publisher uses it: a new site from this checkout, `npm
// install` and `npm run build` in it, then their own page, a post with two
// panoramas (started in headless Chromium when scrolled to, or by keyboard), their
// own panorama page, and a mistake in a shortcode.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { packageName, rotundaDependency } from "../../src/cli/commands/init.ts";
import { launchBrowser } from "../support/browser.ts";
import { ROOT, runRotunda } from "../support/cli.ts";
import { makeEquirect } from "../support/pictures.ts";
import { serveStatic } from "../support/static-server.ts";

let work: string;
let site: string;
let browser: Browser | undefined;

function npm(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", args, { cwd, env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-init-"));
  site = path.join(work, "My Site");
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("rotunda init", () => {
  test("creates a site that depends on this checkout, with a sample panorama, its sidecar and the sample logos set", async () => {
    const result = await runRotunda(["init", site]);
    assert.equal(result.code, 0, result.output);
    const pkg = JSON.parse(await readFile(path.join(site, "package.json"), "utf8")) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string> };
    assert.equal(pkg.name, "my-site");
    assert.deepEqual(pkg.scripts, { build: "rotunda build", start: "rotunda serve", deploy: "rotunda deploy" });
    assert.deepEqual(pkg.dependencies, { rotunda: `file:${ROOT}` });
    for (const file of ["eleventy.config.ts", ".gitignore", "README.md", "layouts/README.md", "content/sample.jpg", "content/sample.md", "content/rotunda.json"]) {
      await stat(path.join(site, file));
    }
    assert.match(await readFile(path.join(site, ".gitignore"), "utf8"), /^dist\/$/m);
    assert.match(await readFile(path.join(site, "README.md"), "utf8"), /npm install && npm run build[\s\S]*npm start/);
    assert.match(await readFile(path.join(site, "layouts/README.md"), "utf8"), /`panorama\.njk`: A panorama's own page/, "the templates a site can replace are listed");
    const config = JSON.parse(await readFile(path.join(site, "content/rotunda.json"), "utf8")) as { process: { watermark: { file: string }; nadir: { file: string } } };
    await stat(path.join(site, "content", config.process.watermark.file));
    await stat(path.join(site, "content", config.process.nadir.file));
  });

  test("from an installed package the site depends on its published version; names come from the folder", async () => {
    const installed = path.join(work, "elsewhere", "node_modules", "rotunda");
    await mkdir(installed, { recursive: true });
    await writeFile(path.join(installed, "package.json"), JSON.stringify({ name: "rotunda", version: "1.4.2" }));
    assert.equal(await rotundaDependency(installed), "^1.4.2");
    assert.equal(await rotundaDependency(ROOT), `file:${ROOT}`);
    assert.equal(packageName("/srv/Plant 3 — Rounds!"), "plant-3-rounds");
    assert.equal(packageName("/srv/..."), "rotunda-site");
  });

  test("refuses a folder that is not empty; with --force adds its files and overwrites none", async () => {
    const taken = path.join(work, "taken");
    await mkdir(taken);
    await writeFile(path.join(taken, "README.md"), "mine\n");
    const refused = await runRotunda(["init", taken]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /taken is not empty \(README\.md\).*--force/);
    const forced = await runRotunda(["init", taken, "--force"]);
    assert.equal(forced.code, 0, forced.output);
    assert.match(forced.stdout, /kept {4}README\.md \(already there\)/);
    assert.equal(await readFile(path.join(taken, "README.md"), "utf8"), "mine\n");
    await stat(path.join(taken, "content/sample.jpg"));
    assert.equal((await runRotunda(["init"])).code, 2, "no folder named");
  });

  describe("npm install && npm run build in the new site", () => {
    before(async () => {
      const install = await npm(["install", "--no-audit", "--no-fund", "--prefer-offline"], site);
      assert.equal(install.code, 0, install.output);
      await makeEquirect(path.join(site, "content", "yard.jpg"), 1024, 512, 7);
      await writeFile(path.join(site, "content", "yard.md"), "---\ntitle: The yard\n---\nThe yard at noon.\n");
      await writeFile(path.join(site, "content", "about.md"), "---\ntitle: About\n---\nWho we are, <strong>in our words</strong>.\n");
      await writeFile(
        path.join(site, "content", "post.md"),
        '---\ntitle: Two views\n---\nFirst the sample, then the yard.\n\n<div style="height: 120vh"></div>\n\n{% panorama "sample" %}\n\n<div style="height: 150vh"></div>\n\n{% panorama "yard", { yaw: 30 } %}\n',
      );
      await mkdir(path.join(site, "layouts"), { recursive: true });
      await writeFile(path.join(site, "layouts", "panorama.njk"), '{% extends "rotunda/panorama.njk" %}\n{% block main %}<p class="ours">Our panorama page</p>{{ super() }}{% endblock %}\n');
      const build = await npm(["run", "build"], site);
      assert.equal(build.code, 0, build.output);
    });

    test("the site builds: the sample, the about page at /about/, the site's own panorama page", async () => {
      const dist = path.join(site, "dist");
      assert.match(await readFile(path.join(dist, "about/index.html"), "utf8"), /<strong>in our words<\/strong>/);
      for (const slug of ["sample", "yard"]) {
        assert.match(await readFile(path.join(dist, slug, "index.html"), "utf8"), /<p class="ours">Our panorama page<\/p>/, `${slug} uses layouts/panorama.njk`);
      }
      assert.doesNotMatch(await readFile(path.join(dist, "index.html"), "utf8"), /class="ours"/);
    });

    test("the post shows two thumbnails and starts a viewer when it is scrolled to, one at a time, or when its button is pressed", async () => {
      const server = await serveStatic(path.join(site, "dist"));
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      try {
        await page.goto(`${server.url}/post/`);
        const figures = page.locator("figure.rotunda-panorama");
        assert.equal(await figures.count(), 2);
        assert.equal(await page.locator("figure.rotunda-panorama img.rotunda-panorama__poster").count(), 2, "two thumbnails");
        await page.getByRole("button", { name: "Show the 360° view of A sample panorama" }).waitFor({ state: "attached" });
        assert.equal(await figures.first().getAttribute("data-state"), null, "below the fold: not started");
        assert.ok(!server.requests.some((r) => r.includes("panorama-viewer-")), "and Pannellum not loaded");

        await figures.first().scrollIntoViewIfNeeded();
        await page.waitForFunction(() => document.querySelector("figure.rotunda-panorama")?.getAttribute("data-state") === "loaded", null, { timeout: 30_000 });
        assert.equal(await figures.nth(1).getAttribute("data-state"), null, "the second, not yet in view, has not started");
        assert.equal(server.requests.filter((r) => /panorama-viewer-[0-9a-f]+\.js$/.test(r)).length, 1, "Pannellum was loaded once");

        // The keyboard path: Tab to the second figure's button and press Enter; the viewer takes the focus.
        const second = page.getByRole("button", { name: "Show the 360° view of The yard" });
        await second.focus();
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => document.querySelectorAll("figure.rotunda-panorama")[1]?.getAttribute("data-state") === "loaded", null, { timeout: 30_000 });
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "360° view of The yard: arrow keys turn it, + and − zoom");
        assert.equal(server.requests.filter((r) => /panorama-viewer-[0-9a-f]+\.js$/.test(r)).length, 1, "and still once");
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
        await server.close();
      }
    });

    test("a shortcode naming no panorama fails the build with the page's name; the built site stays", async () => {
      const broken = path.join(site, "content", "broken.md");
      await writeFile(broken, 'Look: {% panorama "no-such-room" %}\n');
      try {
        const build = await npm(["run", "build"], site);
        assert.equal(build.code, 3, build.output);
        assert.match(build.output, /content\/broken\.md: \{% panorama "no-such-room" %\}: no panorama has this slug/);
        await stat(path.join(site, "dist/post/index.html"));
      } finally {
        await rm(broken);
      }
    });
  });
});
