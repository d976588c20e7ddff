import type { Command } from "../command.ts";
import { UsageError, intOption, parseCommandArgs } from "../command.ts";
import { formatBytes } from "../../format.ts";
import { EXIT } from "../exit-codes.ts";
import { createProgress } from "../progress.ts";

const help = `Usage: rotunda deploy --to s3://bucket[/prefix] [options]

Uploads the built site to S3-compatible storage (AWS S3, R2, MinIO, Ceph,
Swift), only the files that changed: hashed media and assets first, then the
pages, then the home page, then sitemap and feeds. If an upload fails, later
phases do not run, so no live page points at a missing file.

Options:
  --to URL           s3://bucket/prefix to deploy to (required)
  --endpoint URL     S3-compatible endpoint, e.g. https://<id>.r2.cloudflarestorage.com
                     (implies path-style addressing)
  --region NAME      region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)
  --dir DIR          built site to upload (default: dist)
  --dry-run          print the plan, change nothing
  --prune            delete objects under the prefix that the site no longer has,
                     after every upload succeeded
  --concurrency N    files in flight at once (default: 8)

Media that a build took from the bucket cache (\`rotunda build --cache\`) stay in
the bucket: they are checked there, never uploaded or pruned, and such a build
deploys only to that bucket and prefix. Keys below the prefix with a dot-segment
(the cache's .rotunda-cache/ records) are never touched. Every request is retried
on throttling (503 SlowDown), server errors, timeouts and dropped connections.

Credentials come from the standard AWS chain: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws files, SSO, instance roles.
Dotfiles and dot-folders (.rotunda/), _headers, .br/.gz siblings and a build's
unfinished temp files (<file>.<pid>.<n>.tmp, folders ending .tmp) are never uploaded.

Exit codes: 0 done; 1 some uploads or deletions failed; 2 bad arguments, missing
site, an endpoint that cannot be reached, rejected credentials or missing bucket;
3 unexpected error.`;

export const command: Command = {
  name: "deploy",
  summary: "upload the built site to S3-compatible storage, only what changed",
  help,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      to: { type: "string" },
      endpoint: { type: "string" },
      region: { type: "string" },
      dir: { type: "string", default: "dist" },
      "dry-run": { type: "boolean", default: false },
      prune: { type: "boolean", default: false },
      concurrency: { type: "string" },
    });
    if (!values.to) throw new UsageError("--to s3://bucket/prefix is required");
    const concurrency = intOption(values.concurrency, "concurrency", 8);
    if (values.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(values.endpoint)) {
      throw new UsageError(`--endpoint must be an http(s) URL, got "${values.endpoint}"`);
    }
    // The SDK warns on every run that its 2027 releases will need Node 22; the
    // project supports Node 20, so that is noise for users here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    // Loaded here so `rotunda deploy --help` stays instant (the SDK is large).
    const { deploy, parseS3Url, formatPlan, DeployError } = await import("../../deploy/index.ts");

    let target;
    try {
      target = parseS3Url(values.to);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const dryRun = values["dry-run"] === true;
    const prune = values.prune === true;
    const progress = dryRun ? undefined : createProgress("deploy");
    let result;
    try {
      result = await deploy({
        distDir: values.dir ?? "dist",
        target,
        endpoint: values.endpoint,
        region: values.region,
        dryRun,
        prune,
        concurrency,
        progress,
      });
    } catch (error) {
      progress?.done();
      if (error instanceof DeployError) {
        if (error.kind === "site" || error.kind === "target") throw new UsageError(error.message);
        console.error(`rotunda deploy: ${error.message}`);
        return EXIT.usage;
      }
      throw error;
    }

    const { plan } = result;
    const seconds = (result.ms / 1000).toFixed(1);
    if (dryRun) {
      for (const line of formatPlan(plan, prune)) console.log(line);
      const bytes = plan.uploads.reduce((n, u) => n + u.file.size, 0);
      console.log(
        `dry run for ${values.to}: would upload ${plan.uploads.length} (${formatBytes(bytes)}), unchanged ${plan.unchanged.length}, ` +
          (prune ? `would delete ${plan.stale.length}` : `stale ${plan.stale.length} (kept without --prune)`),
      );
      return EXIT.ok;
    }
    for (const f of result.failed.slice(0, 20)) console.error(`rotunda deploy: ${f.action} failed: ${f.key}: ${f.error}`);
    if (result.failed.length > 20) console.error(`rotunda deploy: … and ${result.failed.length - 20} more failures`);
    if (result.skippedPhases.length > 0) console.error(`rotunda deploy: not run after the failures: ${result.skippedPhases.join(", ")}${prune ? ", prune" : ""}`);
    const kept = !prune && plan.stale.length > 0 ? ` (${plan.stale.length} stale kept; --prune deletes them)` : "";
    console.log(
      `deploy to ${values.to}: uploaded ${result.uploaded.length} (${formatBytes(result.bytesUploaded)}), unchanged ${result.unchanged}, ` +
        `deleted ${result.deleted.length}${kept}, failed ${result.failed.length}, in ${seconds} s`,
    );
    return result.failed.length > 0 ? EXIT.partial : EXIT.ok;
  },
};
