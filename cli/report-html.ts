/**
 * The backtest report a person reads: one self-contained HTML file (d3 inlined, the data embedded
 * as JSON, no network needed) with the verdict in plain words, hit rate against flagged area,
 * hit rate over time, the paired differences with their intervals, and a table.
 */
import { backtestHeadline, placeLabels } from '../engine/index.ts';
import type { BacktestReport } from '../engine/index.ts';

/** What the run was about, shown in the header (all of it user text: always escaped). */
export interface ReportMeta {
  readonly title: string;
  readonly files: readonly string[];
  readonly categories: readonly string[] | null;
  readonly command: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside a <script> element: `<`, `>`, `&` and the line separators U+2028/2029
 * are written as \u escapes, so no string in the data (a category named "</script>") can close
 * the element or start a comment. JSON.parse reads it back unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Inline JavaScript (d3) cannot contain "</script": escape it should it ever appear. */
function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

const pct = (x: number | null | undefined, d = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(d)}%`;
const num = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

function summaryTable(report: BacktestReport): string {
  const areas = report.flaggedKm2.map(String);
  const covs = report.coverage.map(String);
  const head = [
    'model',
    ...areas.map((a) => `hit rate ${a} km²`),
    ...covs.map((c) => `hit rate ${Number(c) * 100}% of area`),
    `top ${report.top} per district`,
    ...areas.map((a) => `PAI ${a} km²`),
    ...areas.map((a) => `PEI ${a} km²`),
    'log score',
    `RRI ${areas.includes('1') ? '1' : areas[0]} km²`,
    'distinct boxes',
  ];
  const rriKey = areas.includes('1') ? '1' : areas[0]!;
  const rows = report.modelNames.map((name) => {
    const m = report.models[name]!;
    const ci = (key: string) => m.ci.hitRate[key]!;
    return [
      `<th scope="row">${escapeHtml(name)}</th>`,
      ...areas.map(
        (a) =>
          `<td title="95% interval ${pct(ci(a).lo, 2)} to ${pct(ci(a).hi, 2)}">${pct(m.hitRate[a])}<small> [${pct(ci(a).lo)}, ${pct(ci(a).hi)}]</small></td>`,
      ),
      ...covs.map((c) => `<td>${pct(m.coverageHitRate[c])}</td>`),
      `<td>${pct(m.topKHitRate)}</td>`,
      ...areas.map((a) => `<td>${num(m.pai[a], 1)}</td>`),
      ...areas.map((a) => `<td>${num(m.pei[a], 3)}</td>`),
      `<td>${num(m.logScore, 3)}</td>`,
      `<td>${num(m.rri[rriKey] ?? null, 2)}</td>`,
      `<td>${m.distinctCellsFlagged}</td>`,
    ].join('');
  });
  return `<table class="summary"><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r}</tr>`).join('')}</tbody></table>`;
}

const CLIENT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var report = data.report;
  var headlineKey = data.headlineKey;
  // the reference model last, so its line is drawn on top
  var names = report.modelNames.filter(function (n) { return n !== report.reference; }).concat(report.reference ? [report.reference] : []);
  var palette = { 'etas': '#d62728', 'etas-grid': '#ff9896', 'naive-all-placed': '#98df8a', 'naive-28': '#1f77b4', 'naive-365': '#17becf', 'naive-all': '#2ca02c', 'retro': '#9467bd', 'prospective': '#ff7f0e', 'random': '#7f7f7f', 'oracle': '#111111' };
  function color(name) { return palette[name] || '#e377c2'; }
  function dash(name) { return name === 'oracle' ? '6,3' : name === 'random' ? '2,3' : null; }
  function frame(id, width, height, margin) {
    var svg = d3.select('#' + id).append('svg').attr('width', width).attr('height', height).attr('viewBox', '0 0 ' + width + ' ' + height).attr('role', 'img')
      .attr('aria-label', data.meta.title + ': ' + d3.select('#' + id).attr('data-label'));
    var g = svg.append('g').attr('transform', 'translate(' + margin.left + ',' + margin.top + ')');
    return { svg: svg, g: g, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
  }
  // A line's name at its right end; the names pushed apart (placeLabels, the engine's, inlined
  // above) so that none overlap, with a thin leader from a line's end to a label that moved.
  function endLabels(g, ends, labelX, height) {
    var ys = placeLabels(ends.map(function (e) { return e.y; }), 15, 6, height);
    ends.forEach(function (e, i) {
      if (Math.abs(ys[i] - e.y) > 1) g.append('line').attr('class', 'label-leader').attr('x1', e.x + 4).attr('x2', labelX - 3)
        .attr('y1', e.y).attr('y2', ys[i]).attr('stroke', color(e.name)).attr('stroke-width', 0.7);
      g.append('text').attr('class', 'series-label').attr('x', labelX).attr('y', ys[i] + 4).attr('fill', color(e.name)).text(e.name);
    });
  }
  // The oracle (the ceiling, near 100%) sets the y scale only when asked: otherwise its values are a note.
  function offScaleNote(g, name, values) {
    var ext = d3.extent(values.filter(function (v) { return v !== null && isFinite(v); }));
    if (ext[0] === undefined) return;
    var f = d3.format('.1%');
    g.append('text').attr('class', 'off-scale-note').attr('x', 8).attr('y', -4)
      .text(name + ' (the ceiling): ' + (f(ext[0]) === f(ext[1]) ? f(ext[0]) : f(ext[0]) + ' to ' + f(ext[1])) + ', off this scale (tick "show the oracle" to draw it)');
  }
  function yTop(values) {
    var top = d3.max(values.filter(function (v) { return v !== null && isFinite(v); })) || 1;
    return Math.min(1, top * 1.1);
  }
  var showOracle = document.getElementById('show-oracle');

  // 1. Hit rate against flagged area
  function drawArea() {
    d3.select('#chart-area').selectAll('*').remove();
    var f = frame('chart-area', 720, 380, { top: 16, right: 150, bottom: 44, left: 56 });
    var areas = report.flaggedKm2.slice().sort(function (a, b) { return a - b; });
    var x = d3.scaleLog().domain([areas[0] * 0.8, areas[areas.length - 1] * 1.25]).range([0, f.w]);
    var series = names.map(function (n) {
      return { name: n, pts: areas.map(function (a) { var ci = report.models[n].ci.hitRate[String(a)]; return { a: a, v: ci.mean, lo: ci.lo, hi: ci.hi }; }) };
    });
    var drawn = series.filter(function (s) { return s.name !== 'oracle' || showOracle.checked; });
    var y = d3.scaleLinear().domain([0, yTop(drawn.flatMap(function (s) { return s.pts.flatMap(function (p) { return [p.v, p.hi]; }); }))]).nice().range([f.h, 0]);
    f.g.append('g').attr('transform', 'translate(0,' + f.h + ')').call(d3.axisBottom(x).tickValues(areas).tickFormat(function (d) { return d + ' km²'; }));
    f.g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).tickFormat(d3.format('.0%')));
    f.g.append('text').attr('x', f.w / 2).attr('y', f.h + 38).attr('text-anchor', 'middle').text('area flagged per shift (log scale)');
    var ends = [];
    series.forEach(function (s) {
      var n = s.name, pts = s.pts;
      if (drawn.indexOf(s) < 0) { offScaleNote(f.g, n, pts.map(function (p) { return p.v; })); return; }
      f.g.append('path').datum(pts).attr('class', 'line model-' + n).attr('fill', 'none').attr('stroke', color(n)).attr('stroke-width', 2)
        .attr('stroke-dasharray', dash(n)).attr('d', d3.line().x(function (p) { return x(p.a); }).y(function (p) { return y(p.v); }));
      f.g.selectAll(null).data(pts).enter().append('line').attr('x1', function (p) { return x(p.a); }).attr('x2', function (p) { return x(p.a); })
        .attr('y1', function (p) { return y(p.lo); }).attr('y2', function (p) { return y(p.hi); }).attr('stroke', color(n));
      f.g.selectAll(null).data(pts).enter().append('circle').attr('cx', function (p) { return x(p.a); }).attr('cy', function (p) { return y(p.v); })
        .attr('r', 3.5).attr('fill', color(n)).append('title').text(function (p) { return n + ' at ' + p.a + ' km²: ' + (100 * p.v).toFixed(1) + '%'; });
      var last = pts[pts.length - 1];
      ends.push({ name: n, x: x(last.a), y: y(last.v) });
    });
    endLabels(f.g, ends, f.w + 14, f.h);
  }

  // 2. Hit rate over time (rolling mean over a day's shifts × 7, or per month)
  function drawTime() {
    d3.select('#chart-time').selectAll('*').remove();
    var f = frame('chart-time', 720, 340, { top: 16, right: 150, bottom: 40, left: 56 });
    var starts = report.perShift.startMs;
    var win = report.mode === 'months' ? 1 : 7 * (report.shiftStarts ? report.shiftStarts.length : 3);
    var x = d3.scaleTime().domain(d3.extent(starts, function (t) { return new Date(t); })).range([0, f.w]);
    var series = names.map(function (n) {
      var raw = report.perShift.models[n].hitRate[headlineKey];
      var out = [];
      for (var i = 0; i < raw.length; i++) {
        var s = 0, c = 0;
        for (var j = Math.max(0, i - win + 1); j <= i; j++) if (raw[j] !== null) { s += raw[j]; c++; }
        out.push({ t: new Date(starts[i]), v: c > 0 ? s / c : null });
      }
      return { name: n, pts: out };
    });
    var drawn = series.filter(function (s) { return s.name !== 'oracle' || showOracle.checked; });
    var y = d3.scaleLinear().domain([0, yTop(drawn.flatMap(function (s) { return s.pts.map(function (p) { return p.v; }); }))]).nice().range([f.h, 0]);
    f.g.append('g').attr('transform', 'translate(0,' + f.h + ')').call(d3.axisBottom(x).ticks(8));
    f.g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).tickFormat(d3.format('.0%')));
    var ends = [];
    series.forEach(function (s) {
      if (drawn.indexOf(s) < 0) { offScaleNote(f.g, s.name, s.pts.map(function (p) { return p.v; })); return; }
      f.g.append('path').datum(s.pts).attr('class', 'line model-' + s.name).attr('fill', 'none').attr('stroke', color(s.name)).attr('stroke-width', 1.5)
        .attr('stroke-dasharray', dash(s.name))
        .attr('d', d3.line().defined(function (p) { return p.v !== null; }).x(function (p) { return x(p.t); }).y(function (p) { return y(p.v); }));
      var last = s.pts.filter(function (p) { return p.v !== null; }).pop();
      if (last) ends.push({ name: s.name, x: x(last.t), y: y(last.v) });
    });
    endLabels(f.g, ends, f.w + 14, f.h);
  }
  drawArea();
  drawTime();
  showOracle.addEventListener('change', function () { drawArea(); drawTime(); });

  // 3. Paired differences: reference − baseline, mean and 95% interval, per flagged area
  (function () {
    if (!report.reference) { d3.select('#chart-diff').append('p').text('ETAS was not run: no paired differences.'); return; }
    var rows = [];
    names.forEach(function (n) {
      var pd = report.models[n].pairedDiff;
      if (!pd || n === 'oracle' || n === 'random') return; // the ceiling and the floor are not competitors
      report.flaggedKm2.forEach(function (a) { var d = pd.hitRate[String(a)].diff; rows.push({ label: n + ' @ ' + a + ' km²', name: n, mean: d.mean, lo: d.lo, hi: d.hi }); });
    });
    var f = frame('chart-diff', 720, 30 + rows.length * 18 + 40, { top: 10, right: 30, bottom: 40, left: 170 });
    var ext = d3.extent(rows.flatMap(function (r) { return [r.lo, r.hi, 0]; }).filter(function (v) { return v !== null && isFinite(v); }));
    var x = d3.scaleLinear().domain(ext).nice().range([0, f.w]);
    var y = d3.scaleBand().domain(rows.map(function (r) { return r.label; })).range([0, f.h]).padding(0.3);
    f.g.append('g').attr('transform', 'translate(0,' + f.h + ')').call(d3.axisBottom(x).tickFormat(function (d) { return (d >= 0 ? '+' : '') + (100 * d).toFixed(1); }));
    f.g.append('g').call(d3.axisLeft(y));
    f.g.append('text').attr('x', f.w / 2).attr('y', f.h + 34).attr('text-anchor', 'middle').text(report.reference + ' − baseline, percentage points of hit rate (right of 0: ' + report.reference + ' better)');
    f.g.append('line').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 0).attr('y2', f.h).attr('stroke', '#999');
    var g = f.g.selectAll(null).data(rows).enter().append('g').attr('transform', function (r) { return 'translate(0,' + (y(r.label) + y.bandwidth() / 2) + ')'; });
    g.append('line').attr('x1', function (r) { return x(r.lo); }).attr('x2', function (r) { return x(r.hi); }).attr('stroke', function (r) { return color(r.name); }).attr('stroke-width', 2);
    g.append('circle').attr('cx', function (r) { return x(r.mean); }).attr('r', 4).attr('fill', function (r) { return color(r.name); })
      .append('title').text(function (r) { return r.label + ': ' + (100 * r.mean).toFixed(2) + ' [' + (100 * r.lo).toFixed(2) + ', ' + (100 * r.hi).toFixed(2) + '] points'; });
  })();
})();
`;

/** The reports' shared look: the backtest's and the review's (cli/reviewHtml.ts). */
export const REPORT_CSS = `  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
  h1 { font-size: 22px; margin-bottom: 4px; }
  h2 { font-size: 17px; margin-top: 32px; }
  .verdict { font-size: 16px; padding: 12px 16px; border-left: 6px solid #999; background: #f6f6f6; }
  .verdict.good { border-color: #2ca02c; } .verdict.bad { border-color: #d62728; } .verdict.neutral { border-color: #e6a700; }
  .facts { color: #555; } code { background: #f1f1f1; padding: 1px 4px; }
  table.summary { border-collapse: collapse; font-size: 12px; margin-top: 8px; }
  table.summary th, table.summary td { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: right; white-space: nowrap; }
  table.summary th[scope=row] { text-align: left; } small { color: #777; }
  /* The table fits the page: headers wrap, an interval sits under its value, and a narrow screen scrolls it sideways. */
  .table-wrap { max-width: 100%; overflow-x: auto; }
  table.summary thead th { white-space: normal; vertical-align: bottom; min-width: 3.2em; }
  table.summary td small { display: block; }
  .chart svg { max-width: 100%; height: auto; }
  svg text { font-size: 11px; }`;

/**
 * The HTML report. `d3Source` is the text of d3's UMD bundle (d3.min.js), inlined so the file
 * opens without a network.
 */
export function renderReportHtml(report: BacktestReport, meta: ReportMeta, d3Source: string): string {
  const headline = backtestHeadline(report);
  const headlineKey = headline?.areaKey ?? String(report.flaggedKm2[0]);
  const verdictClass = headline?.verdict === 'better' ? 'good' : headline?.verdict === 'worse' ? 'bad' : 'neutral';
  const unit = report.mode === 'months' ? 'months' : `${report.shiftHours}-hour shifts`;
  const facts = [
    `${report.shifts} ${unit} from ${report.perShift.label[0] ?? ''} to ${report.perShift.label[report.shifts - 1] ?? ''} (${report.tz})`,
    `${report.events.toLocaleString('en-US')} incidents scored, ${report.unplacedEvents.toLocaleString('en-US')} unplaced (time too vague for one ${report.mode === 'months' ? 'month' : 'shift'}), ${report.eventsOutsideArea} outside the study area`,
    `study area ${report.studyAreaKm2.toFixed(1)} km² in ${report.cells.toLocaleString('en-US')} H3 cells (resolution ${report.res}, ${(report.meanCellAreaKm2 * 1e6).toFixed(0)} m² each); ${report.districts} districts, top ${report.top} boxes per district`,
    `${report.fits.length} ETAS fits${report.mode === 'shifts' ? ` (refit every ${report.refitEveryDays} day${report.refitEveryDays === 1 ? '' : 's'}, warm-started)` : ' (one per month)'}`,
    `intervals: ${report.bootstrap.resamples} seeded bootstrap resamples of blocks of ${report.bootstrap.blockShifts} consecutive ${report.mode === 'months' ? 'month' : 'shift'}(s), seed ${report.bootstrap.seed}`,
    report.wallSeconds === null ? null : `computed in ${report.wallSeconds.toFixed(1)} s`,
  ].filter((x): x is string => x !== null);
  const data = { report, headlineKey, meta };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(meta.title)}</title>
<style>
${REPORT_CSS}
  .series-label { font-size: 12px; } .off-scale-note { fill: #555; }
  .toggle { display: inline-block; margin: 4px 0; }
  @page { size: A4; margin: 12mm; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
    .toggle { display: none; }
    .table-wrap { overflow: visible; }
    table.summary { width: 100%; font-size: 6.5pt; }
    table.summary th, table.summary td { padding: 2px 2px; white-space: normal; }
    table.summary th[scope=row] { white-space: nowrap; }
    table.summary thead th { min-width: 0; }
    h2 { break-after: avoid; } .chart, tr { break-inside: avoid; }
  }
</style>
</head>
<body>
<h1>${escapeHtml(meta.title)}</h1>
<p class="verdict ${verdictClass}" id="verdict">${escapeHtml(headline?.sentence ?? 'ETAS was not part of this run.')}</p>
<ul class="facts">${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}
<li>data: ${escapeHtml(meta.files.join(', '))}${meta.categories ? `; categories: ${escapeHtml(meta.categories.join(', '))}` : ''}</li>
<li>command: <code>${escapeHtml(meta.command)}</code></li></ul>
${report.notes.length > 0 ? `<ul class="notes">${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<p>How to read this: each ${report.mode === 'months' ? 'month' : 'shift'}, every model ranks the cells using only what was known before it started; the <em>hit rate</em> is the share of the ${report.mode === 'months' ? 'month' : 'shift'}'s crime that fell in its top cells. The oracle ranks by what actually happened (the ceiling no forecast reaches); random is the floor.</p>
<h2>Hit rate against area flagged</h2>
<label class="toggle"><input type="checkbox" id="show-oracle"> show the oracle (the ceiling, near 100%) on the charts' scale</label>
<div id="chart-area" class="chart" data-label="hit rate against area flagged"></div>
<h2>Hit rate over time (${escapeHtml(headlineKey)} km², rolling mean${report.mode === 'months' ? '' : ' over 7 days'})</h2>
<div id="chart-time" class="chart" data-label="hit rate over time"></div>
<h2>Paired differences from each baseline, with 95% intervals</h2>
<p>Each shift scores both models on the same incidents; the interval comes from resampling whole days of shifts. An interval entirely right of zero means ${escapeHtml(report.reference ?? 'the model')} beat that baseline beyond noise; an interval that spans zero means the two are level within noise.</p>
<div id="chart-diff" class="chart" data-label="paired differences"></div>
<h2>All measures</h2>
<div class="table-wrap">${summaryTable(report)}</div>
<p><small>PAI: hit rate ÷ share of the area flagged. PEI: hits ÷ the most any cells of that area could have caught. Log score: mean log ratio of the forecast's density (mixed 99:1 with uniform) to the uniform density at each incident (0 = no better than uniform). RRI: predicted ÷ observed count in the flagged cells (count models only).</small></p>
<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>
<script>${inlineScript(d3Source)}</script>
<script>${inlineScript(`var placeLabels = ${placeLabels.toString()};\n${CLIENT_SCRIPT}`)}</script>
</body>
</html>
`;
}
