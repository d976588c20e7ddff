// Cameras as the pull stage needs them: config entries (or command-line URLs)
// with the password read from the environment variable the config names.
import type { CameraConfig } from "../config.ts";
import { ConfigError } from "../config.ts";
import { folderNameForUrl } from "./sanitize.ts";

export interface Camera {
  name: string;
  url: string;
  username?: string;
  /** Kept out of every message; only the Digest interceptor reads it. */
  password?: string;
}

/**
 * Reads each camera's password from its passwordEnv. Errors name the camera and the
 * variable, never a value. A username without passwordEnv (or the reverse) is an error.
 */
export function resolveCameras(cameras: CameraConfig[], env: NodeJS.ProcessEnv = process.env): Camera[] {
  const problems: string[] = [];
  const resolved = cameras.map((camera) => {
    const { name, url, username, passwordEnv } = camera;
    let password: string | undefined;
    if (passwordEnv !== undefined) {
      password = env[passwordEnv];
      if (password === undefined || password === "") {
        problems.push(`camera "${name}": environment variable ${passwordEnv} (its passwordEnv) is not set`);
      }
      if (username === undefined) problems.push(`camera "${name}": passwordEnv is set but username is missing`);
    } else if (username !== undefined) {
      problems.push(`camera "${name}": username is set but passwordEnv (the variable holding its password) is missing`);
    }
    return { name, url, username, password };
  });
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return resolved;
}

/** Cameras given as URLs on the command line, named after host and port. */
export function camerasFromUrls(urls: string[], username: string | undefined, passwordEnv: string | undefined, env: NodeJS.ProcessEnv = process.env): Camera[] {
  const seen = new Set<string>();
  return urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`camera "${raw}": not a URL (expected http://host[:port])`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`camera "${raw}": must be an http:// or https:// URL`);
    let name = folderNameForUrl(url.href);
    for (let n = 2; seen.has(name); n++) name = `${folderNameForUrl(url.href)}-${n}`;
    seen.add(name);
    const [camera] = resolveCameras([{ name, url: url.href, username, passwordEnv }], env);
    return camera!;
  });
}
