/**
 * E-steps of the model (docs/model.md#e-step):
 *
 *     λ_n(t) = μ_n h_n(b(t)) + θ ω Σ_d (w_d / n_d) Σ_{i: cell(i) at grid distance d from n, t_i < t} exp(−ω (t − t_i))
 *
 * with h_n the cell's profile over the bins b (shift types), w_d the share of offspring landing
 * at ring distance d (n_0 = 1, n_d = 6d). An event whose time of day is unknown is given the
 * profile's mean, h = 1 (its background intensity is μ_n). Events at the same instant never
 * trigger each other (tie rule, Mohler 2014), in any cell.
 */
import type { Prepared } from './prepare.ts';

/** Current parameters, by cell index. */
export interface EStepParams {
  readonly mu: Float64Array;
  /** h[c·B + b]: profile multiplier of cell c in bin b (all 1 without a profile). */
  readonly h: Float64Array;
  readonly theta: number;
  readonly omega: number;
  /** w_d / n_d for d = 0..K (length 1 with weight 1 for same-cell triggering). */
  readonly ringWeightPerCell: Float64Array;
}

/** What the E-step sums (docs/model.md#e-step notation). */
export interface EStepSums {
  /** Σ_j log λ(t_j). */
  sumLog: number;
  /** S = Σ p_ij: expected triggered events. */
  triggered: number;
  /** D = Σ p_ij (t_j − t_i). */
  delayHours: number;
  /** S_d: expected triggered events whose parent is at ring distance d. */
  readonly triggeredByDistance: Float64Array;
  /** Σ p_jj of time-known events per (cell, bin). */
  readonly binBackground: Float64Array;
  /** Σ p_jj of time-unknown events per cell. */
  readonly unknownBackground: Float64Array;
}

export function newSums(prep: Prepared, depth: number): EStepSums {
  return {
    sumLog: 0,
    triggered: 0,
    delayHours: 0,
    triggeredByDistance: new Float64Array(depth + 1),
    binBackground: new Float64Array(prep.cellCount * prep.bins),
    unknownBackground: new Float64Array(prep.cellCount),
  };
}

function reset(s: EStepSums): void {
  s.sumLog = 0;
  s.triggered = 0;
  s.delayHours = 0;
  s.triggeredByDistance.fill(0);
  s.binBackground.fill(0);
  s.unknownBackground.fill(0);
}

/**
 * Same-cell E-step (ring depth 0): the exponential-kernel recursion over each cell's groups,
 * A_g = e^{−ωΔ}(A_{g−1} + size_{g−1}), B_g = e^{−ωΔ}(B_{g−1} + Δ(A_{g−1} + size_{g−1}))
 * (docs/model.md#recursion). Cost O(N + cells·bins).
 *
 * @param groupBackground if given, receives Σ p_jj of each group (for the recency estimator)
 */
export function eStepSameCell(prep: Prepared, p: EStepParams, out: EStepSums, groupBackground: Float64Array | null): void {
  reset(out);
  const { groupStart, groupDelta, groupKnown, groupUnknown, groupBin, cellCount, bins } = prep;
  const thetaOmega = p.theta * p.omega * p.ringWeightPerCell[0]!;
  const omega = p.omega;
  let sumLog = 0;
  let prod = 1;
  let S = 0;
  let D = 0;
  const binBg = out.binBackground;
  const unkBg = out.unknownBackground;
  for (let c = 0; c < cellCount; c++) {
    const g0 = groupStart[c]!;
    const g1 = groupStart[c + 1]!;
    if (g0 === g1) continue;
    const mu = p.mu[c]!;
    const hOff = c * bins;
    let a = 0;
    let b = 0;
    let prevSize = 0;
    let unk = 0;
    for (let g = g0; g < g1; g++) {
      if (g > g0) {
        const delta = groupDelta[g]!;
        const decay = Math.exp(-omega * delta);
        const aPlus = a + prevSize;
        b = decay * (b + delta * aPlus);
        a = decay * aPlus;
      }
      const excite = thetaOmega * a;
      const k = groupKnown[g]!;
      const u = groupUnknown[g]!;
      let w = 0; // Σ size/λ over the group's two kinds
      let bg = 0;
      if (k > 0) {
        const base = mu * p.h[hOff + groupBin[g]!]!;
        const lambda = base + excite;
        // Σ log λ as a running product, folded into a log only near the ends of the double
        // range (as engine/model estep.ts does): one log per ~100 groups instead of one each.
        if (k === 1 && lambda > 1e-100 && lambda < 1e100) {
          prod *= lambda;
          if (prod < 1e-200 || prod > 1e200) {
            sumLog += Math.log(prod);
            prod = 1;
          }
        } else sumLog += k * Math.log(lambda);
        const pk = k / lambda;
        w += pk;
        const pb = pk * base;
        binBg[hOff + groupBin[g]!]! += pb;
        bg += pb;
      }
      if (u > 0) {
        const lambda = mu + excite;
        sumLog += u * Math.log(lambda);
        const pu = u / lambda;
        w += pu;
        const pb = pu * mu;
        unk += pb;
        bg += pb;
      }
      S += w * excite;
      D += w * thetaOmega * b;
      if (groupBackground !== null) groupBackground[g] = bg;
      prevSize = k + u;
    }
    unkBg[c] = unk;
  }
  out.sumLog = sumLog + Math.log(prod);
  out.triggered = S;
  out.delayHours = D;
  out.triggeredByDistance[0] = S;
}

/** Groups in global time order (ties by cell), for {@link eStepRings}. O(G log G). */
export function groupsByTime(prep: Prepared): Int32Array {
  const G = prep.groupT.length;
  const order = new Int32Array(G);
  for (let g = 0; g < G; g++) order[g] = g;
  const t = prep.groupT;
  return order.sort((x, y) => t[x]! - t[y]! || x - y);
}

/**
 * E-step with triggering spread to the rings 1..K around each event's cell (docs/model.md#ring-sweep): the
 * events are visited in time order, each cell keeping decayed sums A_c = Σ_{i in c} e^{−ω(t−t_i)}
 * and B_c = Σ (t − t_i) e^{−ω(t−t_i)}, brought forward lazily to the current time
 * (A ← e^{−ωΔ}A, B ← e^{−ωΔ}(B + ΔA)). An event reads the sums of its own cell and of its ring
 * neighbours; events at one instant are all read before any of them is added (tie rule).
 * Cost O(N · (1 + 3K(K+1))) per call. Kept as one function (over 80 lines): it is the hot loop
 * of every ring-spread fit, and its locals stay in registers.
 */
// eslint-disable-next-line max-lines-per-function -- the hot loop of ring-spread fits (see above)
export function eStepRings(
  prep: Prepared,
  p: EStepParams,
  rings: { readonly offsets: Int32Array; readonly neighbour: Int32Array; readonly distance: Int32Array },
  order: Int32Array,
  out: EStepSums,
  groupBackground: Float64Array | null,
): void {
  reset(out);
  const { groupT, groupCell, groupKnown, groupUnknown, groupBin, cellCount, bins } = prep;
  const K = p.ringWeightPerCell.length - 1;
  const omega = p.omega;
  const thetaOmega = p.theta * p.omega;
  const wn = p.ringWeightPerCell;
  const A = new Float64Array(cellCount);
  const Bs = new Float64Array(cellCount);
  const last = new Float64Array(cellCount);
  const ad = new Float64Array(K + 1);
  const bd = new Float64Array(K + 1);
  const Sd = out.triggeredByDistance;
  const binBg = out.binBackground;
  const unkBg = out.unknownBackground;
  let sumLog = 0;
  let S = 0;
  let D = 0;
  const bring = (c: number, t: number): void => {
    const delta = t - last[c]!;
    if (delta > 0) {
      const decay = Math.exp(-omega * delta);
      Bs[c] = decay * (Bs[c]! + delta * A[c]!);
      A[c] = decay * A[c]!;
      last[c] = t;
    }
  };
  const G = order.length;
  let start = 0;
  while (start < G) {
    const t = groupT[order[start]!]!;
    let end = start + 1;
    while (end < G && groupT[order[end]!] === t) end++;
    for (let q = start; q < end; q++) {
      const g = order[q]!;
      const c = groupCell[g]!;
      ad.fill(0);
      bd.fill(0);
      bring(c, t);
      ad[0] = A[c]!;
      bd[0] = Bs[c]!;
      for (let r = rings.offsets[c]!; r < rings.offsets[c + 1]!; r++) {
        const d = rings.distance[r]!;
        if (d > K) continue;
        const o = rings.neighbour[r]!;
        bring(o, t);
        ad[d]! += A[o]!;
        bd[d]! += Bs[o]!;
      }
      let excite = 0;
      let exciteB = 0;
      for (let d = 0; d <= K; d++) {
        excite += wn[d]! * ad[d]!;
        exciteB += wn[d]! * bd[d]!;
      }
      excite *= thetaOmega;
      exciteB *= thetaOmega;
      const mu = p.mu[c]!;
      const k = groupKnown[g]!;
      const u = groupUnknown[g]!;
      let w = 0;
      let bg = 0;
      if (k > 0) {
        const base = mu * p.h[c * bins + groupBin[g]!]!;
        const lambda = base + excite;
        sumLog += k * Math.log(lambda);
        const pk = k / lambda;
        w += pk;
        const pb = pk * base;
        binBg[c * bins + groupBin[g]!]! += pb;
        bg += pb;
      }
      if (u > 0) {
        const lambda = mu + excite;
        sumLog += u * Math.log(lambda);
        const pu = u / lambda;
        w += pu;
        const pb = pu * mu;
        unkBg[c]! += pb;
        bg += pb;
      }
      S += w * excite;
      D += w * exciteB;
      for (let d = 0; d <= K; d++) Sd[d]! += w * thetaOmega * wn[d]! * ad[d]!;
      if (groupBackground !== null) groupBackground[g] = bg;
    }
    for (let q = start; q < end; q++) {
      const g = order[q]!;
      const c = groupCell[g]!;
      bring(c, t);
      A[c]! += groupKnown[g]! + groupUnknown[g]!;
    }
    start = end;
  }
  out.sumLog = sumLog;
  out.triggered = S;
  out.delayHours = D;
}
