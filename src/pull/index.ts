// The pull stage: OSC cameras → `<gallery>/<pull.into>/<camera>/`.
// Importing this module has no side effects (no network, no files, no env reads).
//
// - pullGallery / pullCameras: pull every camera at once, resumable, nothing lost.
// - OscClient: the OSC v2.1 API on undici (info, state, listFiles, takePicture, options, delete, download).
// - digestAuth: RFC 7616 Digest auth as an undici interceptor (compose onto any dispatcher).
// - startEmulator: an OSC camera on node:http with Digest auth and injectable faults.
export { pullGallery, pullCameras } from "./fleet.ts";
export type { PullResult, CameraPullResult, PullGalleryOptions, PullCamerasOptions } from "./fleet.ts";
export { resolveCameras, camerasFromUrls } from "./cameras.ts";
export type { Camera } from "./cameras.ts";
export { OscClient, parseDateTimeZone } from "./osc-client.ts";
export type { OscClientOptions, CameraFile, CommandResult } from "./osc-client.ts";
export { digestAuth, parseChallenges, digestResponse, authorizationHeader, formatNc } from "./digest.ts";
export { CameraError, OscError, AuthError, ProtocolError, IncompleteDownloadError } from "./errors.ts";
export { Ledger, LEDGER_FILE } from "./ledger.ts";
export { sanitizeFileName } from "./sanitize.ts";
export { withRetry, isTransient, defaultRetryPolicy } from "./retry.ts";
export type { RetryPolicy } from "../retry.ts";
export { startEmulator } from "./emulator/server.ts";
export type { Emulator, EmulatorOptions } from "./emulator/server.ts";
