// A place's side-by-side page (/places/<place>/compare/?a=<slug>&b=<slug>): two
// dates of the place in two Pannellum viewers, locked together. Whichever the
// reader last touched (pointer, wheel, keys, focus) leads; the other follows in
// compass terms (locked-views.ts) frame by frame while the view moves, and
// sleeps once it is still. A date picker above each viewer changes its date,
// keeping the view. The page's state is on <html data-side-by-side="…"> for
// tests and styling; the viewers are on window.rotundaSideBySide.
import "./pannellum.ts";
import { carriedView } from "./carry-view.ts";
import { measureDevice } from "./device.ts";
import { addressWithPair, chosenPair, viewsDiffer, type View } from "./locked-views.ts";
import { pannellumScene } from "./pannellum-scene.ts";
import { planViewer, type PageData } from "./viewer-plan.ts";

interface ShotEntry {
  slug: string;
  url: string;
  label: string;
}

interface Side {
  container: HTMLElement;
  picker: HTMLSelectElement;
  link: HTMLAnchorElement;
  slug: string;
  data: PageData;
  viewer?: Pannellum.Viewer;
  loaded: boolean;
}

type SideBySideWindow = Window & { rotundaSideBySide?: { viewers: () => Array<Pannellum.Viewer | undefined> } };

/** Frames without a change before the lock stops watching: longer than any pause inside one movement. */
const STILL_FRAMES = 12;
/** Frames a still leader's follower may stay out of line before the lock stops putting it there. */
const MAX_MISSES = 30;

const northOf = (data: PageData) => data.viewer.northOffset;

function shotData(slug: string): PageData | undefined {
  const element = document.getElementById(`rotunda-shot-${slug}`);
  return element?.textContent ? (JSON.parse(element.textContent) as PageData) : undefined;
}

function start(): void {
  const dataElement = document.getElementById("rotunda-side-by-side-data");
  if (!dataElement) return;
  const root = document.documentElement;
  const shots = (JSON.parse(dataElement.textContent ?? "{}") as { shots: ShotEntry[] }).shots;
  const pair = chosenPair(shots.map((s) => s.slug), location.search);
  const sides: Side[] = [];
  for (const name of ["a", "b"]) {
    const slug = pair[sides.length]!;
    const container = document.getElementById(`side-${name}`);
    const picker = document.getElementById(`side-${name}-date`) as HTMLSelectElement | null;
    const link = document.getElementById(`side-${name}-link`) as HTMLAnchorElement | null;
    const data = shotData(slug);
    if (!container || !picker || !link || !data) return;
    sides.push({ container, picker, link, slug, data, loaded: false });
  }

  /** The side's link to its shot's page and its viewer's name, for the date it shows. */
  const describe = (side: Side) => {
    const entry = shots.find((s) => s.slug === side.slug);
    if (!entry) return;
    side.link.href = entry.url;
    side.link.textContent = `${side.data.title}, ${entry.label}`;
    side.container.setAttribute("aria-label", `360° view of ${side.data.title}, ${entry.label}`);
  };
  const view = (side: Side): View | undefined =>
    side.viewer && side.loaded ? { yaw: side.viewer.getYaw(), pitch: side.viewer.getPitch(), hfov: side.viewer.getHfov() } : undefined;
  let leader = 0;

  /** Puts the follower where the leader looks; true when it already looks there (or either is not loaded). */
  const follow = (): boolean => {
    const from = sides[leader]!;
    const to = sides[1 - leader]!;
    const seen = view(from);
    const shown = view(to);
    if (!seen || !shown) return true;
    const wanted = carriedView(seen, northOf(from.data), northOf(to.data));
    if (!viewsDiffer(wanted, shown)) return true;
    to.viewer!.lookAt(wanted.pitch, wanted.yaw, wanted.hfov, false);
    return false;
  };

  // The lock's frame loop: runs while the leader's view changes or the follower is not yet in line, then sleeps
  // until the reader moves again. A follower that cannot go where it is put (its own limits) is given up on.
  let frame = 0;
  let still = 0;
  let misses = 0;
  let last: View | undefined;
  const tick = () => {
    frame = 0;
    const seen = view(sides[leader]!);
    const moved = !seen || !last || viewsDiffer(seen, last);
    last = seen;
    const inLine = follow();
    misses = moved || inLine ? 0 : misses + 1;
    still = !moved && (inLine || misses > MAX_MISSES) ? still + 1 : 0;
    // Putting the follower in line can wake the loop from inside (Pannellum reports its still view at once).
    if (still < STILL_FRAMES && !frame) frame = requestAnimationFrame(tick);
  };
  const wake = () => {
    still = 0;
    misses = 0;
    if (!frame) frame = requestAnimationFrame(tick);
  };

  const show = (side: Side, at: View | undefined) => {
    side.viewer?.destroy();
    side.loaded = false;
    root.dataset.sideBySide = "loading";
    const plan = planViewer(side.data, measureDevice(side.container.clientWidth), false);
    if (!plan) {
      root.dataset.sideBySide = "unsupported";
      return;
    }
    side.container.classList.add("viewer--live");
    const viewer = pannellum.viewer(side.container, { ...plan.base, ...(at ?? {}), ...pannellumScene(plan.first, side.data.preview) } as Pannellum.ConfigOptions);
    side.viewer = viewer;
    const loaded = () => {
      side.loaded = true;
      side.container.classList.add("viewer--drawn");
      if (sides.every((s) => s.loaded)) root.dataset.sideBySide = "loaded";
      // The side that loads last takes the other's view.
      const other = sides[1 - sides.indexOf(side)]!;
      if (other.loaded) {
        leader = sides.indexOf(other);
        wake();
      }
    };
    viewer.on("load", loaded);
    viewer.on("error", (message: string) => {
      root.dataset.sideBySide = "error";
      console.error(`panorama could not be shown: ${message}`);
    });
    viewer.on("zoomchange", wake);
    // The leader's last step is taken after the lock has read it in that frame: its follower is put in line as soon
    // as Pannellum reports the leader still, not a frame later.
    viewer.on("animatefinished", () => {
      if (sides[leader] === side) follow();
      wake();
    });
    // Multires scenes can finish loading inside pannellum.viewer(), before `on` is called.
    if (viewer.isLoaded()) loaded();
  };

  sides.forEach((side, index) => {
    const lead = () => {
      // The other view stops drifting (a drag's or a zoom's inertia) once this one leads.
      if (leader !== index) sides[leader]!.viewer?.stopMovement();
      leader = index;
      wake();
    };
    for (const type of ["pointerdown", "wheel", "keydown", "touchstart", "focusin"]) side.container.addEventListener(type, lead, { passive: true });
    for (const type of ["pointermove", "touchmove", "keyup"]) side.container.addEventListener(type, wake, { passive: true });
    describe(side);
    side.picker.value = side.slug;
    if (side.picker.parentElement) side.picker.parentElement.hidden = false;
    side.picker.addEventListener("change", () => {
      const data = shotData(side.picker.value);
      if (!data) return;
      const other = sides[1 - index]!;
      const otherView = view(other);
      side.slug = side.picker.value;
      side.data = data;
      describe(side);
      history.replaceState(history.state, "", addressWithPair(location.href, sides[0]!.slug, sides[1]!.slug));
      leader = 1 - index;
      show(side, otherView && carriedView(otherView, northOf(other.data), northOf(data)));
    });
  });
  // Both start looking the same way: the second where the first's initial view points.
  const first = sides[0]!;
  const initial: View = { yaw: first.data.viewer.yaw ?? 0, pitch: first.data.viewer.pitch ?? 0, hfov: first.data.viewer.hfov ?? 100 };
  show(first, undefined);
  show(sides[1]!, carriedView(initial, northOf(first.data), northOf(sides[1]!.data)));
  (window as SideBySideWindow).rotundaSideBySide = { viewers: () => sides.map((s) => s.viewer) };
}

start();
