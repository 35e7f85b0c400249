/**
 * The backtest's HTML report in headless Chromium: the file opens from disk with no network,
 * the d3 charts are drawn (paths and circles with a real size), and hostile text in the data
 * (a category named "</script><script>…") stays text. Skipped, saying why, without Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../cli/report-html.ts';
import { backtest } from '../../engine/evaluate/backtest.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { syntheticIncidents, VAN } from '../evaluate/synthetic.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM)
  console.warn(`report-html browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);

const EVIL = '</script><script>window.__pwned = 1</script><!--';
const at = (s: string): number => parseLocalDateTime(s, VAN);

describe.skipIf(!HAS_CHROMIUM)('backtest HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const errors: string[] = [];
  const report = backtest({
    incidents: syntheticIncidents(3, 2000, at('2023-05-01'), at('2023-07-05')),
    res: 10,
    fromMs: at('2023-07-01'),
    toMs: at('2023-07-04'),
    tz: VAN,
    bootstrapResamples: 100,
  });

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

  it('draws hit rate against area: one line per model and a dot per model and area', async () => {
    const lines = await boxes('#chart-area path.line');
    expect(lines).toHaveLength(report.modelNames.length);
    for (const b of lines) expect(b.w).toBeGreaterThan(50);
    const dots = await boxes('#chart-area circle');
    expect(dots).toHaveLength(report.modelNames.length * report.flaggedKm2.length);
    for (const b of dots) expect(b.w).toBeGreaterThan(3);
  });

  it('draws hit rate over time for every model but the oracle (the ceiling of the first chart)', async () => {
    const lines = await boxes('#chart-time path.line');
    expect(lines).toHaveLength(report.modelNames.length - 1);
    for (const b of lines) expect(b.w).toBeGreaterThan(100);
  });

  it('draws the paired differences of the baselines (not the floor or ceiling) with intervals', async () => {
    const dots = await boxes('#chart-diff circle');
    const baselines = report.modelNames.filter((m) => !['etas', 'oracle', 'random'].includes(m)).length;
    expect(dots).toHaveLength(baselines * report.flaggedKm2.length);
    for (const b of dots) expect(b.w).toBeGreaterThan(3);
  });

  it('puts the verdict in plain words at the top and a table row per model', async () => {
    expect(await page.textContent('#verdict')).toMatch(
      /^With the top cells covering 1 km², etas caught \d+\.\d% .* the best baseline, (naive-28|naive-365|naive-all|retro|prospective), caught \d+\.\d%/,
    );
    expect(await page.$$eval('table.summary tbody tr', (r) => r.length)).toBe(report.modelNames.length);
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
