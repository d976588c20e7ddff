// Previous and next picture in the listing the page belongs to (the page data's
// `neighbours`), as links on the viewer and as keys: ← and → on the page, and
// Page Up and Page Down while the viewer has the focus (its arrow keys turn the
// view). No character keys, so nothing fires while a screen reader or a text
// field takes letters.

export interface Neighbour {
  url: string;
  title: string;
}

export interface Neighbours {
  previous?: Neighbour;
  next?: Neighbour;
}

/** Where the keyboard focus is: in the viewer, in something that takes keys itself, or elsewhere on the page. */
export type FocusPlace = "viewer" | "field" | "page";

export const SHORTCUTS = {
  previous: { page: "ArrowLeft", viewer: "PageUp" },
  next: { page: "ArrowRight", viewer: "PageDown" },
} as const;

/** The address a key press goes to, or undefined when it is not a neighbour shortcut here. */
export function neighbourForKey(key: string, withModifier: boolean, focus: FocusPlace, neighbours: Neighbours | undefined): string | undefined {
  if (!neighbours || withModifier || focus === "field") return undefined;
  for (const direction of ["previous", "next"] as const) {
    if (SHORTCUTS[direction][focus] === key) return neighbours[direction]?.url;
  }
  return undefined;
}
