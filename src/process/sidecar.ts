// Sidecars: `<picture>.md` beside a picture, YAML front matter for the title and
// friends, the body for the caption. Authored text only: a sidecar edit never
// re-makes images.
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

const sidecarSchema = z.strictObject({
  title: z.string().optional(),
  caption: z.string().optional(),
  /** Overrides the URL segment that comes from the file name. */
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and '-' only").optional(),
  /** Overrides the capture date read from the picture (ISO 8601, kept with its offset). */
  date: z.string().optional(),
  credit: z.string().optional(),
  license: z.string().optional(),
  /** Leave the picture out of the gallery. */
  draft: z.boolean().optional(),
});

export interface Sidecar {
  title?: string;
  caption?: string;
  slug?: string;
  date?: string;
  credit?: string;
  license?: string;
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
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const language = frontMatterLanguage(source);
  if (language && !/^ya?ml$/i.test(language)) throw new SidecarError(`${file}: front matter in "${language}" is not read: use YAML`);
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source, FRONT_MATTER);
  } catch (error) {
    throw new SidecarError(`${file}: front matter is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const result = sidecarSchema.safeParse(parsed.data);
  if (!result.success) {
    const why = result.error.issues
      .map((i) => (i.code === "unrecognized_keys" ? `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")} (known: ${Object.keys(sidecarSchema.shape).join(", ")})` : `${i.path.join(".")}: ${i.message}`))
      .join("; ");
    throw new SidecarError(`${file}: ${why}`);
  }
  const data = result.data;
  const body = parsed.content.trim();
  if (data.date !== undefined && Number.isNaN(Date.parse(data.date))) throw new SidecarError(`${file}: date "${data.date}" is not a date`);
  return { ...data, caption: data.caption ?? (body || undefined) };
}

export async function readSidecar(file: string): Promise<Sidecar> {
  return parseSidecar(await readFile(file, "utf8"), file);
}
