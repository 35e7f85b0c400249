import type { Prepared } from './prepare.ts';
import type { EdgeSums } from './prepare.ts';

/** What one E-step pass returns (sums over all events). */
export interface EStepSums {
  /** Σ_j log λ(t_j). −Infinity when some event has λ = 0 (a cell with events but μ = 0 and nothing earlier). */
  readonly sumLogLambda: number;
  /** Σ_{i<j} p_ij: expected number of triggered events. */
  readonly triggered: number;
  /** Σ_{i<j} p_ij (t_j − t_i), hours. */
  readonly triggeredDelayHours: number;
}

/**
 * One pass of the E-step over every cell's tie groups, using the exponential-kernel recursion
 * (docs/model.md#recursion), extended to ties: with groups of equal time τ_g of size
 * s_g in one cell, A_g = Σ_{t_i < τ_g} exp(−ω (τ_g − t_i)) and B_g = Σ_{t_i < τ_g} (τ_g − t_i)
 * exp(−ω (τ_g − t_i)) obey
 *
 *     A_g = exp(−ω Δ_g) (A_{g−1} + s_{g−1})
 *     B_g = exp(−ω Δ_g) (B_{g−1} + Δ_g (A_{g−1} + s_{g−1}))
 *
 * so events at the same instant in the same cell never excite each other (the tie rule, as in
 * Mohler 2014: the intensity is the left limit λ(t−), which only counts strictly earlier events).
 * Each event of a group has λ = μ_n + θ ω A_g, background probability p_jj = μ_n / λ,
 * Σ_i p_ij = θ ω A_g / λ and Σ_i p_ij (t_j − t_i) = θ ω B_g / λ.
 *
 * When `backgroundOut` is given, it receives Σ_{j in n} p_jj for every cell n.
 * Cost O(groups) ≤ O(N): one exp per group (the decay over a gap that changes with ω cannot
 * be had by recursion) and about one log per cell; no pair is ever formed.
 */
export function eStep(
  prep: Prepared,
  muPerHour: Float64Array,
  theta: number,
  omegaPerHour: number,
  backgroundOut: Float64Array | null,
): EStepSums {
  const { groupStart, groupDeltaHours, groupSize, cellCount } = prep;
  const thetaOmega = theta * omegaPerHour;
  let sumLog = 0;
  let trig = 0;
  let trigDelay = 0;
  for (let c = 0; c < cellCount; c++) {
    const g0 = groupStart[c]!;
    const g1 = groupStart[c + 1]!;
    if (g0 === g1) {
      if (backgroundOut) backgroundOut[c] = 0;
      continue;
    }
    const mu = muPerHour[c]!;
    // First group: nothing earlier, λ = μ, p_jj = 1.
    let prevSize = groupSize[g0]!;
    let a = 0;
    let b = 0;
    let bg = prevSize;
    // Σ size·log λ is accumulated as a running product of λ^size, folded into a log only when
    // it nears the ends of the double range: one log per ~100 groups instead of one per group.
    let logSum = prevSize * Math.log(mu);
    let prod = 1;
    for (let g = g0 + 1; g < g1; g++) {
      const delta = groupDeltaHours[g]!;
      const decay = Math.exp(-omegaPerHour * delta);
      const aPlus = a + prevSize;
      b = decay * (b + delta * aPlus);
      a = decay * aPlus;
      const size = groupSize[g]!;
      const excite = thetaOmega * a;
      const lambda = mu + excite;
      const w = size / lambda;
      if (size === 1 && lambda > 1e-100 && lambda < 1e100) {
        prod *= lambda; // stays within [1e-300, 1e300]: no underflow
        if (prod < 1e-200 || prod > 1e200) {
          logSum += Math.log(prod);
          prod = 1;
        }
      } else {
        logSum += size * Math.log(lambda);
      }
      bg += w * mu;
      trig += w * excite;
      trigDelay += w * thetaOmega * b;
      prevSize = size;
    }
    sumLog += logSum + Math.log(prod);
    if (backgroundOut) backgroundOut[c] = bg;
  }
  return { sumLogLambda: sumLog, triggered: trig, triggeredDelayHours: trigDelay };
}

/**
 * The log-likelihood (docs/model.md#log-likelihood) given the E-step's Σ log λ:
 * ℓ = Σ log λ(t_j) − T Σ_n μ_n − θ Σ_i (1 − exp(−ω (T − t_i))).
 */
export function logLikelihoodFrom(
  prep: Prepared,
  edge: (omegaPerHour: number) => EdgeSums,
  sumLogLambda: number,
  muPerHour: Float64Array,
  theta: number,
  omegaPerHour: number,
): number {
  let muSum = 0;
  for (let c = 0; c < muPerHour.length; c++) muSum += muPerHour[c]!;
  const offspringInWindow = theta === 0 ? 0 : prep.events - edge(omegaPerHour).e0;
  return sumLogLambda - prep.windowHours * muSum - theta * offspringInWindow;
}
