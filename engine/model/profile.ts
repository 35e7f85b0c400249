/**
 * Per-cell background profiles over the shift-type bins, shrunk towards a district's (or the
 * city's) profile by the cell's evidence: empirical Bayes with a Dirichlet prior on each cell's
 * shares s_n(b) = h_n(b) E_b / T of its background across the bins (E_b the bin's exposure).
 */
import type { H3Cell } from '../types.ts';
import type { ProfileConfig } from './config.ts';
import type { Prepared } from './prepare.ts';

/** The fixed prior of every cell: α_nb = κ_n π_n(b) (pseudo-events), with Σ_b α_nb per cell. */
export interface ProfilePriors {
  readonly alpha: Float64Array;
  readonly alphaSum: Float64Array;
  /** The city's prior shares π(b). */
  readonly city: Float64Array;
}

/**
 * The posterior-mode shares of one cell: s(b) = (c_b + α_b) / (Σ c + Σ α) over the bins.
 * With no evidence (all c_b = 0) this is the prior's shares α_b / Σ α; as the counts grow it
 * tends to the cell's own shares c_b / Σ c.
 *
 * @returns the shares (Σ = 1), or null when there is neither evidence nor prior
 * @example
 * shrinkShares([0, 0, 0], [1, 2, 1]) // => [0.25, 0.5, 0.25]
 * shrinkShares([30, 0, 10], [1, 2, 1]) // => [31/44, 2/44, 11/44]
 */
export function shrinkShares(counts: ArrayLike<number>, alpha: ArrayLike<number>): number[] | null {
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b]! + alpha[b]!;
  if (!(total > 0)) return null;
  const out: number[] = [];
  for (let b = 0; b < counts.length; b++) out.push((counts[b]! + alpha[b]!) / total);
  return out;
}

/**
 * The priors, from raw counts of time-known events (fixed before the EM, so the EM stays a
 * MAP-EM with a monotone objective):
 * - city: π(b) = (K_b + e_b) / (K + 1), K_b the time-known events in bin b, e_b = E_b / T (one
 *   pseudo-event spread by exposure, so no bin with exposure gets a zero share);
 * - district g: π_g(b) = (K_gb + κ_g π(b)) / (K_g + κ_g), κ_g = max(κ, bins);
 * - cell n: α_nb = κ_n π_n(b), κ_n = κ + m_n β / (1 − β), π_n its district's profile, or the
 *   city's when it has no district or `prior` is 'city'.
 * Bins without exposure in the window get no share.
 * Cost O(cells · bins).
 */
export function profilePriors(
  prep: Prepared,
  cells: readonly H3Cell[],
  config: ProfileConfig,
  districtOf: ReadonlyMap<H3Cell, string> | undefined,
): ProfilePriors {
  const B = prep.bins;
  const C = prep.cellCount;
  const T = prep.windowHours;
  const E = prep.exposureHours;
  const Kb = new Float64Array(B);
  let K = 0;
  for (let c = 0; c < C; c++) {
    for (let b = 0; b < B; b++) Kb[b]! += prep.cellBinKnown[c * B + b]!;
    K += prep.cellKnown[c]!;
  }
  const city = new Float64Array(B);
  for (let b = 0; b < B; b++) city[b] = E[b]! > 0 ? (Kb[b]! + E[b]! / T) / (K + 1) : 0;

  const kappa = config.priorStrength;
  const rho = config.blend / (1 - config.blend);
  const districtShares = new Map<string, Float64Array>();
  const districtOfCell: (string | undefined)[] = new Array(C);
  if (config.prior === 'district' && districtOf !== undefined) {
    const counts = new Map<string, Float64Array>();
    for (let c = 0; c < C; c++) {
      const d = districtOf.get(cells[c]!);
      districtOfCell[c] = d;
      if (d === undefined) continue;
      let row = counts.get(d);
      if (!row) counts.set(d, (row = new Float64Array(B)));
      for (let b = 0; b < B; b++) row[b]! += prep.cellBinKnown[c * B + b]!;
    }
    const kd = Math.max(kappa, B);
    for (const [d, row] of counts) {
      let total = 0;
      for (let b = 0; b < B; b++) total += row[b]!;
      const shares = new Float64Array(B);
      for (let b = 0; b < B; b++) shares[b] = E[b]! > 0 ? (row[b]! + kd * city[b]!) / (total + kd) : 0;
      districtShares.set(d, shares);
    }
  }
  const alpha = new Float64Array(C * B);
  const alphaSum = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const d = districtOfCell[c];
    const pi = (d !== undefined ? districtShares.get(d) : undefined) ?? city;
    const kn = kappa + prep.cellKnown[c]! * rho;
    let s = 0;
    for (let b = 0; b < B; b++) {
      const a = kn * pi[b]!;
      alpha[c * B + b] = a;
      s += a;
    }
    alphaSum[c] = s;
  }
  return { alpha, alphaSum, city };
}

/**
 * The profile part of the M-step: h_n(b) = s_n(b) T / E_b with s_n the posterior-mode shares of
 * {@link shrinkShares} from the background sums c_nb (`binBackground`); bins without exposure
 * keep h = 1; a cell with neither evidence nor prior gets the flat profile (h = 1).
 * Cost O(cells · bins).
 */
export function profileMStep(prep: Prepared, priors: ProfilePriors, binBackground: Float64Array, hOut: Float64Array): void {
  const B = prep.bins;
  const T = prep.windowHours;
  const E = prep.exposureHours;
  for (let c = 0; c < prep.cellCount; c++) {
    let total = priors.alphaSum[c]!;
    for (let b = 0; b < B; b++) if (E[b]! > 0) total += binBackground[c * B + b]!;
    for (let b = 0; b < B; b++) {
      if (!(E[b]! > 0)) hOut[c * B + b] = 1;
      else if (!(total > 0)) hOut[c * B + b] = 1;
      else hOut[c * B + b] = (((binBackground[c * B + b]! + priors.alpha[c * B + b]!) / total) * T) / E[b]!;
    }
  }
}

/** The log prior Σ_{n,b} α_nb log s_n(b), s_n(b) = h_n(b) E_b / T (the penalty of the MAP-EM). O(cells · bins). */
export function profileLogPrior(prep: Prepared, priors: ProfilePriors, h: Float64Array): number {
  const B = prep.bins;
  const T = prep.windowHours;
  const E = prep.exposureHours;
  let sum = 0;
  for (let i = 0; i < priors.alpha.length; i++) {
    const a = priors.alpha[i]!;
    if (a > 0) sum += a * Math.log((h[i]! * E[i % B]!) / T);
  }
  return sum;
}
