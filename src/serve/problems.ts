// What is wrong right now, for the terminal and for the banner every served page
// carries. Each rebuild replaces the list; an empty list shows nothing.
import { escapeHtml } from "../format.ts";

export interface Problem {
  /** Which step found it: the config, a picture or sidecar, the render, a camera pull; a note is published anyway. */
  kind: "config" | "picture" | "sidecar" | "render" | "pull" | "error" | "note";
  /** The file or camera it is about, when there is one. */
  source?: string;
  message: string;
}

const TITLES: Record<Problem["kind"], string> = {
  config: "Configuration",
  picture: "Picture",
  sidecar: "Sidecar",
  render: "Template",
  pull: "Camera pull",
  error: "Error",
  note: "Note",
};

export function problemLine(p: Problem): string {
  return `${TITLES[p.kind].toLowerCase()}: ${p.source ? `${p.source}: ` : ""}${p.message}`;
}

/** The banner: inline styles only, so it shows on any page (even a bare 404) and never depends on the site's CSS. */
export function problemsBanner(problems: Problem[]): string {
  if (problems.length === 0) return "";
  const items = problems
    .map((p) => `<li style="margin:.4em 0"><strong>${TITLES[p.kind]}</strong>${p.source ? ` <code>${escapeHtml(p.source)}</code>` : ""}<pre style="white-space:pre-wrap;margin:.2em 0 0;font:13px/1.4 ui-monospace,monospace">${escapeHtml(p.message)}</pre></li>`)
    .join("");
  return `<div id="rotunda-problems" role="alert" style="position:relative;z-index:2147483647;margin:0;padding:.8em 1.2em;background:#7f1d1d;color:#fff;font:14px/1.4 system-ui,sans-serif;max-height:50vh;overflow:auto">`
    + `<div><strong>rotunda serve: ${problems.length} problem${problems.length === 1 ? "" : "s"}</strong> · the page shows what still builds; fix the file and it reloads.</div>`
    + `<ul style="margin:.4em 0 0;padding-left:1.2em">${items}</ul></div>`;
}
