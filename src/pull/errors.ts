// Typed errors of the pull stage. Messages name the camera and never carry a
// password (credentials only ever live inside the Digest interceptor).

/** The OSC error body: `{ name, state: "error", error: { code, message } }`. */
export interface OscErrorBody {
  code: string;
  message: string;
}

/** Any failure talking to one camera. */
export class CameraError extends Error {
  override name = "CameraError";
  constructor(
    /** The camera's name (config) or its URL. */
    readonly camera: string,
    message: string,
    /** HTTP status when the camera answered; undefined for network failures. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${camera}: ${message}`, options);
  }
}

/** The camera answered with an OSC error (`state: "error"`). */
export class OscError extends CameraError {
  override name = "OscError";
  constructor(
    camera: string,
    readonly command: string,
    readonly osc: OscErrorBody,
    status: number | undefined,
  ) {
    super(camera, `${command} failed: ${osc.code}${osc.message ? ` (${osc.message})` : ""}${status ? ` [HTTP ${status}]` : ""}`, status);
  }
}

/** The camera refused our credentials (401 after answering its Digest challenge). */
export class AuthError extends CameraError {
  override name = "AuthError";
}

/** The camera answered something that is not the JSON OSC promises (HTML error page, garbage). */
export class ProtocolError extends CameraError {
  override name = "ProtocolError";
}

/** A download did not arrive whole (size differs from the listing). */
export class IncompleteDownloadError extends CameraError {
  override name = "IncompleteDownloadError";
}
