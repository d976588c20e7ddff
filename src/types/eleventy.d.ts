// Eleventy 3 ships no TypeScript types: the small part of its API Rotunda uses.
declare module "@11ty/eleventy" {
  export interface EleventyDirectories {
    input: string;
    includes: string;
    data: string;
    output: string;
    /** Set only when a site names a layouts folder apart from its includes. */
    layouts?: string;
  }
  export interface UserConfig {
    directories: EleventyDirectories;
    addPlugin<O>(plugin: (config: UserConfig, options?: O) => void | Promise<void>, options?: O): void;
    addGlobalData(name: string, data: unknown): void;
    addFilter(name: string, filter: (...args: any[]) => unknown): void;
    getFilter(name: string): (...args: any[]) => unknown;
    addShortcode(name: string, shortcode: (...args: any[]) => unknown): void;
    /** A template that exists only in the configuration; `path` is relative to the input folder. */
    addTemplate(path: string, content: string, data?: Record<string, unknown>): void;
    /** The template engine for a language, replacing Eleventy's (Eleventy still adds its filters and shortcodes). */
    setLibrary(engine: string, library: unknown): void;
    /** false: the working folder's .gitignore does not hide input files. */
    setUseGitIgnore(use: boolean): void;
    /** Globs of input files Eleventy does not read, relative to the working folder. */
    ignores: Set<string>;
    addWatchTarget(target: string): void;
    setNunjucksEnvironmentOptions(options: Record<string, unknown>): void;
    setTemplateFormats(formats: string[]): void;
    setIncludesDirectory(dir: string): void;
    setServerOptions(options: Record<string, unknown>): void;
    setWatchThrottleWaitTime(ms: number): void;
    setQuietMode(quiet: boolean): void;
    on(event: string, callback: (...args: any[]) => unknown): void;
  }
  export interface EleventyOptions {
    /** false: no config file, only the `config` callback. */
    configPath?: string | false;
    quietMode?: boolean;
    runMode?: "build" | "serve" | "watch";
    config?: (config: UserConfig) => void;
  }
  export class Eleventy {
    constructor(input?: string, output?: string, options?: EleventyOptions);
    write(): Promise<unknown>;
    watch(): Promise<unknown>;
    serve(port?: number): Promise<unknown>;
    stopWatch(): Promise<void>;
    setIsVerbose(verbose: boolean): void;
  }
  export default Eleventy;
}
