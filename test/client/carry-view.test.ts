// Links that carry the view to another date of a place or a tour target: which
// links, and the #view= they carry (the compass heading kept through both
// pictures' north offsets, pitch and field of view as they are).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { carriedUrl, carriedView, carryTargets } from "../../src/client/carry-view.ts";
import type { PageData } from "../../src/client/viewer-plan.ts";

const PAGE = "https://gallery.example/pictures/yard-monday/#view=30,-5,80";

function page(extra: Partial<PageData>): PageData {
  return { title: "Yard, Monday", variants: [], preview: "", viewer: { northOffset: 40 }, ...extra };
}

describe("links that carry the view", () => {
  test("the yaw keeps its compass heading: yaw + this picture's north − the target's, mod 360", () => {
    const view = { yaw: 30, pitch: -5, hfov: 80 };
    assert.equal(carriedUrl("/pictures/yard-tuesday/", view, 40, 100), "/pictures/yard-tuesday/#view=330,-5,80");
    assert.equal(carriedUrl("/pictures/yard-tuesday/", view, 100, 40), "/pictures/yard-tuesday/#view=90,-5,80");
    assert.equal(carriedUrl("https://gallery.example/b/#view=1,2,3", { yaw: 359.5, pitch: 10.25, hfov: 65 }, 0, 0), "https://gallery.example/b/#view=359.5,10.3,65");
  });

  test("where either picture's north is unknown, the same yaw", () => {
    assert.deepEqual(carriedView({ yaw: 30, pitch: -5, hfov: 80 }, undefined, 100), { yaw: 30, pitch: -5, hfov: 80 });
    assert.deepEqual(carriedView({ yaw: 30, pitch: -5, hfov: 80 }, 40, undefined), { yaw: 30, pitch: -5, hfov: 80 });
  });

  test("the targets: the place's other dates and the tour's pictures, by path, never the page itself", () => {
    const data = page({
      place: {
        name: "Yard",
        url: "/places/yard/",
        index: 1,
        shots: [
          { url: "/pictures/yard-sunday/", date: "2026-11-29", label: "29 November 2026", northOffset: 10 },
          { url: "/pictures/yard-monday/", date: "2026-11-30", label: "30 November 2026", northOffset: 40 },
          { url: "/pictures/yard-tuesday/", date: "2026-12-01", label: "1 December 2026" },
        ],
      },
      links: [{ url: "/pictures/gate/", title: "Gate", yaw: 120, pitch: 0, northOffset: 200 }],
    });
    const targets = carryTargets(data, PAGE);
    assert.deepEqual([...targets.keys()], ["/pictures/yard-sunday/", "/pictures/yard-tuesday/", "/pictures/gate/"]);
    assert.equal(targets.get("/pictures/yard-sunday/")?.northOffset, 10);
    assert.equal(targets.get("/pictures/yard-tuesday/")?.northOffset, undefined);
    assert.equal(targets.get("/pictures/gate/")?.northOffset, 200);
  });

  test("a page with no place and no tour carries the view nowhere", () => {
    assert.equal(carryTargets(page({}), PAGE).size, 0);
  });
});
