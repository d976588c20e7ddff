// The template filters, as pure functions: captions into escaped paragraphs, sizes,
// capture times on the camera's own clock, JSON that cannot end its <script>, the
// viewer's data for a panorama's page and its comparison page, absolute URLs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { absoluteUrl, jsonForScript, paragraphs, readableDate, viewerData } from "../../src/render/filters.ts";
import { completeRecord, sampleRecord } from "../support/manifest.ts";

describe("paragraphs", () => {
  test("blank lines separate paragraphs, single newlines become <br>, outer space goes", () => {
    assert.equal(paragraphs("  First line\nsecond line.\n\nNext paragraph.  \n"), "<p>First line<br>second line.</p>\n<p>Next paragraph.</p>");
    assert.equal(paragraphs("One.\n   \t\nTwo."), "<p>One.</p>\n<p>Two.</p>", "a line of spaces is blank too");
  });

  test("a hostile caption comes out as text: no element, attribute or entity of its own", () => {
    const caption = `<script>alert("x")</script>\n<img src=x onerror='alert(1)'> & &amp;`;
    assert.equal(
      paragraphs(caption),
      "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &amp;amp;</p>",
    );
  });

  test("no caption, no markup", () => {
    assert.equal(paragraphs(undefined), "");
    assert.equal(paragraphs(""), "");
  });
});

describe("readableDate", () => {
  test("the camera's wall clock with its offset, never converted to another zone", () => {
    assert.equal(readableDate("2026-11-01T09:00:00+09:00"), "1 November 2026, 09:00 (UTC+09:00)");
    // Half past midnight in Tokyo is still the previous day in UTC: the date stays the camera's.
    assert.equal(readableDate("2026-01-01T00:30:00+09:00"), "1 January 2026, 00:30 (UTC+09:00)");
    assert.equal(readableDate("2026-06-14T09:30:00-04:00"), "14 June 2026, 09:30 (UTC-04:00)");
    assert.equal(readableDate("2026-06-14T09:30:00Z"), "14 June 2026, 09:30 (UTC)");
  });

  test("offsets written without a colon, fractions of a second, and times without a zone", () => {
    assert.equal(readableDate("2026-06-14T09:30:15.250+0530"), "14 June 2026, 09:30 (UTC+05:30)");
    assert.equal(readableDate("2026-06-14T09:30:15"), "14 June 2026, 09:30", "no zone is claimed when the camera recorded none");
    assert.equal(readableDate("2026-06-14T09:30"), "14 June 2026, 09:30");
    assert.equal(readableDate("2026-06-14"), "14 June 2026");
  });

  test("what it cannot read is shown as it is; nothing shows nothing", () => {
    assert.equal(readableDate("last summer"), "last summer");
    assert.equal(readableDate("2026:06:14 09:30:00"), "2026:06:14 09:30:00");
    assert.equal(readableDate(undefined), "");
  });
});

describe("jsonForScript", () => {
  test("no <, > or & survives, so nothing in it can close the <script> or open a comment", () => {
    const value = { title: "</script><script>alert(1)</script>", caption: "<!-- a & b -->", nested: ["</SCRIPT>"] };
    const json = jsonForScript(value);
    assert.doesNotMatch(json, /[<>&]/);
    assert.deepEqual(JSON.parse(json), value, "the same value once parsed");
  });
});

describe("viewerData", () => {
  const parse = (json: string) => JSON.parse(json) as Record<string, unknown> & { variants: Array<{ url: string; quality: number }> };

  test("a panorama's page: the sizes, the preview, the view and the tiles (without their counts) with their overview", () => {
    const p = completeRecord();
    const { files: _files, bytes: _bytes, overview, ...multiRes } = p.tiles!;
    assert.deepEqual(parse(viewerData(p, "view")), {
      title: p.title,
      variants: p.variants,
      preview: p.preview.url,
      viewer: p.viewer,
      multiRes: { ...multiRes, overview: { url: overview!.url, faceSize: overview!.faceSize } },
    });
    const prefixed = parse(viewerData(p, "view", (u) => `/gallery${u}`)) as unknown as { multiRes: { basePath: string; overview: { url: string } } };
    assert.equal(prefixed.multiRes.overview.url, `/gallery${overview!.url}`, "the site's path prefix reaches the overview too");
    assert.equal(viewerData(p), viewerData(p, "view"), "the page is the default");
  });

  test("without tiles there is no multiRes", () => {
    assert.equal(parse(viewerData(sampleRecord(), "view")).multiRes, undefined);
  });

  test("the comparison page: the full-size ladder, starting at the gallery's quality, never the tiles", () => {
    const p = completeRecord();
    const data = parse(viewerData(p, "compare"));
    assert.deepEqual(data.variants, p.ladder);
    assert.equal(data.initial, p.ladder!.find((v) => v.quality === 85)!.url);
    assert.equal(data.multiRes, undefined);
  });

  test("a ladder without the gallery's quality starts at its best step; no ladder compares the sizes", () => {
    const p = completeRecord();
    const withoutOwn = { ...p, ladder: p.ladder!.filter((v) => v.quality !== 85) };
    assert.equal(parse(viewerData(withoutOwn, "compare")).initial, withoutOwn.ladder[0]!.url);
    const noLadder = parse(viewerData({ ...p, ladder: undefined }, "compare"));
    assert.deepEqual(noLadder.variants, p.variants);
    assert.equal(noLadder.initial, undefined);
  });

  test("every URL in it goes through the prefix: variants, preview, tiles, the starting step", () => {
    const prefix = (url: string) => `/gallery${url}`;
    const p = completeRecord();
    const view = parse(viewerData(p, "view", prefix)) as ReturnType<typeof parse> & { multiRes: { basePath: string; path: string } };
    assert.deepEqual(view.variants.map((v) => v.url), p.variants.map((v) => `/gallery${v.url}`));
    assert.equal(view.preview, `/gallery${p.preview.url}`);
    assert.equal(view.multiRes.basePath, `/gallery${p.tiles!.basePath}`);
    assert.equal(view.multiRes.path, p.tiles!.path, "paths inside the tile folder stay relative to it");
    const compare = parse(viewerData(p, "compare", prefix));
    assert.deepEqual(compare.variants.map((v) => v.url), p.ladder!.map((v) => `/gallery${v.url}`));
    assert.equal(compare.initial, `/gallery${p.ladder![1]!.url}`);
  });

  test("a hostile title cannot end the script it sits in", () => {
    const json = viewerData({ ...sampleRecord(), title: "</script><script>alert(1)</script>" });
    assert.doesNotMatch(json, /<\/script/i);
    assert.equal(parse(json).title, "</script><script>alert(1)</script>");
  });
});

describe("absoluteUrl", () => {
  test("a site URL made absolute against the gallery's public address, with or without its final slash", () => {
    assert.equal(absoluteUrl("/media/card.jpg", "https://example.com"), "https://example.com/media/card.jpg");
    assert.equal(absoluteUrl("/media/card.jpg", "https://example.com/"), "https://example.com/media/card.jpg");
    assert.equal(absoluteUrl("media/card.jpg", "https://example.com/gallery"), "https://example.com/gallery/media/card.jpg");
  });

  test("a site-absolute URL replaces the address's path: a pathPrefix belongs in the URL, as the url filter puts it", () => {
    assert.equal(absoluteUrl("/media/card.jpg", "https://example.com/gallery/"), "https://example.com/media/card.jpg");
    assert.equal(absoluteUrl("/gallery/media/card.jpg", "https://example.com/"), "https://example.com/gallery/media/card.jpg");
  });

  test("no public address, no absolute URL", () => {
    assert.equal(absoluteUrl("/media/card.jpg", undefined), undefined);
    assert.equal(absoluteUrl("/media/card.jpg", ""), undefined);
  });
});
