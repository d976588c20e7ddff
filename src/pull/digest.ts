// HTTP Digest access authentication (RFC 7616; MD5 with qop=auth, as THETA cameras
// use), as an undici interceptor: compose it onto a dispatcher and every request
// through it answers 401 challenges by itself, without the calling code knowing.
//
// Mistakes common in JS Digest libraries that this avoids on purpose: `nc` in
// decimal or shared across hosts, challenges split on "=" (which cuts base64
// nonces ending in "=="), quoting qop/nc/algorithm, dropping the query from `uri`.
import { createHash, randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";

export interface AuthParam {
  value: string;
  /** Whether the value was a quoted-string on the wire (servers may be strict about it). */
  quoted: boolean;
}

export interface Challenge {
  /** Lower-cased scheme, e.g. "digest". */
  scheme: string;
  /** Parameters by lower-cased name. */
  params: Map<string, AuthParam>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
/** A token68 credential right after a scheme, up to the next comma or the end. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(,|$))/;

/**
 * Parses a WWW-Authenticate (or Authorization) header value into challenges
 * (RFC 9110 §11.2): `Digest realm="a, b", nonce="x==", qop="auth", Basic realm="y"`.
 * Scheme and parameter names are case-insensitive; quoted-strings may contain
 * commas, "=" and backslash escapes; unquoted values may end in "=" (base64).
 * A token68 credential (`Basic dXNlcg==`) belongs to its scheme and is skipped.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readValue = (): AuthParam => {
    if (header[i] !== '"') {
      const start = i;
      while (i < n && header[i] !== "," && header[i] !== " " && header[i] !== "\t") i++;
      return { value: header.slice(start, i), quoted: false };
    }
    let value = "";
    for (i++; i < n && header[i] !== '"'; i++) {
      if (header[i] === "\\" && i + 1 < n) i++; // quoted-pair: take the next character as is
      value += header[i];
    }
    i++; // closing quote
    return { value, quoted: true };
  };

  while (i < n) {
    skipSpace();
    if (header[i] === ",") {
      i++;
      continue;
    }
    const name = readToken();
    if (name === "") {
      i++; // a stray character: skip it rather than loop forever
      continue;
    }
    skipSpace();
    // `name=value` (a value follows the "=") is a parameter of the current challenge.
    if (header[i] === "=" && /^=[ \t]*("|[^\s,=])/.test(header.slice(i, i + 64))) {
      i++;
      skipSpace();
      const value = readValue();
      current?.params.set(name.toLowerCase(), value);
      continue;
    }
    current = { scheme: name.toLowerCase(), params: new Map() };
    challenges.push(current);
    const token68 = TOKEN68.exec(header.slice(i));
    if (token68) i += token68[0].length;
  }
  return challenges;
}

/** The value of one parameter, or undefined. */
function param(challenge: Challenge, name: string): string | undefined {
  return challenge.params.get(name)?.value;
}

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  method: string;
  /** Request-target exactly as sent, path and query: "/files/a.jpg?x=1". */
  uri: string;
  nonce: string;
  /** "auth", or undefined for the RFC 2069 form without qop. */
  qop?: string;
  /** 8 hex digits. */
  nc?: string;
  cnonce?: string;
}

/** H(A1) = MD5(username:realm:password): what an htdigest file stores. */
export const ha1Of = (username: string, realm: string, password: string) => md5(`${username}:${realm}:${password}`);

/** The `response` value: KD(H(A1), nonce:nc:cnonce:qop:H(A2)) with MD5. */
export function digestResponse(input: DigestInput): string {
  return digestResponseFromHa1(ha1Of(input.username, input.realm, input.password), input);
}

/** The `response` value from H(A1), for a server that stores H(A1) rather than the password. */
export function digestResponseFromHa1(ha1: string, input: Omit<DigestInput, "username" | "password" | "realm">): string {
  const ha2 = md5(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return md5(`${ha1}:${input.nonce}:${ha2}`);
  return md5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}

/** nc as RFC 7616 wants it: 8 lower-case hex digits. */
export const formatNc = (count: number) => count.toString(16).padStart(8, "0");

const quote = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;

/** Builds the Authorization header value. Quotes what the RFC quotes; never qop, nc, algorithm. */
export function authorizationHeader(input: DigestInput & { opaque?: string; algorithm?: string }): string {
  const parts = [
    `username=${quote(input.username)}`,
    `realm=${quote(input.realm)}`,
    `nonce=${quote(input.nonce)}`,
    `uri=${quote(input.uri)}`,
  ];
  if (input.algorithm) parts.push(`algorithm=${input.algorithm}`);
  parts.push(`response=${quote(digestResponse(input))}`);
  if (input.opaque !== undefined) parts.push(`opaque=${quote(input.opaque)}`);
  if (input.qop !== undefined) parts.push(`qop=${input.qop}`, `nc=${input.nc}`, `cnonce=${quote(input.cnonce ?? "")}`);
  return `Digest ${parts.join(", ")}`;
}

/** What one origin's server last asked for, and how many times its nonce was used. */
interface NonceState {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm?: string;
  qop?: string;
  count: number;
}

/** Picks the Digest challenge we can answer from a 401's WWW-Authenticate header(s). */
function digestChallenge(header: string | string[] | undefined): NonceState | undefined {
  if (header === undefined) return undefined;
  const values = Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const challenge of parseChallenges(value)) {
      if (challenge.scheme !== "digest") continue;
      const realm = param(challenge, "realm");
      const nonce = param(challenge, "nonce");
      if (realm === undefined || nonce === undefined) continue;
      const algorithm = param(challenge, "algorithm");
      if (algorithm !== undefined && algorithm.toUpperCase() !== "MD5") continue;
      const qops = param(challenge, "qop")?.split(",").map((q) => q.trim().toLowerCase());
      if (qops !== undefined && !qops.includes("auth")) continue;
      return {
        realm,
        nonce,
        opaque: param(challenge, "opaque"),
        algorithm,
        qop: qops === undefined ? undefined : "auth",
        count: 0,
      };
    }
  }
  return undefined;
}

function isStale(header: string | string[] | undefined): boolean {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.some((v) => parseChallenges(v).some((c) => c.scheme === "digest" && param(c, "stale")?.toLowerCase() === "true"));
}

/** Copies request headers into a plain object without any Authorization header. */
function headersWithout(headers: Dispatcher.DispatchOptions["headers"], drop: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (headers == null) return out;
  const add = (k: string, v: string | string[] | undefined) => {
    if (v === undefined || k.toLowerCase() === drop) return;
    out[k] = v;
  };
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown as Array<[string, string]>) add(pair[0], pair[1]);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]));
    }
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function" && !(headers.constructor === Object)) {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) add(k, v);
  }
  return out;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

/**
 * An undici interceptor: `new Agent().compose(digestAuth({ username, password }))`.
 * Nonce state is per origin (scheme://host:port), inside this interceptor only.
 * Bodies must be replayable (string/Buffer/Uint8Array or none) for the 401 to be
 * answered; a streamed request body gets the 401 passed through instead.
 */
export function digestAuth(options: DigestCredentials): Dispatcher.DispatcherComposeInterceptor {
  const nonces = new Map<string, NonceState>();
  return (dispatch) => {
    return function digestDispatch(opts, handler) {
      const origin = String(opts.origin ?? "");
      const replayable = opts.body == null || typeof opts.body === "string" || opts.body instanceof Uint8Array;

      const send = (state: NonceState | undefined, attempt: number): boolean => {
        const headers = headersWithout(opts.headers, "authorization");
        if (state) {
          state.count += 1;
          headers.authorization = authorizationHeader({
            username: options.username,
            password: options.password,
            realm: state.realm,
            method: opts.method,
            uri: opts.path, // path as sent, query included
            nonce: state.nonce,
            opaque: state.opaque,
            algorithm: state.algorithm,
            qop: state.qop,
            nc: formatNc(state.count),
            cnonce: randomBytes(16).toString("hex"),
          });
        }
        return dispatch({ ...opts, headers }, new DigestHandler(handler, state, attempt, replayable, (next) => send(next, attempt + 1)));
      };

      class DigestHandler implements Dispatcher.DispatchHandler {
        /** Set when this 401 is answered by a new attempt: its body is swallowed. */
        private retry: NonceState | undefined;
        constructor(
          private readonly inner: Dispatcher.DispatchHandler,
          private readonly used: NonceState | undefined,
          private readonly attempt: number,
          private readonly canReplay: boolean,
          private readonly again: (state: NonceState) => void,
        ) {}
        onRequestStart(controller: Dispatcher.DispatchController, context: unknown) {
          this.inner.onRequestStart?.(controller, context);
        }
        onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: import("node:stream").Duplex) {
          this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
        }
        onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string) {
          if (statusCode === 401) {
            const header = headers["www-authenticate"];
            const challenge = digestChallenge(header);
            const stale = isStale(header);
            // Answer when we sent nothing, sent an old nonce (the server may have
            // forgotten it), or the server says our nonce went stale. A fresh nonce
            // refused without stale means wrong credentials: pass the 401 on.
            const usedCachedNonce = this.used !== undefined && this.attempt === 0;
            if (challenge && this.canReplay && this.attempt < 3 && (this.used === undefined || stale || usedCachedNonce)) {
              const current = nonces.get(origin);
              // Another request may already have stored this very nonce: share its counter.
              const state = current && current.nonce === challenge.nonce ? current : challenge;
              nonces.set(origin, state);
              this.retry = state;
              return;
            }
          }
          this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
        }
        onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
          if (this.retry) return;
          this.inner.onResponseData?.(controller, chunk);
        }
        onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>) {
          if (this.retry) {
            const state = this.retry;
            this.retry = undefined;
            try {
              this.again(state);
            } catch (error) {
              this.inner.onResponseError?.(controller, error as Error);
            }
            return;
          }
          this.inner.onResponseEnd?.(controller, trailers);
        }
        onResponseError(controller: Dispatcher.DispatchController, error: Error) {
          this.inner.onResponseError?.(controller, error);
        }
      }

      return send(nonces.get(origin), 0);
    };
  };
}
