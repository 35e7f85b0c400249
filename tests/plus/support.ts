/**
 * Test support for the model with its profile and ring spread: a quadratic oracle written
 * straight from docs/model.md#intensity with every pair formed explicitly, an independent wall-clock bin oracle (luxon,
 * minute by minute), and a seeded simulator of the profile model (not a test file itself).
 */
import { DateTime } from 'luxon';
import { gridDisk, gridDistance, incidentCell } from '../../engine/grid/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { EventSet, H3Cell } from '../../engine/types.ts';

export const HOUR_MS = 3_600_000;
export const VAN = 'America/Vancouver';

/** 19 real res-10 cells: a centre in Vancouver and its rings 1 and 2, sorted by id. */
export const CELLS: readonly H3Cell[] = gridDisk(incidentCell(49.2609, -123.1139, 10), 2);

/**
 * The bin of an instant by the oracle's own reading of the wall clock: the local time's hour
 * and minute against the sorted shift starts (before the first start: the previous day's last
 * shift), weekend by the local date the shift started on. Independent of engine/model.
 */
export function oracleBin(ms: number, tz: string, startsMinutes: readonly number[], weekend: boolean): number {
  const local = DateTime.fromMillis(ms, { zone: tz });
  const minutes = local.hour * 60 + local.minute;
  let s = -1;
  for (let k = 0; k < startsMinutes.length; k++) if (startsMinutes[k]! <= minutes) s = k;
  let startDay = local.startOf('day');
  if (s < 0) {
    s = startsMinutes.length - 1;
    startDay = startDay.minus({ days: 1 });
  }
  const isWeekend = weekend && (startDay.weekday === 6 || startDay.weekday === 7);
  return s + (isWeekend ? startsMinutes.length : 0);
}

/** Exposure hours per bin of [fromMs, toMs), minute by minute with {@link oracleBin}. */
export function oracleExposure(fromMs: number, toMs: number, tz: string, startsMinutes: readonly number[], weekend: boolean): number[] {
  const B = startsMinutes.length * (weekend ? 2 : 1);
  const out = new Array<number>(B).fill(0);
  for (let t = fromMs; t < toMs; t += 60_000) out[oracleBin(t, tz, startsMinutes, weekend)]! += 1 / 60;
  return out;
}

export interface OracleInput {
  /** Events: H3 cell, time (hours since the window start), bin (−1 = time of day unknown). */
  readonly cell: readonly H3Cell[];
  readonly t: readonly number[];
  readonly bin: readonly number[];
  readonly T: number;
  readonly exposure: readonly number[];
}

export interface OracleParams {
  readonly mu: ReadonlyMap<H3Cell, number>;
  readonly h: ReadonlyMap<H3Cell, readonly number[]>;
  readonly theta: number;
  readonly omega: number;
  /** w_d, d = 0..K. */
  readonly w: readonly number[];
}

/**
 * Quadratic E-step and log-likelihood (docs/model.md#e-step): λ_j = μ_n h_n(b_j) + θω Σ_{i: t_i < t_j,
 * dist ≤ K} (w_d / n_d) e^{−ω(t_j − t_i)}, n_0 = 1, n_d = 6d, with h = 1 for unknown times;
 * ℓ = Σ log λ_j − Σ_n μ_n Σ_b h_n(b) E_b − θ Σ_i (1 − e^{−ω(T − t_i)}).
 */
export function oracleEStep(x: OracleInput, p: OracleParams) {
  const n = x.t.length;
  const K = p.w.length - 1;
  let sumLog = 0;
  let S = 0;
  let D = 0;
  const Sd = new Array<number>(K + 1).fill(0);
  const binBg = new Map<H3Cell, number[]>();
  const unkBg = new Map<H3Cell, number>();
  for (let j = 0; j < n; j++) {
    const c = x.cell[j]!;
    const base = p.mu.get(c)! * (x.bin[j]! < 0 ? 1 : p.h.get(c)![x.bin[j]!]!);
    const parts: { v: number; lag: number; d: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (!(x.t[i]! < x.t[j]!)) continue;
      const d = x.cell[i] === c ? 0 : gridDistance(x.cell[i]!, c);
      if (d > K) continue;
      const lag = x.t[j]! - x.t[i]!;
      parts.push({ v: ((p.theta * p.omega * p.w[d]!) / (d === 0 ? 1 : 6 * d)) * Math.exp(-p.omega * lag), lag, d });
    }
    const lambda = base + parts.reduce((s, q) => s + q.v, 0);
    sumLog += Math.log(lambda);
    for (const q of parts) {
      S += q.v / lambda;
      D += (q.v / lambda) * q.lag;
      Sd[q.d]! += q.v / lambda;
    }
    if (x.bin[j]! < 0) unkBg.set(c, (unkBg.get(c) ?? 0) + base / lambda);
    else {
      const row = binBg.get(c) ?? new Array<number>(x.exposure.length).fill(0);
      row[x.bin[j]!]! += base / lambda;
      binBg.set(c, row);
    }
  }
  let compensator = 0;
  for (const [c, m] of p.mu) compensator += m * p.h.get(c)!.reduce((s, hb, b) => s + hb * x.exposure[b]!, 0);
  let offspring = 0;
  for (let i = 0; i < n; i++) offspring += 1 - Math.exp(-p.omega * (x.T - x.t[i]!));
  return { sumLog, S, D, Sd, binBg, unkBg, logLikelihood: sumLog - compensator - p.theta * offspring };
}

/** Poisson draw (Knuth; small means only). */
export function poisson(rand: () => number, mean: number): number {
  const L = Math.exp(-mean);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rand();
    if (p <= L) return k;
    k++;
  }
}

/** An EventSet from (cell index, hours) pairs, sorted by (cell, time), origin = window start. */
export function eventSetFrom(cells: readonly H3Cell[], originMs: number, pairs: readonly (readonly [number, number])[]): EventSet {
  const order = pairs.map((_, i) => i).sort((a, b) => pairs[a]![0] - pairs[b]![0] || pairs[a]![1] - pairs[b]![1] || a - b);
  return {
    originMs,
    cells,
    cell: Int32Array.from(order, (i) => pairs[i]![0]),
    tHours: Float64Array.from(order, (i) => pairs[i]![1]),
    incidentIndex: Int32Array.from(order),
  };
}

/**
 * Seeded simulation of the profile model with same-cell triggering: background events of cell
 * c in each wall-clock segment [a, b) of bin k are Poisson(μ_c h_c(k) (b − a)) placed uniformly;
 * every event has Poisson(θ) children in its cell at Exp(ω) delays (branching construction),
 * kept when before the window's end. Segments come from `segments` (start ms, bin).
 *
 * @returns (cell index, hours since fromMs) pairs
 */
export function simulateProfile(opts: {
  seed: number;
  fromMs: number;
  toMs: number;
  segments: readonly { startMs: number; bin: number }[];
  mu: readonly number[];
  h: readonly (readonly number[])[];
  theta: number;
  omega: number;
}): [number, number][] {
  const rand = seededRandom(opts.seed);
  const out: [number, number][] = [];
  const T = (opts.toMs - opts.fromMs) / HOUR_MS;
  const segs = opts.segments;
  for (let s = 0; s < segs.length; s++) {
    const a = Math.max(opts.fromMs, segs[s]!.startMs);
    const b = Math.min(opts.toMs, s + 1 < segs.length ? segs[s + 1]!.startMs : opts.toMs);
    if (!(b > a)) continue;
    const len = (b - a) / HOUR_MS;
    for (let c = 0; c < opts.mu.length; c++) {
      const k = poisson(rand, opts.mu[c]! * opts.h[c]![segs[s]!.bin]! * len);
      for (let i = 0; i < k; i++) out.push([c, (a - opts.fromMs) / HOUR_MS + rand() * len]);
    }
  }
  if (opts.theta > 0) {
    const queue = [...out];
    while (queue.length > 0) {
      const [c, t] = queue.pop()!;
      const kids = poisson(rand, opts.theta);
      for (let i = 0; i < kids; i++) {
        const child = t - Math.log(1 - rand()) / opts.omega;
        if (child < T) {
          out.push([c, child]);
          queue.push([c, child]);
        }
      }
    }
  }
  return out;
}
