/**
 * The stress test's section of the HTML report (`backtest --discovery p --html`): week by week,
 * the places flagged and the boxes' hit rate on real crime, one line per replay, as static SVG
 * (no script, so it draws wherever the report opens), and the whole-period table.
 */
import { discoveryVerdict, type DiscoveryReport, type DiscoveryRunReport, type DiscoveryWeek } from '../engine/index.ts';
import { escapeHtml } from './report-html.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
const W = 520;
const H = 220;
const M = { left: 52, right: 12, top: 12, bottom: 34 };

function runName(r: DiscoveryRunReport): string {
  return `p = ${r.p}${r.rotateAfter === null ? '' : `, rotate after ${r.rotateAfter} d`}`;
}

/** A line chart of one weekly measure, a line per replay (NaN weeks leave a gap). */
function weeklyChart(report: DiscoveryReport, title: string, value: (w: DiscoveryWeek) => number, format: (y: number) => string): string {
  const weeks = report.runs[0]!.weeks.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of report.runs)
    for (const w of r.weeks) {
      const y = value(w);
      if (!Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  if (!(hi >= lo)) return '';
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.05 + 1e-9;
  lo -= pad;
  hi += pad;
  const x = (i: number): number => M.left + (weeks > 1 ? (i / (weeks - 1)) * (W - M.left - M.right) : 0);
  const y = (v: number): number => M.top + (1 - (v - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const lines = report.runs.map((r, k) => {
    const d = r.weeks
      .map((w, i) => (Number.isFinite(value(w)) ? `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(value(w)).toFixed(1)}` : ''))
      .join('');
    return `<path d="${d}" fill="none" stroke="${COLOURS[k % COLOURS.length]}" stroke-width="2"><title>${escapeHtml(runName(r))}</title></path>`;
  });
  const ticks = [lo + pad, (lo + hi) / 2, hi - pad].map(
    (v) => `<text x="${M.left - 6}" y="${y(v).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(format(v))}</text>`,
  );
  const weekTicks = Array.from(
    { length: weeks },
    (_, i) => `<text x="${x(i).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${i + 1}</text>`,
  );
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#999"/>
${ticks.join('')}${weekTicks.join('')}<text x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">week</text>
${lines.join('\n')}</svg></figure>`;
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');

/** The section, to be placed before the report's closing body tag. */
export function discoverySectionHtml(report: DiscoveryReport): string {
  const legend = report.runs
    .map((r, k) => `<span style="color:${COLOURS[k % COLOURS.length]}">■</span> ${escapeHtml(runName(r))}`)
    .join(' &nbsp; ');
  const areas = report.flaggedKm2.map(String);
  const head = [
    'replay',
    'boxes hit rate',
    ...areas.map((a) => `${a} km²`),
    'places',
    'in every shift',
    'top-10 share',
    'found',
    'rested',
    'background in box cells',
  ];
  const rows = report.runs.map((r) =>
    [
      `<th scope="row">${escapeHtml(runName(r))}</th>`,
      ...[pct(r.topKHitRate), ...areas.map((a) => pct(r.hitRate[a]!))],
      String(r.total.places),
      String(r.total.everyShift),
      pct(r.total.top10Share),
      String(r.total.found),
      String(r.rested),
      pct(r.total.backgroundShare),
    ]
      .map((c, i) => (i === 0 ? c : `<td>${escapeHtml(c)}</td>`))
      .join(''),
  );
  return `<h2 id="discovery">Feedback-loop stress test (p = ${escapeHtml(String(report.p))}${report.rotateAfter === null ? '' : `, rotation after ${report.rotateAfter} days`})</h2>
<p>Each shift's patrol boxes also "find" extra incidents (a seeded Poisson number, ${escapeHtml(String(report.p))} × the box's expected count, seed ${report.seed}) that later shifts train on from the shift's end; every hit rate counts real incidents only. Lock-in would show as fewer places flagged and a larger share of the fitted background in the cells the boxes sat on, as p grows.</p>
<p class="verdict">${escapeHtml(discoveryVerdict(report))}</p>
<p class="legend">${legend}</p>
${weeklyChart(
  report,
  'Places flagged per week (distinct box centres)',
  (w) => w.places,
  (v) => v.toFixed(0),
)}
${weeklyChart(report, "Boxes' hit rate on real crime per week", (w) => w.hitRate, pct)}
<table class="summary"><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>
`;
}
