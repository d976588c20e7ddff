// Keeps the address in step with the view: `#view=<yaw>,<pitch>,<hfov>` written
// with history.replaceState (no new history entries) when the view differs from
// the one the address shows (the page's opening view when it has no #view=), a
// moment after the change (browsers limit how often replaceState may be called);
// and follows an address whose #view= the reader edits.
import { VIEW_EVENT } from "./view-events.ts";
import { formatViewHash, parseViewHash, sameView, type ViewAngles } from "./view-link.ts";

const SETTLE_MS = 250;

export function keepAddressInStep(opening: ViewAngles, goTo: (view: ViewAngles) => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: ViewAngles | undefined;
  const shown = () => parseViewHash(location.hash) ?? opening;
  const write = () => {
    timer = undefined;
    if (latest && !sameView(latest, shown())) history.replaceState(history.state, "", formatViewHash(latest));
  };
  document.addEventListener(VIEW_EVENT, (event) => {
    const { yaw, pitch, hfov } = event.detail;
    latest = { yaw, pitch, hfov };
    if (timer === undefined && !sameView(latest, shown())) timer = setTimeout(write, SETTLE_MS);
  });
  // replaceState fires no hashchange: this is the reader's own edit, or a link to a view on this page.
  window.addEventListener("hashchange", () => {
    const view = parseViewHash(location.hash);
    if (view) goTo(view);
  });
}
