// Turning a viewer to a view the reader asked for (the compass, a tour link, the
// address's #view=): Pannellum's inertia from their last drag or key is stopped
// first. After a move made at once (reduced motion, an edited address) it would
// carry the view on past the one asked for; an animated move holds it off only
// while it runs, and only on the axes it moves.

/** The parts of a view to turn to; a missing one stays as it is. */
export interface TurnTarget {
  yaw?: number;
  pitch?: number;
  hfov?: number;
}

/** Turns `viewer` to `to` over `ms` milliseconds (0: at once), then calls `done`. */
export function turnTo(viewer: Pannellum.Viewer, to: TurnTarget, ms: number, done?: () => void): void {
  viewer.stopMovement();
  viewer.lookAt(to.pitch, to.yaw, to.hfov, ms, done);
}
