// The pull stage as the build and `serve` call it: pullGallery pulls the new
// pictures of the gallery's configured cameras into `<gallery>/<pull.into>/<camera>/`.
// Loading this module has no side effects (no network, no files, no env reads).
export { pullGallery } from "./fleet.ts";
export type { PullResult } from "./fleet.ts";
