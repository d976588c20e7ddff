// The deploy stage: puts the built site (dist/) on S3-compatible object storage
// (AWS, R2, MinIO, Ceph, Swift), uploading only what changed, in an order that
// never leaves a page pointing at a missing file, and writes the `_headers` file
// for hosts that read one (Netlify, Cloudflare Pages) with the same cache rules.
//
//   deploy(options)          scan, plan, upload by phase, prune        (deploy.ts)
//   headersFileFor(files)    `_headers` for the build                  (headers-file.ts)
//   parseS3Url(url)          `s3://bucket/prefix` → target             (s3-target.ts)
//   isHashedPath, headersFor, phaseOf: the rules                       (headers.ts)
//   makePlan, formatPlan: diffing local files against a listing       (plan.ts)
export { deploy, type DeployOptions, type DeployResult, type FailedItem } from "./deploy.ts";
export { headersFileFor } from "./headers-file.ts";
export {
  CACHE_HTML,
  CACHE_IMMUTABLE,
  CACHE_SHORT,
  PHASES,
  cacheControlFor,
  contentTypeFor,
  headersFor,
  isHashedPath,
  phaseOf,
  type ObjectHeaders,
  type Phase,
} from "./headers.ts";
export { listSiteFiles, scanSite, type LocalFile } from "./local.ts";
export { formatPlan, makePlan, MD5_METADATA_KEY, type Plan, type PlannedUpload, type RemoteObject } from "./plan.ts";
export { DeployError, createS3Client, parseS3Url, type S3Target } from "./s3-target.ts";
export { DEFAULT_UPLOAD_OPTIONS, MIB, type UploadOptions } from "./upload.ts";
