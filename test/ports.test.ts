// The one free-port probe: serve's "next free port" and the test peers' "any free port".
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { test } from "node:test";
import { freePort } from "../src/ports.ts";

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

test("freePort: from 0, a port the system picks that can be listened on", async () => {
  const port = await freePort();
  assert.ok(port > 0);
  (await listen(port)).close();
});

test("freePort: from a taken port, the next free one", async () => {
  const held = await listen(0);
  try {
    const taken = (held.address() as { port: number }).port;
    const port = await freePort("127.0.0.1", taken);
    assert.ok(port > taken, `${port} after ${taken}`);
  } finally {
    held.close();
  }
});

test("freePort: an address this machine does not have is an error, not a search", async () => {
  await assert.rejects(freePort("192.0.2.1", 8080), /EADDRNOTAVAIL/);
});
