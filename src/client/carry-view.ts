// Links that carry the reader's view: a link to another date of the same place
// (the timeline's earlier and later links, the list of its dates) or to a
// tour target opens that picture looking the same way. Its #view= holds the
// yaw carried through both pictures' north offsets (the same compass heading,
// so the same wall even if the camera was turned in between), with the pitch
// and field of view kept. The hrefs follow the view as the reader turns, so
// opening a link in a new tab, copying it or following it all carry the view.
import { carryYaw } from "./heading.ts";
import { VIEW_EVENT } from "./view-events.ts";
import { urlWithView, type ViewAngles } from "./view-link.ts";
import type { PageData } from "./viewer-plan.ts";

/** A picture a link may lead to, with its north offset when known. */
export interface CarryTarget {
  url: string;
  northOffset?: number;
}

/** The pictures this page's links carry the view to: the place's other dates and the tour's targets, by path. */
export function carryTargets(data: PageData, base: string): Map<string, CarryTarget> {
  const targets = new Map<string, CarryTarget>();
  const here = new URL(base).pathname;
  for (const target of [...(data.place?.shots ?? []), ...(data.links ?? [])]) {
    const pathname = new URL(target.url, base).pathname;
    if (pathname !== here) targets.set(pathname, { url: target.url, ...(target.northOffset === undefined ? {} : { northOffset: target.northOffset }) });
  }
  return targets;
}

/** The view that looks where `view` looks, in a picture with `toNorthOffset`. */
export function carriedView(view: ViewAngles, fromNorthOffset: number | undefined, toNorthOffset: number | undefined): ViewAngles {
  return { yaw: carryYaw(view.yaw, fromNorthOffset, toNorthOffset), pitch: view.pitch, hfov: view.hfov };
}

/** `url` with the carried view in its fragment. */
export function carriedUrl(url: string, view: ViewAngles, fromNorthOffset: number | undefined, toNorthOffset: number | undefined): string {
  return urlWithView(url, carriedView(view, fromNorthOffset, toNorthOffset));
}

/**
 * Keeps every link on the page that leads to one of `data`'s targets (in the
 * page's text and the viewer's hotspots alike) pointing at the view on screen.
 */
export function carryViewInLinks(data: PageData): void {
  const targets = carryTargets(data, location.href);
  if (targets.size === 0) return;
  const from = data.viewer.northOffset;
  document.addEventListener(VIEW_EVENT, (event) => {
    // Every link, each time: the viewer's hotspots come and go with its scenes.
    for (const link of Array.from(document.links)) {
      if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin) continue;
      const target = targets.get(link.pathname);
      if (!target) continue;
      const href = carriedUrl(link.href, event.detail, from, target.northOffset);
      if (link.href !== href) link.href = href;
    }
  });
}
