// Nunjucks templates compiled once per template rather than once per page.
//
// Eleventy 3.1 hands Nunjucks a new Template for every page it renders, so a
// paginated template (a panorama page, a listing) is parsed and compiled again
// for each of its pages: for a gallery of thousands of pictures that is most of
// the render. The compiled form depends only on the template's text, its path
// and the environment it is compiled in (filters, tags, options), so it is kept
// per environment (Eleventy makes one per build) and reused; a Template that
// finds its compiled form takes it, exactly as Nunjucks does for templates it
// loads from files itself.
import nunjucks from "nunjucks";

type CompiledProps = Record<string, unknown>;

interface NunjucksTemplate {
  env: object;
  path?: string;
  tmplStr?: string;
  tmplProps?: CompiledProps;
  blocks?: Record<string, unknown>;
  rootRenderFunc?: unknown;
  _compile(): void;
}

const compiled = new WeakMap<object, Map<string, CompiledProps>>();
const PATCHED = Symbol.for("rotunda.nunjucksCompileCache");

/** Installs the cache (once per process); a Nunjucks that does not look as expected is left alone. */
export function cacheNunjucksCompiles(): void {
  const proto = (nunjucks.Template as unknown as { prototype: NunjucksTemplate & { [PATCHED]?: true } }).prototype;
  if (proto[PATCHED] || typeof proto._compile !== "function") return;
  const compile = proto._compile;
  proto._compile = function (this: NunjucksTemplate) {
    if (this.tmplProps || typeof this.tmplStr !== "string" || !this.env) return compile.call(this);
    let byText = compiled.get(this.env);
    if (!byText) compiled.set(this.env, (byText = new Map()));
    const key = `${this.path ?? ""}\0${this.tmplStr}`;
    const known = byText.get(key);
    if (known) {
      this.tmplProps = known;
      return compile.call(this);
    }
    compile.call(this);
    if (typeof this.rootRenderFunc !== "function" || !this.blocks) return;
    const props: CompiledProps = { root: this.rootRenderFunc };
    for (const [name, block] of Object.entries(this.blocks)) props[`b_${name}`] = block;
    byText.set(key, props);
  };
  proto[PATCHED] = true;
}
