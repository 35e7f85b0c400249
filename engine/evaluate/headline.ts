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
  const verdict = diff.lo > 0 ? 'better' : diff.hi < 0 ? 'worse' : 'no clear difference';
  // A JSON report stores a NaN interval as null: no interval, so no verdict either way.
  const hasInterval = Number.isFinite(diff.lo) && Number.isFinite(diff.hi);
  const interval = hasInterval
    ? `95% interval ${signedPoints(diff.lo)} to ${signedPoints(diff.hi)} points`
    : 'no 95% interval: too few shifts to resample';
  const ceiling = oracle === null ? '' : ` Perfect hindsight (the oracle) would have caught ${pct(oracle)}.`;
  const lead = `With the top cells covering ${area}, ${reference} caught ${pct(refRate)} of each ${unit}'s crime on average over ${report.shifts} ${unit}s; the best baseline, ${best}, caught ${pct(baseRate)}.`;
  const judged =
    verdict === 'better'
      ? `${reference} beat it by ${signedPoints(diff.mean)} percentage points (${signedPct(relative.mean)}; ${interval}): a real${Math.abs(relative.mean) < 0.05 ? ' but small' : ', clear'} gain.`
      : verdict === 'worse'
        ? `${reference} did worse, by ${signedPoints(diff.mean)} percentage points (${signedPct(relative.mean)}; ${interval}): ${best} was the better forecast here.`
        : hasInterval
          ? `The difference, ${signedPoints(diff.mean)} percentage points (${signedPct(relative.mean)}; ${interval}), is within noise: ${reference} is level with ${best}.`
          : `The difference, ${signedPoints(diff.mean)} percentage points (${interval}), cannot be judged: no verdict.`;
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
