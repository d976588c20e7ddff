// A shot lands in the gallery through the one pull (src/pull/fleet.ts): the
// camera's new files are pulled into `<gallery>/<pull.into>/<camera>/` as by
// `rotunda pull`, and the shot's local name is read from what it pulled.
import path from "node:path";
import type { PullConfig } from "../config.ts";
import type { Camera } from "../pull/cameras.ts";
import { CameraError } from "../pull/errors.ts";
import { pullCameras } from "../pull/fleet.ts";
import type { Landing } from "./camera.ts";

export interface PullShotOptions {
  galleryDir: string;
  camera: Camera;
  pull: Partial<PullConfig>;
  fileUrl: string;
  log?: (line: string) => void;
}

/** Pulls the camera's new pictures; resolves with where the shot landed, or throws why it did not. */
export async function pullShot(options: PullShotOptions): Promise<Omit<Landing, "page">> {
  const { galleryDir, camera, fileUrl } = options;
  const result = await pullCameras({ root: path.join(galleryDir, options.pull.into ?? "cameras"), cameras: [camera], pull: options.pull, sink: { log: options.log } });
  const mine = result.cameras[0]!;
  const wanted = pathOf(fileUrl);
  const pulled = mine.pulled.find((p) => pathOf(p.fileUrl) === wanted);
  if (!pulled) {
    const why = mine.errors.length > 0 ? mine.errors.join("; ") : "the camera did not list it";
    throw new CameraError(camera.name, `the new picture ${wanted} was not pulled: ${why}`);
  }
  const absolute = path.join(mine.folder, pulled.file);
  return { file: path.relative(galleryDir, absolute).split(path.sep).join("/"), absolute };
}

/** A fileUrl's path: the host part changes with a THETA's Wi-Fi mode. */
function pathOf(fileUrl: string): string {
  try {
    return new URL(fileUrl).pathname;
  } catch {
    return fileUrl;
  }
}
