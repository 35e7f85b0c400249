/**
 * The review as a page a person reads (`patrolcast review --html review.html`): one
 * self-contained HTML file (inline CSS and static SVG, no script, no network) with the headline
 * in plain words (the backtest's verdict rule: engine pairedVerdict), the per-shift hit rates of
 * the published boxes beside all-history counts, the per-district table, concentration, the
 * late-recorded note and the dosage table.
 *
 * Only what review.json holds goes in, and only aggregates: per shift, per district, per band,
 * the most published box centres (as the published site shows them). No incident id, time or
 * coordinate; every text is escaped (file names and district names are user text).
 */
import { publishedTypesWords } from './publishLog.ts';
import { escapeHtml, REPORT_CSS } from './report-html.ts';
import type { Dosage, DosageBand } from './reviewDosage.ts';
import { reviewVerdict, type concentration, type ReviewScores } from './reviewScore.ts';
import { lineChartSvg } from './svgChart.ts';

/** What the page is made from: the review report as `--out` writes it. */
export interface ReviewReport {
  readonly log: string;
  readonly files: readonly string[];
  readonly tz: string;
  readonly shiftsReviewed: number;
  readonly skipped: {
    readonly notYetPassed: number;
    readonly laterRevisionsIgnored: number;
    readonly publishedAfterStart: number;
    readonly replaysCounted: boolean;
  };
  readonly scores: ReviewScores | null;
  readonly concentration: ReturnType<typeof concentration>;
  readonly lateRecorded: { readonly note: string };
  readonly dosage: Dosage;
}

const PUBLISHED = '#d62728';
const NAIVE = '#2ca02c';

const pct = (x: number | null | undefined): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`;
const num = (x: number | null, d = 2): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('x') ? 'es' : 's'}`;

/** A table: header cells, then rows whose first cell is the row's header; every cell escaped. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`)
    .join('');
  return `<div class="table-wrap"><table class="summary"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The headline: the mean hit rates with their intervals, then the paired verdict in the backtest's words. */
export function reviewHeadline(s: ReviewScores): {
  readonly verdict: 'better' | 'worse' | 'no clear difference';
  readonly sentence: string;
} {
  const h = s.hitRate;
  const n = s.naiveAllHitRate;
  const lead = `Over ${plural(h.n, 'shift')}, the published boxes caught ${pct(h.mean)} of each shift's crime on average (95% interval ${pct(h.lo)} to ${pct(h.hi)}); all-history counts (naive-all-placed: as many boxes, placed from the data known at each shift's start) caught ${pct(n.mean)} (${pct(n.lo)} to ${pct(n.hi)}).`;
  const v = reviewVerdict(s);
  return { verdict: v.verdict, sentence: `${lead} ${v.words}` };
}

/** Per shift: the hit-rate chart and the table. */
function perShift(s: ReviewScores): string {
  const every = Math.max(1, Math.ceil(s.perShift.length / 8));
  const chart = lineChartSvg({
    title: 'Hit rate per shift: the published boxes and all-history counts',
    series: [
      { name: 'published boxes', colour: PUBLISHED, values: s.perShift.map((p) => p.hitRate ?? NaN) },
      { name: 'all-history counts (naive-all-placed)', colour: NAIVE, values: s.perShift.map((p) => p.naiveAllHitRate ?? NaN) },
    ],
    xTick: (i) => (i % every === 0 ? s.perShift[i]!.label.slice(5, 16) : null),
    xTitle: 'shift (local start)',
    format: pct,
    dots: true,
    yInclude: 0,
  });
  const rows = s.perShift.map((p) => [
    p.label,
    String(p.events),
    String(p.boxes),
    String(p.catches),
    pct(p.hitRate),
    pct(p.naiveAllHitRate),
  ]);
  return `<h2>Shift by shift</h2>
<p class="legend"><span style="color:${PUBLISHED}">■</span> published boxes &nbsp; <span style="color:${NAIVE}">■</span> all-history counts (naive-all-placed)</p>
<div class="chart">${chart}</div>
${table(['shift', 'crimes', 'boxes', 'caught', 'published hit rate', 'all-history counts'], rows)}`;
}

function perDistrict(s: ReviewScores): string {
  const rows = Object.entries(s.perDistrict).map(([name, d]) => [
    name,
    String(d.boxes),
    String(d.events),
    String(d.catches),
    pct(d.hitRate),
    pct(d.shareOfCrime),
  ]);
  return `<h2>Per district</h2>
<p>A district's crimes are those in its own study cells; its hit rate is its boxes' catches over them (a box may catch just over the district's edge); the share is of all the reviewed shifts' crime.</p>
${table(['district', 'boxes', 'crimes', 'caught', 'hit rate', 'share of all crime'], rows)}`;
}

function concentrationHtml(c: ReviewReport['concentration']): string {
  const items = c.mostPublished.map((m) => `<li>${escapeHtml(m.place ?? m.h3)} (${escapeHtml(m.h3)}): ${m.times} times</li>`).join('');
  return `<h2>Concentration</h2>
<p>${plural(c.boxes, 'box')} published at ${plural(c.distinctPlaces, 'distinct place')} (box centres); the most published:</p>
<ul>${items}</ul>`;
}

function bandRow(b: DosageBand): string[] {
  return [b.label, b.rule, String(b.boxShifts), String(b.crimes), num(b.crimesPerBoxShift), num(b.expected), num(b.crimesPerExpected)];
}

function dosageHtml(d: Dosage): string {
  if (!d.known) return `<h2>Dosage</h2>\n<p>Dosage ${escapeHtml(d.note)}.</p>`;
  const r = d.rows;
  const reasons = Object.entries(d.rejectedByReason)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const rows = [...d.bands, d.notInLog].map(bandRow);
  return `<h2>Dosage</h2>
<p>From the patrol log ${escapeHtml(d.file)}: ${r.read} rows read, ${r.accepted} accepted, ${r.rejected} rejected${r.rejected > 0 ? ` (${escapeHtml(reasons)}; listed in the JSON report)` : ''}${r.summed > 0 ? `; ${r.summed} row${r.summed === 1 ? '' : 's'} named a box already named on the same shift and ${r.summed === 1 ? 'was' : 'were'} summed` : ''}. A published box the log does not name has unknown dosage, not zero.</p>
${table(['band', 'minutes', 'box-shifts', 'crimes', 'crimes per box-shift', 'expected crimes', 'crimes / expected'], rows)}
<p class="verdict neutral">${escapeHtml(d.note)}</p>`;
}

/** The page (module comment). `command` is the command line, shown in the facts. */
export function renderReviewHtml(report: ReviewReport, command: string): string {
  const s = report.scores;
  const head = s === null ? null : reviewHeadline(s);
  const verdictClass = head?.verdict === 'better' ? 'good' : head?.verdict === 'worse' ? 'bad' : 'neutral';
  const sk = report.skipped;
  const first = s?.perShift[0]?.label ?? '';
  const last = s?.perShift[s.perShift.length - 1]?.label ?? '';
  const facts = [
    `${plural(report.shiftsReviewed, 'published shift')} reviewed${s === null ? '' : ` from ${first} to ${last}`} (${report.tz}); ${sk.notYetPassed} skipped as not yet passed; ${plural(sk.laterRevisionsIgnored, 'other revision')} ignored; ${sk.publishedAfterStart} shift-district publications generated only after the shift started${sk.replaysCounted ? ' (counted: --allow-replays)' : ''}`,
    s === null
      ? null
      : `crime types: ${publishedTypesWords(s.categories)}; top ${s.top} boxes per district; ${s.studyCells} study cells; PAI ${num(s.pai)} (all-history counts ${num(s.naiveAllPai)})`,
    `publication log: ${report.log}; data: ${report.files.join(', ')}`,
  ].filter((f): f is string => f !== null);
  const title = 'Review of the published patrol boxes';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
${REPORT_CSS}
  figure { margin: 8px 0; } figcaption { font-weight: 600; }
  @page { size: A4; margin: 12mm; }
  @media print { body { margin: 0; max-width: none; padding: 0; font-size: 10pt; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>${title}</h1>
<p class="verdict ${verdictClass}" id="verdict">${escapeHtml(head?.sentence ?? 'No published shift has passed yet: nothing to score.')}</p>
<ul class="facts">${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}
<li>command: <code>${escapeHtml(command)}</code></li></ul>
<p>How to read this: for each published shift that has passed, the <em>hit rate</em> is the share of the shift's crime (the published crime types) that fell in the boxes the sergeants were shown; beside it, the boxes that counting all history would have placed on the same shift. The interval of the difference comes from resampling whole days of shifts, as in the backtest.</p>
${s === null ? '' : `${perShift(s)}\n${perDistrict(s)}`}
${concentrationHtml(report.concentration)}
<h2>Late-recorded incidents</h2>
<p>${escapeHtml(report.lateRecorded.note.charAt(0).toUpperCase() + report.lateRecorded.note.slice(1))}.</p>
${dosageHtml(report.dosage)}
</body>
</html>
`;
}
