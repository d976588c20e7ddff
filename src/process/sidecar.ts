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
 * refuses any other language before parsing. The JSON schema keeps dates as the
 * author wrote them (with their offset), not as Date objects.
 */
const FRONT_MATTER = {
  engines: { yaml: (text: string) => (yaml.load(text, { schema: yaml.JSON_SCHEMA }) ?? {}) as object },
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

export function parseSidecar(text: string, file: string): Sidecar {
  let parsed: matter.GrayMatterFile<string>;
  try {
    const language = matter.language(text, FRONT_MATTER).name;
    if (language && !/^ya?ml$/i.test(language)) throw new Error(`front matter in "${language}" is not read: use YAML`);
    parsed = matter(text, FRONT_MATTER);
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
