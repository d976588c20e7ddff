// Metadata of an original: every tag as plain JSON, with the publishing rules
// applied (no serial numbers ever, no GPS unless asked, no local paths), the
// GPano block for the viewer, and the few tags worth a table on the page.
import type { ExifTool, Tags } from "exiftool-vendored";
import type { GpsPoint, MetadataEntry } from "../manifest.ts";
import type { GPano } from "./gpano.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type MetadataJson = Record<string, JsonValue>;

export interface PublishRules {
  publishGps: boolean;
}

/** Tags that describe this machine's copy of the file, not the picture. */
const LOCAL_TAGS = new Set([
  "SourceFile", "Directory", "FileName", "FileSize", "FilePermissions", "FileModifyDate", "FileAccessDate",
  "FileInodeChangeDate", "ExifToolVersion", "errors", "warnings", "XMPToolkit",
]);

/** Tags that identify the camera body or its owner. */
const IDENTIFYING = /serial|^(OwnerName|CameraOwnerName|Artist|ImageUniqueID|DocumentID|OriginalDocumentID|InstanceID)$/i;

/**
 * Where the picture was taken: GPS, IPTC/XMP place names, and the time zone that
 * exiftool-vendored infers from GPS (`tz`, `zone`, `tzSource`).
 */
const LOCATION = /^GPS|^(tz|zone|tzSource|City|Sublocation|State|Province-State|Country|CountryCode|Country-PrimaryLocationName|Country-PrimaryLocationCode|Location|LocationCreated|LocationShown|LocationName|LocationInformation)$/i;

export function isPublishable(tag: string, rules: PublishRules): boolean {
  if (LOCAL_TAGS.has(tag) || IDENTIFYING.test(tag)) return false;
  if (!rules.publishGps && LOCATION.test(tag)) return false;
  return true;
}

/**
 * Library objects (ExifDateTime, BinaryField, …) to plain JSON; dates as ISO 8601
 * with their offset. With `rules`, nested keys obey them too (a structure such as
 * LocationCreated[].GPSLatitude must not carry what the top level may not).
 */
export function toJsonValue(value: unknown, rules?: PublishRules): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, rules)).filter((v): v is JsonValue => v !== undefined);
  if (typeof value === "object") {
    const object = value as { toISOString?: () => string | undefined; rawValue?: string; _ctor?: string };
    const name = value.constructor?.name;
    if (name === "BinaryField") return undefined; // embedded thumbnails and blobs are not metadata
    if (typeof object.toISOString === "function" && name !== "Object") return object.toISOString() ?? object.rawValue ?? undefined;
    if (name === "ExifTime" || name === "ExifDate") return String(value);
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      if (rules && !isPublishable(k, rules)) continue;
      const j = toJsonValue(v, rules);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  return undefined;
}

export interface PictureMetadata {
  /** Published tags (rules applied), sorted by name. */
  published: MetadataJson;
  gpano: GPano;
  /** Capture time as ISO 8601, with offset when known. */
  captureDate?: string;
  /** Where it was taken, whatever the publishing rules say (the manifest keeps it; pages show it only with publishGps). */
  gps?: GpsPoint;
}

const GPANO_FIELDS = [
  "ProjectionType", "FullPanoWidthPixels", "FullPanoHeightPixels", "CroppedAreaImageWidthPixels",
  "CroppedAreaImageHeightPixels", "CroppedAreaLeftPixels", "CroppedAreaTopPixels", "PoseHeadingDegrees",
  "PosePitchDegrees", "PoseRollDegrees", "InitialViewHeadingDegrees", "InitialViewPitchDegrees",
  "InitialHorizontalFOVDegrees",
] as const;

function gpanoOf(tags: Record<string, unknown>): GPano {
  const gpano: Record<string, unknown> = {};
  for (const field of GPANO_FIELDS) {
    const v = tags[field];
    if (field === "ProjectionType") {
      if (typeof v === "string") gpano[field] = v;
    } else {
      const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
      if (Number.isFinite(n)) gpano[field] = n;
    }
  }
  return gpano as GPano;
}

/** The picture's position from its GPS tags (signed decimal degrees, as exiftool-vendored reads them). */
export function gpsOf(tags: Record<string, unknown>): GpsPoint | undefined {
  const lat = Number(tags.GPSLatitude);
  const lng = Number(tags.GPSLongitude);
  if (typeof tags.GPSLatitude !== "number" && typeof tags.GPSLatitude !== "string") return undefined;
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) return undefined;
  // 0,0 is what some cameras write when they have no fix.
  if (lat === 0 && lng === 0) return undefined;
  return { lat, lng };
}

/**
 * Reads only the position, for outputs that do not carry theirs (taken from the
 * shared store, or made before positions were recorded): null when the picture
 * has none or cannot be read.
 */
export async function readGps(exiftool: ExifTool, file: string): Promise<GpsPoint | null> {
  return exiftool.read(file).then((tags) => gpsOf(tags as Record<string, unknown>) ?? null, () => null);
}

function captureDateOf(tags: Tags): string | undefined {
  for (const key of ["SubSecDateTimeOriginal", "DateTimeOriginal", "CreateDate", "DateCreated", "GPSDateTime"] as const) {
    const v = toJsonValue(tags[key as keyof Tags]);
    if (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v)) return v;
  }
  return undefined;
}

export async function readMetadata(exiftool: ExifTool, file: string, rules: PublishRules): Promise<PictureMetadata> {
  const tags = await exiftool.read(file);
  const published: MetadataJson = {};
  for (const key of Object.keys(tags).sort()) {
    if (!isPublishable(key, rules)) continue;
    const value = toJsonValue((tags as Record<string, unknown>)[key], rules);
    if (value !== undefined) published[key] = value;
  }
  let captureDate = captureDateOf(tags);
  // A time zone exiftool-vendored worked out from GPS says where the picture was
  // taken: without publishGps, dates keep their wall-clock time and lose that offset.
  if (!rules.publishGps && /gps/i.test(String((tags as Record<string, unknown>).tzSource ?? ""))) {
    const dropZone = (v: string) => v.replace(/^(\d{4}-\d\d-\d\dT[\d:.]+)(Z|[+-]\d\d:\d\d)$/, "$1");
    captureDate = captureDate && dropZone(captureDate);
    for (const [k, v] of Object.entries(published)) if (typeof v === "string") published[k] = dropZone(v);
  }
  const gps = gpsOf(tags as Record<string, unknown>);
  return { published, gpano: gpanoOf(tags as Record<string, unknown>), ...(captureDate ? { captureDate } : {}), ...(gps ? { gps } : {}) };
}

const text = (v: JsonValue | undefined) => (v === undefined || v === null ? undefined : String(v));

/** The tags a reader cares about, in display order, from already-published tags only. */
export function metadataTable(published: MetadataJson, size: { width: number; height: number }): MetadataEntry[] {
  const rows: MetadataEntry[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value && value.trim()) rows.push({ label, value: value.trim() });
  };
  const make = text(published.Make);
  const model = text(published.Model);
  add("Camera", model && make && model.toLowerCase().startsWith(make.toLowerCase()) ? model : [make, model].filter(Boolean).join(" "));
  const exposure = [
    text(published.ExposureTime) && `${published.ExposureTime} s`,
    published.FNumber !== undefined && `f/${published.FNumber}`,
    published.ISO !== undefined && `ISO ${published.ISO}`,
  ].filter(Boolean);
  add("Exposure", exposure.join(", "));
  add("Size", `${size.width} × ${size.height} px`);
  add("Projection", text(published.ProjectionType));
  if (typeof published.PoseHeadingDegrees === "number") add("Heading", `${published.PoseHeadingDegrees}°`);
  if (typeof published.GPSLatitude === "number" && typeof published.GPSLongitude === "number") {
    add("Location", `${published.GPSLatitude.toFixed(5)}, ${published.GPSLongitude.toFixed(5)}`);
  }
  add("Software", text(published.Software));
  add("Stitching", text(published.StitchingSoftware));
  return rows;
}
