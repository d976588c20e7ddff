// The viewer's controls for every reader: Pannellum's own are bare <div>s, so
// each gets a role, an accessible name, a place in the Tab order and Enter and
// Space; the compass says where the view faces and turns it north; and Rotunda
// adds "copy link to this view" and links to the previous and next picture.
// Pannellum rebuilds its controls with every scene, so this runs after each.
import { headingInWords, headingOf, yawForHeading } from "./heading.ts";
import { SHORTCUTS, type Neighbours } from "./neighbours.ts";
import { turnTo } from "./turn-to.ts";
import { VIEW_EVENT } from "./view-events.ts";
import { urlWithView, type ViewAngles } from "./view-link.ts";

export interface ControlsContext {
  container: HTMLElement;
  viewer: Pannellum.Viewer;
  title: string;
  northOffset?: number;
  neighbours?: Neighbours;
  reducedMotion: boolean;
  view(): ViewAngles;
}

/** Role, name, Tab stop and keyboard activation for one of Pannellum's controls. */
function asButton(element: Element | null, name: string, onActivate?: () => void): HTMLElement | undefined {
  if (!(element instanceof HTMLElement)) return undefined;
  element.setAttribute("role", "button");
  element.setAttribute("aria-label", name);
  element.title = name;
  element.tabIndex = 0;
  element.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    event.stopPropagation(); // not a key for the viewer itself
    if (onActivate) onActivate();
    else element.click();
  });
  if (onActivate) element.addEventListener("click", onActivate);
  return element;
}

/** aria-pressed follows a class Pannellum toggles on the control. */
function pressedWhile(element: HTMLElement | undefined, activeClass: string): void {
  if (!element) return;
  const sync = () => element.setAttribute("aria-pressed", String(element.classList.contains(activeClass)));
  sync();
  new MutationObserver(sync).observe(element, { attributes: true, attributeFilter: ["class"] });
}

function button(className: string, name: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `pnlm-controls pnlm-control ${className}`;
  b.setAttribute("aria-label", name);
  b.title = name;
  b.addEventListener("click", onClick);
  // Pannellum would start a drag under it.
  for (const type of ["mousedown", "pointerdown", "touchstart"]) b.addEventListener(type, (e) => e.stopPropagation());
  return b;
}

/** Copies text: the Clipboard API where the page may use it, else a selected field and the copy command. */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  field.style.position = "fixed";
  field.style.opacity = "0";
  document.body.append(field);
  field.select();
  const copied = document.execCommand("copy");
  field.remove();
  if (!copied) throw new Error("copy refused");
}

export function decorateControls(context: ControlsContext): void {
  const { container, viewer } = context;
  const ui = container.querySelector(".pnlm-ui");
  const controls = container.querySelector(".pnlm-controls-container");

  asButton(container.querySelector(".pnlm-zoom-in"), "Zoom in");
  asButton(container.querySelector(".pnlm-zoom-out"), "Zoom out");
  pressedWhile(asButton(container.querySelector(".pnlm-fullscreen-toggle-button"), "Full screen"), "pnlm-fullscreen-toggle-button-active");
  pressedWhile(
    asButton(container.querySelector(".pnlm-orientation-button"), "Look around by moving your device"),
    "pnlm-orientation-button-active",
  );
  container.querySelector(".pnlm-error-msg")?.setAttribute("role", "alert");

  // The compass: where the view faces, and a way back to north.
  const compass = container.querySelector(".pnlm-compass");
  if (compass instanceof HTMLElement && context.northOffset !== undefined) {
    const north = context.northOffset;
    const name = () => `Compass: facing ${headingInWords(headingOf(context.view().yaw, north)!)}. Turn to face north`;
    asButton(compass, name(), () => turnTo(viewer, { yaw: yawForHeading(0, north) }, context.reducedMotion ? 0 : 1000));
    // Each scene has a compass of its own (the comparison page shows one per ladder step): a replaced one stops listening.
    const follow = () => {
      if (!compass.isConnected) return document.removeEventListener(VIEW_EVENT, follow);
      const label = name();
      if (label === compass.title) return;
      compass.setAttribute("aria-label", label);
      compass.title = label;
    };
    document.addEventListener(VIEW_EVENT, follow);
  }

  // Copy link to this view, with a status a screen reader announces.
  if (controls) {
    const status = document.createElement("span");
    status.className = "rotunda-status";
    status.setAttribute("role", "status");
    const copy = button("rotunda-copy-link", "Copy link to this view", () => {
      const url = urlWithView(location.href, context.view());
      copyText(url).then(
        () => (status.textContent = "Link to this view copied"),
        () => (status.textContent = `Copy this link: ${url}`),
      );
      setTimeout(() => (status.textContent = ""), 4000);
    });
    controls.append(copy, status);
  }

  // Previous and next picture.
  for (const direction of ["previous", "next"] as const) {
    const neighbour = context.neighbours?.[direction];
    if (!neighbour || !ui) continue;
    const link = document.createElement("a");
    link.className = `rotunda-neighbour rotunda-neighbour--${direction}`;
    link.href = neighbour.url;
    link.setAttribute("aria-label", `${direction === "previous" ? "Previous" : "Next"} picture: ${neighbour.title}`);
    link.title = link.getAttribute("aria-label")!;
    link.setAttribute("aria-keyshortcuts", `${SHORTCUTS[direction].page} ${SHORTCUTS[direction].viewer}`);
    for (const type of ["mousedown", "pointerdown", "touchstart"]) link.addEventListener(type, (e) => e.stopPropagation());
    ui.append(link);
  }
}
