// The live preview's multipart parser: the same stream cut into chunks anywhere
// gives the same parts; missing, wrong and repeated Content-Lengths, a quoted
// boundary and boundaries without their leading dashes are coped with; malformed
// input is a MultipartError, never a crash or a part that was not sent.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { boundaryOf, MultipartError, MultipartParser, type Part } from "../../src/live/multipart.ts";

const BOUNDARY = "---osclivepreview---";

/** A JPEG-looking body whose bytes include line breaks, dashes and a near-boundary. */
function body(n: number, size: number): Buffer {
  const noise = randomBytes(size);
  const tricky = Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}\r\n\n--\r\n${n}`);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), noise.subarray(0, size >> 1), tricky, noise.subarray(size >> 1), Buffer.from([0xff, 0xd9])]);
}

interface Shape {
  length?: (real: number) => string | undefined;
  dashes?: boolean;
  eol?: string;
  extraHeaders?: string[];
}

function stream(bodies: Buffer[], shape: Shape = {}): Buffer {
  const eol = shape.eol ?? "\r\n";
  const line = `${shape.dashes === false ? "" : "--"}${BOUNDARY}`;
  const pieces: Buffer[] = [Buffer.from(`preamble the camera may send${eol}`)];
  for (const b of bodies) {
    const length = shape.length ? shape.length(b.length) : String(b.length);
    const headers = ["Content-Type: image/jpeg", ...(length === undefined ? [] : [`Content-Length: ${length}`]), ...(shape.extraHeaders ?? [])];
    pieces.push(Buffer.from(`${line}${eol}${headers.join(eol)}${eol}${eol}`), b, Buffer.from(eol));
  }
  pieces.push(Buffer.from(`${line}--${eol}`));
  return Buffer.concat(pieces);
}

function parseChunks(data: Buffer, cuts: number[]): Part[] {
  const parser = new MultipartParser(BOUNDARY, { maxPartBytes: 1 << 20 });
  const parts: Part[] = [];
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    parts.push(...parser.push(data.subarray(from, cut)));
    from = cut;
  }
  assert.ok(parser.finished, "the closing boundary ends the stream");
  return parts;
}

function assertSameBodies(parts: Part[], bodies: Buffer[], where: string): void {
  assert.equal(parts.length, bodies.length, `${where}: part count`);
  parts.forEach((p, i) => assert.ok(p.body.equals(bodies[i]!), `${where}: part ${i} differs (${p.body.length} vs ${bodies[i]!.length} bytes)`));
}

describe("multipart parser", () => {
  const bodies = [body(1, 300), body(2, 1), body(3, 700), body(4, 64)];

  const shapes: Array<[string, Shape]> = [
    ["Content-Length right", {}],
    ["no Content-Length", { length: () => undefined }],
    ["Content-Length too large", { length: (n) => String(n + 40) }],
    ["Content-Length too small", { length: (n) => String(Math.max(0, n - 40)) }],
    ["Content-Length not a number", { length: () => "lots" }],
    ["two Content-Length headers, the last wrong", { extraHeaders: ["Content-Length: 3"] }],
    ["boundary lines without the leading dashes", { dashes: false }],
    ["bare LF line ends", { eol: "\n", length: () => undefined }],
  ];

  for (const [name, shape] of shapes) {
    test(`${name}: every two-chunk cut gives the same parts`, () => {
      const data = stream(bodies, shape);
      for (let cut = 0; cut <= data.length; cut++) assertSameBodies(parseChunks(data, [cut]), bodies, `${name}, cut at ${cut}`);
    });
  }

  test("one byte at a time, and random chunk sizes, give the same parts", () => {
    const data = stream(bodies);
    assertSameBodies(parseChunks(data, Array.from({ length: data.length - 1 }, (_, i) => i + 1)), bodies, "byte by byte");
    for (let round = 0; round < 50; round++) {
      const cuts: number[] = [];
      for (let at = 0; at < data.length; ) cuts.push((at += 1 + Math.floor(Math.random() * 90)));
      assertSameBodies(parseChunks(data, cuts.filter((c) => c < data.length)), bodies, `random cuts ${round}`);
    }
  });

  test("headers come through, names lower-cased", () => {
    const parts = parseChunks(stream([body(1, 10)], { extraHeaders: ["X-Frame: 7"] }), []);
    assert.equal(parts[0]!.headers["content-type"], "image/jpeg");
    assert.equal(parts[0]!.headers["x-frame"], "7");
  });

  test("the boundary parameter, quoted or not", () => {
    assert.equal(boundaryOf('multipart/x-mixed-replace; boundary="---osclivepreview---"'), BOUNDARY);
    assert.equal(boundaryOf("multipart/x-mixed-replace;boundary=---osclivepreview---"), BOUNDARY);
    assert.equal(boundaryOf('multipart/x-mixed-replace; charset=x; Boundary="a \\"b\\" c"; x=y'), 'a "b" c');
    assert.equal(boundaryOf("multipart/x-mixed-replace"), undefined);
    assert.equal(boundaryOf("image/jpeg; boundary="), undefined);
  });

  test("a part larger than the limit is an error, whether declared or not", () => {
    const big = randomBytes(5000);
    const declared = new MultipartParser(BOUNDARY, { maxPartBytes: 4096 });
    assert.throws(() => declared.push(stream([big])), MultipartError);
    const undeclared = new MultipartParser(BOUNDARY, { maxPartBytes: 4096 });
    const data = stream([big], { length: () => undefined });
    assert.throws(() => {
      for (let i = 0; i < data.length; i += 512) undeclared.push(data.subarray(i, i + 512));
    }, /runs past 4096 bytes/);
    // After an error the parser refuses more input instead of resynchronising on garbage.
    assert.throws(() => undeclared.push(Buffer.from("x")), MultipartError);
  });

  test("malformed parts are errors, not crashes", () => {
    const noColon = Buffer.from(`--${BOUNDARY}\r\nContent-Type image/jpeg\r\n\r\nabc\r\n--${BOUNDARY}--`);
    assert.throws(() => new MultipartParser(BOUNDARY).push(noColon), /malformed part header/);
    const endlessHeaders = Buffer.from(`--${BOUNDARY}\r\nX: ${"y".repeat(20_000)}`);
    assert.throws(() => new MultipartParser(BOUNDARY).push(endlessHeaders), /headers run past/);
    const noBoundary = randomBytes(3000);
    assert.throws(() => new MultipartParser(BOUNDARY, { maxPartBytes: 1024 }).push(noBoundary), /no boundary/);
    assert.throws(() => new MultipartParser(""), MultipartError);
  });

  test("random garbage never throws anything but a MultipartError, and yields only what it framed", () => {
    for (let round = 0; round < 300; round++) {
      const parser = new MultipartParser(BOUNDARY, { maxPartBytes: 2048, maxHeaderBytes: 256 });
      const junk = Buffer.concat(Array.from({ length: 8 }, () => (Math.random() < 0.3 ? Buffer.from(`\r\n--${BOUNDARY}\r\n`) : randomBytes(Math.floor(Math.random() * 400)))));
      try {
        for (let i = 0; i < junk.length; i += 37) for (const part of parser.push(junk.subarray(i, i + 37))) assert.ok(part.body.length <= 2048);
      } catch (error) {
        assert.ok(error instanceof MultipartError, `unexpected ${(error as Error).stack}`);
      }
    }
  });
});
