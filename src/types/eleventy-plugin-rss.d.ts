// @11ty/eleventy-plugin-rss ships no TypeScript types: the functions Rotunda's feed uses.
declare module "@11ty/eleventy-plugin-rss" {
  /** An RFC 3339 date (seconds precision, UTC), as Atom wants it. */
  export function dateToRfc3339(date: Date): string;
  /** The HTML with every URL made absolute against `base`. */
  export function convertHtmlToAbsoluteUrls(html: string, base: string, options?: Record<string, unknown>): Promise<string>;
}
