// What a browser gets from a CameraFeed: the frames as one multipart/x-mixed-replace
// response (`/stream`), newest frame only, and the feed's state as server-sent
// events (`/events`). A viewer whose socket is still full when a frame comes gets
// the newest one once it drains: a slow browser holds at most one frame here.
import type { ServerResponse } from "node:http";
import type { CameraFeed, FeedStatus, FeedViewer } from "./feed.ts";

export const STREAM_BOUNDARY = "rotundaframe";

/** Streams a feed's frames into one HTTP response until the client leaves. */
export function serveStream(feed: CameraFeed, res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": `multipart/x-mixed-replace; boundary=${STREAM_BOUNDARY}`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.flushHeaders();
  let sent = 0;
  let waiting = false;
  const send = () => {
    const frame = feed.latest;
    if (!frame || frame.seq <= sent || res.destroyed) return;
    if (res.writableNeedDrain) {
      if (!waiting) {
        waiting = true;
        res.once("drain", () => {
          waiting = false;
          send();
        });
      }
      return;
    }
    sent = frame.seq;
    const extra = Object.entries(frame.extra).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    res.write(Buffer.from(`--${STREAM_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.jpeg.length}\r\nX-Rotunda-Seq: ${frame.seq}\r\n${extra}\r\n`, "latin1"));
    res.write(frame.jpeg);
    res.write(Buffer.from("\r\n"));
  };
  const viewer: FeedViewer = { frame: send, status: () => {} };
  const leave = feed.watch(viewer);
  res.on("close", leave);
}

/** The camera's state as the page shows it. */
export interface CameraSummary {
  model?: string;
  /** 0–1. */
  batteryLevel?: number;
  batteryState?: string;
  captureStatus?: string;
  remainingPictures?: number;
  remainingSpace?: number;
  /** Why the state could not be read, when it could not. */
  error?: string;
}

export type LiveEvent = { type: "status"; status: FeedStatus } | { type: "camera"; camera: CameraSummary } | { type: "shot"; shot: unknown };

/** Server-sent events to one page: the feed's status as it changes, and whatever `publish` sends. */
export class EventChannel {
  private readonly clients = new Set<ServerResponse>();
  private last = new Map<string, string>();

  get size(): number {
    return this.clients.size;
  }

  /** Adds a page; `onEmpty` when the last one leaves. */
  open(res: ServerResponse, onEmpty: () => void): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.write(Buffer.from("retry: 1000\n\n"));
    this.clients.add(res);
    for (const data of this.last.values()) res.write(Buffer.from(data));
    res.on("close", () => {
      this.clients.delete(res);
      if (this.clients.size === 0) onEmpty();
    });
  }

  publish(event: LiveEvent): void {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    this.last.set(event.type, data);
    for (const res of this.clients) res.write(Buffer.from(data));
  }
}
