// The CI examples in docs/ci/ (GitHub Actions, GitLab CI, a Kubernetes Indexed
// Job): each parses as YAML, names only rotunda commands and options that exist
// (asked of the command itself, `rotunda <command> --help`), and cuts the work
// into as many shards as it runs jobs.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import yaml from "js-yaml";
import { ROOT, runRotunda } from "../support/cli.ts";

const DOCS = path.join(ROOT, "docs/ci");

async function load(name: string): Promise<unknown[]> {
  return yaml.loadAll(await readFile(path.join(DOCS, name), "utf8"));
}

/** Every string anywhere in a parsed document. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** Each `rotunda.js <command> …` invocation: the command and the options it passes. */
function invocations(docs: unknown[]): Array<{ command: string; options: string[] }> {
  const found: Array<{ command: string; options: string[] }> = [];
  for (const text of docs.flatMap(strings)) {
    for (const m of text.matchAll(/rotunda\.js\s+([a-z]+)([^&;\n]*)/g)) {
      found.push({ command: m[1]!, options: [...m[2]!.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((o) => o[1]!) });
    }
  }
  return found;
}

const helps = new Map<string, Promise<{ code: number | null; stdout: string }>>();
const helpOf = (command: string) => {
  if (!helps.has(command)) helps.set(command, runRotunda([command, "--help"]));
  return helps.get(command)!;
};

async function assertCommandsExist(name: string): Promise<Array<{ command: string; options: string[] }>> {
  const found = invocations(await load(name));
  assert.ok(found.length >= 3, `${name} runs rotunda`);
  for (const { command, options } of found) {
    const help = await helpOf(command);
    assert.equal(help.code, 0, `${name}: rotunda ${command} is a command`);
    for (const option of options) assert.ok(help.stdout.includes(option), `${name}: rotunda ${command} has ${option}`);
  }
  for (const command of ["process", "render", "deploy"]) assert.ok(found.some((f) => f.command === command), `${name} runs rotunda ${command}`);
  return found;
}

describe("docs/ci examples", { timeout: 120_000 }, () => {
  test("GitHub Actions: a matrix of n shard jobs, artifacts with their state folder, then one render-and-deploy job", async () => {
    await assertCommandsExist("github-actions.yml");
    const [workflow] = (await load("github-actions.yml")) as Array<{ env: Record<string, unknown>; jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; steps: Array<Record<string, unknown>>; needs?: string }> }>;
    const shards = workflow!.jobs.process!.strategy!.matrix.shard;
    assert.equal(shards.length, Number(workflow!.env.SHARDS));
    assert.deepEqual(shards, shards.map((_, i) => i + 1), "shards counted from 1");
    const upload = workflow!.jobs.process!.steps.find((s) => String(s.uses).startsWith("actions/upload-artifact"));
    assert.equal((upload!.with as Record<string, unknown>)["include-hidden-files"], true, "the artifacts keep .rotunda/");
    assert.equal(workflow!.jobs["render-and-deploy"]!.needs, "process");
    const download = workflow!.jobs["render-and-deploy"]!.steps.find((s) => String(s.uses).startsWith("actions/download-artifact"));
    assert.equal((download!.with as Record<string, unknown>)["merge-multiple"], true, "the shards' folders gathered into one");
  });

  test("GitLab CI: parallel: n with CI_NODE_INDEX/CI_NODE_TOTAL, then render and deploy", async () => {
    const found = await assertCommandsExist("gitlab-ci.yml");
    const [pipeline] = (await load("gitlab-ci.yml")) as Array<Record<string, { parallel?: number; artifacts?: { paths: string[] } }>>;
    assert.ok(Number(pipeline!.process!.parallel) > 1);
    assert.ok(found.some((f) => f.command === "process" && f.options.includes("--shard")));
    assert.match(strings(pipeline).join("\n"), /--shard "\$CI_NODE_INDEX\/\$CI_NODE_TOTAL"/);
  });

  test("Kubernetes: an Indexed Job whose JOB_COMPLETION_INDEX (from 0) becomes --shard (from 1), then a render Job", async () => {
    await assertCommandsExist("kubernetes-indexed-job.yml");
    const [shards, render] = (await load("kubernetes-indexed-job.yml")) as Array<{ kind: string; spec: Record<string, unknown> & { template: { spec: { containers: Array<{ env?: Array<{ name: string; value: string }> }> } } } }>;
    assert.equal(shards!.kind, "Job");
    assert.equal(shards!.spec.completionMode, "Indexed");
    const n = Number(shards!.spec.template.spec.containers[0]!.env!.find((e) => e.name === "SHARDS")!.value);
    assert.equal(shards!.spec.completions, n);
    assert.equal(shards!.spec.parallelism, n);
    assert.match(strings(shards).join("\n"), /--shard "\$\(\(JOB_COMPLETION_INDEX \+ 1\)\)\/\$SHARDS"/);
    assert.equal(render!.kind, "Job");
    assert.match(strings(render).join("\n"), new RegExp(`\\*-of-${n}\\.json.*-eq ${n}`), "the render waits for all n parts");
  });
});
