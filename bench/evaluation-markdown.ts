/**
 * Markdown of bench/evaluation-suite.ts: one table per case from the backtest's report JSON
 * (engine/evaluate/report.ts), nothing re-scored. The paired differences etas − X are the
 * report's own (`models[X].pairedDiff`, reference etas). The one pair the report does not hold,
 * placement alone (naive-all-placed − naive-all), is a paired bootstrap of the report's per-shift
 * hit rates with the report's own bootstrap settings (seed, resamples, blocks), the same way
 * engine/evaluate/summarise.ts takes the others.
 */
import { pairedBootstrap } from '../engine/evaluate/index.ts';
import type { BacktestReport, ModelSummary } from '../engine/evaluate/index.ts';

/** What the suite knows about one finished case. */
export interface CaseResult {
  readonly title: string;
  readonly command: string;
  readonly filterNote?: string;
  readonly report: BacktestReport;
  /** Wall-clock seconds of the whole command (reading included). */
  readonly seconds: number;
}

interface Iv {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

const MINUS = '−';
const signed = (x: number, digits: number): string => (x < 0 ? MINUS : '+') + Math.abs(x).toFixed(digits);
const plain = (x: number, digits: number): string => (x < 0 ? MINUS : '') + Math.abs(x).toFixed(digits);
const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);
/** A difference of hit rates in percentage points with its interval. */
const points = (i: Iv | undefined): string =>
  i === undefined || !Number.isFinite(i.mean) ? '–' : `${signed(100 * i.mean, 2)} [${signed(100 * i.lo, 2)}, ${signed(100 * i.hi, 2)}]`;
/** A difference of log scores with its interval. */
const logDiff = (i: Iv | undefined): string =>
  i === undefined || !Number.isFinite(i.mean) ? '–' : `${signed(i.mean, 3)} [${signed(i.lo, 3)}, ${signed(i.hi, 3)}]`;
const count = (n: number): string => n.toLocaleString('en-US');

/** The area keys of the report ("0.5", "1", ...) and their labels. */
const areas = (r: BacktestReport): { key: string; label: string }[] => r.flaggedKm2.map((a) => ({ key: String(a), label: `${a} km²` }));

/** Per-shift series of a measure, null where the shift had no event. */
type Series = readonly (number | null)[];

/** Paired bootstrap a − b over the shifts where both are defined, with the report's settings. */
function pairedFromSeries(r: BacktestReport, a: Series | undefined, b: Series | undefined): Iv | undefined {
  if (a === undefined || b === undefined) return undefined;
  const xa: number[] = [];
  const xb: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number') {
      xa.push(x);
      xb.push(y);
    }
  }
  const { seed, resamples, level, blockShifts } = r.bootstrap;
  return pairedBootstrap(xa, xb, { seed, resamples, level, blockLength: blockShifts }).diff;
}

/** Placement alone, naive-all-placed − naive-all, per area key and for the top K. */
function placementGain(r: BacktestReport): { hit: Record<string, Iv | undefined>; top: Iv | undefined } {
  const placed = r.perShift.models['naive-all-placed'];
  const grid = r.perShift.models['naive-all'];
  const hit: Record<string, Iv | undefined> = {};
  for (const { key } of areas(r)) hit[key] = pairedFromSeries(r, placed?.hitRate[key], grid?.hitRate[key]);
  return { hit, top: pairedFromSeries(r, placed?.topKHitRate, grid?.topKHitRate) };
}

/** etas − model for an area key ('top' for the top K per district). */
function etasMinus(r: BacktestReport, model: string, key: string): Iv | undefined {
  const p = r.models[model]?.pairedDiff;
  if (p === null || p === undefined) return undefined;
  return key === 'top' ? p.topKHitRate.diff : p.hitRate[key]?.diff;
}

/** The models shown, in this order, when the report has them. */
const SHOWN = ['etas', 'etas-grid', 'naive-all-placed', 'naive-all', 'etas-2015'];
const DIFFS = ['naive-all', 'naive-all-placed', 'etas-grid', 'etas-2015'];

/** The facts line under a case's heading: period, counts, area, fits, run time. */
function facts(c: CaseResult): string {
  const r = c.report;
  const unit = r.mode === 'months' ? 'months' : 'shifts';
  const thetas = r.fits.map((f) => f.theta);
  const delays = r.fits.map((f) => f.meanDelayHours).filter((d) => Number.isFinite(d));
  const range = (xs: number[], d: number): string => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of xs) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return lo.toFixed(d) === hi.toFixed(d) ? lo.toFixed(d) : `${lo.toFixed(d)}-${hi.toFixed(d)}`;
  };
  // A delay means nothing when nothing is triggered (θ = 0 on month-precise data).
  const theta = range(thetas, 3);
  const delay = delays.length > 0 && theta !== '0.000' ? `, mean delay ${range(delays, 1)} h` : '';
  const fits = r.fits.length === 0 ? '' : `; ${count(r.fits.length)} fits (θ ${theta}${delay})`;
  return (
    `${count(r.shifts)} ${unit} (${count(r.shiftsWithEvents)} with incidents), ${count(r.events)} incidents scored, ` +
    `${count(r.unplacedEvents)} unplaced, ${count(r.eventsOutsideArea)} outside the study area; ${count(r.historyEvents)} incidents of history; ` +
    `${r.studyAreaKm2.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} km² in ${count(r.cells)} cells; ${count(r.districts)} district${r.districts === 1 ? '' : 's'}${fits}; ` +
    `${c.seconds.toFixed(0)} s.`
  );
}

/** The table of one case: hit rates, paired differences, log score. */
export function caseTable(c: CaseResult): string {
  const r = c.report;
  const models = SHOWN.filter((m) => r.models[m] !== undefined);
  const diffs = DIFFS.filter((m) => r.models[m]?.pairedDiff);
  const place = placementGain(r);
  const hasPlacement = r.models['naive-all-placed'] !== undefined && r.models['naive-all'] !== undefined;
  const head = ['at', ...models, ...diffs.map((m) => `etas − ${m}`), ...(hasPlacement ? ['placement: naive-all-placed − naive-all'] : [])];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|---|${head
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  const row = (label: string, key: string, value: (s: ModelSummary) => number): void => {
    const cells = [
      label,
      ...models.map((m) => pct(value(r.models[m]!))),
      ...diffs.map((m) => points(etasMinus(r, m, key))),
      ...(hasPlacement ? [points(key === 'top' ? place.top : place.hit[key])] : []),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  };
  for (const { key, label } of areas(r)) row(label, key, (s) => s.hitRate[key]!);
  row(`top ${r.top}/district`, 'top', (s) => s.topKHitRate);
  const logCells = [
    'log score',
    ...models.map((m) => plain(r.models[m]!.logScore, 3)),
    ...diffs.map((m) => logDiff(r.models[m]!.pairedDiff!.logScore)),
    ...(hasPlacement ? [plain(r.models['naive-all-placed']!.logScore - r.models['naive-all']!.logScore, 3)] : []),
  ];
  lines.push(`| ${logCells.join(' | ')} |`);
  return lines.join('\n');
}

/** The ratio etas / naive-all at 1 km² (or the first area) with its interval. */
function ratio(r: BacktestReport): { key: string; iv: Iv } | undefined {
  const key = r.flaggedKm2.includes(1) ? '1' : String(r.flaggedKm2[0]);
  const rel = r.models['naive-all']?.pairedDiff?.hitRate[key]?.relative;
  return rel === undefined ? undefined : { key, iv: { mean: 1 + rel.mean, lo: 1 + rel.lo, hi: 1 + rel.hi } };
}

/** Where etas − naive-all is beyond noise (interval excludes 0), by sign. */
export function beyondNoise(r: BacktestReport, sign: 1 | -1): string[] {
  const p = r.models['naive-all']?.pairedDiff;
  if (!p) return [];
  const out: string[] = [];
  const check = (label: string, iv: Iv | undefined): void => {
    if (iv !== undefined && (sign > 0 ? iv.lo > 0 : iv.hi < 0)) out.push(label);
  };
  for (const { key, label } of areas(r)) check(label, p.hitRate[key]?.diff);
  check(`top ${r.top}/district`, p.topKHitRate.diff);
  check('log score', p.logScore);
  return out;
}

/** The sentence under the table: ratio, split of the gain, log score, where etas loses. */
function verdict(c: CaseResult): string {
  const r = c.report;
  const rt = ratio(r);
  const parts: string[] = [];
  if (rt !== undefined) {
    parts.push(`etas / naive-all at ${rt.key} km² = ${rt.iv.mean.toFixed(3)} [${rt.iv.lo.toFixed(3)}, ${rt.iv.hi.toFixed(3)}]`);
    const total = etasMinus(r, 'naive-all', rt.key);
    const model = etasMinus(r, 'naive-all-placed', rt.key);
    const place = placementGain(r).hit[rt.key];
    if (total !== undefined && model !== undefined && place !== undefined) {
      parts.push(
        `of the ${signed(100 * total.mean, 2)} points over naive-all there, placement gives ${signed(100 * place.mean, 2)} and the model on placed boxes ${signed(100 * model.mean, 2)}`,
      );
    }
  }
  const etas = r.models.etas;
  const naive = r.models['naive-all'];
  if (etas && naive?.pairedDiff) {
    parts.push(`log score ${plain(etas.logScore, 3)} against ${plain(naive.logScore, 3)} (${logDiff(naive.pairedDiff.logScore)})`);
  }
  const worse = beyondNoise(r, -1);
  const better = beyondNoise(r, 1);
  parts.push(
    worse.length === 0
      ? 'etas is nowhere worse than naive-all beyond noise'
      : `**etas is worse than naive-all beyond noise at ${worse.join(', ')}**`,
  );
  if (better.length > 0) parts.push(`better beyond noise at ${better.join(', ')}`);
  return `${parts.join('; ')}.`;
}

/** One case's section: heading, command, facts, table, verdict. */
export function caseSection(c: CaseResult): string {
  const copy = c.filterNote === undefined ? '' : `\n\n\`$EVAL/data/...\` is a filtered copy the suite writes: ${c.filterNote}.`;
  return [`### ${c.title}`, '', `    ${c.command}${copy}`, '', facts(c), '', caseTable(c), '', verdict(c)].join('\n');
}

/** The overview of every case: one line each at 1 km². */
export function overview(results: readonly CaseResult[]): string {
  const lines = [
    '| case | etas 1 km² | naive-all 1 km² | etas / naive-all [95%] | placement (points) | model (points) | log score etas − naive-all | etas worse beyond noise at | time |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const c of results) {
    const r = c.report;
    const rt = ratio(r);
    const key = rt?.key ?? '1';
    const place = placementGain(r).hit[key];
    const model = etasMinus(r, 'naive-all-placed', key);
    const worse = beyondNoise(r, -1);
    lines.push(
      `| ${c.title.replace(/\|/g, '/')} | ${pct(r.models.etas?.hitRate[key])} | ${pct(r.models['naive-all']?.hitRate[key])} | ` +
        `${rt === undefined ? '–' : `${rt.iv.mean.toFixed(3)} [${rt.iv.lo.toFixed(3)}, ${rt.iv.hi.toFixed(3)}]`} | ` +
        `${place === undefined ? '–' : signed(100 * place.mean, 2)} | ${model === undefined ? '–' : signed(100 * model.mean, 2)} | ` +
        `${logDiff(r.models['naive-all']?.pairedDiff?.logScore)} | ${worse.length === 0 ? 'nowhere' : worse.join(', ')} | ${c.seconds.toFixed(0)} s |`,
    );
  }
  return lines.join('\n');
}
