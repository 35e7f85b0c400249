/**
 * The holdout replay of the adaptive selection (select.ts; docs/model.md#adaptive-default):
 * expected counts of every variant in each holdout window from one fit made at the holdout's
 * start, and their hits and log scores on the incidents of the window.
 *
 * Cells scored: those with at least one incident known at the selection instant (the only cells
 * any variant can flag with a count behind it); the flagged areas are whole numbers of cells,
 * k = round(area / mean cell area), and cells tied at the k-th score share the remaining places
 * (fractional credit), so the hits do not depend on the cells' order.
 */
import { shiftIntegral } from '../forecast/index.ts';
import { binExposureHours, type BinCalendar } from '../model/index.ts';
import type { EventSet } from '../types.ts';
import { upperBound } from '../search.ts';
import { kthLargest } from './metrics.ts';

const HOUR_MS = 3_600_000;
/** The triggering history is read back this many mean delays (as rolling.ts ETAS_HISTORY_MEAN_DELAYS). */
const HISTORY_MEAN_DELAYS = 50;
/** Share of the uniform density mixed into each forecast for the log score (as metrics.ts). */
const UNIFORM_WEIGHT = 0.01;

/** The per-cell parts of one variant: its background rate and whether profile and triggering are on. */
export interface VariantParts {
  readonly rate: Float64Array;
  readonly profile: boolean;
  readonly triggering: boolean;
}

/** What the replay needs: the events known at the selection instant and the holdout fit's parts. */
export interface HoldoutSetup {
  readonly events: EventSet;
  readonly knownMs: Float64Array;
  /** 1 for the cells (by index of events.cells) that are scored. */
  readonly scored: Uint8Array;
  readonly kByArea: readonly number[];
  readonly theta: number;
  readonly omegaPerHour: number;
  readonly ringWeights: readonly number[];
  /** Ring cells (by index) at distance 1..depth of a cell index, with their distance. */
  readonly ringOf: (c: number) => { idx: Int32Array; dist: Int32Array };
  /** h[c·B + b] by cell index (null: no profile) and the calendar of its bins. */
  readonly profile: { readonly h: Float64Array; readonly calendar: BinCalendar } | null;
}

/** Per variant: hits per window per area (hits[a][w]) and log-score sum per window. */
export interface HoldoutScores {
  readonly hits: Float64Array[][];
  readonly logSum: Float64Array[];
  /** Incidents per window (scored cells only). */
  readonly events: Float64Array;
}

/**
 * Replays the windows. Cost per window O(V · C + recent events + V · A · C) for V variants, C
 * cells, A areas (one selection per area, O(C) expected).
 */
export function replayHoldout(
  s: HoldoutSetup,
  windows: readonly { startMs: number; endMs: number }[],
  variants: readonly VariantParts[],
): HoldoutScores {
  const W = windows.length;
  const A = s.kByArea.length;
  const hits = variants.map(() => Array.from({ length: A }, () => new Float64Array(W)));
  const logSum = variants.map(() => new Float64Array(W));
  const events = new Float64Array(W);
  const C = s.events.cells.length;
  const actual = actualsByWindow(s, windows);
  const order = byKnown(s, windows.length > 0 ? windows[0]!.startMs : Infinity);
  const knownSorted = Float64Array.from(order, (k) => s.knownMs[k]!);
  // the scored cells' indices: the loops below run over them only (unscored cells stay at −1)
  const idx: number[] = [];
  for (let c = 0; c < C; c++) if (s.scored[c] === 1) idx.push(c);
  const score = new Float64Array(C).fill(-1);
  const scratch = new Float64Array(C);
  // per variant and shift of the day (window w mod 3): 0.9 × the last k_max-th largest score, a
  // floor that usually leaves a few hundred candidates for the selection (exact: see candidates)
  const floors = new Float64Array(variants.length * 3);
  const flatFactor = new Float64Array(C);
  const profFactor = new Float64Array(C);
  for (let w = 0; w < W; w++) {
    const cells = actual[w]!;
    events[w] = cells.length;
    if (cells.length === 0) continue;
    const { startMs, endMs } = windows[w]!;
    const hours = (endMs - startMs) / HOUR_MS;
    flatFactor.fill(hours);
    if (s.profile !== null) profileFactor(s.profile, startMs, endMs, profFactor);
    const trig = triggered(s, order, knownSorted, startMs, hours);
    for (let v = 0; v < variants.length; v++) {
      const p = variants[v]!;
      const factor = p.profile && s.profile !== null ? profFactor : flatFactor;
      let total = 0;
      const n = idx.length;
      for (let i = 0; i < n; i++) {
        const c = idx[i]!;
        const x = p.rate[c]! * factor[c]! + (p.triggering ? trig[c]! : 0);
        score[c] = x;
        total += x;
      }
      const f = v * 3 + (w % 3);
      const m = candidates(score, n, floors[f]!, s.kByArea, scratch);
      const { hits: h, threshold } = hitsAt(score, scratch.subarray(0, m), n, s.kByArea, cells);
      floors[f] = 0.9 * threshold;
      for (let a = 0; a < A; a++) hits[v]![a]![w] = h[a]!;
      logSum[v]![w] = logScore(score, total, n, cells);
    }
  }
  return { hits, logSum, events };
}

/**
 * Positions of the events that can excite a window (known within the triggering look-back of the
 * first window's start, or later), ordered by known-from instant (ties by position); none
 * without triggering. O(N + M log M) for the M kept.
 */
function byKnown(s: HoldoutSetup, firstStartMs: number): Int32Array {
  if (!(s.theta > 0) || s.ringWeights.length === 0) return new Int32Array(0);
  const fromMs = firstStartMs - (HISTORY_MEAN_DELAYS / s.omegaPerHour) * HOUR_MS;
  const known = s.knownMs;
  const kept: number[] = [];
  for (let k = 0; k < known.length; k++) if (known[k]! > fromMs) kept.push(k);
  const order = Int32Array.from(kept);
  order.sort((a, b) => known[a]! - known[b]! || a - b);
  return order;
}

/** The cell index of every incident of each window (scored cells only). O(N + W log N). */
function actualsByWindow(s: HoldoutSetup, windows: readonly { startMs: number; endMs: number }[]): number[][] {
  const out = windows.map((): number[] => []);
  const starts = Float64Array.from(windows, (w) => w.startMs);
  const { cell, tHours, originMs } = s.events;
  for (let k = 0; k < cell.length; k++) {
    const ms = originMs + tHours[k]! * HOUR_MS;
    const w = upperBound(starts, ms) - 1;
    if (w >= 0 && ms < windows[w]!.endMs && s.scored[cell[k]!] === 1) out[w]!.push(cell[k]!);
  }
  return out;
}

/** Σ_b h[c·B + b] · (hours of the window in bin b), for every cell. O(C · B). */
function profileFactor(p: NonNullable<HoldoutSetup['profile']>, startMs: number, endMs: number, out: Float64Array): void {
  const binHours = binExposureHours(p.calendar, startMs, endMs);
  const B = binHours.length;
  for (let c = 0; c < out.length; c++) {
    let f = 0;
    for (let b = 0; b < B; b++) f += p.h[c * B + b]! * binHours[b]!;
    out[c] = f;
  }
}

/** The triggered part of each cell over the window, from the incidents known at its start (forecastShift's). */
function triggered(s: HoldoutSetup, order: Int32Array, knownSorted: Float64Array, startMs: number, hours: number): Float64Array {
  const C = s.events.cells.length;
  const trig = new Float64Array(C);
  if (!(s.theta > 0) || s.ringWeights.length === 0) return trig;
  const omega = s.omegaPerHour;
  const lo = upperBound(knownSorted, startMs - (HISTORY_MEAN_DELAYS / omega) * HOUR_MS);
  const hi = upperBound(knownSorted, startMs);
  const sHours = (startMs - s.events.originMs) / HOUR_MS;
  const integral = shiftIntegral(s.theta, omega, hours);
  const depth = s.ringWeights.length - 1;
  const w0 = s.ringWeights[0]!;
  for (let e = lo; e < hi; e++) {
    const k = order[e]!;
    const t = s.events.tHours[k]!;
    if (!(t < sHours)) continue;
    const v = integral(sHours - t);
    const src = s.events.cell[k]!;
    trig[src]! += v * w0;
    if (depth === 0) continue;
    const ring = s.ringOf(src);
    for (let r = 0; r < ring.idx.length; r++) {
      const d = ring.dist[r]!;
      trig[ring.idx[r]!]! += (v * s.ringWeights[d]!) / (6 * d);
    }
  }
  return trig;
}

/**
 * Copies into `out` the scores at or above `floor` when there are at least k_max of them (then
 * the k_max-th largest, and every score tied with it, is among them, so the hits are exact), else
 * every score ≥ 0. Returns how many. O(C).
 */
function candidates(score: Float64Array, n: number, floor: number, kByArea: readonly number[], out: Float64Array): number {
  let kMax = 0;
  for (const k of kByArea) kMax = Math.max(kMax, Math.min(k, n));
  let m = 0;
  if (floor > 0) for (let c = 0; c < score.length; c++) if (score[c]! >= floor) out[m++] = score[c]!;
  if (m >= kMax && floor > 0) return m;
  m = 0;
  for (let c = 0; c < score.length; c++) if (score[c]! >= 0) out[m++] = score[c]!;
  return m;
}

/**
 * Hits of the top k cells for each k: incidents in cells scoring above the k-th largest score,
 * plus, for the cells tied with it, their share of the places left. `values` (candidates holding
 * the top k_max of the n scored cells' scores and all ties with it) is reordered: one selection of the largest k (O(C) expected), a sort of those k (k log k,
 * k ≤ a few hundred), and a scan of the rest only when a threshold ties with it.
 */
function hitsAt(
  score: Float64Array,
  values: Float64Array,
  n: number,
  kByArea: readonly number[],
  cells: readonly number[],
): { hits: number[]; threshold: number } {
  let kMax = 0;
  for (const k of kByArea) kMax = Math.max(kMax, Math.min(k, n));
  if (kMax === 0) return { hits: kByArea.map(() => 0), threshold: 0 };
  const tMax = kthLargest(values, kMax); // metrics.ts: the largest kMax end up at the end
  const rest = values.length - kMax;
  const top = values.slice(rest).sort().reverse();
  let restTied = -1; // incidents of the rest tied with tMax, counted once when needed
  const hits = kByArea.map((k0) => {
    const k = Math.min(k0, n);
    if (k === 0) return 0;
    const t = top[k - 1]!;
    let above = 0;
    let tied = 0;
    for (let i = 0; i < kMax; i++) {
      if (top[i]! > t) above++;
      else if (top[i] === t) tied++;
    }
    if (t === tMax) {
      if (restTied < 0) {
        restTied = 0;
        for (let i = 0; i < rest; i++) if (values[i] === tMax) restTied++;
      }
      tied += restTied;
    }
    const share = (k - above) / tied;
    let h = 0;
    for (const c of cells) {
      const x = score[c]!;
      if (x > t) h += 1;
      else if (x === t) h += share;
    }
    return h;
  });
  return { hits, threshold: tMax };
}

/** Σ over the window's incidents of log(q_c / u), q the normalised forecast mixed with 1% uniform over the n scored cells (equal areas). */
function logScore(score: Float64Array, total: number, n: number, cells: readonly number[]): number {
  const u = 1 / n;
  let sum = 0;
  for (const c of cells) {
    const p = total > 0 ? score[c]! / total : u;
    sum += Math.log(((1 - UNIFORM_WEIGHT) * p + UNIFORM_WEIGHT * u) / u);
  }
  return sum;
}
