// A streaming parser for `multipart/x-mixed-replace` (an OSC camera's live
// preview: MJPEG, one JPEG per part). Bytes arrive in chunks cut anywhere, even
// inside a boundary or a header line; parts come out whole. A part ends at the
// next boundary: a part's Content-Length is trusted only where the boundary
// follows it (cameras send missing, wrong and repeated ones). The boundary line
// is recognised with or without its leading "--" (cameras differ). A part larger
// than `maxPartBytes`, a header block that never ends or a header line without
// a colon is a MultipartError, after which the parser takes no more input: the
// caller drops the connection and starts a fresh one.

export interface Part {
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  override name = "MultipartError";
}

export interface MultipartOptions {
  /** Largest part body accepted (default 16 MiB). */
  maxPartBytes?: number;
  /** Largest header block of one part (default 16 KiB). */
  maxHeaderBytes?: number;
}

/** The boundary from a Content-Type header (`boundary=x` or `boundary="x"`), or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  const value = match?.[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match?.[2];
  return value ? value : undefined;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const HEADER_END = Buffer.from("\r\n\r\n");
const LONE_LF_HEADER_END = Buffer.from("\n\n");

type State = "preamble" | "boundary-line" | "headers" | "body" | "done" | "failed";

export class MultipartParser {
  private readonly token: Buffer;
  private readonly maxPart: number;
  private readonly maxHeader: number;
  private state: State = "preamble";
  /** Unconsumed bytes of the current state. */
  private pending: Buffer = Buffer.alloc(0);
  private headers: Record<string, string> = {};
  private declaredLength: number | undefined;
  /** Where the search for the closing boundary goes on in `pending` (body state). */
  private scanFrom = 0;

  constructor(boundary: string, options: MultipartOptions = {}) {
    if (!boundary || boundary.length > 200) throw new MultipartError(`unusable boundary "${boundary.slice(0, 40)}"`);
    // The token is the boundary itself; the two dashes before it are optional on the wire.
    this.token = Buffer.from(boundary, "latin1");
    this.maxPart = options.maxPartBytes ?? 16 * 1024 * 1024;
    this.maxHeader = options.maxHeaderBytes ?? 16 * 1024;
  }

  /** True once the closing boundary (`--boundary--`) has been read. */
  get finished(): boolean {
    return this.state === "done";
  }

  /** Feeds bytes; returns the parts they complete. Throws MultipartError on malformed input. */
  push(chunk: Buffer): Part[] {
    if (this.state === "failed") throw new MultipartError("the stream was malformed before: start a new one");
    if (this.state === "done") return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const parts: Part[] = [];
    try {
      while (this.step(parts));
    } catch (error) {
      this.state = "failed";
      this.pending = Buffer.alloc(0);
      throw error;
    }
    return parts;
  }

  /** One transition; false when more input is needed. */
  private step(parts: Part[]): boolean {
    switch (this.state) {
      case "preamble":
        return this.skipPreamble();
      case "boundary-line":
        return this.finishBoundaryLine();
      case "headers":
        return this.readHeaders();
      case "body":
        return this.readBody(parts);
      default:
        return false;
    }
  }

  /** Anything before the first boundary is ignored (bounded: an endless preamble is an error). */
  private skipPreamble(): boolean {
    const at = this.pending.indexOf(this.token);
    if (at < 0) {
      if (this.pending.length > this.maxPart) throw new MultipartError(`no boundary "${this.token.toString("latin1")}" in the first ${this.pending.length} bytes`);
      return false;
    }
    this.pending = this.pending.subarray(at + this.token.length);
    this.state = "boundary-line";
    return true;
  }

  /** After a boundary: "--" closes the stream; otherwise padding up to the line's end. */
  private finishBoundaryLine(): boolean {
    if (this.pending.length < 2) return false;
    if (this.pending[0] === DASH && this.pending[1] === DASH) {
      this.state = "done";
      this.pending = Buffer.alloc(0);
      return false;
    }
    const lf = this.pending.indexOf(LF);
    if (lf < 0) {
      if (this.pending.length > 1024) throw new MultipartError("a boundary line does not end");
      return false;
    }
    this.pending = this.pending.subarray(lf + 1);
    this.headers = {};
    this.declaredLength = undefined;
    this.state = "headers";
    return true;
  }

  private readHeaders(): boolean {
    // A part without headers starts with its blank line at once.
    let blockEnd: number;
    let bodyStart: number;
    if (this.pending[0] === CR && this.pending[1] === LF) {
      blockEnd = 0;
      bodyStart = 2;
    } else if (this.pending[0] === LF) {
      blockEnd = 0;
      bodyStart = 1;
    } else {
      const crlf = this.pending.indexOf(HEADER_END);
      const lf = this.pending.indexOf(LONE_LF_HEADER_END);
      if (crlf < 0 && lf < 0) {
        if (this.pending.length > this.maxHeader) throw new MultipartError(`a part's headers run past ${this.maxHeader} bytes`);
        return false;
      }
      if (crlf >= 0 && (lf < 0 || crlf < lf)) {
        blockEnd = crlf;
        bodyStart = crlf + 4;
      } else {
        blockEnd = lf;
        bodyStart = lf + 2;
      }
    }
    if (blockEnd > this.maxHeader) throw new MultipartError(`a part's headers run past ${this.maxHeader} bytes`);
    for (const line of this.pending.subarray(0, blockEnd).toString("latin1").split(/\r?\n/)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new MultipartError(`malformed part header "${line.slice(0, 60)}"`);
      this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = this.headers["content-length"];
    if (length !== undefined && /^\d{1,12}$/.test(length)) {
      const n = Number(length);
      if (n > this.maxPart) throw new MultipartError(`a part declares ${n} bytes, more than the ${this.maxPart} accepted`);
      this.declaredLength = n;
    }
    this.pending = this.pending.subarray(bodyStart);
    this.scanFrom = 0;
    this.state = "body";
    return true;
  }

  private readBody(parts: Part[]): boolean {
    const declared = this.declaredLength;
    if (declared !== undefined) {
      // Trusted when the boundary follows right after (a CRLF or LF between them).
      const need = declared + 2 + 2 + this.token.length;
      if (this.pending.length < need && this.pending.length <= this.maxPart) {
        // Not enough yet to check; unless the boundary already shows up early (a Content-Length too large).
        const early = this.findBoundary(this.scanFrom);
        if (early === undefined) {
          this.scanFrom = Math.max(0, this.pending.length - this.token.length - 4);
          return false;
        }
      } else if (this.followedByBoundary(declared)) {
        return this.emit(parts, declared, declared);
      }
      // Wrong Content-Length: the boundary decides.
      this.declaredLength = undefined;
      this.scanFrom = 0;
    }
    const found = this.findBoundary(this.scanFrom);
    if (found === undefined) {
      if (this.pending.length > this.maxPart + 4 + this.token.length) throw new MultipartError(`a part runs past ${this.maxPart} bytes without a boundary`);
      this.scanFrom = Math.max(0, this.pending.length - this.token.length - 4);
      return false;
    }
    return this.emit(parts, found.bodyEnd, found.lineStart);
  }

  /** Whether the boundary line starts right after `end` (after CRLF or LF, with or without "--"). */
  private followedByBoundary(end: number): boolean {
    let at = end;
    if (this.pending[at] === CR && this.pending[at + 1] === LF) at += 2;
    else if (this.pending[at] === LF) at += 1;
    else return false;
    if (this.pending[at] === DASH && this.pending[at + 1] === DASH && this.pending.subarray(at + 2, at + 2 + this.token.length).equals(this.token)) return true;
    return this.pending.subarray(at, at + this.token.length).equals(this.token);
  }

  /** The next boundary line at or after `from`: where the body ends and where the boundary's line starts. */
  private findBoundary(from: number): { bodyEnd: number; lineStart: number } | undefined {
    let at = this.pending.indexOf(this.token, from);
    while (at >= 0) {
      let lineStart = at;
      if (at >= 2 && this.pending[at - 1] === DASH && this.pending[at - 2] === DASH) lineStart = at - 2;
      // A boundary counts only at the start of a line (or the body's very start).
      let bodyEnd = -1;
      if (lineStart === 0) bodyEnd = 0;
      else if (this.pending[lineStart - 1] === LF) bodyEnd = lineStart >= 2 && this.pending[lineStart - 2] === CR ? lineStart - 2 : lineStart - 1;
      if (bodyEnd >= 0) return { bodyEnd, lineStart };
      at = this.pending.indexOf(this.token, at + 1);
    }
    return undefined;
  }

  /** Emits the body [0, bodyEnd) and moves to the boundary found at `boundaryFrom` or after. */
  private emit(parts: Part[], bodyEnd: number, boundaryFrom: number): boolean {
    if (bodyEnd > this.maxPart) throw new MultipartError(`a part of ${bodyEnd} bytes is more than the ${this.maxPart} accepted`);
    // A copy: the part outlives this parser's buffer.
    parts.push({ headers: this.headers, body: Buffer.from(this.pending.subarray(0, bodyEnd)) });
    const at = this.pending.indexOf(this.token, boundaryFrom);
    this.pending = this.pending.subarray(at + this.token.length);
    this.state = "boundary-line";
    return true;
  }
}
