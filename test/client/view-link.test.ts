// The view in the address, compass headings and the previous/next keys: the
// browser-free decisions behind deep links, the compass and neighbour shortcuts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { carryYaw, headingInWords, headingOf, yawForHeading } from "../../src/client/heading.ts";
import { neighbourForKey } from "../../src/client/neighbours.ts";
import { formatViewHash, parseViewHash, sameView, urlWithView } from "../../src/client/view-link.ts";

describe("#view=<yaw>,<pitch>,<hfov>", () => {
  test("reads degrees, negative and fractional", () => {
    assert.deepEqual(parseViewHash("#view=30,-5,80"), { yaw: 30, pitch: -5, hfov: 80 });
    assert.deepEqual(parseViewHash("#view=-120.5,12.25,65.5"), { yaw: -120.5, pitch: 12.25, hfov: 65.5 });
  });

  test("anything else is no view: other fragments, junk, a field of view or pitch out of range", () => {
    for (const hash of ["", "#", "#top", "#view=", "#view=30,-5", "#view=30,-5,80,1", "#view=a,b,c", "#view=30,-5,0", "#view=30,-5,180", "#view=30,-91,80", "#view=1e3,0,80"]) {
      assert.equal(parseViewHash(hash), undefined, hash);
    }
  });

  test("writes the yaw in [0, 360) and a tenth of a degree at most", () => {
    assert.equal(formatViewHash({ yaw: 30, pitch: -5, hfov: 80 }), "#view=30,-5,80");
    assert.equal(formatViewHash({ yaw: -160, pitch: 0.04, hfov: 79.96 }), "#view=200,0,80");
    assert.equal(formatViewHash({ yaw: 359.97, pitch: -0.01, hfov: 70.123 }), "#view=0,0,70.1");
    assert.equal(formatViewHash({ yaw: 725.25, pitch: 12.34, hfov: 100 }), "#view=5.3,12.3,100");
  });

  test("a written view reads back as itself", () => {
    for (const view of [{ yaw: 12.3, pitch: -45.6, hfov: 77.7 }, { yaw: 359.9, pitch: 89.9, hfov: 119.9 }]) {
      assert.deepEqual(parseViewHash(formatViewHash(view)), view);
    }
  });

  test("the same view in another form of yaw is the same view; the address keeps its page and query", () => {
    assert.ok(sameView({ yaw: -160, pitch: 0, hfov: 80 }, { yaw: 200, pitch: 0, hfov: 80 }));
    assert.ok(!sameView({ yaw: 10, pitch: 0, hfov: 80 }, { yaw: 10.2, pitch: 0, hfov: 80 }));
    assert.equal(urlWithView("https://x.org/hall/?a=1#view=1,2,3", { yaw: 4, pitch: 5, hfov: 60 }), "https://x.org/hall/?a=1#view=4,5,60");
    assert.equal(urlWithView("https://x.org/hall/", { yaw: 4, pitch: 5, hfov: 60 }), "https://x.org/hall/#view=4,5,60");
  });
});

describe("compass headings", () => {
  test("a view's heading is its yaw plus the picture's north offset, in [0, 360); none without north", () => {
    const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
    near(headingOf(30, 125.9), 155.9);
    near(headingOf(-170, 54.1), 244.1);
    near(headingOf(300, 100), 40);
    assert.equal(headingOf(30, undefined), undefined);
  });

  test("another picture looks the same way at the yaw its own north offset gives", () => {
    // The case: 30 + north offset of the first − north offset of the second.
    assert.equal(carryYaw(30, 10, 50), -10);
    assert.ok(Math.abs(headingOf(carryYaw(30, 200, 15), 15)! - headingOf(30, 200)!) < 1e-9);
    assert.equal(carryYaw(30, undefined, 50), 30, "without both norths the yaw stays");
    assert.equal(yawForHeading(0, 125.9), -125.9);
    assert.equal(yawForHeading(270, 45), -135);
  });

  test("in words for the compass's name", () => {
    assert.equal(headingInWords(0), "north (0°)");
    assert.equal(headingInWords(44), "north-east (44°)");
    assert.equal(headingInWords(200.4), "south (200°)");
    assert.equal(headingInWords(330), "north-west (330°)");
    assert.equal(headingInWords(338), "north (338°)", "nearer north than north-west");
    assert.equal(headingInWords(359.7), "north (0°)");
  });
});

describe("previous and next picture keys", () => {
  const neighbours = { previous: { url: "/a/", title: "A" }, next: { url: "/c/", title: "C" } };

  test("← and → on the page, Page Up and Page Down in the viewer (whose arrows turn the view)", () => {
    assert.equal(neighbourForKey("ArrowLeft", false, "page", neighbours), "/a/");
    assert.equal(neighbourForKey("ArrowRight", false, "page", neighbours), "/c/");
    assert.equal(neighbourForKey("PageUp", false, "viewer", neighbours), "/a/");
    assert.equal(neighbourForKey("PageDown", false, "viewer", neighbours), "/c/");
    assert.equal(neighbourForKey("ArrowLeft", false, "viewer", neighbours), undefined);
    assert.equal(neighbourForKey("PageDown", false, "page", neighbours), undefined, "Page Down still scrolls the page");
  });

  test("never in a field, never with a modifier, never without a neighbour that way", () => {
    assert.equal(neighbourForKey("ArrowLeft", false, "field", neighbours), undefined);
    assert.equal(neighbourForKey("ArrowLeft", true, "page", neighbours), undefined);
    assert.equal(neighbourForKey("ArrowRight", false, "page", { previous: neighbours.previous }), undefined);
    assert.equal(neighbourForKey("ArrowRight", false, "page", undefined), undefined);
    assert.equal(neighbourForKey("[", false, "page", neighbours), undefined, "no character keys");
  });
});
