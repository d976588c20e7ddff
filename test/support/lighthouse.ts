// Lighthouse (npm `lighthouse`, pinned to 12.2.3: 13 needs Node 22) against
// Debian Chromium, for any page a test or benchmark serves on 127.0.0.1:
//
//   const report = await runLighthouse(`${server.url}/albums/`, { categories: ["accessibility"] });
//   assertScores(report, { accessibility: 0.95 });
//
// Lighthouse's own mobile profile (simulated throttling). Accessibility, best
// practices and SEO scores are stable from run to run; performance moves with the
// machine's load, so tests leave it to the benchmarks.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CHROMIUM, CHROMIUM_FLAGS } from "./browser.ts";
import { ROOT } from "./cli.ts";

export type Category = "performance" | "accessibility" | "best-practices" | "seo";
export const ALL_CATEGORIES: readonly Category[] = ["performance", "accessibility", "best-practices", "seo"];

export interface FailingAudit {
  category: Category;
  id: string;
  title: string;
  score: number;
  /** What Lighthouse says it found (elements, URLs), shortened. */
  details: string;
}

export interface LighthouseReport {
  url: string;
  /** 0 to 1, per category asked for. */
  scores: Partial<Record<Category, number>>;
  /** Audits that count towards a score and did not pass. */
  failing: FailingAudit[];
  /** Lighthouse's metric values (ms), for performance runs: first-contentful-paint, largest-contentful-paint, total-blocking-time, speed-index… */
  metrics: Record<string, number>;
}

const CHROME_FLAGS = CHROMIUM_FLAGS.join(" ");

interface LhJson {
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<string, { title: string; score: number | null; numericValue?: number; details?: { items?: unknown[] } }>;
  runtimeError?: { code: string; message: string };
}

export async function runLighthouse(url: string, options: { categories?: readonly Category[]; timeoutMs?: number } = {}): Promise<LighthouseReport> {
  const categories = options.categories ?? ALL_CATEGORIES;
  const dir = await mkdtemp(path.join(tmpdir(), "rotunda-lighthouse-"));
  const output = path.join(dir, "report.json");
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          path.join(ROOT, "node_modules/lighthouse/cli/index.js"),
          url,
          "--quiet",
          "--output=json",
          `--output-path=${output}`,
          `--only-categories=${categories.join(",")}`,
          `--chrome-flags=${CHROME_FLAGS}`,
        ],
        { env: { ...process.env, CHROME_PATH: CHROMIUM, TMPDIR: dir }, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
        (error, _stdout, stderr) => (error ? reject(new Error(`lighthouse ${url} failed: ${error.message}\n${stderr.slice(-2000)}`)) : resolve()),
      );
    });
    const report = JSON.parse(await readFile(output, "utf8")) as LhJson;
    if (report.runtimeError) throw new Error(`lighthouse ${url}: ${report.runtimeError.code} ${report.runtimeError.message}`);
    const scores: Partial<Record<Category, number>> = {};
    const failing: FailingAudit[] = [];
    for (const category of categories) {
      const c = report.categories[category];
      if (!c || c.score === null) throw new Error(`lighthouse ${url}: no ${category} score`);
      scores[category] = c.score;
      for (const ref of c.auditRefs) {
        const audit = report.audits[ref.id];
        if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 1) continue;
        failing.push({ category, id: ref.id, title: audit.title, score: audit.score, details: JSON.stringify(audit.details?.items?.slice(0, 3) ?? []).slice(0, 600) });
      }
    }
    const metrics: Record<string, number> = {};
    for (const id of ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index", "cumulative-layout-shift"]) {
      const value = report.audits[id]?.numericValue;
      if (value !== undefined) metrics[id] = value;
    }
    return { url, scores, failing, metrics };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Throws, listing the audits that failed, unless every score is at least its minimum. */
export function assertScores(report: LighthouseReport, minimums: Partial<Record<Category, number>>): void {
  const low = Object.entries(minimums).filter(([category, min]) => (report.scores[category as Category] ?? 0) < min!);
  if (low.length === 0) return;
  const audits = report.failing
    .filter((a) => low.some(([category]) => category === a.category))
    .map((a) => `  ${a.category} ${a.id} (${a.score}): ${a.title} ${a.details}`);
  throw new Error(
    `${report.url}: ${low.map(([c, min]) => `${c} ${report.scores[c as Category]} < ${min}`).join(", ")}\n${audits.join("\n")}`,
  );
}
