// The server side of Digest auth for the emulator: issues base64 nonces ending in
// "==" like a THETA, expires them (answering stale=true), and checks answers the
// way a strict camera would: uri must match the request line (query included),
// qop and nc must be unquoted tokens, nc 8 hex digits, never reused per nonce.
import { randomBytes } from "node:crypto";
import { digestResponseFromHa1, ha1Of, parseChallenges, type Challenge } from "../digest.ts";

export type DigestVerdict =
  | { ok: true }
  /** Answer 401 with a challenge; `stale` when only the nonce was too old. */
  | { ok: false; status: 401; stale: boolean; reason: string }
  | { ok: false; status: 400; reason: string };

interface NonceInfo {
  issued: number;
  used: Set<string>;
}

export class DigestGuard {
  private readonly nonces = new Map<string, NonceInfo>();
  private readonly ha1: string;
  /** Stale challenges sent (tests count the nonces that expired). */
  staleChallenges = 0;

  constructor(
    readonly realm: string,
    private readonly username: string,
    password: string,
    private readonly nonceTtlMs = 300_000,
  ) {
    this.ha1 = ha1Of(username, realm, password);
  }

  /** A fresh WWW-Authenticate value. */
  challenge(stale = false): string {
    if (stale) this.staleChallenges += 1;
    const nonce = randomBytes(16).toString("base64"); // 24 chars, always ends in "=="
    const now = Date.now();
    this.nonces.set(nonce, { issued: now, used: new Set() });
    if (this.nonces.size > 10_000) {
      for (const [n, info] of this.nonces) if (now - info.issued > this.nonceTtlMs * 2) this.nonces.delete(n);
    }
    return `Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ", stale=true" : ""}`;
  }

  verify(method: string, requestUri: string, authorization: string | undefined): DigestVerdict {
    if (!authorization) return { ok: false, status: 401, stale: false, reason: "no credentials" };
    const digest: Challenge | undefined = parseChallenges(authorization).find((c) => c.scheme === "digest");
    if (!digest) return { ok: false, status: 401, stale: false, reason: "not Digest" };
    const get = (k: string) => digest.params.get(k);
    const username = get("username")?.value;
    const realm = get("realm")?.value;
    const nonce = get("nonce")?.value;
    const uri = get("uri")?.value;
    const response = get("response")?.value;
    const qop = get("qop");
    const nc = get("nc");
    const cnonce = get("cnonce")?.value;
    if (!username || !realm || !nonce || !uri || !response || !qop || !nc || !cnonce) {
      return { ok: false, status: 400, reason: "incomplete Digest credentials" };
    }
    if (qop.quoted || nc.quoted) return { ok: false, status: 400, reason: "qop and nc must be unquoted tokens" };
    if (qop.value !== "auth") return { ok: false, status: 400, reason: `qop ${qop.value} not offered` };
    if (!/^[0-9a-f]{8}$/i.test(nc.value)) return { ok: false, status: 400, reason: "nc must be 8 hex digits" };
    if (uri !== requestUri) return { ok: false, status: 400, reason: "uri does not match the request" };
    if (username !== this.username || realm !== this.realm) return { ok: false, status: 401, stale: false, reason: "unknown user" };
    const expected = digestResponseFromHa1(this.ha1, { method, uri, nonce, qop: "auth", nc: nc.value, cnonce });
    if (expected !== response.toLowerCase()) return { ok: false, status: 401, stale: false, reason: "wrong response" };
    // Right credentials on a nonce that is no longer good (expired, or forgotten and so
    // unknown): stale, as Apache answers, so the client retries with a fresh nonce
    // instead of taking it for a wrong password. Concurrent requests may carry the same
    // expired nonce; each of them gets this answer.
    const info = this.nonces.get(nonce);
    if (!info || Date.now() - info.issued > this.nonceTtlMs) return { ok: false, status: 401, stale: true, reason: "nonce expired" };
    const count = nc.value.toLowerCase();
    if (info.used.has(count)) return { ok: false, status: 401, stale: false, reason: "nc replayed" };
    info.used.add(count);
    return { ok: true };
  }
}
