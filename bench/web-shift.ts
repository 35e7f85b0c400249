/**
 * Shift-change benchmark of the web app: `npx tsx bench/web-shift.ts [--rounds 2] [--placements fine,grid]`.
 *
 * The target: "a shift's boxes in the web app appear within 1 s of choosing the shift
 * after the fit". Builds the app (vite build into a temp folder), serves it with `vite preview`
 * and drives Debian's Chromium (tests/web/harness.ts, as the browser tests do), on the bundled
 * data (Vancouver property crime 2022-2023, 60,838 incidents). After the page has drawn its
 * first boxes, it changes one control at a time (the shift, or the date) through a fixed list of
 * shifts, and reads the app's own User Timing entries (web/views/sergeant.ts): from the change
 * (`patrolcast:shift-chosen`) to the boxes back from the worker (`patrolcast:boxes-received`) and
 * to the boxes drawn on the map (`patrolcast:boxes-drawn`, after the map is idle). Each choice is
 * a new shift, so the worker builds its training set, fits and forecasts (the web app, like the
 * CLI's `forecast --at`, trains on everything known before the shift start); then the same
 * shifts again with the placement switched to the fixed grid (the analyst's "Boxes" setting).
 * After each placement's shifts, a few district changes of the last shift (the worker keeps every
 * district's boxes of a shift, so these only filter and draw). Prints every change, then the
 * median and maximum per placement as Markdown rows.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { Page } from 'playwright-core';
import { CHROMIUM_PATH, HAS_CHROMIUM, startApp } from '../tests/web/harness.ts';

/** Each step changes one control of the shift map (the date or the shift), so one forecast runs. */
const STEPS: readonly { readonly date: string; readonly start: string }[] = [
  { date: '2024-01-01', start: '06:00' },
  { date: '2024-01-01', start: '14:00' },
  { date: '2024-01-02', start: '14:00' },
  { date: '2024-01-02', start: '22:00' },
  { date: '2023-12-15', start: '22:00' },
  { date: '2023-12-15', start: '06:00' },
  { date: '2023-07-15', start: '06:00' },
  { date: '2023-07-15', start: '22:00' },
  { date: '2023-03-01', start: '22:00' },
  { date: '2023-03-01', start: '14:00' },
  { date: '2024-01-01', start: '14:00' },
  { date: '2024-01-01', start: '22:00' },
];

/** Districts chosen after the shifts (the bundled data's district names), back to the first at the end. */
const DISTRICTS: readonly string[] = ['Kitsilano', 'Mount Pleasant', 'West End', 'Central Business District'];

interface Timing {
  readonly label: string;
  readonly receivedMs: number;
  readonly drawnMs: number;
}

/** Sets one control's value and fires its change event, as a user's choice does. */
async function change(page: Page, selector: string, value: string): Promise<void> {
  await page.evaluate(
    ([sel, v]) => {
      const control = document.querySelector<HTMLInputElement | HTMLSelectElement>(sel!)!;
      control.value = v!;
      control.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [selector, value],
  );
}

/** Changes one control and waits for the boxes it asks for; returns the app's timings of that change. */
async function choose(page: Page, selector: string, value: string): Promise<Timing> {
  await page.evaluate(() => delete document.body.dataset['sergeantReady']);
  await change(page, selector, value);
  await page.waitForSelector('body[data-sergeant-ready]', { timeout: 120_000 });
  // (No named functions inside evaluate: tsx's transform would wrap them in a helper the page lacks.)
  return page.evaluate(() => ({
    label: `${document.body.dataset['sergeantReady']!}, ${(document.getElementById('sg-district') as HTMLSelectElement).value}`,
    receivedMs:
      performance.getEntriesByName('patrolcast:boxes-received').at(-1)!.startTime -
      performance.getEntriesByName('patrolcast:shift-chosen').at(-1)!.startTime,
    drawnMs: performance.getEntriesByName('patrolcast:shift-to-boxes').at(-1)!.duration,
  }));
}

/** Moves to the shift by changing one control, the date or the shift. */
async function step(page: Page, date: string, start: string): Promise<Timing> {
  const [currentDate, currentStart] = await page.evaluate(() => [
    (document.getElementById('sg-date') as HTMLInputElement).value,
    (document.getElementById('sg-shift') as HTMLSelectElement).value,
  ]);
  if (currentDate !== date && currentStart !== start) throw new Error(`step ${date} ${start} changes two controls`);
  if (currentDate !== date) return choose(page, '#sg-date', date);
  if (currentStart !== start) return choose(page, '#sg-shift', start);
  throw new Error(`step ${date} ${start} changes nothing`);
}

/** A Markdown row: the median and maximum of chosen → drawn and of chosen → back from the worker. */
function row(name: string, timings: readonly Timing[]): string {
  const drawn = timings.map((t) => t.drawnMs);
  const received = timings.map((t) => t.receivedMs);
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  return `| ${name} | ${timings.length} | ${ms(median(drawn))} | ${ms(maximum(drawn))} | ${ms(median(received))} | ${ms(maximum(received))} |`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function maximum(xs: readonly number[]): number {
  let max = -Infinity;
  for (const x of xs) if (x > max) max = x;
  return max;
}

/** Switches the analyst's "Boxes" setting (it applies to the shift map at once, without a refit). */
async function setPlacement(page: Page, placement: 'fine' | 'grid'): Promise<void> {
  const current = await page.evaluate(() => (document.getElementById('an-placement') as HTMLSelectElement | null)?.value ?? 'fine');
  if (current === placement) return;
  const before = await page.getAttribute('body', 'data-sergeant-ready');
  await page.evaluate(() => delete document.body.dataset['sergeantReady']);
  await change(page, '#an-placement', placement);
  await page.waitForFunction(
    ([p, label]) => document.body.dataset['sergeantReady'] === label && document.body.dataset['placement'] === p,
    [placement, before],
    { timeout: 120_000 },
  );
}

async function main(): Promise<void> {
  if (!HAS_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  const at = process.argv.indexOf('--rounds');
  const rounds = at > 0 ? Number(process.argv[at + 1]) : 1;
  const which = process.argv.indexOf('--placements');
  const placements = (which > 0 ? process.argv[which + 1]! : 'fine,grid').split(',') as ('fine' | 'grid')[];
  // The load average says how busy the shared cores were (the times grow with it).
  const loadAtStart = loadavg()[0]!;
  const served = await startApp();
  try {
    const context = await served.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(served.url);
    await page.waitForSelector('body[data-sergeant-ready]', { timeout: 120_000 });
    console.log(`first boxes drawn ${((performance.now() - t0) / 1000).toFixed(2)} s after opening the page (load, fit, forecast)`);
    const rows: string[] = [];
    for (const placement of placements) {
      await setPlacement(page, placement);
      const timings: Timing[] = [];
      for (let round = 0; round < rounds; round++) {
        for (const s of STEPS) {
          const t = await step(page, s.date, s.start);
          timings.push(t);
          console.log(
            `${placement} ${t.label.padEnd(28)} worker ${t.receivedMs.toFixed(0).padStart(5)} ms, drawn ${t.drawnMs.toFixed(0).padStart(5)} ms`,
          );
        }
      }
      rows.push(row(`${placement}: shift changes`, timings));
      // Another district of the same shift: the worker keeps every district's boxes of the shift.
      const districts: Timing[] = [];
      for (const district of DISTRICTS) {
        const t = await choose(page, '#sg-district', district);
        districts.push(t);
        console.log(
          `${placement} ${t.label.padEnd(48)} worker ${t.receivedMs.toFixed(0).padStart(5)} ms, drawn ${t.drawnMs.toFixed(0).padStart(5)} ms`,
        );
      }
      rows.push(row(`${placement}: district changes`, districts));
    }
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `\n${cpu}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${CHROMIUM_PATH}`,
    );
    console.log(`load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`);
    console.log('| placement: what changed | changes | chosen → drawn, median | max | chosen → back from the worker, median | max |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    await served.close();
  }
}

await main();
