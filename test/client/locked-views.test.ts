// Two viewers locked together: the follower looks the same compass direction
// (yaw through both north offsets), pitch and field of view; the page's two dates
// come from its address or default to the oldest and the newest.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { carriedView } from "../../src/client/carry-view.ts";
import { addressWithPair, chosenPair, viewsDiffer } from "../../src/client/locked-views.ts";
import { directionWedge } from "../../src/client/map-direction.ts";

describe("the follower's view (carriedView)", () => {
  test("the same heading: yaw + north offset is kept, pitch and field of view copied", () => {
    // Leader: north offset 10, yaw 30 → heading 40. Follower with north offset 95 looks at yaw −55.
    assert.deepEqual(carriedView({ yaw: 30, pitch: -5, hfov: 80 }, 10, 95), { yaw: -55, pitch: -5, hfov: 80 });
    assert.deepEqual(carriedView({ yaw: -55, pitch: -5, hfov: 80 }, 95, 10), { yaw: 30, pitch: -5, hfov: 80 });
  });

  test("wraps into (−180, 180]", () => {
    assert.equal(carriedView({ yaw: 170, pitch: 0, hfov: 90 }, 100, 0).yaw, -90);
    assert.equal(carriedView({ yaw: -170, pitch: 0, hfov: 90 }, 0, 100).yaw, 90);
    assert.equal(carriedView({ yaw: 90, pitch: 0, hfov: 90 }, 90, 0).yaw, 180);
  });

  test("without both north offsets the yaw is taken as it is", () => {
    assert.equal(carriedView({ yaw: 30, pitch: 0, hfov: 90 }, undefined, 95).yaw, 30);
    assert.equal(carriedView({ yaw: 30, pitch: 0, hfov: 90 }, 10, undefined).yaw, 30);
  });

  test("views differ beyond a hundredth of a degree, across the ±180 seam too", () => {
    assert.equal(viewsDiffer({ yaw: 180, pitch: 0, hfov: 90 }, { yaw: -179.999, pitch: 0, hfov: 90 }), false);
    assert.equal(viewsDiffer({ yaw: 10, pitch: 0, hfov: 90 }, { yaw: 10.5, pitch: 0, hfov: 90 }), true);
    assert.equal(viewsDiffer({ yaw: 10, pitch: 0, hfov: 90 }, { yaw: 10, pitch: 0, hfov: 91 }), true);
  });
});

describe("chosenPair", () => {
  const slugs = ["d1", "d2", "d3"];
  test("the address's two dates when both are the place's", () => {
    assert.deepEqual(chosenPair(slugs, "?a=d2&b=d1"), ["d2", "d1"]);
  });
  test("the oldest and newest otherwise; one known date is kept and paired with the newest (or the oldest)", () => {
    assert.deepEqual(chosenPair(slugs, ""), ["d1", "d3"]);
    assert.deepEqual(chosenPair(slugs, "?a=nope&b=d9"), ["d1", "d3"]);
    assert.deepEqual(chosenPair(slugs, "?a=d2"), ["d2", "d3"]);
    assert.deepEqual(chosenPair(slugs, "?a=d3"), ["d3", "d1"]);
    assert.deepEqual(chosenPair(slugs, "?b=d1"), ["d3", "d1"]);
  });
  test("the address keeps its other parts", () => {
    assert.equal(addressWithPair("http://x/places/bay/compare/?a=d1&b=d3&z=1#top", "d2", "d3"), "/places/bay/compare/?a=d2&b=d3&z=1#top");
  });
});

describe("the mini-map's view cone", () => {
  test("spreads over the field of view around the heading, north up", () => {
    // Looking east with 90°: from north-east to south-east.
    assert.equal(directionWedge(90, 90, 10), "M0 0L7.07 -7.07A10 10 0 0 1 7.07 7.07Z");
    assert.equal(directionWedge(0, 90, 10), "M0 0L-7.07 -7.07A10 10 0 0 1 7.07 -7.07Z");
  });
});
