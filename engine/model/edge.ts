/**
 * The edge-correction sums of the (θ, ω) M-step and of the log-likelihood's compensator: over the
 * events' times to the window's end u_i = T − t_i (MODEL.md §1, "edge correction").
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
 * The edge sums E0, E1, E2 over the events, visiting only those within 40/ω hours of the
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

/**
 * {@link edgeSums} remembering the last few ω it was asked about: the E-step's log-likelihood
 * and the next M-step's safeguard both need the sums at the current ω, computed once.
 */
export function edgeSumsMemo(remainingSorted: Float64Array): (omegaPerHour: number) => EdgeSums {
  const keys: number[] = [];
  const values: EdgeSums[] = [];
  return (omega) => {
    const k = keys.indexOf(omega);
    if (k >= 0) return values[k]!;
    const v = edgeSums(remainingSorted, omega);
    keys.push(omega);
    values.push(v);
    if (keys.length > 4) {
      keys.shift();
      values.shift();
    }
    return v;
  };
}
