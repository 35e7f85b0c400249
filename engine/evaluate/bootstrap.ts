/**
 * Seeded bootstrap intervals for means over shifts, and paired intervals for differences.
 *
 * Shifts next to each other are correlated (a busy week is busy for all its shifts), so the
 * resampling unit is a *block* of consecutive shifts (default 1 = the plain bootstrap; the
 * backtest uses one day's shifts). Percentile intervals (Efron & Tibshirani 1993, §13.3).
 */
import { meanSimple, quantileSorted, sumSimple } from 'simple-statistics';
import { seededRandom } from '../random.ts';
import { EvaluateError } from './errors.ts';

export interface BootstrapOptions {
  /** PRNG seed (default 1). The same seed gives the same interval. */
  readonly seed?: number;
  /** Number of resamples (default 1000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  /** Consecutive values resampled together (default 1). */
  readonly blockLength?: number;
}

/** A mean with its bootstrap interval. */
export interface Interval {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** Number of values (shifts) behind the mean. */
  readonly n: number;
}

/** The values as an array (simple-statistics takes arrays; typed arrays are copied). O(n). */
function asArray(values: ArrayLike<number>): readonly number[] {
  return Array.isArray(values) ? (values as readonly number[]) : Array.from(values);
}

/**
 * Quantile of sorted values by linear interpolation between order statistics (R's and numpy's
 * default, type 7: at h = (n − 1) q, x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)); simple-statistics'
 * `quantileSorted`, NaN for no values. O(1) for an array, O(n) to copy a typed array.
 * @param q in [0, 1] (simple-statistics throws otherwise)
 * @example
 * quantileOfSorted([1, 2, 3, 4], 0.5) // => 2.5
 */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return quantileSorted(asArray(sorted), q);
}

/**
 * Draws `resamples` moving-block resamples of 0..n−1 and evaluates `k` statistics on each;
 * returns each statistic's percentile interval. All statistics see the same resamples.
 */
function resampleStatistics(
  n: number,
  options: BootstrapOptions,
  k: number,
  statistic: (pick: (visit: (i: number) => void) => void, out: Float64Array) => void,
): { lo: number; hi: number }[] {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const block = Math.max(1, Math.min(n, Math.floor(options.blockLength ?? 1)));
  if (!(resamples >= 1) || !(level > 0 && level < 1))
    throw new EvaluateError('E_ARGUMENT', `bootstrap: resamples ${resamples} must be ≥ 1 and level ${level} in (0, 1)`, [resamples, level]);
  const rand = seededRandom(options.seed ?? 1);
  const blocks = Math.ceil(n / block);
  const stats = Array.from({ length: k }, () => new Float64Array(resamples));
  const out = new Float64Array(k);
  for (let r = 0; r < resamples; r++) {
    // Draw `blocks` block starts uniformly among the n − block + 1 possible (moving blocks),
    // visiting n indices in total (the last block truncated).
    statistic((visit) => {
      let left = n;
      for (let b = 0; b < blocks; b++) {
        const start = Math.floor(rand() * (n - block + 1));
        const len = Math.min(block, left);
        for (let i = 0; i < len; i++) visit(start + i);
        left -= len;
      }
    }, out);
    for (let j = 0; j < k; j++) stats[j]![r] = out[j]!;
  }
  const tail = (1 - level) / 2;
  return stats.map((st) => {
    const sorted = Array.from(st.sort()); // typed-array sort: numeric, NaN last
    return { lo: quantileOfSorted(sorted, tail), hi: quantileOfSorted(sorted, 1 - tail) };
  });
}

function resampleStatistic(
  n: number,
  options: BootstrapOptions,
  statistic: (pick: (visit: (i: number) => void) => void) => number,
): { lo: number; hi: number } {
  return resampleStatistics(n, options, 1, (pick, out) => {
    out[0] = statistic(pick);
  })[0]!;
}

/**
 * Mean of `values` with a seeded (moving-block) bootstrap percentile interval.
 *
 * Complexity: O(resamples · n).
 *
 * @param values finite numbers (one per shift); undefined shifts must be left out by the caller
 * @returns {mean, lo, hi, n}; all NaN when `values` is empty
 * @throws {EvaluateError} E_ARGUMENT on a non-finite value
 * @example
 * bootstrapMean([1, 1, 1]).lo // => 1
 */
export function bootstrapMean(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval {
  const n = values.length;
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(values[i]!))
      throw new EvaluateError('E_ARGUMENT', `bootstrapMean: value ${values[i]} at ${i} is not finite`, values[i]);
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, n: 0 };
  const mean = meanSimple(asArray(values));
  const { lo, hi } = resampleStatistic(n, options, (pick) => {
    let s = 0;
    let m = 0;
    pick((i) => {
      s += values[i]!;
      m++;
    });
    return s / m;
  });
  return { mean, lo, hi, n };
}

/** A paired comparison of two models over the same shifts. */
export interface PairedDifference {
  /** mean(a − b) with its interval. */
  readonly diff: Interval;
  /** mean(a)/mean(b) − 1 with its interval (NaN when mean(b) is 0). */
  readonly relative: Interval;
}

/**
 * Paired bootstrap of a − b over the same shifts: resamples shifts (blocks) once and takes both
 * models' values from the same shifts, so shift-to-shift variation that both share cancels.
 *
 * @param a values of model a (e.g. ETAS), one per shift
 * @param b values of model b (e.g. a baseline), same shifts, same order
 * @throws {EvaluateError} E_ARGUMENT when the lengths differ or a value is not finite
 * @example
 * pairedBootstrap([2, 3], [1, 2]).diff.mean // => 1
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions = {}): PairedDifference {
  const n = a.length;
  if (b.length !== n) throw new EvaluateError('E_ARGUMENT', `pairedBootstrap: ${n} values against ${b.length}`, b.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!))
      throw new EvaluateError('E_ARGUMENT', `pairedBootstrap: value at ${i} is not finite (${a[i]}, ${b[i]})`, [a[i], b[i]]);
  }
  if (n === 0) {
    const none = { mean: NaN, lo: NaN, hi: NaN, n: 0 };
    return { diff: none, relative: none };
  }
  const sa = sumSimple(asArray(a));
  const sb = sumSimple(asArray(b));
  // One set of resamples for both: the difference and the ratio of means.
  const [d, r] = resampleStatistics(n, options, 2, (pick, out) => {
    let x = 0;
    let y = 0;
    let m = 0;
    pick((i) => {
      x += a[i]!;
      y += b[i]!;
      m++;
    });
    out[0] = (x - y) / m;
    out[1] = y > 0 ? x / y - 1 : NaN;
  }) as [{ lo: number; hi: number }, { lo: number; hi: number }];
  return {
    diff: { mean: (sa - sb) / n, lo: d.lo, hi: d.hi, n },
    relative: { mean: sb > 0 ? sa / sb - 1 : NaN, lo: r.lo, hi: r.hi, n },
  };
}

/**
 * Ratio of sums Σ num / Σ den (e.g. a log score summed per shift over the events per shift)
 * with a seeded bootstrap interval that resamples shifts (blocks) and recomputes the ratio.
 *
 * @param num numerator per shift
 * @param den denominator per shift (≥ 0)
 * @returns {mean: Σ num / Σ den, lo, hi, n: number of shifts}; NaN when Σ den = 0
 * @throws {EvaluateError} E_ARGUMENT when lengths differ, a value is not finite or a denominator is negative
 * @example
 * bootstrapRatio([2, 4], [1, 1]).mean // => 3
 */
export function bootstrapRatio(num: ArrayLike<number>, den: ArrayLike<number>, options: BootstrapOptions = {}): Interval {
  const n = num.length;
  if (den.length !== n)
    throw new EvaluateError('E_ARGUMENT', `bootstrapRatio: ${n} numerators against ${den.length} denominators`, den.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(num[i]!) || !Number.isFinite(den[i]!) || den[i]! < 0) {
      throw new EvaluateError('E_ARGUMENT', `bootstrapRatio: bad value at ${i} (${num[i]} / ${den[i]})`, [num[i], den[i]]);
    }
  }
  const sn = sumSimple(asArray(num));
  const sd = sumSimple(asArray(den));
  if (n === 0 || !(sd > 0)) return { mean: NaN, lo: NaN, hi: NaN, n };
  const { lo, hi } = resampleStatistic(n, options, (pick) => {
    let x = 0;
    let y = 0;
    pick((i) => {
      x += num[i]!;
      y += den[i]!;
    });
    return y > 0 ? x / y : NaN;
  });
  return { mean: sn / sd, lo, hi, n };
}
