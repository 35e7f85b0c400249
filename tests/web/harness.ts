/**
 * Browser-test harness: builds the web app once with Vite (into a temp folder), serves it with
 * `vite preview` on a free localhost port, and launches Debian's Chromium through playwright-core.
 * Used by tests/web/app*.test.ts and tests/web/screenshots.ts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
export const NO_CHROMIUM_MESSAGE = `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, e.g. apt-get install -y chromium, or set CHROMIUM_PATH)`;

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Served {
  readonly url: string;
  readonly origin: string;
  readonly browser: Browser;
  /** The built app's folder (to open its index.html from disk). */
  readonly outDir: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Build the app into a fresh temp folder (the repository's vite.config.ts, root web/). */
export async function buildApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'patrolcast-web-'));
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    root: join(ROOT, 'web'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** Debian's Chromium, headless, through playwright-core (a fresh temporary profile each time), with `extraArgs` after the usual flags. Close it when done. */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  // playwright-core launches every browser with a fresh temporary profile (user-data-dir).
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-unsafe-swiftshader',
      ...extraArgs,
    ],
  });
}

/** Build, serve and launch Chromium. Call close() in afterAll. */
export async function startApp(): Promise<Served> {
  const outDir = await buildApp();
  const port = await freePort();
  const server: PreviewServer = await preview({
    configFile: join(ROOT, 'vite.config.ts'),
    root: join(ROOT, 'web'),
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  const browser = await launchBrowser();
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    browser,
    outDir,
    async close() {
      await browser.close();
      await new Promise<void>((done) => server.httpServer.close(() => done()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
