/**
 * The backtest's HTML report in headless Chromium: the file opens from disk with no network,
 * the d3 charts are drawn (paths and circles with a real size), the oracle stays off the y scale
 * unless asked for, end labels do not overlap, the table has every model and fits an A4 page in
 * print, and hostile text in the data (a category named "</script><script>…") stays text. A
 * short replay of Vancouver property crime from the bundled fixture. Skipped, saying why, without
 * Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../cli/report-html.ts';
import { gunzipSync } from 'node:zlib';
import { backtest, ingestCsvText, parseLocalDateTime } from '../../engine/index.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM)
  console.warn(`report-html browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const EVIL = '</script><script>window.__pwned = 1</script><!--';
const TZ = 'America/Vancouver';
const at = (s: string): number => parseLocalDateTime(s, TZ);
/** A4 less the report's 12 mm print margins, in CSS pixels (96 per inch). */
const A4_CONTENT_PX = ((210 - 24) / 25.4) * 96;

describe.skipIf(!HAS_CHROMIUM)('backtest HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const errors: string[] = [];
  const text = gunzipSync(readFileSync('fixtures/vancouver/property_2023.csv.gz')).toString('utf8');
  // Nine shifts; naive-365 and naive-all rank alike on one year of data (their end labels start
  // at the same height), and the oracle catches 100% against the real models' 1-60%.
  const report = backtest({
    incidents: ingestCsvText(text, { file: 'property_2023.csv.gz', format: 'vancouver' }).incidents,
    res: 10,
    fromMs: at('2023-12-20T00:00'),
    toMs: at('2023-12-23T00:00'),
    tz: TZ,
    models: ['etas', 'naive-28', 'naive-365', 'naive-all', 'retro', 'random', 'oracle'],
    refitEveryDays: 7,
    bootstrapResamples: 100,
  });
  /** Highest hit rate (mean or interval end) of the models other than the oracle, over all areas. */
  let realTop = -Infinity;
  for (const name of report.modelNames) {
    if (name === 'oracle') continue;
    for (const ci of Object.values(report.models[name]!.ci.hitRate)) realTop = Math.max(realTop, ci.mean, ci.hi);
  }

  beforeAll(async () => {
    const d3 = readFileSync(join(dirname(createRequire(import.meta.url).resolve('d3')), 'd3.min.js'), 'utf8');
    const html = renderReportHtml(
      report,
      { title: `Backtest ${EVIL}`, files: [`a${EVIL}.csv`], categories: [EVIL, 'Theft'], command: `patrolcast backtest ${EVIL}` },
      d3,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'patrolcast-report-')), 'report.html');
    writeFileSync(file, html);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
      ],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForSelector('#chart-diff svg');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Size of the rendered boxes of the elements matching a selector. */
  const boxes = (selector: string): Promise<{ w: number; h: number }[]> =>
    page.$$eval(selector, (els) =>
      els.map((el) => {
        const r = (el as SVGGraphicsElement).getBoundingClientRect();
        return { w: r.width, h: r.height };
      }),
    );

  /** The highest tick of a chart's y axis, as a fraction. */
  const yTop = async (chart: string): Promise<number> => {
    const ticks = await page.$$eval(`${chart} .y-axis .tick text`, (els) => els.map((e) => e.textContent ?? ''));
    return ticks.reduce((top, t) => Math.max(top, Number(t.replace('%', '')) / 100), -Infinity);
  };

  /** The end labels of a chart, top to bottom, as rendered boxes. */
  const labels = (chart: string): Promise<{ top: number; bottom: number; text: string }[]> =>
    page.$$eval(`${chart} .series-label`, (els) =>
      els
        .map((el) => {
          const r = el.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, text: el.textContent ?? '' };
        })
        .sort((a, b) => a.top - b.top),
    );

  it('draws hit rate against area for every model but the oracle, whose value is a note off the scale', async () => {
    expect(realTop).toBeLessThan(0.7); // the real models are far below the oracle's 100%
    const lines = await boxes('#chart-area path.line');
    expect(lines).toHaveLength(report.modelNames.length - 1);
    for (const b of lines) expect(b.w).toBeGreaterThan(50);
    const dots = await boxes('#chart-area circle');
    expect(dots).toHaveLength((report.modelNames.length - 1) * report.flaggedKm2.length);
    for (const b of dots) expect(b.w).toBeGreaterThan(3);
    // The y axis fits the real models, not the oracle: its top is the real top rounded up a step.
    const top = await yTop('#chart-area');
    expect(top).toBeGreaterThanOrEqual(realTop);
    expect(top).toBeLessThanOrEqual(Math.min(1, realTop * 1.1) + 0.1);
    expect(await page.textContent('#chart-area .off-scale-note')).toBe(
      'oracle (the ceiling): 100.0%, off this scale (tick "show the oracle" to draw it)',
    );
  });

  it('places the end labels apart: no two overlap, every model named once, inside the chart', async () => {
    for (const [chart, count] of [
      ['#chart-area', report.modelNames.length - 1],
      ['#chart-time', report.modelNames.length - 1],
    ] as const) {
      const placed = await labels(chart);
      expect(placed.map((l) => l.text).sort()).toEqual(report.modelNames.filter((n) => n !== 'oracle').sort());
      expect(placed).toHaveLength(count);
      for (let i = 1; i < placed.length; i++) expect(placed[i]!.top).toBeGreaterThanOrEqual(placed[i - 1]!.bottom - 0.5);
      const svg = (await boxes(`${chart} svg`))[0]!;
      const svgTop = await page.$eval(`${chart} svg`, (el) => el.getBoundingClientRect().top);
      expect(placed[0]!.top).toBeGreaterThanOrEqual(svgTop);
      expect(placed[placed.length - 1]!.bottom).toBeLessThanOrEqual(svgTop + svg.h);
    }
    // naive-365 and naive-all end at the same hit rate: one of them was moved, with a leader line.
    expect(await page.locator('#chart-area line.label-leader').count()).toBeGreaterThan(0);
  });

  it('draws hit rate over time for every model but the oracle (the ceiling of the first chart)', async () => {
    const lines = await boxes('#chart-time path.line');
    expect(lines).toHaveLength(report.modelNames.length - 1);
    for (const b of lines) expect(b.w).toBeGreaterThan(100);
    expect(await yTop('#chart-time')).toBeLessThan(1);
  });

  it('draws the paired differences of the baselines (not the floor or ceiling) with intervals', async () => {
    const dots = await boxes('#chart-diff circle');
    const baselines = report.modelNames.filter((m) => !['etas', 'oracle', 'random'].includes(m)).length;
    expect(dots).toHaveLength(baselines * report.flaggedKm2.length);
    for (const b of dots) expect(b.w).toBeGreaterThan(3);
  });

  it('puts the verdict in plain words at the top, with its interval, and a table row per model', async () => {
    const verdict = (await page.textContent('#verdict'))!;
    expect(verdict).toMatch(
      /^With the top cells covering 1 km², etas caught \d+\.\d% .* the best baseline, (naive-28|naive-365|naive-all|retro|prospective), caught \d+\.\d%/,
    );
    expect(verdict).toMatch(/95% interval [+−]\d+\.\d\d to [+−]\d+\.\d\d points/);
    expect(await page.$$eval('table.summary tbody th', (r) => r.map((th) => th.textContent))).toEqual(report.modelNames);
  });

  it('with "show the oracle" ticked, draws the oracle too and lets it set the scale (100%)', async () => {
    await page.check('#show-oracle');
    expect(await boxes('#chart-area path.line')).toHaveLength(report.modelNames.length);
    expect(await boxes('#chart-time path.line')).toHaveLength(report.modelNames.length);
    expect(await yTop('#chart-area')).toBe(1);
    expect(await page.locator('#chart-area .off-scale-note').count()).toBe(0);
    await page.uncheck('#show-oracle');
    expect(await boxes('#chart-area path.line')).toHaveLength(report.modelNames.length - 1);
  });

  it('fits the table on an A4 page in print', async () => {
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: Math.floor(A4_CONTENT_PX), height: 1000 });
    const width = await page.$eval('table.summary', (t) => t.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(A4_CONTENT_PX);
    for (const b of await boxes('.chart svg')) expect(b.w).toBeLessThanOrEqual(A4_CONTENT_PX);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it('keeps hostile text as text: no script injection, the title reads literally', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.title()).toBe(`Backtest ${EVIL}`);
    expect(await page.textContent('.facts')).toContain(EVIL);
    // the same text went through the embedded JSON and came back intact
    expect(await page.getAttribute('#chart-area svg', 'aria-label')).toBe(`Backtest ${EVIL}: hit rate against area flagged`);
    expect(errors).toEqual([]);
  });

  it('makes no request outside file://', () => {
    expect(offsite).toEqual([]);
  });
});
