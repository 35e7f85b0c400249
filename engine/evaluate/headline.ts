/**
 * The one-paragraph verdict of a backtest: did the reference model (ETAS) beat the best baseline,
 * by how much, and is the difference beyond noise (the paired 95% interval)?
 */
import type { Interval } from './bootstrap.ts';
import type { BacktestReport } from './report.ts';

/**
 * Models that are not baselines a forecast competes with: the ceiling, the floor, the 2015
 * model (a variant of the reference, reported beside it in the table, not a cheap alternative)
 * and `etas-grid` (the reference's own forecasts scored on the grid). `naive-all-placed` is a
 * baseline: counting with placed boxes is as cheap as counting.
 */
const NOT_BASELINES = new Set(['oracle', 'random', 'etas-2015', 'etas-grid']);

export interface BacktestHeadline {
  /** The flagged-area key the verdict is about ("1" when the run has 1 km², else the first area). */
  readonly areaKey: string;
  readonly reference: string;
  readonly referenceHitRate: number;
  /** The baseline with the highest mean hit rate at that area (null when the run had none). */
  readonly bestBaseline: string | null;
  readonly baselineHitRate: number | null;
  /** reference − best baseline, in hit-rate units, with its paired interval. */
  readonly diff: Interval | null;
  /** reference / best baseline − 1, with its paired interval. */
  readonly relative: Interval | null;
  readonly oracleHitRate: number | null;
  readonly verdict: 'better' | 'worse' | 'no clear difference' | 'no baseline';
  /** Plain words for the top of a report. */
  readonly sentence: string;
}

// A report read back from JSON has null where the run had NaN: written as a dash, never as 0.
const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '–');
const signedPoints = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}` : '–');
const signedPct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}%` : '–');

/** A paired comparison (reference − baseline, hit-rate units) judged by its 95% interval, in words. */
export interface PairedVerdict {
  /** 'better' only when the interval is above zero, 'worse' only when it is below; otherwise (or without an interval) no clear difference. */
  readonly verdict: 'better' | 'worse' | 'no clear difference';
  /** One sentence: "beat" only with the interval above zero; an interval spanning zero is "level, within noise". */
  readonly words: string;
}

/**
 * The verdict words of a paired difference, shared by the backtest's headline and the review of
 * what was published (cli/reviewHtml.ts), so both say "beat" by the same rule.
 *
 * @param reference what is judged, as the sentence names it (e.g. "etas", "the published boxes")
 * @param baseline what it is compared with (e.g. "naive-all", "all-history counts")
 * @param diff reference − baseline with its paired 95% interval (NaN or null bounds: no interval, no verdict)
 * @param relative reference / baseline − 1 with its interval
 * @param beaten how the "beat" sentence names the baseline (default: `baseline`; the headline says "it")
 * @example
 * pairedVerdict('etas', 'naive-all', { mean: 0.036, lo: 0.029, hi: 0.043, n: 276 }, { mean: 0.12, lo: 0.1, hi: 0.14, n: 276 }).words
 * // => 'etas beat naive-all by +3.60 percentage points (+12.0%; 95% interval +2.90 to +4.30 points): a real, clear gain.'
 */
export function pairedVerdict(
  reference: string,
  baseline: string,
  diff: Interval,
  relative: Interval,
  beaten: string = baseline,
): PairedVerdict {
  const verdict = diff.lo > 0 ? 'better' : diff.hi < 0 ? 'worse' : 'no clear difference';
  // A JSON report stores a NaN interval as null: no interval, so no verdict either way.
  const hasInterval = Number.isFinite(diff.lo) && Number.isFinite(diff.hi);
  const interval = hasInterval
    ? `95% interval ${signedPoints(diff.lo)} to ${signedPoints(diff.hi)} points`
    : 'no 95% interval: too few shifts to resample';
  const rel = `${signedPct(relative.mean)}; `;
  const small = Math.abs(relative.mean) < 0.05;
  const words =
    verdict === 'better'
      ? `${reference} beat ${beaten} by ${signedPoints(diff.mean)} percentage points (${rel}${interval}): a real${small ? ' but small' : ', clear'} gain.`
      : verdict === 'worse'
        ? `${reference} did worse, by ${signedPoints(diff.mean)} percentage points (${rel}${interval}): the better forecast here was ${baseline}.`
        : hasInterval
          ? `The difference, ${signedPoints(diff.mean)} percentage points (${rel}${interval}), is within noise: ${reference} is level with ${baseline}.`
          : `The difference, ${signedPoints(diff.mean)} percentage points (${interval}), cannot be judged: no verdict.`;
  return { verdict, words };
}

/**
 * Picks the headline comparison of a report and puts it in words.
 *
 * @param areaKey flagged-area key to judge at (default "1" if present, else the first)
 * @returns null when the report has no reference model (ETAS was not run)
 */
export function backtestHeadline(report: BacktestReport, areaKey?: string): BacktestHeadline | null {
  const reference = report.reference;
  if (reference === null) return null;
  const keys = report.flaggedKm2.map(String);
  const key = areaKey ?? (keys.includes('1') ? '1' : keys[0]!);
  const ref = report.models[reference]!;
  const refRate = ref.hitRate[key]!;
  const oracle = report.models.oracle?.hitRate[key] ?? null;
  let best: string | null = null;
  for (const name of report.modelNames) {
    if (name === reference || NOT_BASELINES.has(name)) continue;
    if (best === null || report.models[name]!.hitRate[key]! > report.models[best]!.hitRate[key]!) best = name;
  }
  const area = `${key} km²`;
  const unit = report.mode === 'months' ? 'month' : 'shift';
  if (best === null) {
    return {
      areaKey: key,
      reference,
      referenceHitRate: refRate,
      bestBaseline: null,
      baselineHitRate: null,
      diff: null,
      relative: null,
      oracleHitRate: oracle,
      verdict: 'no baseline',
      sentence: `With the top cells covering ${area}, ${reference} caught ${pct(refRate)} of each ${unit}'s crime on average. No baseline was run to compare it with.`,
    };
  }
  const paired = report.models[best]!.pairedDiff!;
  const diff = paired.hitRate[key]!.diff;
  const relative = paired.hitRate[key]!.relative;
  const baseRate = report.models[best]!.hitRate[key]!;
  const { verdict, words: judged } = pairedVerdict(reference, best, diff, relative, 'it');
  const ceiling = oracle === null ? '' : ` Perfect hindsight (the oracle) would have caught ${pct(oracle)}.`;
  const lead = `With the top cells covering ${area}, ${reference} caught ${pct(refRate)} of each ${unit}'s crime on average over ${report.shifts} ${unit}s; the best baseline, ${best}, caught ${pct(baseRate)}.`;
  return {
    areaKey: key,
    reference,
    referenceHitRate: refRate,
    bestBaseline: best,
    baselineHitRate: baseRate,
    diff,
    relative,
    oracleHitRate: oracle,
    verdict,
    sentence: `${lead} ${judged}${ceiling}`,
  };
}
