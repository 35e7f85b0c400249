/**
 * The site `patrolcast publish` writes, opened in Chromium from a tiny static server: the viewer
 * shows the chosen shift and district's boxes (as many as the manifest says), fetches nothing
 * outside the site's origin, and the time to the first boxes on the map is measured.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import type { Manifest } from '../../cli/publishSite.ts';
import { HAS_CHROMIUM, launchBrowser, NO_CHROMIUM_MESSAGE } from './harness.ts';

if (!HAS_CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

const ROOT = resolve(import.meta.dirname, '..', '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.txt': 'text/plain',
};

/** Serves `folder` on a free localhost port (GET only, no directory listing). */
async function serve(folder: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(folder, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describe.skipIf(!HAS_CHROMIUM)('the published site in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patrolcast-site-'));
  const site = join(dir, 'site');
  let manifest: Manifest;
  let browser: Browser;
  let served: { server: Server; origin: string };

  beforeAll(async () => {
    const files = ['property_2022.csv.gz', 'property_2023.csv.gz'].map((f) => join(ROOT, 'fixtures', 'vancouver', f));
    const ran = await runCli(['publish', ...files, '--from', '2023-12-15T22:00', '--shifts', '3', '--out', site]);
    expect(ran.code).toBe(0);
    manifest = JSON.parse(await readFile(join(site, 'manifest.json'), 'utf8')) as Manifest;
    served = await serve(site);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (served ? served.server.close(() => done()) : done()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the chosen shift and district with the manifest’s number of boxes, from its own origin only', async () => {
    const shift = manifest.shifts[1]!; // 2023-12-16 06:00 (day)
    const district = 'Mount Pleasant';
    expect(shift.startLocal).toBe('2023-12-16T06:00');
    const count = shift.boxes[district]!;
    expect(count).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const hash = new URLSearchParams({ shift: shift.id, district }).toString();
    await page.goto(`${served.origin}/#${hash}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    expect(await page.getAttribute('body', 'data-boxes')).toBe(String(count));
    expect(await page.inputValue('#shift')).toBe(shift.id);
    expect(await page.inputValue('#district')).toBe(district);
    expect(await page.locator('#list li').count()).toBe(count);
    expect(await page.locator('.rank').count()).toBe(count);
    const firstBoxesMs = await page.evaluate(() => (window as unknown as { firstBoxesMs: number }).firstBoxesMs);
    console.log(`published site: time to first boxes ${firstBoxesMs.toFixed(0)} ms (Chromium, software GL)`);
    expect(firstBoxesMs).toBeGreaterThan(0);
    expect(firstBoxesMs).toBeLessThan(20_000);

    // Another district from the list: its own count.
    const other = 'Kitsilano';
    await page.selectOption('#district', other);
    await page.waitForFunction(
      (n) => document.body.dataset.state === 'ready' && document.body.dataset.boxes === String(n),
      shift.boxes[other]!,
    );
    expect(await page.locator('#list li').count()).toBe(shift.boxes[other]!);

    expect(errors).toEqual([]);
    const outside = requests.filter((u) => !u.startsWith(`${served.origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(requests.some((u) => u.endsWith(`/${shift.file}`))).toBe(true);
    expect(requests.some((u) => u.endsWith('/basemap.geojson'))).toBe(true);
    await page.close();
  }, 120_000);
});
