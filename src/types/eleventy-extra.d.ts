// Two more members of Eleventy's API that the render uses in serve mode, merged into the
// project's declarations (src/types/eleventy.d.ts).
declare module "@11ty/eleventy" {
  interface UserConfig {
    /** false: templates are re-read on every build (Eleventy keeps a process-wide cache otherwise). */
    setUseTemplateCache(use: boolean): void;
  }
  interface Eleventy {
    /** Silences Eleventy's console output (its errors still reject write()). */
    disableLogger(): void;
  }
}
