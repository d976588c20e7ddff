// The view-changed hook other modules listen to: `document` gets a
// CustomEvent "rotunda:view" with detail { yaw, pitch, hfov, heading } (heading:
// the compass direction, absent when the picture's north is unknown), once when
// the viewer has loaded and then at most once per animation frame while the
// view changes. Pannellum has no such event: a frame loop reads the view once
// something may have moved it (the reader's input, device orientation, a zoom),
// keeps reading while it changes (a drag's inertia, an animation, autorotation)
// and sleeps once it has been still for a few frames.
import { headingOf } from "./heading.ts";
import type { ViewAngles } from "./view-link.ts";

export const VIEW_EVENT = "rotunda:view";

export interface ViewDetail extends ViewAngles {
  heading?: number;
}

declare global {
  interface DocumentEventMap {
    "rotunda:view": CustomEvent<ViewDetail>;
  }
}

export interface ViewWatch {
  /** Something may move the view: watch it frame by frame until Pannellum settles. */
  wake(): void;
  /** Reports the view now if it changed (or always, with force). */
  report(force?: boolean): void;
}

/** What the watch reads the view from: the viewer on screen now (scenes replace it); undefined before it has loaded. */
export interface ViewSource {
  view(): ViewAngles | undefined;
  northOffset(): number | undefined;
  /** The reader holds a key or a pointer down: the view may start moving at any frame, so the watch stays awake. */
  held?(): boolean;
}

/** Frames without a change before the loop sleeps: longer than any pause inside one movement. */
const STILL_FRAMES = 12;

export function watchView(source: ViewSource): ViewWatch {
  let last = "";
  let frame = 0;
  let stillFrames = 0;
  const report = (force = false) => {
    const view = source.view();
    if (!view) return;
    const key = `${view.yaw},${view.pitch},${view.hfov}`;
    if (key === last && !force) return;
    last = key;
    const heading = headingOf(view.yaw, source.northOffset());
    const detail: ViewDetail = { yaw: view.yaw, pitch: view.pitch, hfov: view.hfov, ...(heading === undefined ? {} : { heading }) };
    document.dispatchEvent(new CustomEvent(VIEW_EVENT, { detail }));
  };
  const tick = () => {
    frame = 0;
    const before = last;
    report();
    stillFrames = last === before ? stillFrames + 1 : 0;
    if (stillFrames < STILL_FRAMES || source.held?.()) frame = requestAnimationFrame(tick);
  };
  return {
    wake() {
      stillFrames = 0;
      if (!frame) frame = requestAnimationFrame(tick);
    },
    report,
  };
}
