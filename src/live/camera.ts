// One camera as the live view serves it: its shared preview feed, its state
// (battery, storage, capture status) polled while a page is open, and the Shoot
// action: close the preview (a THETA ends it when shooting starts), take the
// picture and wait for it, open the preview again, then land the picture where
// the caller says (pulled into the gallery by the pull stage, built by serve).
import type { Camera } from "../pull/cameras.ts";
import { CameraError } from "../pull/errors.ts";
import { OscClient } from "../pull/osc-client.ts";
import { CameraFeed, type FeedOptions } from "./feed.ts";
import { EventChannel, type CameraSummary } from "./viewers.ts";

/** Where a shot went: its file in the gallery, and its page once the gallery is built. */
export interface Landing {
  /** Path relative to the gallery folder, forward slashes. */
  file: string;
  /** The local file, for the page to show. */
  absolute: string;
  /** Site path of the picture's page (`/<slug>/`), where a build made one. */
  page?: string;
}

export interface ShotResult {
  camera: string;
  /** The camera's URL for the new picture (camera.takePicture's fileUrl). */
  fileUrl: string;
  file?: string;
  page?: string;
  /** Where this server shows the landed picture. */
  picture?: string;
}

export class ShootBusyError extends Error {
  override name = "ShootBusyError";
}

export interface LiveCameraOptions extends Pick<FeedOptions, "stallMs" | "backoff"> {
  /** Brings a new picture into the gallery (absent: the shot stays on the camera). */
  land?: (fileUrl: string) => Promise<Landing>;
  /** How often the state is read while a page is open (default 5 s). */
  pollMs?: number;
  /** How often takePicture's progress is asked for (default 1 s, as RICOH's own client does). */
  shotPollMs?: number;
  log?: (line: string) => void;
}

export class LiveCamera {
  readonly client: OscClient;
  readonly feed: CameraFeed;
  readonly events = new EventChannel();
  /** Landed pictures this server shows, by number. */
  readonly shots = new Map<number, Landing>();
  private shooting = false;
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    readonly camera: Camera,
    private readonly options: LiveCameraOptions = {},
  ) {
    this.client = new OscClient({
      name: camera.name,
      url: camera.url,
      username: camera.username,
      password: camera.password,
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      retry: { retries: 2, baseDelayMs: 200, maxDelayMs: 1000 },
    });
    this.feed = new CameraFeed(this.client, {
      stallMs: options.stallMs,
      backoff: options.backoff,
      log: options.log,
      onStatus: (status) => this.events.publish({ type: "status", status }),
    });
  }

  get name(): string {
    return this.camera.name;
  }

  /** A page opened: it gets the status and state, and the state is polled while any page is open. */
  openEvents(res: import("node:http").ServerResponse): void {
    this.events.publish({ type: "status", status: this.feed.status });
    this.events.open(res, () => this.stopPolling());
    if (!this.poller) this.startPolling();
  }

  private startPolling(): void {
    const poll = () => {
      this.polling = this.summary().then((camera) => this.events.publish({ type: "camera", camera }));
      void this.polling.finally(() => {
        if (this.events.size > 0) this.poller = setTimeout(poll, this.options.pollMs ?? 5000);
        else this.poller = undefined;
      });
    };
    this.poller = setTimeout(poll, 0);
  }

  private stopPolling(): void {
    clearTimeout(this.poller);
    this.poller = undefined;
  }

  /** Battery, storage left and capture status; an unreadable camera gives its error instead. */
  async summary(): Promise<CameraSummary> {
    try {
      const answer = await this.client.state();
      const state = (answer.state ?? {}) as Record<string, unknown>;
      const summary: CameraSummary = {};
      if (typeof state.batteryLevel === "number") summary.batteryLevel = state.batteryLevel;
      if (typeof state._batteryState === "string") summary.batteryState = state._batteryState;
      if (typeof state._captureStatus === "string") summary.captureStatus = state._captureStatus;
      const options = await this.client.getOptions(["remainingPictures", "remainingSpace"]).catch(() => ({}) as Record<string, unknown>);
      if (typeof options.remainingPictures === "number") summary.remainingPictures = options.remainingPictures;
      if (typeof options.remainingSpace === "number") summary.remainingSpace = options.remainingSpace;
      return summary;
    } catch (error) {
      return { error: error instanceof CameraError ? error.message : `${this.name}: ${(error as Error).message}` };
    }
  }

  /** Takes a picture with the preview closed meanwhile, then lands it. One shot at a time. */
  async shoot(pictureUrl: (n: number) => string): Promise<ShotResult> {
    if (this.shooting) throw new ShootBusyError(`${this.name}: a picture is being taken already`);
    this.shooting = true;
    try {
      await this.feed.pause();
      let fileUrl: string;
      try {
        fileUrl = await this.client.takePicture(this.options.shotPollMs ?? 1000);
      } finally {
        this.feed.resume();
      }
      this.options.log?.(`${this.name}: took ${fileUrl}`);
      const result: ShotResult = { camera: this.name, fileUrl };
      if (this.options.land) {
        const landing = await this.options.land(fileUrl);
        const n = this.shots.size + 1;
        this.shots.set(n, landing);
        Object.assign(result, { file: landing.file, picture: pictureUrl(n) }, landing.page ? { page: landing.page } : {});
      }
      this.events.publish({ type: "shot", shot: result });
      void this.summary().then((camera) => this.events.publish({ type: "camera", camera }));
      return result;
    } finally {
      this.shooting = false;
    }
  }

  async close(): Promise<void> {
    this.stopPolling();
    await this.feed.close();
    await this.polling?.catch(() => {});
    await this.client.destroy().catch(() => {});
  }
}
