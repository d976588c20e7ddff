// Digest auth: parsing, the RFC example vectors, and the interceptor's wire behaviour
// (nc in hex per nonce, uri with query, stale handling, replayable bodies).
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Agent } from "undici";
import { authorizationHeader, digestAuth, digestResponse, formatNc, parseChallenges } from "../../src/pull/digest.ts";
import { DigestGuard } from "../../src/pull/emulator/digest-server.ts";

describe("challenge parsing", () => {
  test("base64 nonce ending in == survives, quoted commas and escapes are kept", () => {
    const [c, ...rest] = parseChallenges(
      'Digest realm="RICOH THETA Z1, \\"lobby\\"", nonce="cXVpY2sgYnJvd24gZm94ag==", qop="auth", algorithm=MD5, stale=TRUE',
    );
    assert.equal(rest.length, 0);
    assert.equal(c!.scheme, "digest");
    assert.equal(c!.params.get("realm")!.value, 'RICOH THETA Z1, "lobby"');
    assert.equal(c!.params.get("nonce")!.value, "cXVpY2sgYnJvd24gZm94ag==");
    assert.equal(c!.params.get("qop")!.value, "auth");
    assert.equal(c!.params.get("qop")!.quoted, true);
    assert.equal(c!.params.get("algorithm")!.value, "MD5");
    assert.equal(c!.params.get("algorithm")!.quoted, false);
    assert.equal(c!.params.get("stale")!.value, "TRUE");
  });

  test("scheme and parameter names are case-insensitive; several challenges in one header", () => {
    const challenges = parseChallenges('Basic realm="x", DIGEST Realm="r", NONCE="n==", QOP="auth-int,auth", Newauth realm="y"');
    assert.deepEqual(challenges.map((c) => c.scheme), ["basic", "digest", "newauth"]);
    const digest = challenges[1]!;
    assert.equal(digest.params.get("realm")!.value, "r");
    assert.equal(digest.params.get("nonce")!.value, "n==");
    assert.equal(digest.params.get("qop")!.value, "auth-int,auth");
  });

  test("unquoted nonce ending in == and a token68 credential", () => {
    const [basic, digest] = parseChallenges("Basic dXNlcjpwYXNz==, Digest nonce=abc==, realm=r");
    assert.equal(basic!.scheme, "basic");
    assert.equal(basic!.params.size, 0);
    assert.equal(digest!.params.get("nonce")!.value, "abc==");
    assert.equal(digest!.params.get("realm")!.value, "r");
    const [b2, d2] = parseChallenges('Basic a/b+c=,\tDigest\trealm = "x\\\\y" , nonce="=="');
    assert.equal(b2!.scheme, "basic");
    assert.equal(b2!.params.size, 0);
    assert.equal(d2!.params.get("realm")!.value, "x\\y");
    assert.equal(d2!.params.get("nonce")!.value, "==");
  });
});

describe("response computation", () => {
  test("RFC 2617 section 3.5 example", () => {
    const response = digestResponse({
      username: "Mufasa",
      password: "Circle Of Life",
      realm: "testrealm@host.com",
      method: "GET",
      uri: "/dir/index.html",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
    });
    assert.equal(response, "6629fae49393a05397450978507c4ef1");
  });

  test("RFC 7616 section 3.9.1 example (MD5)", () => {
    const response = digestResponse({
      username: "Mufasa",
      password: "Circle of Life",
      realm: "http-auth@example.org",
      method: "GET",
      uri: "/dir/index.html",
      nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      qop: "auth",
      nc: "00000001",
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    });
    assert.equal(response, "8ca523f5e9506fed4657c9700eebdbec");
  });

  test("nc is 8 lower-case hex digits", () => {
    assert.equal(formatNc(1), "00000001");
    assert.equal(formatNc(10), "0000000a");
    assert.equal(formatNc(255), "000000ff");
    assert.equal(formatNc(4096), "00001000");
  });

  test("header quotes username/realm/nonce/uri/response/cnonce/opaque, never qop, nc, algorithm", () => {
    const header = authorizationHeader({
      username: 'Mu"fasa',
      password: "p",
      realm: "r",
      method: "GET",
      uri: "/a?b=1",
      nonce: "n==",
      qop: "auth",
      nc: "0000000a",
      cnonce: "c",
      opaque: "o",
      algorithm: "MD5",
    });
    assert.match(header, /^Digest username="Mu\\"fasa", realm="r", nonce="n==", uri="\/a\?b=1", algorithm=MD5, response="[0-9a-f]{32}", opaque="o", qop=auth, nc=0000000a, cnonce="c"$/);
    assert.ok(!header.includes('"p"'));
  });
});

describe("interceptor on the wire", () => {
  // A server that records every Authorization header and checks it with the emulator's strict guard.
  const seen: Array<{ method: string; url: string; auth?: string; status: number; body: string }> = [];
  let guard: DigestGuard;
  let server: http.Server;
  let origin: string;
  let expireNext = false;

  before(async () => {
    guard = new DigestGuard("RICOH THETA Z1 Emulator", "THETAYL00000001", "s3cret-Pa55", 60_000);
    server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString();
      let verdict = guard.verify(req.method!, req.url!, req.headers.authorization);
      if (verdict.ok && expireNext) {
        expireNext = false;
        verdict = { ok: false, status: 401, stale: true, reason: "test" };
      }
      const status = verdict.ok ? 200 : verdict.status;
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, status, body });
      if (!verdict.ok && verdict.status === 401) res.setHeader("www-authenticate", guard.challenge(verdict.stale));
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: verdict.ok, echo: body, reason: verdict.ok ? undefined : verdict.reason }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const ncOf = (auth?: string) => parseChallenges(auth ?? "")[0]?.params.get("nc")?.value;
  const nonceOf = (auth?: string) => parseChallenges(auth ?? "")[0]?.params.get("nonce")?.value;

  test("answers the challenge, then reuses the nonce with nc 1, 2, … in hex; uri keeps the query; JSON POST body replayed", async () => {
    seen.length = 0;
    const agent = new Agent();
    const dispatcher = agent.compose(digestAuth({ username: "THETAYL00000001", password: "s3cret-Pa55" }));
    try {
      const first = await dispatcher.request({ origin, path: "/osc/commands/execute", method: "POST", body: JSON.stringify({ name: "camera.listFiles" }), headers: { "content-type": "application/json" } });
      assert.equal(first.statusCode, 200);
      assert.deepEqual(await first.body.json(), { ok: true, echo: '{"name":"camera.listFiles"}' });
      for (let i = 0; i < 11; i++) {
        const r = await dispatcher.request({ origin, path: `/files/a.jpg?x=${i}&y=%20`, method: "GET" });
        assert.equal(r.statusCode, 200);
        await r.body.dump();
      }
    } finally {
      await agent.close();
    }
    assert.equal(seen.filter((s) => s.status === 401).length, 1, "one challenge for twelve requests");
    assert.equal(seen[0]!.auth, undefined);
    assert.equal(seen[1]!.body, '{"name":"camera.listFiles"}', "the retried POST carried its body");
    const authed = seen.filter((s) => s.status === 200);
    assert.deepEqual(authed.map((s) => ncOf(s.auth)), Array.from({ length: 12 }, (_, i) => formatNc(i + 1)));
    assert.equal(new Set(authed.map((s) => nonceOf(s.auth))).size, 1);
    assert.ok(nonceOf(authed[0]!.auth)!.endsWith("=="));
    const uri = parseChallenges(authed[5]!.auth!)[0]!.params.get("uri")!.value;
    assert.equal(uri, "/files/a.jpg?x=4&y=%20");
    assert.ok(seen.every((s) => !(s.auth ?? "").includes("s3cret-Pa55")), "the password itself is never sent");
  });

  test("stale=true: re-authenticates with the new nonce and nc restarts at 1, without failing the request", async () => {
    seen.length = 0;
    const agent = new Agent();
    const dispatcher = agent.compose(digestAuth({ username: "THETAYL00000001", password: "s3cret-Pa55" }));
    try {
      await (await dispatcher.request({ origin, path: "/osc/state", method: "POST", body: "" })).body.dump();
      expireNext = true;
      const r = await dispatcher.request({ origin, path: "/osc/state", method: "POST", body: "{}" });
      assert.equal(r.statusCode, 200);
      await r.body.dump();
    } finally {
      await agent.close();
    }
    const statuses = seen.map((s) => s.status);
    assert.deepEqual(statuses, [401, 200, 401, 200]);
    assert.notEqual(nonceOf(seen[3]!.auth), nonceOf(seen[1]!.auth));
    assert.equal(ncOf(seen[3]!.auth), "00000001");
  });

  test("wrong password: one retry, then the 401 is passed on", async () => {
    seen.length = 0;
    const agent = new Agent();
    const dispatcher = agent.compose(digestAuth({ username: "THETAYL00000001", password: "wrong" }));
    try {
      const r = await dispatcher.request({ origin, path: "/osc/info", method: "GET" });
      assert.equal(r.statusCode, 401);
      await r.body.dump();
    } finally {
      await agent.close();
    }
    assert.equal(seen.length, 2);
  });

  test("nonce state is per origin: a second host gets its own challenge and its own nc", async () => {
    const other = http.createServer((req, res) => {
      const verdict = guard.verify(req.method!, req.url!, req.headers.authorization);
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, status: verdict.ok ? 200 : 401, body: "" });
      if (!verdict.ok) res.setHeader("www-authenticate", guard.challenge(false));
      res.writeHead(verdict.ok ? 200 : 401).end();
    });
    await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
    const otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    seen.length = 0;
    const agent = new Agent();
    const dispatcher = agent.compose(digestAuth({ username: "THETAYL00000001", password: "s3cret-Pa55" }));
    try {
      for (const o of [origin, otherOrigin, origin, otherOrigin]) {
        const r = await dispatcher.request({ origin: o, path: "/x", method: "GET" });
        assert.equal(r.statusCode, 200);
        await r.body.dump();
      }
    } finally {
      await agent.close();
      await new Promise<void>((r) => other.close(() => r()));
    }
    const ok = seen.filter((s) => s.status === 200);
    assert.deepEqual(ok.map((s) => ncOf(s.auth)), ["00000001", "00000001", "00000002", "00000002"]);
    assert.notEqual(nonceOf(ok[0]!.auth), nonceOf(ok[1]!.auth));
  });
});
