// A fault-injecting HTTP proxy for tests, in front of an S3 server on 127.0.0.1:
// it answers a share of requests with 503 SlowDown, resets a share of connections
// mid-body (a response cut after its headers and half its body, or a request
// dropped after its body was read), and stalls some (reads the request, never
// answers, until the client gives up). Requests pass to the server unchanged
// (the Host header too, which SigV4 signs).
//
// Faults are drawn from a seeded generator, and one request (method + URL) is
// faulted at most `maxFaultsInARow` times in a row, so a client that retries
// enough always gets through: the tests assert that it does, not luck. `failAll`
// answers every request with 503 SlowDown instead.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FaultShares {
  slowDown: number;
  reset: number;
  stall: number;
}

export interface FaultProxyOptions extends Partial<FaultShares> {
  seed?: number;
  /** How many times in a row one request may be faulted (default 2). */
  maxFaultsInARow?: number;
  failAll?: boolean;
}

export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  fault?: "slowDown" | "reset" | "stall";
  status?: number;
}

export interface FaultProxy {
  url: string;
  /** Every request, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** Changes the faults from now on. */
  configure(options: FaultProxyOptions): void;
  /** Called for every request once it is answered by the server (tests kill a client after the n-th one). */
  onForwarded?: (request: ProxiedRequest) => void;
  /**
   * Resolves once the proxy is idle: every client has hung up and every request
   * passed on to the server has its answer (or failed). After a client is killed:
   * what it had sent has landed. A client still connected keeps it waiting.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(upstream: string, initial: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  let options: Required<Omit<FaultProxyOptions, "seed">> = { slowDown: 0, reset: 0, stall: 0, maxFaultsInARow: 2, failAll: false };
  let next = random(initial.seed ?? 1);
  const faultsInARow = new Map<string, number>();
  const stalled = new Set<http.ServerResponse>();
  const requests: ProxiedRequest[] = [];
  // Idle: no client connection open and nothing being forwarded. A connection's bytes are
  // parsed before it closes, so a request a client sent just before it died is counted first.
  let forwarding = 0;
  const connections = new Set<Socket>();
  const waitingForIdle: Array<() => void> = [];
  const idle = () => forwarding === 0 && connections.size === 0;
  const whenIdle = () => {
    if (idle()) for (const resolve of waitingForIdle.splice(0)) resolve();
  };
  const forwarded = () => {
    forwarding--;
    whenIdle();
  };

  const configure = (change: FaultProxyOptions) => {
    options = { ...options, ...change };
    if (change.seed !== undefined) next = random(change.seed);
  };
  configure(initial);

  const pickFault = (key: string): ProxiedRequest["fault"] => {
    if (options.failAll) return "slowDown";
    const streak = faultsInARow.get(key) ?? 0;
    const draw = next();
    let fault: ProxiedRequest["fault"];
    if (streak < options.maxFaultsInARow) {
      if (draw < options.slowDown) fault = "slowDown";
      else if (draw < options.slowDown + options.reset) fault = "reset";
      else if (draw < options.slowDown + options.reset + options.stall) fault = "stall";
    }
    faultsInARow.set(key, fault ? streak + 1 : 0);
    return fault;
  };

  const proxy: FaultProxy = {
    url: "",
    requests,
    configure,
    settled: () => (idle() ? Promise.resolve() : new Promise<void>((resolve) => waitingForIdle.push(resolve))),
    async close() {
      for (const res of stalled) res.socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const seen: ProxiedRequest = { method: req.method ?? "GET", url: req.url ?? "/" };
      requests.push(seen);
      const fault = pickFault(`${seen.method} ${seen.url}`);
      if (fault) seen.fault = fault;
      if (fault === "slowDown") {
        res.writeHead(503, { "content-type": "application/xml", "content-length": Buffer.byteLength(SLOW_DOWN) });
        res.end(SLOW_DOWN);
        return;
      }
      if (fault === "stall") {
        stalled.add(res);
        res.on("close", () => stalled.delete(res));
        return; // never answered: the client's timeout ends it
      }
      if (fault === "reset" && body.length > 0) {
        // Dropped after the request's body arrived: the server never sees it.
        req.socket.resetAndDestroy();
        return;
      }
      forwarding++;
      let answered = false;
      const settle = () => {
        if (!answered) forwarded();
        answered = true;
      };
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("error", settle);
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            const reply = Buffer.concat(parts);
            seen.status = answer.statusCode;
            proxy.onForwarded?.(seen);
            settle();
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            if (fault === "reset") {
              // Headers and half the body, then the connection is reset.
              res.write(reply.subarray(0, Math.floor(reply.length / 2)), () => res.socket?.resetAndDestroy());
              return;
            }
            res.end(reply);
          });
        },
      );
      forward.on("error", () => {
        settle();
        res.destroy();
      });
      forward.end(body);
    });
  });
  server.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => {
      connections.delete(socket);
      whenIdle();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
