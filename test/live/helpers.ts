// Clients of the live view for tests: a /stream reader (parsed with the live
// parser itself) and an /events reader, each with waits that end with a clear
// error instead of hanging.
import http from "node:http";
import { boundaryOf, MultipartParser, type Part } from "../../src/live/multipart.ts";

export interface Watcher<T> {
  items: T[];
  /** Resolves with the first item (from `from` on) that `match` accepts; rejects after `timeoutMs`. */
  waitFor(match: (item: T) => boolean, options?: { from?: number; timeoutMs?: number; what?: string }): Promise<T>;
  close(): void;
}

function watcher<T>(url: string, onResponse: (res: http.IncomingMessage, push: (item: T) => void) => void): Watcher<T> {
  const items: T[] = [];
  const listeners = new Set<() => void>();
  const push = (item: T) => {
    items.push(item);
    for (const l of listeners) l();
  };
  const req = http.get(url, (res) => onResponse(res, push));
  req.on("error", () => {});
  return {
    items,
    waitFor(match, { from = 0, timeoutMs = 20_000, what = "an item" } = {}) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = items.slice(from).find(match);
          if (found !== undefined) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${url}: no ${what} within ${timeoutMs} ms (got ${items.length}: ${JSON.stringify(items.slice(-5)).slice(0, 400)})`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: () => req.destroy(),
  };
}

/** Reads Rotunda's /stream: one item per frame. */
export function watchStream(url: string): Watcher<Part> {
  return watcher<Part>(url, (res, push) => {
    const parser = new MultipartParser(boundaryOf(String(res.headers["content-type"]))!);
    res.on("data", (chunk: Buffer) => {
      for (const part of parser.push(chunk)) push(part);
    });
    res.on("error", () => {});
  });
}

export interface LiveEventItem {
  type: string;
  status?: { state: string; message?: string };
  camera?: Record<string, unknown>;
  shot?: Record<string, unknown>;
}

/** Reads /events: one item per server-sent event. */
export function watchEvents(url: string): Watcher<LiveEventItem> {
  return watcher<LiveEventItem>(url, (res, push) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      text += chunk;
      let end: number;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (data) push(JSON.parse(data) as LiveEventItem);
      }
    });
    res.on("error", () => {});
  });
}

/** Waits (polling, bounded) until `condition` holds; rejects naming `what` otherwise. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
