/**
 * The stress test's section of the HTML report (`backtest --discovery p --html`): week by week,
 * the places flagged and the boxes' hit rate on real crime, one line per replay, as static SVG
 * (no script, so it draws wherever the report opens), and the whole-period table.
 */
import { discoveryVerdict, type DiscoveryReport, type DiscoveryRunReport, type DiscoveryWeek } from '../engine/index.ts';
import { escapeHtml } from './report-html.ts';
import { lineChartSvg } from './svgChart.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

function runName(r: DiscoveryRunReport): string {
  return `p = ${r.p}${r.rotateAfter === null ? '' : `, rotate after ${r.rotateAfter} d`}`;
}

/** A line chart of one weekly measure, a line per replay (NaN weeks leave a gap). */
function weeklyChart(report: DiscoveryReport, title: string, value: (w: DiscoveryWeek) => number, format: (y: number) => string): string {
  return lineChartSvg({
    title,
    series: report.runs.map((r, k) => ({ name: runName(r), colour: COLOURS[k % COLOURS.length]!, values: r.weeks.map(value) })),
    xTick: (i) => String(i + 1),
    xTitle: 'week',
    format,
  });
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
