/**
 * Worker side of FacePool: renders whole cube faces from the equirectangular
 * shared by the main thread (SharedArrayBuffer, only read here) into the
 * SharedArrayBuffer each job brings.
 */
import { parentPort } from "node:worker_threads";
import { FACES, renderFace } from "./cubemap.ts";
import type { FaceJob } from "./pool.ts";
import { EquirectSampler } from "./sample.ts";

let current: { imageId: number; sampler: EquirectSampler } | undefined;

parentPort!.on("message", (job: FaceJob) => {
  if (job.kind === "release") {
    current = undefined;
    return;
  }
  const s = job.src;
  if (current?.imageId !== s.imageId) {
    const data = new Uint8Array(s.source, s.byteOffset, s.width * s.height * s.channels);
    current = { imageId: s.imageId, sampler: new EquirectSampler({ data, width: s.width, height: s.height, channels: s.channels }, s.crop, s.background) };
  }
  renderFace(current.sampler, FACES[job.face]!, job.size, new Uint8Array(job.out));
  parentPort!.postMessage(job.id);
});
