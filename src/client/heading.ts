// Compass directions. A picture's north offset (GPano PoseHeading, through
// process/gpano.ts) is the compass heading of its yaw 0; a view's heading is
// its yaw plus that offset. Between two pictures of the same place, the same
// heading means the same wall even when the camera was turned in between.
import { wrap360 } from "./view-link.ts";

/** The compass heading of a yaw in [0, 360), or undefined when the picture's north is unknown. */
export function headingOf(yaw: number, northOffset: number | undefined): number | undefined {
  return northOffset === undefined ? undefined : wrap360(yaw + northOffset);
}

/** The yaw that looks towards `heading` in a picture with this north offset, in (−180, 180]. */
export function yawForHeading(heading: number, northOffset: number): number {
  const yaw = wrap360(heading - northOffset);
  return yaw > 180 ? yaw - 360 : yaw;
}

/**
 * The yaw in picture B that looks where `yaw` looks in picture A: through both
 * north offsets when both are known, else the same yaw.
 */
export function carryYaw(yaw: number, fromNorthOffset: number | undefined, toNorthOffset: number | undefined): number {
  if (fromNorthOffset === undefined || toNorthOffset === undefined) return yaw;
  return yawForHeading(yaw + fromNorthOffset, toNorthOffset);
}

const POINTS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"];

/** "north-east (40°)": a heading in words, for the compass's accessible name. */
export function headingInWords(heading: number): string {
  const degrees = Math.round(wrap360(heading)) % 360;
  return `${POINTS[Math.round(degrees / 45) % 8]} (${degrees}°)`;
}
