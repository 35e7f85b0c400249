/**
 * Regenerates the screenshots in docs/screenshots/ (sergeant, a box's detail, print, analyst,
 * evaluation, tablet) from a fresh build of the app in headless Chromium:
 *
 *     npx tsx tests/web/screenshots.ts
 *
 * Not a test (vitest only runs *.test.ts); look at the images before committing them.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HAS_CHROMIUM, NO_CHROMIUM_MESSAGE, startApp } from './harness.ts';

const OUT = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  if (!HAS_CHROMIUM) {
    console.error(NO_CHROMIUM_MESSAGE);
    process.exitCode = 1;
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const app = await startApp();
  try {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (error) => console.error('page error:', error.message));
    await page.goto(app.url);
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
    await page.screenshot({ path: join(OUT, 'sergeant.png') });
    console.log('sergeant.png');
    // Box 7 clicked: its detail on the map, its row marked in the list.
    await page.click('#sg-map .box-marker:text-is("7")');
    await page.waitForSelector('.maplibregl-popup .box-popup');
    await page.screenshot({ path: join(OUT, 'sergeant-box.png') });
    console.log('sergeant-box.png');
    await page.click('.maplibregl-popup-close-button');

    // The sheet as the Print button makes it (the map fitted to the boxes), without the print dialog.
    await page.evaluate(() => {
      window.print = () => (document.body.dataset['printed'] = 'yes');
    });
    await page.click('#sg-print');
    await page.waitForSelector('body[data-printed]');
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 1123, height: 794 }); // A4 landscape at 96 dpi: the first page
    await page.screenshot({ path: join(OUT, 'print.png') });
    await page.pdf({ path: join(OUT, 'print.pdf'), format: 'A4', landscape: true, printBackground: true, preferCSSPageSize: true });
    console.log('print.png, print.pdf');
    await page.emulateMedia({ media: null });
    await page.setViewportSize({ width: 1280, height: 720 });

    await page.goto(`${app.url}#analyst`);
    await page.click('#an-fit');
    await page.waitForSelector('body[data-fit-done]', { timeout: 60_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, 'analyst.png'), fullPage: true });
    console.log('analyst.png');

    await page.goto(`${app.url}#evaluation`);
    await page.click('#ev-run');
    await page.waitForSelector('body[data-report-ready]', { timeout: 120_000 });
    await page.click('#ev-shift-show');
    await page.waitForSelector('body[data-shift-ready]', { timeout: 60_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, 'evaluation.png'), fullPage: true });
    console.log('evaluation.png');

    const tablet = await app.browser.newPage({ viewport: { width: 820, height: 1180 } });
    await tablet.goto(app.url);
    await tablet.waitForSelector('body[data-sergeant-ready]', { timeout: 60_000 });
    await tablet.screenshot({ path: join(OUT, 'sergeant-tablet.png') });
    console.log('sergeant-tablet.png');
  } finally {
    await app.close();
  }
}

await main();
