/**
 * A static SVG line chart for the HTML reports that draw without script (the stress test's
 * weekly charts, cli/report-discovery-html.ts; the review's per-shift hit rates,
 * cli/reviewHtml.ts): one line per series over evenly spaced x positions, three y ticks, every
 * text escaped. Static SVG, so it draws wherever the report opens (no d3, no network).
 */
import { escapeHtml } from './report-html.ts';

export interface ChartSeries {
  readonly name: string;
  readonly colour: string;
  /** One value per x position; a non-finite value leaves a gap. */
  readonly values: readonly number[];
}

export interface LineChart {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  /** The x axis: a position's tick label, or null for no tick there. */
  readonly xTick: (i: number) => string | null;
  readonly xTitle: string;
  readonly format: (y: number) => string;
  /** Also a dot at each value, with its series' name and value as a tooltip (for few points). */
  readonly dots?: boolean;
  /** A line the y range always includes (e.g. 0 for rates); none by default. */
  readonly yInclude?: number;
}

const W = 520;
const H = 220;
const M = { left: 52, right: 12, top: 12, bottom: 34 };

/** The y range of the finite values (and `include`), padded by 8%; null when there is none. O(points). */
function yRange(series: readonly ChartSeries[], include: number | undefined): { lo: number; hi: number; pad: number } | null {
  let lo = include ?? Infinity;
  let hi = include ?? -Infinity;
  for (const s of series)
    for (const y of s.values) {
      if (!Number.isFinite(y)) continue;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
  if (!(hi >= lo)) return null;
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.abs(hi) * 0.05 + 1e-9;
  return { lo: lo - pad, hi: hi + pad, pad };
}

/** The chart as a `<figure>` with its caption; '' when no series has a finite value. O(points). */
export function lineChartSvg(chart: LineChart): string {
  let points = 0;
  for (const s of chart.series) points = Math.max(points, s.values.length);
  const range = yRange(chart.series, chart.yInclude);
  if (range === null) return '';
  const { lo, hi, pad } = range;
  const x = (i: number): number => M.left + (points > 1 ? (i / (points - 1)) * (W - M.left - M.right) : 0);
  const y = (v: number): number => M.top + (1 - (v - lo) / (hi - lo)) * (H - M.top - M.bottom);
  const lines = chart.series.map((s) => {
    const d = s.values.map((v, i) => (Number.isFinite(v) ? `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).join('');
    const dots =
      chart.dots === true
        ? s.values
            .map((v, i) =>
              Number.isFinite(v)
                ? `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.colour}"><title>${escapeHtml(`${s.name}, ${chart.xTick(i) ?? i + 1}: ${chart.format(v)}`)}</title></circle>`
                : '',
            )
            .join('')
        : '';
    return `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>${dots}`;
  });
  const ticks = [lo + pad, (lo + hi) / 2, hi - pad].map(
    (v) =>
      `<text x="${M.left - 6}" y="${y(v).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(chart.format(v))}</text>`,
  );
  const xTicks: string[] = [];
  for (let i = 0; i < points; i++) {
    const label = chart.xTick(i);
    if (label === null) continue;
    // a label wider than the right margin would be cut at the edge: the last one ends at its tick instead (about 6 px a character)
    const anchor = i === points - 1 && points > 1 && label.length * 3 > M.right ? 'end' : 'middle';
    xTicks.push(`<text x="${x(i).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="${anchor}">${escapeHtml(label)}</text>`);
  }
  return `<figure><figcaption>${escapeHtml(chart.title)}</figcaption><svg width="${W}" height="${H}" role="img" aria-label="${escapeHtml(chart.title)}">
<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#999"/>
${ticks.join('')}${xTicks.join('')}<text x="${(W + M.left) / 2}" y="${H - 4}" text-anchor="middle">${escapeHtml(chart.xTitle)}</text>
${lines.join('\n')}</svg></figure>`;
}
