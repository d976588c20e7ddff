// Free TCP ports: the first free one from a given port (serve moves on when its
// port is taken), or one the system picks (test peers whose config needs a port
// before they start).
import { createServer, type AddressInfo } from "node:net";

/**
 * Listens on `port` (0: any) and closes at once: the port it got, or undefined
 * when that one is taken. A probe: a real listen after it may still race.
 * Anything else (an address this machine does not have) rejects.
 */
function probe(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(undefined) : reject(error)));
    server.listen({ port, host, exclusive: true }, () => {
      const got = (server.address() as AddressInfo).port;
      server.close(() => resolve(got));
    });
  });
}

/** A free port on `host`: the first of `tries` from `from` on, or with `from` 0 one the system picks. */
export async function freePort(host = "127.0.0.1", from = 0, tries = 50): Promise<number> {
  const first = from === 0 ? await probe(host, 0) : undefined;
  if (first !== undefined) return first;
  for (let port = Math.max(1, from); port < from + tries && port <= 65535; port++) {
    if ((await probe(host, port)) !== undefined) return port;
  }
  throw new Error(`no free port on ${host} from ${from} to ${from + tries - 1}`);
}
