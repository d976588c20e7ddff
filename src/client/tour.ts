// Tour hotspots: each of the page data's `links` becomes a Pannellum hotspot at
// its yaw and pitch. Pannellum wraps a hotspot that has a URL in a real <a>, so
// it is reached with Tab, followed with Enter or a click, and opens in a new tab
// on request; Rotunda names it after its target, shows its title on hover and
// focus, turns the view to it when it gets the focus (the keyboard never lands
// on a hotspot out of sight), and, on a plain click, turns towards it and zooms
// in a moment before going there (at once for a reader who prefers reduced
// motion). carry-view.ts keeps its href carrying the view, and following it
// puts the target's own address in the address bar.
import { turnTo } from "./turn-to.ts";
import type { PageData } from "./viewer-plan.ts";

export type TourLink = NonNullable<PageData["links"]>[number];

export interface TourContext {
  viewer: () => Pannellum.Viewer | undefined;
  reducedMotion: boolean;
  /** The view is about to move (view-events.ts watches it). */
  moving: () => void;
}

/** The transition before following a hotspot: how long, and how far it zooms in. */
const TRANSITION_MS = 500;
const ZOOM = 0.6;

/** The class of a hotspot's link, for styles and tests. */
export const HOTSPOT_CLASS = "rotunda-hotspot";

function decorate(div: HTMLDivElement, link: TourLink, context: TourContext): void {
  const anchor = div.parentElement;
  if (!(anchor instanceof HTMLAnchorElement)) return;
  anchor.classList.add(HOTSPOT_CLASS);
  anchor.setAttribute("aria-label", `Go to ${link.title}`);
  div.classList.add("pnlm-tooltip");
  const tooltip = document.createElement("span");
  tooltip.textContent = link.title;
  tooltip.setAttribute("aria-hidden", "true");
  div.append(tooltip);
  // Centred above the hotspot, as Pannellum places its own tooltips.
  tooltip.style.width = `${tooltip.scrollWidth - 20}px`;
  tooltip.style.marginLeft = `${-(tooltip.scrollWidth - div.offsetWidth) / 2}px`;
  tooltip.style.marginTop = `${-tooltip.scrollHeight - 12}px`;
  // Pannellum would start a drag under it.
  for (const type of ["mousedown", "pointerdown", "touchstart"]) anchor.addEventListener(type, (e) => e.stopPropagation());
  anchor.addEventListener("focus", () => {
    const viewer = context.viewer();
    if (viewer) turnTo(viewer, { pitch: link.pitch, yaw: link.yaw }, context.reducedMotion ? 0 : TRANSITION_MS);
    context.moving();
  });
  anchor.addEventListener("click", (event) => {
    const viewer = context.viewer();
    if (!viewer || context.reducedMotion || event.button !== 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const href = anchor.href; // the view as it was when the reader chose to go
    const hfov = Math.max(viewer.getHfov() * ZOOM, viewer.getHfovBounds()[0]);
    turnTo(viewer, { pitch: link.pitch, yaw: link.yaw, hfov }, TRANSITION_MS, () => location.assign(href));
    context.moving();
  });
}

/** Pannellum hotspot settings for the page's tour links. */
export function tourHotSpots(links: readonly TourLink[] | undefined, context: TourContext): Pannellum.HotspotOptions[] {
  return (links ?? []).map(
    (link) =>
      ({
        type: "scene",
        pitch: link.pitch,
        yaw: link.yaw,
        URL: link.url,
        attributes: {}, // a link in this tab (without attributes Pannellum opens a new one)
        createTooltipFunc: (div: HTMLDivElement) => decorate(div, link, context),
      }) as Pannellum.HotspotOptions,
  );
}
