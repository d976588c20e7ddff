// The live view's HTML: one camera's page (viewer, state, Shoot button) and,
// under `rotunda serve`, the list of configured cameras. Written here, served
// from memory: none of it is ever part of a built site.
import { escapeHtml } from "../format.ts";

export interface LivePageUrls {
  stream: string;
  events: string;
  shoot: string;
  js: string;
  css: string;
  /** Where "all cameras" leads (serve's /_cameras/), if anywhere. */
  index?: string;
}

export function livePage(camera: string, urls: LivePageUrls): string {
  const data = JSON.stringify({ camera, stream: urls.stream, events: urls.events, shoot: urls.shoot }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en" data-live="connecting">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Live: ${escapeHtml(camera)} · Rotunda</title>
<link rel="stylesheet" href="${escapeHtml(urls.css)}">
</head>
<body class="live">
<header class="live-bar">
${urls.index ? `<a class="live-back" href="${escapeHtml(urls.index)}">All cameras</a>` : ""}
<h1>${escapeHtml(camera)}</h1>
<span id="live-status" class="live-status" role="status" aria-live="polite">connecting…</span>
<dl id="live-camera" class="live-camera" aria-label="Camera state">
<div><dt>Battery</dt><dd data-field="battery">…</dd></div>
<div><dt>Storage left</dt><dd data-field="storage">…</dd></div>
<div><dt>Capture</dt><dd data-field="capture">…</dd></div>
</dl>
<button id="live-shoot" class="live-shoot" type="button">Shoot</button>
</header>
<main class="live-main">
<div id="live-viewer" class="live-viewer" aria-label="Live 360° preview: drag to look around, scroll to zoom"></div>
<p id="live-message" class="live-message" hidden></p>
<section id="live-shot" class="live-shot" hidden aria-live="polite"></section>
</main>
<script type="application/json" id="rotunda-live-data">${data}</script>
<script src="${escapeHtml(urls.js)}"></script>
</body>
</html>
`;
}

export interface CameraListEntry {
  name: string;
  href: string;
  /** One line: the feed's status and the camera's state. */
  state: string;
}

export function cameraListPage(entries: CameraListEntry[], css: string): string {
  const items = entries.length
    ? entries.map((e) => `<li><a href="${escapeHtml(e.href)}">${escapeHtml(e.name)}</a> <span class="live-list-state">${escapeHtml(e.state)}</span></li>`).join("\n")
    : `<li>No cameras in rotunda.json: add some under "cameras" and this page lists them.</li>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>Cameras · Rotunda</title>
<link rel="stylesheet" href="${escapeHtml(css)}">
</head>
<body class="live">
<header class="live-bar"><a class="live-back" href="/">Gallery</a><h1>Cameras</h1></header>
<main class="live-main">
<p>The gallery's cameras, live. This page exists only while <code>rotunda serve</code> runs, on this machine only.</p>
<ul class="live-list">
${items}
</ul>
</main>
</body>
</html>
`;
}
