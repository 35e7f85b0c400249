/**
 * Browser tests of the web app: a production build served by `vite preview` on localhost and
 * driven in Debian's headless Chromium (playwright-core). One page walks through the app in
 * order (load → sergeant view → print → exports → fit → cancel → hostile file), recording every
 * network request on the way; the last test checks they all went to the page's own origin.
 * Skipped, with a message saying why, when there is no Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { FeatureCollection, Polygon } from 'geojson';
import { getResolution } from 'h3-js';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCsvText } from '../../engine/index.ts';
import { runCli } from '../support/cli.ts';
import { HAS_CHROMIUM, NO_CHROMIUM_MESSAGE, type Served, startApp } from './harness.ts';

if (!HAS_CHROMIUM) console.warn(NO_CHROMIUM_MESSAGE);

// The two bundled fixture files have 29,353 + 31,485 data rows (zcat | tail -n +2 | wc -l),
// every one a located, timed property crime.
const BUNDLED_INCIDENTS = 60_838;

/** Reads map-canvas pixels at the centres of the numbered boxes and at the canvas corners. */
async function boxPixels(
  page: Page,
  mapId: string,
): Promise<{ boxes: number[][]; corners: number[][]; reddish: number; bluish: number; total: number }> {
  return page.evaluate((id) => {
    const container = document.getElementById(id)!;
    const source = container.querySelector('canvas')!;
    const canvas = document.createElement('canvas');
    canvas.width = source.width;
    canvas.height = source.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(source, 0, 0);
    const rect = source.getBoundingClientRect();
    const scale = source.width / rect.width;
    const pixel = (x: number, y: number): number[] => [...context.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data];
    // Markers sit with their bottom-left corner 3 px right of and 3 px above the box centre.
    const boxes = [...container.querySelectorAll<HTMLElement>('.box-marker')].map((marker) => {
      const r = marker.getBoundingClientRect();
      return pixel(r.left - 3 - rect.left, r.bottom + 3 - rect.top);
    });
    const corners = [pixel(5, 5), pixel(rect.width - 5, rect.height - 5)];
    const all = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let reddish = 0;
    let bluish = 0; // the patrol route's dark blue (#08306b); nothing else on the sergeant's map is blue
    for (let i = 0; i < all.length; i += 4) {
      if (all[i]! - all[i + 1]! > 60) reddish++;
      if (all[i + 2]! - all[i]! > 50) bluish++;
    }
    return { boxes, corners, reddish, bluish, total: all.length / 4 };
  }, mapId);
}

/** Box fills are reds (rank palette); background, districts and outlines are greys. */
const isReddish = ([r, g]: number[]): boolean => r! - g! > 60;

/**
 * The RGB images embedded in a PDF written by Chromium (Flate-compressed, 8 bits, 3 channels,
 * no predictor): enough to look at the printed map's pixels.
 */
function pdfImages(pdf: Buffer): { width: number; height: number; rgb: Buffer }[] {
  const text = pdf.toString('latin1');
  const out: { width: number; height: number; rgb: Buffer }[] = [];
  const dictionary = /<<([^>]*?\/Subtype\s*\/Image[^>]*?)>>\s*stream\r?\n/g;
  for (let match = dictionary.exec(text); match; match = dictionary.exec(text)) {
    const dict = match[1]!;
    const width = Number(/\/Width\s+(\d+)/.exec(dict)?.[1]);
    const height = Number(/\/Height\s+(\d+)/.exec(dict)?.[1]);
    const length = Number(/\/Length\s+(\d+)/.exec(dict)?.[1]);
    if (!/\/FlateDecode/.test(dict) || /DecodeParms/.test(dict) || !/\/BitsPerComponent\s+8/.test(dict)) continue;
    const start = match.index + match[0].length;
    const rgb = inflateSync(pdf.subarray(start, start + length));
    if (rgb.length === width * height * 3) out.push({ width, height, rgb });
  }
  return out;
}

function countReddish(rgb: Uint8Array | Uint8ClampedArray, channels = 3): number {
  let count = 0;
  for (let i = 0; i < rgb.length; i += channels) if (rgb[i]! - rgb[i + 1]! > 60) count++;
  return count;
}

async function boxList(page: Page): Promise<string[]> {
  return page.$$eval('#sg-boxes li', (items) =>
    items.map((li) => `${li.getAttribute('data-h3')} ${li.querySelector('.expected')?.textContent}`),
  );
}

type Boxes = FeatureCollection<Polygon, Record<string, unknown>>;

/** The shift map's boxes as its Export GeoJSON button saves them (the features the map draws). */
async function exportedBoxes(page: Page): Promise<Boxes> {
  const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#sg-export-geojson')]);
  return JSON.parse(readFileSync((await saved.path())!, 'utf8')) as Boxes;
}

/** The CLI's boxes of one district for the bundled data (both files), without its shift properties. */
async function cliBoxes(dir: string, at: string, placement: string, district: string): Promise<Boxes['features']> {
  const out = join(dir, `${placement}.geojson`);
  const files = ['fixtures/vancouver/property_2022.csv.gz', 'fixtures/vancouver/property_2023.csv.gz'];
  const r = await runCli(['forecast', ...files, '--at', at, '--placement', placement, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const all = JSON.parse(readFileSync(out, 'utf8')) as Boxes;
  return all.features
    .filter((f) => f.properties['district'] === district)
    .map(({ properties: { shift: _s, shiftStart: _t, shiftHours: _h, ...properties }, ...feature }) => ({ ...feature, properties }));
}

/**
 * Where two JSON values differ, numbers compared to 1e-12 relative: the page's engine runs in
 * Chromium's V8, whose Math.exp and Math.pow may round the last bit differently from Node's (in
 * Node the web app's worker code and the CLI agree to the bit: tests/service/web-cli.test.ts).
 */
function differences(actual: unknown, expected: unknown, path = ''): string[] {
  if (typeof actual === 'number' && typeof expected === 'number') {
    const close = Math.abs(actual - expected) <= 1e-12 * Math.max(Math.abs(actual), Math.abs(expected));
    return close ? [] : [`${path}: ${actual} against ${expected}`];
  }
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) {
    return actual === expected ? [] : [`${path}: ${JSON.stringify(actual)} against ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return [`${path}: array against object`];
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  return [...keys].flatMap((key) => differences(a[key], e[key], `${path}/${key}`));
}

/** Chooses the analyst's "Boxes" setting, comes back to the shift map and waits for it to be redrawn. */
async function choosePlacement(page: Page, placement: 'fine' | 'grid'): Promise<void> {
  await page.evaluate(() => {
    location.hash = '#analyst';
    delete document.body.dataset['sergeantReady'];
  });
  await page.waitForSelector('#view-analyst:not([hidden])');
  await page.selectOption('#an-placement', placement);
  await page.evaluate(() => (location.hash = '#sergeant'));
  await page.waitForFunction((p) => document.body.dataset['sergeantReady'] && document.body.dataset['placement'] === p, placement, {
    timeout: 60_000,
  });
}

async function chooseShift(page: Page, date: string, start: string): Promise<void> {
  await page.fill('#sg-date', date);
  await page.dispatchEvent('#sg-date', 'change');
  await page.selectOption('#sg-shift', start);
  await page.waitForFunction((label) => document.body.dataset['sergeantReady']?.startsWith(label), `${date} ${start}`, { timeout: 60_000 });
}

/** The text of each page of a PDF (pdfjs), with all white space taken out; also checks each page is A4 landscape. */
async function pdfPageTexts(pdf: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const p = await doc.getPage(n);
    expect(p.view.map(Math.round)).toEqual([0, 0, 842, 595]); // A4 landscape in points
    const content = await p.getTextContent();
    pages.push(compact(content.items.map((item) => ('str' in item ? item.str : '')).join('')));
  }
  await doc.destroy();
  return pages;
}

const compact = (text: string): string => text.replace(/\s+/g, '');

interface PrintedSheet {
  readonly pdf: Buffer;
  readonly pages: string[];
  readonly text: string;
}

/** Presses Print (the browser's dialog replaced by a flag) and makes the PDF Chromium would print. */
async function printedSheet(page: Page): Promise<PrintedSheet> {
  await page.evaluate(() => {
    delete document.body.dataset['printed'];
    window.print = () => (document.body.dataset['printed'] = 'yes');
  });
  await page.click('#sg-print');
  await page.waitForSelector('body[data-printed]', { timeout: 30_000 });
  // page.pdf() uses the emulated media: print, whatever an earlier step emulated.
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true });
  await page.emulateMedia({ media: null });
  const pages = await pdfPageTexts(pdf);
  return { pdf, pages, text: pages.join('') };
}

/**
 * The PDF holds every box of the screen's list as a row (its number, then its place), every
 * number also as a map label of its own, each ranking warning shown on screen ahead of its
 * district's rows, the patrol orders and the fit's fingerprint. Returns the count of boxes.
 */
async function checkSheet(page: Page, sheet: PrintedSheet, warningsAtLeast: number): Promise<number> {
  const listed = await page.$$eval('#sg-boxes li', (items) =>
    items.map((li) => ({ rank: li.querySelector('.rank')!.textContent!, place: li.querySelector('.place')!.textContent! })),
  );
  expect(listed.length).toBeGreaterThan(0);
  for (const { rank, place } of listed) expect(sheet.text, `box ${rank}, ${place}`).toContain(compact(`${rank} ${place}`));
  // The map's labels: one per box, each its own text ("7"), as are the table's numbers.
  const labels = await page.$$eval('.pr-label', (spans) => spans.map((span) => span.textContent));
  expect(labels).toEqual(listed.map((box) => box.rank));
  const warnings = await page.$$eval('#sg-quiet span', (spans) => spans.map((span) => span.textContent!.replace(/^Warning: |\. $/g, '')));
  expect(warnings.length).toBeGreaterThanOrEqual(warningsAtLeast);
  for (const warning of warnings) {
    const district = warning.slice(0, warning.indexOf(': '));
    const at = sheet.text.indexOf(compact(`Warning: ${warning}`));
    expect(at, warning).toBeGreaterThanOrEqual(0);
    // At the top of its district's section: after its heading (every district shown), before its first row.
    const section = `.pr-district[data-district="${district}"]`;
    expect(await page.textContent(`${section} .pr-warning`)).toBe(`Warning: ${warning}`);
    const firstRow = sheet.text.indexOf(compact((await page.textContent(`${section} tbody tr`))!));
    expect(firstRow).toBeGreaterThan(at);
    if (await page.locator(`${section} h2`).count()) {
      const heading = sheet.text.indexOf(compact((await page.textContent(`${section} h2`))!));
      expect(heading).toBeGreaterThanOrEqual(0);
      expect(heading).toBeLessThan(at);
    }
  }
  for (const order of await page.$$eval('#sg-route .route', (spans) => spans.map((span) => span.textContent!))) {
    expect(sheet.text).toContain(compact(order.replace(/\. $/, '')).replace(/^.*?:(?=1→)/, ''));
  }
  const fingerprint = /fingerprint (\S+?)[,.] /.exec((await page.textContent('#pr-audit'))!)![1]!;
  expect(fingerprint).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
  expect(sheet.pages.at(-1)).toContain(`fingerprint${fingerprint}`);
  return listed.length;
}

/** The computed font size in points (12 CSS px = 9 pt) of the first element matching each print-sheet selector. */
async function fontSizesPt(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const selector of ['.print-table td', '.print-table th', '.pr-label', '.pr-route', '#pr-made', '#pr-audit']) {
      // Rounded to 0.01 pt: 7 pt is 9.333… px.
      out[selector] = Math.round((parseFloat(getComputedStyle(document.querySelector(selector)!).fontSize) * 72 * 100) / 96) / 100;
    }
    return out;
  });
}

/** Chooses `value` in a select of the shift map and waits for the boxes to be redrawn. */
async function chooseAndWait(page: Page, select: string, value: string): Promise<void> {
  await page.evaluate(() => delete document.body.dataset['sergeantReady']);
  await page.selectOption(select, value);
  await page.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
}

const chooseDistrict = (page: Page, district: string): Promise<void> => chooseAndWait(page, '#sg-district', district);

describe.skipIf(!HAS_CHROMIUM)('web app in Chromium', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    served = await startApp();
    context = await served.browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    // Context-level: also sees requests made by the page's workers.
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(served.url);
  });

  afterAll(async () => {
    await served?.close();
  });

  it('loads the bundled Vancouver data in the worker and says what it is', async () => {
    await page.waitForSelector('body[data-loaded]', { timeout: 60_000 });
    expect(await page.getAttribute('body', 'data-loaded')).toBe(String(BUNDLED_INCIDENTS));
    expect(await page.textContent('#dataset-status')).toContain('2022-01-01 to 2023-12-31');
    // The default shift is the night after the last incident (2023-12-31), said on screen.
    expect(await page.inputValue('#sg-date')).toBe('2024-01-01');
    expect(await page.inputValue('#sg-shift')).toBe('22:00');
    expect(await page.textContent('#sg-note')).toContain('The data ends on 2023-12-31');
  });

  it('sergeant view draws the numbered boxes into the map canvas', async () => {
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
    expect(await page.getAttribute('body', 'data-sergeant-ready')).toBe('2024-01-01 22:00 (night)');
    const items = await boxList(page);
    expect(items).toHaveLength(20);
    expect(await page.$$eval('#sg-map .box-marker', (m) => m.map((x) => x.textContent))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    const pixels = await boxPixels(page, 'sg-map');
    expect(pixels.boxes).toHaveLength(20);
    // Every box centre is painted in a box colour; the canvas corners are background.
    expect(pixels.boxes.filter(isReddish)).toHaveLength(20);
    expect(pixels.corners.some(isReddish)).toBe(false);
    expect(pixels.reddish).toBeGreaterThan(20 * 30);
    // "Why this box" (issue 12): box 1's reason in counts, in words; the model's breakdown (the
    // engine's explanation) folded one click away.
    const why = await page.$eval('#sg-boxes li .why', (span) => ({
      reason: span.firstChild?.textContent ?? '',
      summary: span.querySelector('details > summary')?.textContent,
      open: span.querySelector('details')!.open,
      model: span.querySelector('details')!.textContent ?? '',
    }));
    expect(why.reason).toMatch(
      /^\d+ [a-z][a-z0-9 ,():/-]* here in the past year[^;]*, (\d+|none) of them on (a )?night shifts?[^;]*; (\d+|none) in the last 14 days, the latest \d+ (minutes?|hours?|days) ago$/,
    );
    expect(why).toMatchObject({ summary: 'Model breakdown', open: false });
    expect(why.model).toMatch(/background|triggered/);
    await page.click('#sg-boxes li .why summary');
    expect(await page.$eval('#sg-boxes li .why details', (d) => (d as HTMLDetailsElement).open)).toBe(true);
    // Each box's place (issue 12): a hundred block with its share, or the district and centre;
    // the marker's title names it too.
    const places = await page.$$eval('#sg-boxes li .place', (spans) => spans.map((x) => x.textContent ?? ''));
    expect(places).toHaveLength(20);
    for (const place of places) expect(place).toMatch(/^[0-9A-Z].* \(\d+%\)$|, near \d+\.\d{5}, -\d+\.\d{5}$/);
    expect(places.filter((place) => /^\d+X+ /.test(place)).length).toBeGreaterThan(10);
    expect(await page.getAttribute('#sg-map .box-marker', 'title')).toContain(places[0]!);
    // The patrol order under the list: every box once, from box 1, with its legs; drawn as the route layer.
    const order = (await page.textContent('#sg-route'))!;
    const m = /: (1(?: → \d+ \([\d.]+ k?m\))+); [\d.]+ k?m in all/.exec(order);
    expect(m, order).not.toBeNull();
    const ranks = m![1]!.split(' → ').map((stop) => Number(/^\d+/.exec(stop)![0]));
    expect([...ranks].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(pixels.bluish).toBeGreaterThan(200);
  });

  it('tonight (the default date) the etas model gives the day and the night shift different boxes', async () => {
    // After the data ends the near-repeat part has decayed; what separates the shifts is the
    // etas model's shift-of-day profile of each box's background (the plain 2015 model has none).
    expect(await page.getAttribute('body', 'data-sergeant-ready')).toBe('2024-01-01 22:00 (night)');
    const cells = async (): Promise<string[]> => (await boxList(page)).map((item) => item.split(' ')[0]!);
    const night = await cells();
    expect(await page.textContent('#sg-model')).toMatch(/Model etas \(beyond 2015\): recency half-life 180 d; profile 3 shift types/);
    await chooseShift(page, '2024-01-01', '06:00');
    const day = await cells();
    expect(day).toHaveLength(20);
    expect(night).toHaveLength(20);
    // Not just a reordering: some boxes of the night are not boxes of the day.
    expect(day.filter((cell) => !night.includes(cell)).length).toBeGreaterThan(0);
    expect(await page.textContent('#sg-model')).toContain('Day shift, 2024-01-01 06:00–14:00');
  });

  it('changing the shift recomputes the boxes', async () => {
    // A shift inside the data: the shift profile and recent incidents make the boxes differ
    // between the night and the following morning.
    await chooseShift(page, '2023-07-15', '22:00');
    const night = await boxList(page);
    const nightPixels = await boxPixels(page, 'sg-map');
    await chooseShift(page, '2023-07-15', '06:00');
    const morning = await boxList(page);
    expect(morning).toHaveLength(20);
    expect(morning).not.toEqual(night);
    expect(await page.textContent('#sg-model')).toContain('Day shift, 2023-07-15 06:00–14:00');
    const morningPixels = await boxPixels(page, 'sg-map');
    expect(morningPixels.boxes.filter(isReddish)).toHaveLength(20);
    expect(morningPixels.reddish).not.toBe(nightPixels.reddish);
  });

  it('the shift map: the note follows the shift, the legend matches the boxes, a box click opens its detail', async () => {
    await chooseShift(page, '2023-07-15', '22:00');
    expect(await page.textContent('#sg-note')).toContain(
      'Replaying the night shift of 2023-07-15: the model sees only the incidents known before 2023-07-15 22:00',
    );
    // 20 boxes: five colour steps, none for ranks the map cannot show.
    expect(await page.$$eval('#sg-legend > span', (spans) => spans.map((s) => s.textContent!.trim()))).toEqual([
      '1–3',
      '4–6',
      '7–10',
      '11–15',
      '16–20',
    ]);
    // Box 7's number opens its detail on the map and marks its row in the list.
    await page.click('#sg-map .box-marker:text-is("7")');
    const popup = page.locator('.maplibregl-popup .box-popup');
    await popup.waitFor();
    const row = page.locator('#sg-boxes li[data-rank="7"]');
    expect(await popup.locator('strong').textContent()).toBe('Box 7');
    expect(await popup.locator('.place').textContent()).toBe(await row.locator('.place').textContent());
    expect(await row.getAttribute('class')).toContain('selected');
    // A click on a box's hexagon (away from its number) opens that box: the point of the canvas at
    // the centre of the first box whose centre no number covers.
    const target = await page.evaluate(() => {
      for (const marker of document.querySelectorAll<HTMLElement>('#sg-map .box-marker')) {
        const r = marker.getBoundingClientRect();
        const x = r.left - 3;
        const y = r.bottom + 3; // the marker's anchor: 3 px right of and above the box centre
        if (document.elementFromPoint(x, y)?.tagName === 'CANVAS') return { x, y, rank: marker.textContent };
      }
      return null;
    });
    expect(target).not.toBeNull();
    await page.mouse.click(target!.x, target!.y);
    await page.waitForFunction((rank) => document.querySelector('.box-popup')?.getAttribute('data-rank') === rank, target!.rank);
    expect(await page.locator('#sg-boxes li.selected').getAttribute('data-rank')).toBe(target!.rank);
    // The next shift closes the popup and says so in its note.
    await chooseShift(page, '2024-01-01', '06:00');
    expect(await page.locator('.maplibregl-popup').count()).toBe(0);
    expect(await page.textContent('#sg-note')).toContain(
      'the forecast for the day shift of 2024-01-01, the first day after the last recorded incident',
    );
  });

  it('the shift map on a tablet: one column, no sideways scroll, the map refitted to its new size', async () => {
    const markersInside = (): Promise<boolean> =>
      page.evaluate(() => {
        const map = document.getElementById('sg-map')!.getBoundingClientRect();
        return [...document.querySelectorAll('#sg-map .box-marker')].every((m) => {
          const r = m.getBoundingClientRect();
          return r.left >= map.left - 20 && r.right <= map.right + 20 && r.top >= map.top - 20 && r.bottom <= map.bottom + 20;
        });
      });
    const canvasWidth = (): Promise<number> => page.$eval('#sg-map canvas', (c) => c.getBoundingClientRect().width);
    const wide = await canvasWidth();
    try {
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.waitForFunction((w) => Math.abs(document.querySelector('#sg-map canvas')!.getBoundingClientRect().width - w) > 50, wide);
      await page.waitForTimeout(300);
      expect(await markersInside()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      const list = await page.locator('#sg-boxes').boundingBox();
      const map = await page.locator('#sg-map').boundingBox();
      // The list under the map, not beside it.
      expect(list!.y, JSON.stringify([list, map])).toBeGreaterThan(map!.y + map!.height / 2);
      expect(list!.x, JSON.stringify([list, map])).toBeLessThan(map!.x + map!.width / 2);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
    await page.waitForFunction((w) => Math.abs(document.querySelector('#sg-map canvas')!.getBoundingClientRect().width - w) < 2, wide);
    await page.waitForTimeout(300);
    expect(await markersInside()).toBe(true);
  });

  it('a quiet district is warned of; boxes shared by need give busy districts more and quiet ones fewer', async () => {
    await chooseShift(page, '2024-01-01', '22:00');
    await chooseAndWait(page, '#sg-district', 'Musqueam');
    expect(await page.isVisible('#sg-quiet')).toBe(true);
    expect(await page.textContent('#sg-quiet')).toMatch(
      /^Warning: Musqueam: every box expects fewer than 0\.05 crimes this shift .*not a confident ranking/,
    );
    expect(await page.locator('#sg-boxes li').count()).toBe(20);
    await chooseAndWait(page, '#sg-allocation', 'need');
    const quiet = await page.locator('#sg-boxes li').count();
    expect(quiet).toBeLessThan(20);
    // The same total as 20 in every district, shared by expected crime.
    const shared = /; (\d+) of (\d+) shared by need across (\d+) districts$/.exec((await page.textContent('#sg-list-title'))!);
    expect(shared).not.toBeNull();
    expect(Number(shared![1])).toBe(quiet);
    expect(Number(shared![2])).toBe(20 * Number(shared![3]));
    await chooseAndWait(page, '#sg-district', 'Central Business District');
    const busy = await page.locator('#sg-boxes li').count();
    expect(busy).toBeGreaterThan(20);
    expect(await page.textContent('#sg-list-title')).toContain(`${busy} of ${shared![2]} shared by need`);
    expect(await page.isVisible('#sg-quiet')).toBe(false);
    await chooseAndWait(page, '#sg-allocation', 'each');
    expect(await page.locator('#sg-boxes li').count()).toBe(20);
  });

  it('opened from disk, the built page says why it cannot start instead of "Loading…" for ever', async () => {
    expect(await page.locator('#no-start').count()).toBe(0); // served: the script removed the hint
    // Its own context: the file:// requests are not the served page's.
    const fileContext = await served.browser.newContext();
    const local = await fileContext.newPage();
    try {
      await local.goto(`file://${join(served.outDir, 'index.html')}`);
      await local.waitForSelector('#no-start', { state: 'visible', timeout: 15_000 });
      expect(await local.textContent('#no-start')).toContain('file://');
    } finally {
      await fileContext.close();
    }
  });

  it('prints the briefing sheet: every box with its number and place whatever the map shows, the order, the warnings, the audit', async () => {
    await chooseShift(page, '2024-01-01', '22:00');
    // Zoom the screen map onto box 5, as a sergeant looking at one box would: boxes leave the view.
    await page.click('#sg-boxes li:nth-child(5) button.rank');
    await page.waitForFunction(
      () => {
        const map = document.querySelector('#sg-map canvas')!.getBoundingClientRect();
        const box = document.querySelectorAll('#sg-map .box-marker')[4]!.getBoundingClientRect();
        // The marker's bottom-left corner sits 3 px right of and 3 px above the box centre.
        return Math.abs(box.left - 3 - (map.left + map.width / 2)) < 1 && Math.abs(box.bottom + 3 - (map.top + map.height / 2)) < 1;
      },
      undefined,
      { timeout: 10_000 },
    );
    const markersOnScreen = (): Promise<{ x: number; y: number; inside: boolean }[]> =>
      page.$$eval('#sg-map .box-marker', (markers) => {
        const map = document.querySelector('#sg-map canvas')!.getBoundingClientRect();
        return markers.map((marker) => {
          const r = marker.getBoundingClientRect();
          return { x: r.left, y: r.bottom, inside: r.left < map.right && r.right > map.left && r.top < map.bottom && r.bottom > map.top };
        });
      });
    const zoomed = await markersOnScreen();
    expect(zoomed.filter((m) => !m.inside).length).toBeGreaterThan(0);
    const one = await printedSheet(page);
    // The screen keeps the user's view.
    expect(await markersOnScreen()).toEqual(zoomed);
    await checkSheet(page, one, 0);
    expect(one.pages.length).toBeLessThanOrEqual(3); // the map and the first rows on page 1, the rest beside no map after it
    // The PDF embeds the map as an image; decoded, its pixels show the red boxes.
    const map = pdfImages(one.pdf).find((image) => image.width >= 400 && image.height >= 250);
    expect(countReddish(map!.rgb)).toBeGreaterThan(20 * 30);

    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.isVisible('#sg-map')).toBe(false);
      expect((await page.locator('#pr-map').boundingBox())!.width).toBeGreaterThan(400);
      expect(await page.textContent('#pr-shift')).toContain('Night shift, 2024-01-01 22:00–06:00');
      expect(await page.textContent('.print-table thead')).toBe('BoxPlaceExpected crimesReason');
      // Every label sits on its box: the printed image is red (a box fill) just left of and below the label's corner.
      const anchors = await page.evaluate(() => {
        const image = document.getElementById('pr-map') as HTMLImageElement;
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        return [...document.querySelectorAll<HTMLElement>('.pr-label')].map((label) => {
          const x = parseFloat(label.style.left) / 100;
          const y = parseFloat(label.style.top) / 100;
          return { x, y, rgb: [...context.getImageData(Math.round(x * canvas.width), Math.round(y * canvas.height), 1, 1).data] };
        });
      });
      expect(anchors).toHaveLength(20);
      for (const { x, y } of anchors) for (const f of [x, y]) expect(f >= 0 && f <= 1, `${x}, ${y}`).toBe(true);
      expect(anchors.filter((a) => isReddish(a.rgb))).toHaveLength(20);
      const pt = await fontSizesPt(page);
      // 9 pt = 12 CSS px: the table, the map's numbers, the order and the plain foot; the audit line 7 pt.
      for (const selector of ['.print-table td', '.print-table th', '.pr-label', '.pr-route', '#pr-made']) {
        expect(pt[selector], selector).toBeGreaterThanOrEqual(9);
      }
      expect(pt['#pr-audit']).toBeGreaterThanOrEqual(7);
      expect(await page.textContent('#pr-made')).toMatch(
        /^Made \d{4}-\d\d-\d\d \d\d:\d\d .* by patrolcast from 60,838 incidents recorded 2022-01-01 to 2023-12-31 in the data set “Vancouver/,
      );
      // Which crime types the boxes were trained on, and that they do not rotate (issue 15).
      expect(await page.textContent('#pr-made')).toContain(
        'crime types: Vancouver property crime (the 7 GeoDASH property types); no rotation of boxes between shifts.',
      );
      // The model, its ingredients and its parameters.
      expect(await page.textContent('#pr-audit')).toMatch(
        /Model etas version 2 \(recency half-life 180 d; profile 3 shift types, κ=10, β=0\.1, towards the district; triggering same cell, mean delay ≥ 1 h; adaptive: ingredients chosen on the last 56 days before each fit\): θ = [\d.]+, ω = [\d.]+ per hour \(mean delay [\d.]+ h\), shift profile 06:00\/14:00\/22:00, background in \d+ boxes, H3 resolution 10/,
      );
    } finally {
      await page.emulateMedia({ media: null });
    }

    // Every district: one page of map, then the districts' boxes over several pages.
    await chooseDistrict(page, '');
    const all = await printedSheet(page);
    const boxes = await checkSheet(page, all, 2);
    expect(boxes).toBeGreaterThan(400);
    expect(await page.locator('.pr-label').count()).toBe(boxes);
    expect(all.pages.length).toBeGreaterThan(10);
    // The table header is repeated on every page after the map's.
    for (const [i, text] of all.pages.entries()) if (i > 0) expect(text, `page ${i + 1}`).toContain('BoxPlaceExpectedcrimesReason');
    await chooseDistrict(page, 'Central Business District');
  }, 120_000);

  it('exports the boxes as valid GeoJSON and as CSV with the same boxes', async () => {
    const [geoDownload] = await Promise.all([page.waitForEvent('download'), page.click('#sg-export-geojson')]);
    const geojson = JSON.parse(readFileSync((await geoDownload.path())!, 'utf8'));
    expect(geoDownload.suggestedFilename()).toBe('patrol-boxes_2024-01-01_2200_Central-Business-District.geojson');
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.features).toHaveLength(20);
    for (const feature of geojson.features) {
      expect(feature.type).toBe('Feature');
      expect(feature.geometry.type).toBe('Polygon');
      for (const ring of feature.geometry.coordinates) {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[ring.length - 1]).toEqual(ring[0]);
        for (const [lng, lat] of ring) {
          expect(lng).toBeGreaterThan(-123.3);
          expect(lng).toBeLessThan(-123.0);
          expect(lat).toBeGreaterThan(49.19);
          expect(lat).toBeLessThan(49.32);
        }
      }
    }
    expect(geojson.features.map((f: { properties: { rank: number } }) => f.properties.rank)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#sg-export-csv')]);
    const rows = parse(readFileSync((await csvDownload.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['h3'])).toEqual(geojson.features.map((f: { properties: { h3: string } }) => f.properties.h3));
  });

  it("the Boxes setting: 7-cell outlines centred on hot spots, or single res-10 hexagons of the fixed grid, each the CLI's boxes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patrolcast-web-placement-'));
    try {
      const district = 'Central Business District';
      expect(await page.getAttribute('body', 'data-sergeant-ready')).toBe('2024-01-01 22:00 (night)');
      expect(await page.inputValue('#sg-district')).toBe(district);
      // The map fitted to the district's boxes (the print test left it zoomed on one box, as the user had it).
      await chooseDistrict(page, 'Kitsilano');
      await chooseDistrict(page, district);
      // The default: placed boxes, each the outline of seven res-11 cells (18 corners, the ring closed).
      expect(await page.inputValue('#an-placement')).toBe('fine');
      expect(await page.getAttribute('body', 'data-placement')).toBe('fine');
      expect(await page.textContent('#sg-list-title')).toBe(`20 patrol boxes, ${district}, centred on hot spots`);
      const fine = await exportedBoxes(page);
      const finePixels = await boxPixels(page, 'sg-map');
      const fineFoot = (await page.textContent('#pr-foot'))!;
      expect(fineFoot).toContain('H3 resolution 10, boxes centred on hot spots (each the area of one resolution-10 cell');
      expect(fine.features).toHaveLength(20);
      for (const { geometry, properties } of fine.features) {
        expect(properties['placement']).toBe('fine');
        expect(getResolution(properties['h3'] as string)).toBe(11);
        expect((properties['cells'] as string[]).map(getResolution)).toEqual([11, 11, 11, 11, 11, 11, 11]);
        expect(geometry.coordinates).toHaveLength(1);
        expect(geometry.coordinates[0]).toHaveLength(19);
      }
      expect(differences(fine.features, await cliBoxes(dir, '2024-01-01T22:00', 'fine', district))).toEqual([]);

      // Fixed grid: the same shift's boxes are single res-10 hexagons (6 corners), from the same fit.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seenProgress: string[] }).seenProgress = seen;
        new MutationObserver(() => seen.push(document.getElementById('busy-text')!.textContent ?? '')).observe(
          document.getElementById('busy-text')!,
          { childList: true, characterData: true, subtree: true },
        );
      });
      await choosePlacement(page, 'grid');
      const seen = await page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);
      expect(seen).toContain('Forecasting the shift');
      expect(seen.filter((text) => /Fitting|EM iteration/.test(text))).toEqual([]);
      const fingerprint = (foot: string): string => /fingerprint (\S+)/.exec(foot)![1]!;
      const gridFoot = (await page.textContent('#pr-foot'))!;
      expect(fingerprint(gridFoot)).toBe(fingerprint(fineFoot));
      expect(gridFoot).toContain('H3 resolution 10, boxes on the fixed grid (resolution-10 cells)');
      expect(await page.getAttribute('body', 'data-sergeant-ready')).toBe('2024-01-01 22:00 (night)');
      expect(await page.textContent('#sg-list-title')).toBe(`20 patrol boxes, ${district}, on the fixed grid`);
      const grid = await exportedBoxes(page);
      expect(grid.features).toHaveLength(20);
      for (const { geometry, properties } of grid.features) {
        expect(properties['placement']).toBe('grid');
        expect(getResolution(properties['h3'] as string)).toBe(10);
        expect(properties['cells']).toBeUndefined();
        expect(geometry.coordinates[0]).toHaveLength(7);
      }
      expect(differences(grid.features, await cliBoxes(dir, '2024-01-01T22:00', 'grid', district))).toEqual([]);
      // The map drew the other boxes: every numbered box is still red at its centre, but the red area moved.
      const gridPixels = await boxPixels(page, 'sg-map');
      expect(gridPixels.boxes.filter(isReddish)).toHaveLength(20);
      expect(gridPixels.reddish).not.toBe(finePixels.reddish);
      // The CSV follows too: the grid boxes' centre cells.
      const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#sg-export-csv')]);
      const rows = parse(readFileSync((await csv.path())!, 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => r['h3'])).toEqual(grid.features.map((f) => f.properties['h3']));

      // Remembered in this browser: a reload keeps the fixed grid.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset['sergeantReady'] && document.body.dataset['placement'] === 'grid', undefined, {
        timeout: 60_000,
      });
      expect(await page.inputValue('#an-placement')).toBe('grid');
      expect((await exportedBoxes(page)).features).toEqual(grid.features);

      // And back: the very boxes and pixels of the first drawing.
      await choosePlacement(page, 'fine');
      expect((await exportedBoxes(page)).features).toEqual(fine.features);
      expect((await boxPixels(page, 'sg-map')).reddish).toBe(finePixels.reddish);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('is usable with the keyboard: tab to a view link and open it with Enter', async () => {
    await page.focus('#tab-sergeant');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-analyst');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-sergeant');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-analyst:not([hidden])');
    expect(await page.isVisible('#view-sergeant')).toBe(false);
  });

  it('fits the model in the worker: progress by EM iteration, then the fit drawn', async () => {
    await page.goto(`${served.url}#analyst`);
    await page.fill('#an-train-days', '200');
    // Record what the busy bar says while the fit runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenProgress: string[] }).seenProgress = seen;
      new MutationObserver(() => seen.push(document.getElementById('busy-text')!.textContent ?? '')).observe(
        document.getElementById('busy-text')!,
        { childList: true, characterData: true, subtree: true },
      );
    });
    const before = Number((await page.getAttribute('body', 'data-fit-done')) ?? -1);
    await page.click('#an-fit');
    await page.waitForFunction(
      (b) => Number(document.body.dataset['fitDone'] ?? -1) !== b && document.getElementById('busy')!.hidden,
      before,
      {
        timeout: 60_000,
      },
    );
    const seen = await page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);
    const iterations = new Set(seen.filter((s) => /EM iteration \d+/.test(s)));
    expect(iterations.size).toBeGreaterThan(3);
    const iterationsDone = Number(await page.getAttribute('body', 'data-fit-done'));
    expect(iterationsDone).toBeGreaterThan(0);
    // The default model is etas: its ingredients, then its parameters in words.
    expect(await page.textContent('#an-words')).toMatch(/^Model etas \(beyond 2015\): recency half-life 180 d; .*mean delay/);
    // ... and the adaptive default's choice with its reason, as the CLI prints it.
    expect(await page.textContent('#an-words')).toMatch(/ Adaptive: forecasts with .+: .+\.$/);
    expect(await page.textContent('#an-facts')).toContain('Profile bins06:00, 14:00, 22:00');
    expect(await page.locator('#an-ll-chart path.series').count()).toBe(1);
    expect(await page.locator('#an-decay-chart path.series').count()).toBe(1);
    expect(await page.textContent('#an-facts')).toContain('Triggered share');
    // The background-rate map has drawn blue cells.
    await page.waitForSelector('body[data-background-drawn]', { timeout: 30_000 });
    const blue = await page.evaluate(() => {
      const source = document.querySelector('#an-map canvas') as HTMLCanvasElement;
      const canvas = document.createElement('canvas');
      canvas.width = source.width;
      canvas.height = source.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(source, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 2]! - data[i]! > 40) count++;
      return count;
    });
    expect(blue).toBeGreaterThan(1000);
  });

  it('the model selector fits the plain 2015 model too, with its charts and background map', async () => {
    await page.selectOption('#an-model', 'etas-2015');
    expect(await page.isEnabled('#an-theta-fixed')).toBe(true);
    await page.evaluate(() => {
      delete document.body.dataset['fitDone'];
      delete document.body.dataset['backgroundDrawn'];
    });
    await page.click('#an-fit');
    await page.waitForFunction(() => document.body.dataset['fitDone'] !== undefined && document.getElementById('busy')!.hidden, undefined, {
      timeout: 60_000,
    });
    expect(await page.textContent('#an-words')).toMatch(
      /^Each crime raises the chance of another in the same box, decaying with a mean delay of /,
    );
    expect(await page.textContent('#an-facts')).toContain('Modeletas-2015 (Mohler et al. 2015)');
    expect(await page.textContent('#an-facts')).not.toContain('Profile bins');
    expect(await page.locator('#an-ll-chart path.series').count()).toBe(1);
    expect(await page.locator('#an-decay-chart path.series').count()).toBe(1);
    await page.waitForSelector('body[data-background-drawn]', { timeout: 30_000 });
    const saved = await Promise.all([page.waitForEvent('download'), page.click('#an-save-fit')]);
    const savedFit = JSON.parse(readFileSync((await saved[0].path())!, 'utf8'));
    // One fit kind for both models; this one carries the etas-2015 preset's ingredients.
    expect([savedFit.kind, savedFit.version, savedFit.config.recency, savedFit.config.profile]).toEqual([
      'patrolcast-etas-fit',
      2,
      null,
      null,
    ]);
    await page.selectOption('#an-model', 'etas');
    expect(await page.isEnabled('#an-theta-fixed')).toBe(false);
  });

  it('cancel stops a fit, restarts the worker with the same data, and the page keeps working', async () => {
    await page.fill('#an-train-days', '700');
    await page.fill('#an-theta-max', '0.5');
    await page.click('#an-fit');
    await page.waitForSelector('#busy:not([hidden])');
    await page.click('#busy-cancel');
    await page.waitForSelector('#busy', { state: 'hidden' });
    expect(await page.isVisible('#error-banner')).toBe(false);
    // The restarted worker has the data again: a new forecast works.
    await page.goto(`${served.url}#sergeant`);
    await chooseShift(page, '2024-01-01', '14:00');
    expect(await boxList(page)).toHaveLength(20);
  });

  it('runs a backtest in the worker with progress, draws every model, saves and reopens report.json', async () => {
    await page.goto(`${served.url}#evaluation`);
    await page.fill('#ev-from', '2023-12-20');
    await page.fill('#ev-to', '2023-12-24');
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenProgress: string[] }).seenProgress = seen;
      new MutationObserver(() => seen.push(document.getElementById('busy-text')!.textContent ?? '')).observe(
        document.getElementById('busy-text')!,
        { childList: true, characterData: true, subtree: true },
      );
    });
    // With the feedback-loop stress test (p = 0.5, resting places after 1 day): four replays of the 12 shifts after the backtest.
    await page.fill('#ev-discovery-p', '0.5');
    await page.fill('#ev-rotate-after', '1');
    await page.click('#ev-run');
    await page.waitForSelector('body[data-report-ready="12"]', { timeout: 60_000 }); // 4 days × 3 shifts
    const seen = await page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);
    expect(seen.some((text) => /shift \d+ of 12/.test(text))).toBe(true);
    expect(seen.some((text) => /replayed shift \d+ of 48/.test(text))).toBe(true);
    const models = await page.$$eval('#ev-models input:checked', (inputs) => inputs.length);
    expect(models).toBe(7); // etas, etas-2015, naive-28, naive-365, naive-all, random, oracle
    // The oracle (about 100%) is off the y scale, written as a note, until "show the oracle".
    expect(await page.locator('#ev-area-chart path.series').count()).toBe(models - 1);
    expect(await page.locator('#ev-time-chart path.series').count()).toBe(models - 1);
    expect(await page.textContent('#ev-area-chart .off-scale-note')).toMatch(/^oracle \(ceiling\): .*\(off this scale\)$/);
    // End labels: every drawn model named once, no two overlapping.
    const labels = await page.$$eval('#ev-area-chart .series-label', (els) =>
      els.map((e) => e.getBoundingClientRect()).map((r) => [r.top, r.bottom] as const),
    );
    expect(labels).toHaveLength(models - 1);
    labels.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < labels.length; i++) expect(labels[i]![0]).toBeGreaterThanOrEqual(labels[i - 1]![1] - 0.5);
    await page.check('#ev-show-oracle');
    expect(await page.locator('#ev-area-chart path.series').count()).toBe(models);
    expect(await page.locator('#ev-time-chart path.series').count()).toBe(models);
    await page.uncheck('#ev-show-oracle');
    // Every model's row is in the table and none is hidden behind a scroll.
    expect(await page.locator('#ev-table tbody tr').count()).toBe(models);
    expect(await page.$eval('#ev-table', (t) => getComputedStyle(t.parentElement!).maxHeight)).toBe('none');
    expect(await page.$eval('#ev-table', (t) => t.parentElement!.scrollHeight <= t.parentElement!.clientHeight)).toBe(true);
    const words = (await page.textContent('#ev-words'))!;
    expect(words).toMatch(/^12 shifts, [\d,]+ crimes scored\. With the top cells covering 1 km², etas caught [\d.]+%/);
    expect(words).toMatch(/95% interval [+−]\d+\.\d\d to [+−]\d+\.\d\d points/);

    // The stress test: two weekly charts of one line per replay, the whole-period table, the verdict.
    const replays = ['p = 0', 'p = 0.5', 'p = 0, rotate after 1 d', 'p = 0.5, rotate after 1 d'];
    expect(await page.isVisible('#ev-discovery')).toBe(true);
    for (const chart of ['#ev-discovery-places', '#ev-discovery-hits'])
      expect(await page.$$eval(`${chart} path.series`, (paths) => paths.map((p) => p.getAttribute('data-series')))).toEqual(replays);
    expect(await page.$$eval('#ev-discovery-table tbody th', (ths) => ths.map((th) => th.textContent))).toEqual(replays);
    const verdict = (await page.textContent('#ev-discovery-words'))!;
    expect(verdict).toMatch(
      /^With the boxes finding 0\.5 extra incidents per expected real one, they .* resting a place after 1 day in the same shift, [\d,]+ places were flagged/,
    );

    const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#ev-save')]);
    const savedPath = (await saved.path())!;
    const savedJson = JSON.parse(readFileSync(savedPath, 'utf8'));
    expect(savedJson.shifts).toBe(12);
    expect(savedJson.discovery.runs).toHaveLength(4);
    const table = await page.textContent('#ev-table');
    const discoveryTable = await page.textContent('#ev-discovery-table');
    await page.evaluate(() => {
      delete document.body.dataset['reportReady'];
      document.getElementById('ev-table')!.replaceChildren();
      document.getElementById('ev-discovery-table')!.replaceChildren();
      document.getElementById('ev-discovery-places')!.replaceChildren();
    });
    await page.setInputFiles('#ev-open', savedPath);
    await page.waitForSelector('body[data-report-ready="12"]');
    expect(await page.textContent('#ev-table')).toBe(table);
    expect(await page.textContent('#ev-words')).toBe(words);
    // report.json's discovery block is drawn again
    expect(await page.textContent('#ev-discovery-table')).toBe(discoveryTable);
    expect(await page.textContent('#ev-discovery-words')).toBe(verdict);
    expect(await page.locator('#ev-discovery-places path.series').count()).toBe(4);
    await page.fill('#ev-discovery-p', '');
    await page.fill('#ev-rotate-after', '');
  });

  it('shows one shift of the replay: predicted boxes and the crimes that happened, hits marked', async () => {
    await page.fill('#ev-shift-date', '2023-12-22');
    await page.selectOption('#ev-shift-start', '14:00');
    await page.selectOption('#ev-shift-district', 'Central Business District');
    await page.click('#ev-shift-show');
    await page.waitForSelector('body[data-shift-ready]', { timeout: 60_000 });
    const words = (await page.textContent('#ev-shift-words'))!;
    const match =
      /^2023-12-22 14:00 \(evening\): (\d+) crimes of the chosen types happened in Central Business District; (\d+) of them/.exec(words);
    expect(match).not.toBeNull();
    const [happened, hits] = [Number(match![1]), Number(match![2])];
    expect(happened).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(happened);
    expect(Number(await page.getAttribute('body', 'data-shift-ready'))).toBe(happened);
    expect(await page.locator('#ev-map .box-marker').count()).toBe(20);
  });

  it('shows text from a hostile file as text: nothing in it runs', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const lines = ['id,datetime,lat,lon,category'];
    // Each day of 1-20 May a crime at 08:15 and a repeat at 20:15 at the same place: a
    // near-repeat the model fits (θ > 0, a mean delay of about 12 h) when trained on all history,
    // so the night after the data ends some boxes name these incidents (and their category).
    for (let i = 0; i < 40; i++) {
      const k = Math.floor(i / 2);
      const day = String(1 + k).padStart(2, '0');
      lines.push(
        `h${i},2023-05-${day}T${i % 2 === 0 ? '08' : '20'}:15:00-07:00,${49.28 + (k % 4) * 0.001},${-123.12 + (k % 3) * 0.001},${hostile}`,
      );
    }
    lines.push(`bad1,2023-05-02T10:00:00-07:00,<b>49.2</b>,-123.1,${hostile}`);
    await page.goto(`${served.url}#analyst`);
    await page.fill('#an-tz', 'America/Vancouver');
    await page.setInputFiles('#an-file', { name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await page.waitForFunction(() => document.getElementById('dataset-status')!.textContent!.startsWith('hostile.csv'), undefined, {
      timeout: 30_000,
    });
    expect(await page.textContent('#an-category-list')).toContain(`${hostile}: 40`);
    expect(await page.textContent('#an-rejected')).toContain('<b>49.2</b>');
    // The sergeant view recomputes on the new data; its explanations name the category as text.
    await page.goto(`${served.url}#sergeant`);
    await page.waitForFunction(() => document.body.dataset['sergeantReady']?.startsWith('2023-05-21'), undefined, { timeout: 30_000 });
    expect(await page.textContent('#sg-boxes')).toContain(hostile);
    expect(await page.locator('img[src="x"], #an-category-list img, #sg-boxes img, #an-rejected b').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests.filter((url) => url.endsWith('/x'))).toEqual([]);
  });

  it("lists a file's rejected rows readably: line, reason, field, value, as the engine found them", async () => {
    const file = 'fixtures/bad/plain_rejections.csv';
    const expected = ingestCsvText(readFileSync(file, 'utf8'), { file: 'plain_rejections.csv', tz: 'America/Vancouver' });
    await page.goto(`${served.url}#analyst`);
    await page.fill('#an-tz', 'America/Vancouver');
    // 10 of its 15 rows are rejected: refused, with the counts, unless the analyst allows it.
    await page.setInputFiles('#an-file', file);
    await page.waitForSelector('#error-banner:not([hidden])');
    expect(await page.textContent('#error-banner')).toContain(`plain_rejections.csv: ${expected.rejected.length} of 15 rows rejected`);
    expect(await page.textContent('#error-banner')).toContain('Load even if most rows are rejected');
    await page.check('#an-allow-rejected');
    await page.setInputFiles('#an-file', []);
    await page.setInputFiles('#an-file', file);
    await page.waitForFunction(() => document.getElementById('dataset-status')!.textContent!.startsWith('plain_rejections.csv'));
    expect(await page.textContent('#an-summary')).toContain(`plain_rejections.csv: ${expected.rejected.length} of 15 rows rejected`);
    await page.uncheck('#an-allow-rejected');
    const rows = await page.$$eval('#an-rejected tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows.length).toBeGreaterThan(3);
    expect(rows).toEqual(
      expected.rejected.map((r) => [r.source.file, String(r.source.line), r.reason.replaceAll('_', ' '), r.field ?? '', r.value ?? '']),
    );
    expect(await page.textContent('#an-rejected-title')).toBe(`Rejected rows: ${expected.rejected.length}`);
  });

  it('a file that is not incident data gives one readable error and keeps the loaded data', async () => {
    const before = await page.textContent('#dataset-status');
    await page.setInputFiles('#an-file', 'fixtures/bad/not_incidents.csv');
    await page.waitForSelector('#error-banner:not([hidden])');
    expect(await page.textContent('#error-banner')).toMatch(/^not_incidents\.csv: .*datetime/);
    // A coded engine error (IngestError E_UNKNOWN_FORMAT) arrives as bad input: the message as it is.
    expect(await page.getAttribute('#error-banner', 'data-kind')).toBe('input');
    expect(await page.textContent('#dataset-status')).toBe(before);
  });

  it('Kent (data.police.uk): victim-reported types by default, every box placed "On or near ..." in the list and on the printed sheet', async () => {
    await page.goto(`${served.url}#analyst`);
    await page.setInputFiles('#an-file', 'fixtures/kent/ashford_2014.csv.gz');
    await page.waitForFunction(() => document.getElementById('dataset-status')!.textContent!.startsWith('ashford_2014'), undefined, {
      timeout: 60_000,
    });
    // The four police-discovered types are left out unless the analyst takes them back.
    expect(await page.textContent('#an-summary')).toContain(
      'Trained on victim-reported crime: left out 4 police-discovered types (Anti-social behaviour 1,709, Drugs 173, Public order 146, Possession of weapons 22)',
    );
    expect(await page.inputValue('#an-preset')).toBe('victim-reported');
    await page.evaluate(() => delete document.body.dataset['sergeantReady']);
    await page.goto(`${served.url}#sergeant`);
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
    expect(await page.inputValue('#sg-preset')).toBe('victim-reported');
    const places = await page.$$eval('#sg-boxes li .place', (spans) => spans.map((x) => x.textContent ?? ''));
    expect(places.length).toBeGreaterThan(0);
    for (const place of places) expect(place).toMatch(/^On or near .+ \(\d+%\)/);
    const sheet = await printedSheet(page);
    expect(await checkSheet(page, sheet, 0)).toBe(places.length);
    expect(sheet.text).toContain(
      compact('crime types: Victim-reported crime (all but Anti-social behaviour, Drugs, Public order, Possession of weapons)'),
    );
  });

  it('every request the page made went to its own origin', () => {
    expect(requests.length).toBeGreaterThan(5);
    // The worker's fetches of the bundled data are among them (the recorder sees workers).
    expect(requests.some((url) => /property_2023.*\.gz$/.test(url))).toBe(true);
    const foreign = requests.filter((url) => !url.startsWith(`${served.origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
