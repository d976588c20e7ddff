// Lighthouse on the gallery's home page and a panorama page: accessibility, best
// practices and SEO at 95 or more (performance is the reader benchmark's).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { buildOnce } from "../support/build.ts";
import { ROOT } from "../support/cli.ts";
import { assertScores, runLighthouse } from "../support/lighthouse.ts";
import { serveStatic, type StaticServer } from "../support/static-server.ts";

let work: string;
let server: StaticServer;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "rotunda-lighthouse-site-"));
  const report = await buildOnce(path.join(ROOT, "content"), path.join(work, "dist"), { title: "Rotunda demo gallery" });
  assert.deepEqual(report.process.failed, []);
  server = await serveStatic(path.join(work, "dist"));
});

after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

for (const page of ["/", "/summit/"]) {
  test(`${page}: accessibility, best practices and SEO at least 95`, async () => {
    const report = await runLighthouse(server.url + page, { categories: ["accessibility", "best-practices", "seo"] });
    assertScores(report, { accessibility: 0.95, "best-practices": 0.95, seo: 0.95 });
  });
}
