// Headless Debian Chromium, driven by playwright-core, with WebGL through SwiftShader.
// The flags keep Chromium from calling hosts this machine cannot reach.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { serveStatic, type StaticServer } from "./static-server.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, WebGL through SwiftShader, and no calls to hosts this machine cannot reach (Lighthouse starts Chromium with them too). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
] as const;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
}

/**
 * What goes wrong on a page, as it happens: console errors, page errors, failed
 * requests and error responses (`problems`), and any request that leaves
 * 127.0.0.1 (`foreign`; data: and blob: URLs stay local).
 */
export function watchPage(page: Page): { problems: string[]; foreign: string[] } {
  const problems: string[] = [];
  const foreign: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && url.hostname !== "127.0.0.1") foreign.push(r.url());
  });
  return { problems, foreign };
}

/** A built site served on 127.0.0.1, and a headless Chromium to read it with. */
export interface BrowsedSite {
  server: StaticServer;
  browser: Browser;
}

export async function browseSite(dist: string): Promise<BrowsedSite> {
  const server = await serveStatic(dist);
  try {
    return { server, browser: await launchBrowser() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Closes the browser, the server and any other peer a test started, then removes its work folder. */
export async function closeSite(site: Partial<BrowsedSite>, work: string | undefined, ...peers: Array<{ close(): Promise<void> } | undefined>): Promise<void> {
  await site.browser?.close();
  await site.server?.close();
  for (const peer of peers) await peer?.close();
  if (work) await rm(work, { recursive: true, force: true });
}
