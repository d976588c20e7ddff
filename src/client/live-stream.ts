// Reads the frames of Rotunda's own /stream (multipart/x-mixed-replace from the
// live proxy, which always sends a Content-Length) out of fetch() chunks cut
// anywhere. The camera's messier streams are parsed on the server
// (src/live/multipart.ts); this only has to follow what the proxy writes.

export interface StreamPart {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const HEADER_END = [13, 10, 13, 10];

function indexOfSequence(data: Uint8Array, sequence: number[], from: number): number {
  outer: for (let i = from; i <= data.length - sequence.length; i++) {
    for (let j = 0; j < sequence.length; j++) if (data[i + j] !== sequence[j]) continue outer;
    return i;
  }
  return -1;
}

export class FrameReader {
  private buffer = new Uint8Array(0);
  private start = 0;

  /** Feeds a chunk; returns the parts it completes. Throws on a part without Content-Length. */
  push(chunk: Uint8Array): StreamPart[] {
    const left = this.buffer.length - this.start;
    const next = new Uint8Array(left + chunk.length);
    next.set(this.buffer.subarray(this.start), 0);
    next.set(chunk, left);
    this.buffer = next;
    this.start = 0;
    const parts: StreamPart[] = [];
    for (;;) {
      const end = indexOfSequence(this.buffer, HEADER_END, this.start);
      if (end < 0) break;
      const lines = new TextDecoder("latin1").decode(this.buffer.subarray(this.start, end)).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"]);
      if (!Number.isInteger(length) || length < 0) throw new Error("a frame without Content-Length");
      const bodyStart = end + 4;
      // The body, then the CRLF before the next boundary.
      if (this.buffer.length < bodyStart + length + 2) break;
      parts.push({ headers, body: this.buffer.slice(bodyStart, bodyStart + length) });
      this.start = bodyStart + length + 2;
    }
    return parts;
  }
}
