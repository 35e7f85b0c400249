/**
 * The evaluation view's feedback-loop stress test (issue 15): the optional control (a discovery
 * rate p and an optional rotation), read into the backtest request, and, for a report with a
 * `discovery` block (run here or opened from report.json), two weekly charts, one line per
 * replay (distinct places flagged, and the patrol boxes' hit rate on real crime), the
 * whole-period table and the engine's one-sentence verdict (discoveryVerdict, the CLI's words).
 */
import { discoveryVerdict, MAX_DISCOVERY_RATE, type DiscoveryReport } from '../../engine/index.ts';
import { lineChart } from '../charts.ts';
import { byId, el, pct, replaceChildren } from '../dom.ts';
import type { BacktestRequest } from '../protocol.ts';
import { runLabel, weeklySeries } from './discoverySeries.ts';

/**
 * The stress test asked for in the form, or undefined when the rate is empty (off).
 * @throws {Error} for a rate outside (0, 5], or a rotation that is not a whole number of days ≥ 1
 */
export function chosenDiscovery(): BacktestRequest['discovery'] {
  const pText = byId<HTMLInputElement>('ev-discovery-p').value.trim();
  const kText = byId<HTMLInputElement>('ev-rotate-after').value.trim();
  if (pText === '') {
    if (kText !== '') throw new Error('Resting places is measured in the stress test: give a rate p as well.');
    return undefined;
  }
  const p = Number(pText);
  if (!(p > 0 && p <= MAX_DISCOVERY_RATE))
    throw new Error(`The stress test's rate p must be above 0 and at most ${MAX_DISCOVERY_RATE}, not "${pText}".`);
  if (kText === '') return { p, rotateAfter: null };
  const k = Number(kText);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`Rest a place after: "${kText}" is not a whole number of days of at least 1.`);
  return { p, rotateAfter: k };
}

/** Draws the stress test of a report, or hides its section when the report has none. */
export function drawDiscovery(report: DiscoveryReport | null): void {
  const section = byId('ev-discovery');
  section.hidden = report === null;
  if (report === null) return;
  byId('ev-discovery-words').textContent = discoveryVerdict(report);
  lineChart(byId('ev-discovery-places'), weeklySeries(report, 'places'), {
    xLabel: `week (${report.shiftsPerWeek} shifts)`,
    yLabel: 'distinct places flagged',
    xFormat: (v) => (Number.isInteger(v) ? String(v) : ''),
    yFormat: (v) => v.toLocaleString('en'),
    dots: true,
  });
  lineChart(byId('ev-discovery-hits'), weeklySeries(report, 'hitRate'), {
    xLabel: `week (${report.shiftsPerWeek} shifts)`,
    yLabel: 'real crime in the boxes',
    xFormat: (v) => (Number.isInteger(v) ? String(v) : ''),
    yFormat: (v) => pct(v, 0),
    yFromZero: true,
    dots: true,
  });
  drawTable(report);
}

function drawTable(report: DiscoveryReport): void {
  const head = [
    'Replay',
    'boxes hit rate',
    'places flagged',
    'in every shift',
    'top-10 share',
    'found',
    'rested',
    'background in box cells',
  ];
  const num = (text: string): HTMLElement => el('td', { className: 'num' }, text);
  replaceChildren(
    byId('ev-discovery-table'),
    el(
      'thead',
      {},
      el('tr', {}, ...head.map((h, i) => el('th', { ...(i === 0 ? {} : { className: 'num' }), attrs: { scope: 'col' } }, h))),
    ),
    el(
      'tbody',
      {},
      ...report.runs.map((run) =>
        el(
          'tr',
          {},
          el('th', { attrs: { scope: 'row' } }, runLabel(run)),
          num(pct(run.topKHitRate)),
          num(run.total.places.toLocaleString('en')),
          num(run.total.everyShift.toLocaleString('en')),
          num(pct(run.total.top10Share)),
          num(run.total.found.toLocaleString('en')),
          num(run.rested.toLocaleString('en')),
          num(pct(run.total.backgroundShare)),
        ),
      ),
    ),
  );
}
