/**
 * The edge-correction sums of the (θ, ω) M-step and of the log-likelihood's compensator: over the
 * events' times to the window's end u_i = T − t_i (docs/model.md#edge-sums).
 */

/** exp(−40) ≈ 4e-18: past this, the rest of an edge sum cannot change G = N − E0 in double precision. */
const EDGE_CUTOFF = 40;

/** The edge sums at one ω (see {@link edgeSums}). */
export interface EdgeSums {
  /** E0 = Σ_i exp(−ω u_i), u_i = T − t_i */
  readonly e0: number;
  /** E1 = Σ_i u_i exp(−ω u_i) = G'(ω) */
  readonly e1: number;
  /** E2 = Σ_i u_i² exp(−ω u_i) = −G''(ω) */
  readonly e2: number;
}

/**
 * The edge sums E0, E1, E2 over u ascending, visiting only those within 40/ω hours of the
 * window's end (each of the others contributes under 4e-18). G(ω) = N − E0 is the expected
 * number of offspring inside the window per unit θ. Cost O(events within 40/ω of T).
 */
export function edgeSums(remainingSorted: Float64Array, omegaPerHour: number): EdgeSums {
  let e0 = 0;
  let e1 = 0;
  let e2 = 0;
  const limit = EDGE_CUTOFF / omegaPerHour;
  for (let k = 0; k < remainingSorted.length; k++) {
    const u = remainingSorted[k]!;
    if (u > limit) break;
    const e = Math.exp(-omegaPerHour * u);
    e0 += e;
    const ue = u * e;
    e1 += ue;
    e2 += u * ue;
  }
  return { e0, e1, e2 };
}

/** Geometric bucket ratio ρ: bucket j covers u in [U_START (1+ρ)^j, U_START (1+ρ)^(j+1)). */
const BUCKET_RATIO = 0.01;
const LOG_RATIO = Math.log1p(BUCKET_RATIO);
/** Events with u below this (hours) are never bucketed: they are summed directly. */
const U_START = 1 / 60;
/** Taylor order K of e^{−ω d} around a bucket's centre (moments up to K + 2 are kept). */
const ORDER = 8;
const MOMENTS = ORDER + 3;
/** The direct sums cover at least this many events per bucket before the buckets take over. */
const DIRECT_PER_BUCKET = 8;

/**
 * The events' u = T − t_i laid out for {@link edgeSumsOf}, in O(N) (no sort of all N):
 * - `near`: every u below `nearLimit`, sorted ascending (at least 8 per bucket, or all of them),
 *   for the exact direct sums when 40/ω < nearLimit (short delays: the usual case);
 * - geometric buckets over [1 min, max u] with the moments of each bucket's offsets d = u − c
 *   about its centre c, M_k = Σ d^k, k = 0..K+2, for long delays, where the direct sums would
 *   cost one exp per event for every ω the M-step tries.
 */
export interface EdgeTable {
  readonly near: Float64Array;
  readonly nearLimit: number;
  readonly lo: Float64Array;
  readonly centre: Float64Array;
  /** moments[j·(K+3) + k] = Σ_{i in bucket j} (u_i − c_j)^k. */
  readonly moments: Float64Array;
}

/** The bucket of u ≥ U_START (−1 below it), corrected for rounding of the log. O(1). */
function bucketOf(u: number, lo: Float64Array): number {
  if (u < U_START) return -1;
  let j = Math.min(lo.length - 1, Math.floor(Math.log(u / U_START) / LOG_RATIO));
  while (j > 0 && lo[j]! > u) j--;
  while (j + 1 < lo.length && lo[j + 1]! <= u) j++;
  return j;
}

/** Builds the {@link EdgeTable} of unsorted u ≥ 0. O(N·K) plus a sort of the `near` events. */
export function edgeTable(remaining: Float64Array): EdgeTable {
  const n = remaining.length;
  let uMax = U_START;
  for (let i = 0; i < n; i++) if (remaining[i]! > uMax) uMax = remaining[i]!;
  const count = Math.ceil(Math.log(uMax / U_START) / LOG_RATIO) + 1;
  const lo = new Float64Array(count);
  const centre = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    lo[j] = U_START * Math.pow(1 + BUCKET_RATIO, j);
    centre[j] = lo[j]! * (1 + BUCKET_RATIO / 2);
  }
  const moments = new Float64Array(count * MOMENTS);
  let below = 0;
  for (let i = 0; i < n; i++) {
    const u = remaining[i]!;
    const j = bucketOf(u, lo);
    if (j < 0) {
      below++;
      continue;
    }
    const d = u - centre[j]!;
    const base = j * MOMENTS;
    let p = 1;
    for (let k = 0; k < MOMENTS; k++) {
      moments[base + k]! += p;
      p *= d;
    }
  }
  // The near set: whole buckets from the smallest u until it holds 8 events per bucket.
  let nearLimit = Infinity;
  let inNear = below;
  for (let j = 0; j < count; j++) {
    if (inNear >= DIRECT_PER_BUCKET * count) {
      nearLimit = lo[j]!;
      break;
    }
    inNear += moments[j * MOMENTS]!;
  }
  const near = new Float64Array(inNear);
  let q = 0;
  for (let i = 0; i < n; i++) if (remaining[i]! < nearLimit) near[q++] = remaining[i]!;
  near.sort();
  return { near, nearLimit, lo, centre, moments };
}

/**
 * The edge sums at ω from the table: exact direct sums over `near` when 40/ω < nearLimit;
 * otherwise per bucket e^{−ω u} = e^{−ω c} e^{−ω d} with e^{−ω d} by its Taylor series to order
 * K = 8 (|ω d| ≤ ρ ω c / 2, so a bucket's relative error is at most (ρ ω c / 2)^9 / 9!, under
 * 1e-17 where e^{−ω c} is not negligible), u e^{−ωu} and u² e^{−ωu} from the moments through
 * (c + d) and (c + d)², and the events under 1 minute summed directly. Buckets past 40/ω are
 * skipped. Cost O(events within 40/ω) or O(buckets · K) ≈ 1,500 buckets for four years.
 */
export function edgeSumsOf(t: EdgeTable, omegaPerHour: number): EdgeSums {
  const limit = EDGE_CUTOFF / omegaPerHour;
  if (limit < t.nearLimit) return edgeSums(t.near, omegaPerHour);
  let nDirect = 0;
  while (nDirect < t.near.length && t.near[nDirect]! < U_START) nDirect++;
  const direct = edgeSums(t.near.subarray(0, nDirect), omegaPerHour);
  let e0 = direct.e0;
  let e1 = direct.e1;
  let e2 = direct.e2;
  // coef[k] = (−ω)^k / k!
  const coef = new Float64Array(ORDER + 1);
  coef[0] = 1;
  for (let k = 1; k <= ORDER; k++) coef[k] = (coef[k - 1]! * -omegaPerHour) / k;
  for (let j = 0; j < t.lo.length; j++) {
    if (t.lo[j]! > limit) break;
    const base = j * MOMENTS;
    if (t.moments[base] === 0) continue;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k <= ORDER; k++) {
      const ck = coef[k]!;
      s0 += ck * t.moments[base + k]!;
      s1 += ck * t.moments[base + k + 1]!;
      s2 += ck * t.moments[base + k + 2]!;
    }
    const c = t.centre[j]!;
    const e = Math.exp(-omegaPerHour * c);
    e0 += e * s0;
    e1 += e * (c * s0 + s1);
    e2 += e * (c * c * s0 + 2 * c * s1 + s2);
  }
  return { e0, e1, e2 };
}

/**
 * The edge sums of the events' u = T − t_i (any order) at any ω, remembering the last few ω
 * asked about (the E-step's log-likelihood and the next M-step's safeguard both need the sums at
 * the current ω, computed once). Builds its {@link EdgeTable} on the first call.
 */
export function edgeSumsMemo(remaining: Float64Array): (omegaPerHour: number) => EdgeSums {
  const keys: number[] = [];
  const values: EdgeSums[] = [];
  let table: EdgeTable | null = null;
  return (omega) => {
    const k = keys.indexOf(omega);
    if (k >= 0) return values[k]!;
    const v = edgeSumsOf((table ??= edgeTable(remaining)), omega);
    keys.push(omega);
    values.push(v);
    if (keys.length > 4) {
      keys.shift();
      values.shift();
    }
    return v;
  };
}
