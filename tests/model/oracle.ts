/**
 * A plain quadratic EM for the grid ETAS model, written straight from docs/model.md#em with every
 * pair (i, j) formed explicitly: the oracle the O(N) engine is checked against. Independent of
 * the engine: its (θ, ω) M-step solves the edge-corrected equations of docs/model.md#m-step
 *
 *     θ = Σ p_ij / Σ_i (1 − exp(−ω (T − t_i)))
 *     ω = Σ p_ij / [ Σ p_ij (t_j − t_i) + θ Σ_i (T − t_i) exp(−ω (T − t_i)) ]
 *
 * by fixed-point iteration to convergence (the engine maximises a profile likelihood by root
 * finding instead), and uses no edge-sum truncation. Tie rule: only pairs with t_i < t_j.
 */
export interface OracleParams {
  mu: number[];
  theta: number;
  omega: number;
}

export interface OracleEStep {
  logLikelihood: number;
  /** Σ p_ij */
  triggered: number;
  /** Σ p_ij (t_j − t_i) */
  triggeredDelay: number;
  /** Σ_{j in n} p_jj per cell */
  background: number[];
}

export function oracleEStep(cell: ArrayLike<number>, t: ArrayLike<number>, nCells: number, T: number, p: OracleParams): OracleEStep {
  const n = cell.length;
  let sumLog = 0;
  let triggered = 0;
  let triggeredDelay = 0;
  const background = new Array<number>(nCells).fill(0);
  for (let j = 0; j < n; j++) {
    const excite: number[] = [];
    const lag: number[] = [];
    for (let i = 0; i < n; i++) {
      if (cell[i] !== cell[j] || !(t[i]! < t[j]!)) continue;
      const d = t[j]! - t[i]!;
      excite.push(p.theta * p.omega * Math.exp(-p.omega * d));
      lag.push(d);
    }
    const mu = p.mu[cell[j]!]!;
    const lambda = mu + excite.reduce((a, b) => a + b, 0);
    sumLog += Math.log(lambda);
    background[cell[j]!]! += mu / lambda;
    excite.forEach((e, k) => {
      triggered += e / lambda;
      triggeredDelay += (e / lambda) * lag[k]!;
    });
  }
  let edge = 0;
  for (let i = 0; i < n; i++) edge += 1 - Math.exp(-p.omega * (T - t[i]!));
  const muSum = p.mu.reduce((a, b) => a + b, 0);
  return { logLikelihood: sumLog - T * muSum - p.theta * edge, triggered, triggeredDelay, background };
}

export function oracleMStep(t: ArrayLike<number>, T: number, e: OracleEStep, omega0: number): OracleParams {
  const mu = e.background.map((b) => b / T);
  const S = e.triggered;
  let omega = omega0;
  let theta = 0;
  for (let it = 0; it < 100000; it++) {
    let g = 0;
    let g1 = 0;
    for (let i = 0; i < t.length; i++) {
      const u = T - t[i]!;
      g += 1 - Math.exp(-omega * u);
      g1 += u * Math.exp(-omega * u);
    }
    theta = S / g;
    const next = S / (e.triggeredDelay + theta * g1);
    if (Math.abs(next - omega) <= 1e-15 * omega) return { mu, theta, omega: next };
    omega = next;
  }
  throw new Error('oracle fixed point did not converge');
}

/** Runs `iterations` oracle EM steps; returns the parameters after each and the ℓ before each. */
export function oracleEm(
  cell: ArrayLike<number>,
  t: ArrayLike<number>,
  nCells: number,
  T: number,
  start: OracleParams,
  iterations: number,
): { params: OracleParams[]; logLikelihoods: number[]; esteps: OracleEStep[] } {
  const params = [start];
  const logLikelihoods: number[] = [];
  const esteps: OracleEStep[] = [];
  let p = start;
  for (let k = 0; k < iterations; k++) {
    const e = oracleEStep(cell, t, nCells, T, p);
    esteps.push(e);
    logLikelihoods.push(e.logLikelihood);
    p = oracleMStep(t, T, e, p.omega);
    params.push(p);
  }
  return { params, logLikelihoods, esteps };
}
