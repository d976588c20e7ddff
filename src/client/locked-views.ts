// Two viewers locked together (a place's side-by-side page): whether the
// follower is out of line, and which two dates the page starts with. The
// follower's view is the leader's carried through both north offsets
// (carry-view.ts). Pure decisions; side-by-side.ts reads the viewers and applies them.

export interface View {
  yaw: number;
  pitch: number;
  hfov: number;
}

/** Degrees in (−180, 180], as Pannellum takes a yaw. */
function signed(degrees: number): number {
  const wrapped = ((degrees % 360) + 360) % 360;
  return wrapped > 180 ? wrapped - 360 : wrapped;
}

/** Whether two views differ by more than rounding (a hundredth of a degree). */
export function viewsDiffer(a: View, b: View): boolean {
  const close = (x: number, y: number) => Math.abs(signed(x - y)) < 0.01;
  return !(close(a.yaw, b.yaw) && close(a.pitch, b.pitch) && close(a.hfov, b.hfov));
}

/**
 * The two dates the page shows: `?a=<slug>&b=<slug>` when both name shots of the
 * place, else the oldest and the newest (`slugs` oldest first, two at least).
 */
export function chosenPair(slugs: readonly string[], search: string): [string, string] {
  const query = new URLSearchParams(search);
  const a = query.get("a");
  const b = query.get("b");
  const known = (s: string | null): s is string => s !== null && slugs.includes(s);
  const first = slugs[0]!;
  const last = slugs[slugs.length - 1]!;
  if (known(a) && known(b)) return [a, b];
  if (known(a)) return [a, a === last ? first : last];
  if (known(b)) return [b === first ? last : first, b];
  return [first, last];
}

/** The page's address with the two dates in its query, anything else kept. */
export function addressWithPair(href: string, a: string, b: string): string {
  const url = new URL(href);
  url.searchParams.set("a", a);
  url.searchParams.set("b", b);
  return url.pathname + url.search + url.hash;
}
