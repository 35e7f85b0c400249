/**
 * The background rate a forecast uses, estimated after the EM from the final E-step's background
 * probabilities p_jj: weighted by recency, and optionally blended with the all-history rate.
 */
import { ModelError } from './errors.ts';
import type { Prepared } from './prepare.ts';

/**
 * Background rate per cell weighted by recency (a post-EM estimator, not part of the EM):
 *
 *     r_n = Σ_{j in n} p_jj 2^{−(T − t_j)/h} / W,   W = ∫_0^T 2^{−(T − t)/h} dt = (h / ln 2)(1 − 2^{−T/h})
 *
 * with p_jj the background probabilities of the final E-step and h the half-life in hours; for
 * h = ∞ it is Σ p_jj / T, the EM's μ_n update. r_n is a rate per hour of the window's mean
 * profile (the forecast multiplies it by h_n(b)). Cost O(groups).
 */
export function recencyRates(prep: Prepared, groupBackground: Float64Array, halfLifeDays: number): Float64Array {
  const out = new Float64Array(prep.cellCount);
  const T = prep.windowHours;
  const G = prep.groupT.length;
  if (halfLifeDays === Infinity) {
    for (let g = 0; g < G; g++) out[prep.groupCell[g]!]! += groupBackground[g]!;
    for (let c = 0; c < out.length; c++) out[c] = out[c]! / T;
    return out;
  }
  if (!(halfLifeDays > 0))
    throw new ModelError('E_OPTIONS', `half-life must be a positive number of days or Infinity, got ${halfLifeDays}`, halfLifeDays);
  const k = Math.LN2 / (halfLifeDays * 24);
  for (let g = 0; g < G; g++) out[prep.groupCell[g]!]! += groupBackground[g]! * Math.exp(-k * (T - prep.groupT[g]!));
  const W = -Math.expm1(-k * T) / k;
  for (let c = 0; c < out.length; c++) out[c] = out[c]! / W;
  return out;
}

/**
 * The blended background rate r_n = (1 − a)·recent_n + a·allHistory_n (the configuration's
 * `recency.allHistoryWeight`): a share a of the all-history rate Σ p_jj / T keeps cells whose
 * crime is old from being starved by a short half-life. With a = 0 it returns `recent` itself
 * (the same array, untouched: bit-for-bit the unblended rate); a = 1 gives the all-history
 * rate. Cost O(cells).
 * @throws {ModelError} E_OPTIONS when a is outside [0, 1] or the arrays differ in length
 */
export function blendRates(recent: Float64Array, allHistory: Float64Array, allHistoryWeight: number): Float64Array {
  const a = allHistoryWeight;
  if (!(a >= 0 && a <= 1)) throw new ModelError('E_OPTIONS', `all-history weight must lie in [0, 1], got ${a}`, a);
  if (a === 0) return recent;
  if (recent.length !== allHistory.length)
    throw new ModelError('E_OPTIONS', `rate arrays differ in length (${recent.length}, ${allHistory.length})`, allHistory.length);
  const out = new Float64Array(recent.length);
  for (let c = 0; c < out.length; c++) out[c] = (1 - a) * recent[c]! + a * allHistory[c]!;
  return out;
}

/**
 * The forecast's background rate per cell (by cell index) after the EM: the recency-weighted rate
 * of `recency` (all history when null), blended with the all-history rate by its
 * `allHistoryWeight`; also the unblended rates of `extraHalfLivesDays` (and of Infinity when the
 * configuration blends), keyed by half-life in days. Cost O(groups · half-lives + cells).
 */
export function postEmRates(
  prep: Prepared,
  groupBackground: Float64Array,
  recency: { readonly halfLifeDays: number; readonly allHistoryWeight?: number } | null,
  extraHalfLivesDays: readonly number[],
): { rate: Float64Array; ratesByHalfLife: Map<number, Float64Array> } {
  const halfLife = recency?.halfLifeDays ?? Infinity;
  const allHistoryWeight = recency?.allHistoryWeight ?? 0;
  const recent = recencyRates(prep, groupBackground, halfLife);
  const ratesByHalfLife = new Map<number, Float64Array>([[halfLife, recent]]);
  for (const hl of extraHalfLivesDays) if (!ratesByHalfLife.has(hl)) ratesByHalfLife.set(hl, recencyRates(prep, groupBackground, hl));
  if (!(allHistoryWeight > 0)) return { rate: recent, ratesByHalfLife };
  let all = ratesByHalfLife.get(Infinity);
  if (all === undefined) ratesByHalfLife.set(Infinity, (all = recencyRates(prep, groupBackground, Infinity)));
  return { rate: blendRates(recent, all, allHistoryWeight), ratesByHalfLife };
}
