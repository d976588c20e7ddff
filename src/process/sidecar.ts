// Sidecars: `<picture>.md` beside a picture, YAML front matter for the title and
// friends, the body for the caption; and `_album.md` in a folder, front matter for
// the album's title, cover, order and draft, the body for its description.
// Authored text only: an edit never re-makes images.
import { readFile } from "node:fs/promises";
import matter from "gray-matter";
import yaml from "js-yaml";
import { z } from "zod";

/**
 * Front matter is YAML and nothing else: gray-matter's default engines would
 * `eval` a `---js` block, and a sidecar can arrive from a camera, so parseSidecar
 * refuses any other language before parsing, and the engines for the languages
 * gray-matter knows refuse again should one ever get through. The JSON schema
 * keeps dates as the author wrote them (with their offset), not as Date objects.
 */
const refuse = (): never => {
  throw new Error("front matter that is not YAML is not read");
};
const FRONT_MATTER = {
  engines: {
    yaml: (text: string) => (yaml.load(text, { schema: yaml.JSON_SCHEMA }) ?? {}) as object,
    javascript: refuse,
    json: refuse,
    coffee: refuse,
  },
};

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and '-' only");
const text = (what: string) => z.string({ error: `must be text (${what})` }).trim().min(1, `must not be empty (${what})`);

/** A tour hotspot: where the target lies, in this picture's viewer yaw and pitch (degrees). */
const required = (what: string) => ({
  error: (issue: { code?: string; input: unknown }) => (issue.code !== "invalid_type" ? undefined : issue.input === undefined ? `is required (${what})` : `must be ${what}`),
});
const linkSchema = z.strictObject({
  to: z.string(required("a picture's slug")).regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and '-' only: a picture's slug"),
  yaw: z.number(required("a number of degrees")).min(-360).max(360),
  pitch: z.number(required("a number of degrees")).min(-90).max(90).default(0),
  label: z.string().trim().min(1).optional(),
});

const sidecarSchema = z.strictObject({
  title: z.string().optional(),
  caption: z.string().optional(),
  /** Overrides the URL segment that comes from the file name. */
  slug: slug.optional(),
  /** Overrides the capture date read from the picture (ISO 8601, kept with its offset). */
  date: z.string().optional(),
  credit: z.string().optional(),
  license: z.string().optional(),
  /** Leave the picture out of the gallery. */
  draft: z.boolean().optional(),
  /** Puts the picture on `/tags/<tag>/`. */
  tags: z.array(text("a tag"), { error: "must be a list, like tags: [kitchen, north wing]" }).optional(),
  /** The place it shows (`/places/<place>/`): shots of one place over time form its timeline. */
  place: text("a place's name").optional(),
  /** Tour hotspots to other pictures, by slug. */
  links: z.array(linkSchema, { error: "must be a list, like links: [{ to: hall, yaw: 90 }]" }).optional(),
});

export type SidecarLink = z.infer<typeof linkSchema>;

export interface Sidecar {
  title?: string;
  caption?: string;
  slug?: string;
  date?: string;
  credit?: string;
  license?: string;
  draft?: boolean;
  tags?: string[];
  place?: string;
  links?: SidecarLink[];
}

export const ALBUM_FILE = "_album.md";
export const ALBUM_ORDERS = ["date", "date-asc", "title", "name"] as const;

const albumSchema = z.strictObject({
  title: text("the album's title").optional(),
  /** The file name of a picture in the album's folder, shown on the album's card. */
  cover: text("a picture's file name").optional(),
  order: z.enum(ALBUM_ORDERS, { error: `use one of ${ALBUM_ORDERS.join(", ")}` }).optional(),
  /** Leave the album, its pictures and its sub-albums out of the gallery. */
  draft: z.boolean().optional(),
});

export interface AlbumFile {
  title?: string;
  description?: string;
  cover?: string;
  order?: (typeof ALBUM_ORDERS)[number];
  draft?: boolean;
}

export class SidecarError extends Error {
  override name = "SidecarError";
}

/**
 * Front matter is there when the first line is `---` (optionally followed by its
 * language), as gray-matter reads it; `----` opens a Markdown rule, not front matter.
 */
function frontMatterLanguage(text: string): string | undefined {
  if (!matter.test(text, FRONT_MATTER) || text.charAt(3) === "-") return undefined;
  return matter.language(text, FRONT_MATTER).name;
}

/**
 * A sidecar is YAML front matter and a body, or only a body: text without front
 * matter is the caption. A UTF-8 byte order mark (editors on Windows add one) is
 * not part of the text.
 */
export function parseSidecar(text: string, file: string): Sidecar {
  const { data: raw, body } = readFrontMatter(text, file);
  const data = checked(sidecarSchema, raw, file);
  if (data.date !== undefined && Number.isNaN(Date.parse(data.date))) throw new SidecarError(`${file}: date "${data.date}" is not a date`);
  const tags = data.tags && [...new Set(data.tags)];
  return { ...data, ...(tags ? { tags } : {}), caption: data.caption ?? (body || undefined) };
}

/** An `_album.md`: front matter for the album's settings, the body for its description. */
export function parseAlbumFile(text: string, file: string): AlbumFile {
  const { data: raw, body } = readFrontMatter(text, file);
  const data = checked(albumSchema, raw, file);
  if (data.cover !== undefined && /[\\/]/.test(data.cover)) throw new SidecarError(`${file}: cover: "${data.cover}" must be the file name of a picture in this folder, without a folder`);
  return { ...data, ...(body ? { description: body } : {}) };
}

/** Front matter (YAML only) and the body, trimmed; a byte order mark is not part of the text. */
function readFrontMatter(text: string, file: string): { data: unknown; body: string } {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const language = frontMatterLanguage(source);
  if (language && !/^ya?ml$/i.test(language)) throw new SidecarError(`${file}: front matter in "${language}" is not read: use YAML`);
  try {
    const parsed = matter(source, FRONT_MATTER);
    return { data: parsed.data, body: parsed.content.trim() };
  } catch (error) {
    throw new SidecarError(`${file}: front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The front matter checked against `schema`: one message naming the file and each key at fault (`links[0].to`). */
function checked<S extends z.ZodObject>(schema: S, data: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const why = result.error.issues
    .map((i) => {
      if (i.code === "unrecognized_keys") {
        const where = keyPath(i.path);
        const known = i.path.length === 0 ? ` (known: ${Object.keys(schema.shape).join(", ")})` : "";
        return `${where ? `${where}: ` : ""}unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}${known}`;
      }
      return `${keyPath(i.path)}: ${i.message}`;
    })
    .join("; ");
  throw new SidecarError(`${file}: ${why}`);
}

/** `["links", 0, "to"]` → `links[0].to`. */
function keyPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

export async function readSidecar(file: string): Promise<Sidecar> {
  return parseSidecar(await readFile(file, "utf8"), file);
}

export async function readAlbumFile(file: string): Promise<AlbumFile> {
  return parseAlbumFile(await readFile(file, "utf8"), file);
}
