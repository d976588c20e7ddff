// The site's templates beside Rotunda's: which file wins a name, what a replaced
// page template keeps of Rotunda's front matter, and how a mistake is reported
// (file and line), without Eleventy around it.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { checkTemplate, createEnvironment, readTemplate, resolveTemplate, siteTemplates, templateFolders, TemplateFileError } from "../../src/render/templates.ts";

let work: string;
let rotunda: string;
let site: string;

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-templates-"));
  rotunda = path.join(work, "rotunda");
  site = path.join(work, "site");
  await put(path.join(rotunda, "panorama.njk"), "---\npermalink: \"/{{ panorama.slug }}/\"\npagination:\n  data: rotunda.panoramas\n  size: 1\n  alias: panorama\n---\n{% extends \"base.njk\" %}{% block main %}rotunda{% endblock %}\n");
  await put(path.join(rotunda, "index.njk"), "---\npermalink: /index.html\n---\n{% extends \"base.njk\" %}\n");
  await put(path.join(rotunda, "_includes/base.njk"), "<main>{% block main %}{% endblock %}</main>{% include \"footer.njk\" %}");
  await put(path.join(rotunda, "_includes/footer.njk"), "<footer>rotunda</footer>");
  await put(path.join(site, "panorama.njk"), "---\ntitle: mine\n---\n{% extends \"rotunda/panorama.njk\" %}{% block main %}site{% endblock %}\n");
  await put(path.join(site, "_includes/footer.njk"), "<footer>site</footer>");
  await put(path.join(site, "_includes/extra.njk"), "<p>extra</p>");
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("which file a template name stands for", () => {
  test("a partial of the site's wins by name; Rotunda's stays reachable as rotunda/<name>", () => {
    const folders = templateFolders(rotunda, site);
    assert.equal(resolveTemplate(folders, "footer.njk"), path.join(site, "_includes/footer.njk"));
    assert.equal(resolveTemplate(folders, "base.njk"), path.join(rotunda, "_includes/base.njk"));
    assert.equal(resolveTemplate(folders, "rotunda/footer.njk"), path.join(rotunda, "_includes/footer.njk"));
    assert.equal(resolveTemplate(folders, "rotunda/panorama.njk"), path.join(rotunda, "panorama.njk"));
    assert.equal(resolveTemplate(folders, "extra.njk"), path.join(site, "_includes/extra.njk"));
    assert.equal(resolveTemplate(folders, "../rotunda/_includes/base.njk"), undefined, "no name leaves the folders");
  });

  test("a site whose layouts/ is Rotunda's own (Rotunda's repository) or missing replaces nothing", () => {
    assert.deepEqual(templateFolders(rotunda, rotunda), { rotunda });
    assert.deepEqual(templateFolders(rotunda, path.join(work, "nowhere")), { rotunda });
  });

  test("a replaced page template wins and keeps Rotunda's front matter under its own", () => {
    const { pages, layouts } = siteTemplates(templateFolders(rotunda, site));
    const panorama = pages.find((p) => p.name === "panorama.njk")!;
    assert.equal(panorama.file, path.join(site, "panorama.njk"));
    assert.equal(panorama.data.title, "mine");
    assert.equal(panorama.data.permalink, "/{{ panorama.slug }}/", "Rotunda's permalink is kept");
    assert.deepEqual(panorama.data.pagination, { data: "rotunda.panoramas", size: 1, alias: "panorama", addAllPagesToCollections: true }, "every page it makes is in collections.all, for the sitemap");
    assert.equal(panorama.data.layout, false, "Rotunda's pages are whole pages, not wrapped in the publisher's page layout");
    assert.equal(pages.find((p) => p.name === "index.njk")!.file, path.join(rotunda, "index.njk"));
    assert.deepEqual(layouts.map((l) => l.path), ["_includes/base.njk", "_includes/extra.njk", "_includes/footer.njk"]);
  });

  test("a page template in the site's layouts/ that replaces nothing is named, with the likely one", async () => {
    const typo = path.join(work, "typo-site");
    await put(path.join(typo, "panorma.njk"), "x");
    assert.throws(() => siteTemplates(templateFolders(rotunda, typo)), (error: Error) => {
      assert.ok(error instanceof TemplateFileError);
      assert.match(error.message, /panorma\.njk:1: no template of Rotunda's is called panorma\.njk/);
      assert.match(error.message, /did you mean "panorama\.njk"/);
      return true;
    });
  });
});

describe("a template's mistakes are named with their file and line", () => {
  test("the front matter's lines are kept, so line numbers are the file's", async () => {
    const file = path.join(work, "lines.njk");
    await put(file, "---\na: 1\nb: [2, 3]\n---\nfirst\n{{ second }}\n");
    const { data, body } = readTemplate(file);
    assert.deepEqual(data, { a: 1, b: [2, 3] });
    assert.equal(body.split("\n").indexOf("{{ second }}") + 1, 6, "the body's second line is the file's sixth");
    assert.equal(createEnvironment({ rotunda }).renderString(body, { second: "2nd" }), "first\n2nd\n");
  });

  test("a syntax error", async () => {
    const env = createEnvironment({ rotunda });
    const file = path.join(work, "layouts", "syntax.njk");
    await put(file, "---\ntitle: x\n---\n<h1>{{ title }}</h1>\n{% if title %}\n{% endfi %}\n");
    assert.throws(() => checkTemplate(readTemplate(file).body, file, env), /syntax\.njk:6:\d+: .*endfi/);
  });

  test("an unknown filter, with the filter it was probably meant to be", async () => {
    const env = createEnvironment({ rotunda });
    env.addFilter("rotundaDate", (x: string) => x);
    const file = path.join(work, "layouts", "filter.njk");
    await put(file, "---\ntitle: x\n---\n<p>\n  {{ panorama.captureDate | rotundaDat }}\n</p>\n");
    assert.throws(() => checkTemplate(readTemplate(file).body, file, env), /filter\.njk:5:\d+: unknown filter "rotundaDat" \(did you mean "rotundaDate"\?\)/);
    await put(file, "{{ panorama.captureDate | rotundaDate | upper }}\n");
    checkTemplate(readTemplate(file).body, file, env);
  });

  test("front matter that is not YAML", async () => {
    const file = path.join(work, "layouts", "yaml.njk");
    await put(file, "---\ntitle: x\n  bad: [\n---\nbody\n");
    assert.throws(() => readTemplate(file), /yaml\.njk:\d+: front matter is not valid YAML/);
  });

  test("a partial loaded through the environment is checked the same way", async () => {
    const broken = path.join(work, "broken-site");
    await put(path.join(broken, "_includes/footer.njk"), "<footer>\n{{ 1 | nosuchfilter }}\n</footer>");
    const env = createEnvironment(templateFolders(rotunda, broken));
    assert.throws(() => env.render("base.njk", {}), /footer\.njk:2:\d+: unknown filter "nosuchfilter"/);
  });
});
