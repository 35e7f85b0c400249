/**
 * Placed scoring: a model's coarse scores per study cell are split to the finer lattice
 * (resolution r + 1) by the smoothed shares of the history known at the window start, and
 * non-overlapping boxes of seven fine cells (the area of one study cell, H3 aperture 7) are
 * placed greedily by the expected count they cover, as engine/forecast/placement.ts
 * `placeBoxes` does: city-wide for the flagged areas (N boxes where the grid flags N cells, so
 * the areas match) and per district for the top-K patrol boxes. A box catches the incidents
 * whose fine cell is one of its cells.
 *
 * This is `placeBoxes` on lattice indices instead of H3 strings (the same greedy rule, the same
 * tie-break: centre id ascending, since the lattice is numbered in H3 id order), because a
 * backtest places boxes for every window and model. Two restrictions keep it cheap, both
 * stated in docs/evaluation.md: candidate centres are the fine children of the top
 * 3 × (largest box count) study cells city-wide and of the top 3 × K of each district (a box
 * may still reach into any neighbouring cell); and a fine cell's expected count is the plain
 * product coarse × share (placeBoxes' splitToFine hands the rounding remainder to the largest
 * child: a difference of a few ulps).
 *
 * Leakage: the fine history counts are advanced along the training stream to each window's
 * start (incidents known at or before it), and rewound when a replay starts again.
 */
import type { H3Cell } from '../types.ts';
import { boxCells, fineChildren, incidentCell } from '../grid/index.ts';
import { DEFAULT_SHARE_ALPHA } from '../forecast/placement.ts';
import { placeActuals, placeables } from './actuals.ts';
import { topIndices, topKPerDistrictFromScores } from './metrics.ts';
import type { EvaluationRun } from './prepare.ts';
import type { ModelScores } from './score.ts';

/** Box slots per centre (6 cells and a −1 at a pentagon). */
const BOX = 7;
/** Candidate study cells: this many times the boxes needed (module comment). */
export const CANDIDATE_FACTOR = 3;

/** The fine lattice of a run: the children of the study cells, numbered in H3 id order, and the history on it. */
export class FineLattice {
  /** Fine cells: the children of the study cells (ids 0..inside−1), then cells outside met in boxes. */
  readonly cells: H3Cell[] = [];
  /** Number of fine cells inside the study cells. */
  readonly inside: number;
  /** Study cell of each inside fine cell. */
  readonly parent: Int32Array;
  /** Children of study cell c: ids childStart[c] .. childStart[c + 1] − 1. */
  readonly childStart: Int32Array;
  /** Per window: the fine id of each scored incident inside the study cells (−1 otherwise). */
  readonly actualByWindow: readonly (readonly number[])[];
  private readonly index = new Map<H3Cell, number>();
  private readonly box: Int32Array;
  /** History: incidents per inside fine cell and per study cell, as of `historyMs`. */
  private readonly fineCount: Float64Array;
  private readonly coarseCount: Float64Array;
  private readonly streamFine: Int32Array;
  private readonly streamKnownMs: Float64Array;
  private cursor = 0;
  private historyMs = -Infinity;
  private covered = new Uint8Array(0);

  /** O(C) h3 calls for the lattice, O(N log N) for the incidents' fine cells and their order. */
  constructor(
    run: EvaluationRun,
    readonly alpha: number = DEFAULT_SHARE_ALPHA,
  ) {
    const C = run.study.cells.length;
    this.childStart = new Int32Array(C + 1);
    const parent: number[] = [];
    for (let c = 0; c < C; c++) {
      for (const kid of fineChildren(run.study.cells[c]!)) {
        this.index.set(kid, this.cells.length);
        this.cells.push(kid);
        parent.push(c);
      }
      this.childStart[c + 1] = this.cells.length;
    }
    this.inside = this.cells.length;
    this.parent = Int32Array.from(parent);
    this.box = new Int32Array(this.inside * BOX).fill(-2);
    this.fineCount = new Float64Array(this.inside);
    this.coarseCount = new Float64Array(C);
    const fineOf = Int32Array.from(run.incidents, (inc) => this.insideId(incidentCell(inc.lat, inc.lng, run.res + 1)));
    const byKnown = Array.from(fineOf.keys()).sort((a, b) => run.knownMs[a]! - run.knownMs[b]! || a - b);
    this.streamFine = Int32Array.from(byKnown, (i) => fineOf[i]!);
    this.streamKnownMs = Float64Array.from(byKnown, (i) => run.knownMs[i]!);
    this.actualByWindow = placeActuals(
      run.windows,
      placeables(run.incidents, run.knownMs, (i) => fineOf[i]!),
    ).byWindow;
  }

  private insideId(cell: H3Cell): number {
    const id = this.index.get(cell);
    return id !== undefined && id < this.inside ? id : -1;
  }

  /** Id of any fine cell (cells outside the study cells get ids from `inside` on: for overlap only). */
  idOf(cell: H3Cell): number {
    let id = this.index.get(cell);
    if (id === undefined) {
      id = this.cells.length;
      this.index.set(cell, id);
      this.cells.push(cell);
    }
    return id;
  }

  /** The ids of the box centred on inside fine cell f: slots f·7 .. f·7+6 (−1 pads a pentagon's). O(1), cached. */
  boxOf(f: number): Int32Array {
    const at = f * BOX;
    if (this.box[at] === -2) {
      const ids = boxCells(this.cells[f]!).map((c) => this.idOf(c));
      for (let j = 0; j < BOX; j++) this.box[at + j] = ids[j] ?? -1;
    }
    return this.box.subarray(at, at + BOX);
  }

  /** Moves the history to the incidents known at or before `ms` (rewinds when `ms` goes back). O(new incidents). */
  advanceTo(ms: number): void {
    if (ms < this.historyMs) {
      this.fineCount.fill(0);
      this.coarseCount.fill(0);
      this.cursor = 0;
    }
    this.historyMs = ms;
    const n = this.streamFine.length;
    while (this.cursor < n && this.streamKnownMs[this.cursor]! <= ms) {
      const f = this.streamFine[this.cursor++]!;
      if (f < 0) continue;
      this.fineCount[f]!++;
      this.coarseCount[this.parent[f]!]!++;
    }
  }

  /** The smoothed share of inside fine cell f in its study cell's history: (n_f + α) / (Σ n + kids · α). */
  share(f: number): number {
    const c = this.parent[f]!;
    const kids = this.childStart[c + 1]! - this.childStart[c]!;
    const denom = this.coarseCount[c]! + kids * this.alpha;
    return denom > 0 ? (this.fineCount[f]! + this.alpha) / denom : 1 / kids;
  }

  /** A zeroed scratch flag per fine id known so far (callers reset what they set). */
  coveredScratch(): Uint8Array {
    if (this.covered.length < this.cells.length) this.covered = new Uint8Array(this.cells.length * 2);
    return this.covered;
  }
}

const lattices = new WeakMap<EvaluationRun, FineLattice>();

/** The run's fine lattice, built once per run. */
export function fineLatticeOf(run: EvaluationRun): FineLattice {
  let lattice = lattices.get(run);
  if (!lattice) lattices.set(run, (lattice = new FineLattice(run)));
  return lattice;
}

/** The boxes of one forecast: centres (fine ids) in placement order and the expected count each covers. */
export interface PlacedWindow {
  /** City-wide boxes, in greedy order (at most the largest box count). */
  readonly city: number[];
  readonly cityExpected: number[];
  /** Patrol boxes (up to K per district), in greedy order. */
  readonly district: number[];
}

/** Expected count of fine id f under coarse scores (0 outside the study cells). */
function fineExpected(lat: FineLattice, scores: Float64Array, f: number): number {
  return f >= 0 && f < lat.inside ? scores[lat.parent[f]!]! * lat.share(f) : 0;
}

/**
 * The candidate centres (children of the candidate study cells) sorted by covered expected
 * count (descending), then id; boxes covering nothing are dropped. O(F log F), F candidates.
 */
function sortedCandidates(lat: FineLattice, scores: Float64Array, coarse: Iterable<number>): { centre: number[]; sum: Float64Array } {
  const centre: number[] = [];
  const sums: number[] = [];
  for (const c of coarse) {
    for (let f = lat.childStart[c]!; f < lat.childStart[c + 1]!; f++) {
      const box = lat.boxOf(f);
      let sum = 0;
      for (let j = 0; j < BOX; j++) sum += fineExpected(lat, scores, box[j]!);
      if (sum > 0) {
        centre.push(f);
        sums.push(sum);
      }
    }
  }
  const order = Array.from(centre.keys()).sort((a, b) => sums[b]! - sums[a]! || centre[a]! - centre[b]!);
  return { centre: order.map((i) => centre[i]!), sum: Float64Array.from(order, (i) => sums[i]!) };
}

/**
 * Places one forecast's boxes (module comment): `maxBoxes` city-wide and `top` per district.
 * Cost O(F log F) for F ≤ 7 · candidate study cells.
 */
export function placeWindow(lat: FineLattice, run: EvaluationRun, scores: Float64Array, maxBoxes: number, top: number): PlacedWindow {
  const { ofCell, names } = run.districts;
  const coarse = new Set<number>(topIndices(scores, CANDIDATE_FACTOR * maxBoxes));
  if (top > 0) for (const c of topKPerDistrictFromScores(scores, ofCell, names.length, CANDIDATE_FACTOR * top)) coarse.add(c);
  const cand = [...coarse].sort((a, b) => a - b);
  const { centre, sum } = sortedCandidates(lat, scores, cand);
  const covered = lat.coveredScratch();
  const out: PlacedWindow = { city: [], cityExpected: [], district: [] };
  const take = (f: number): boolean => {
    const box = lat.boxOf(f);
    for (let j = 0; j < BOX; j++) if (box[j]! >= 0 && covered[box[j]!] === 1) return false;
    return true;
  };
  const cover = (f: number, on: number, touched: number[]): void => {
    for (const id of lat.boxOf(f)) {
      if (id < 0) continue;
      covered[id] = on;
      touched.push(id);
    }
  };
  const touched: number[] = [];
  for (let i = 0; i < centre.length && out.city.length < maxBoxes; i++) {
    if (!take(centre[i]!)) continue;
    cover(centre[i]!, 1, touched);
    out.city.push(centre[i]!);
    out.cityExpected.push(sum[i]!);
  }
  for (const id of touched) covered[id] = 0;
  touched.length = 0;
  if (top > 0) {
    const taken = new Int32Array(names.length);
    let full = 0;
    for (let i = 0; i < centre.length && full < names.length; i++) {
      const d = ofCell[lat.parent[centre[i]!]!]!;
      if (d < 0 || taken[d] === top || !take(centre[i]!)) continue;
      cover(centre[i]!, 1, touched);
      out.district.push(centre[i]!);
      if (++taken[d]! === top) full++;
    }
    for (const id of touched) covered[id] = 0;
  }
  return out;
}

/** Incidents caught by a box: Σ actual over its inside cells. */
export function boxCatch(lat: FineLattice, actualFine: Float64Array, f: number): number {
  let n = 0;
  for (const id of lat.boxOf(f)) if (id >= 0 && id < lat.inside) n += actualFine[id]!;
  return n;
}

/** The per-window state of placed scoring shared by the placed models. */
export interface PlacedContext {
  readonly lattice: FineLattice;
  /** The window's scored incidents per inside fine cell. */
  readonly actualFine: Float64Array;
}

/** Sets the placed context to window w: history up to its start, its actual fine counts. O(new history + events). */
export function enterWindow(ctx: PlacedContext, run: EvaluationRun, w: number, previous: number): void {
  const lat = ctx.lattice;
  if (previous >= 0) for (const f of lat.actualByWindow[previous]!) if (f >= 0) ctx.actualFine[f] = 0;
  lat.advanceTo(run.windows[w]!.startMs);
  for (const f of lat.actualByWindow[w]!) if (f >= 0) ctx.actualFine[f]! += 1;
}

/**
 * Scores one forecast placed (module comment) into the model's measures of window w: hit rates
 * at the flagged areas and coverage shares (the first k boxes city-wide for a grid budget of k
 * cells), the patrol boxes' hit rate, concentration by box centre, and the RRI terms from the
 * boxes' expected counts. PEI divides by the grid's best n* (see docs/evaluation.md).
 * Cost: {@link placeWindow} plus O(boxes).
 */
export function scorePlaced(
  ctx: PlacedContext,
  run: EvaluationRun,
  s: ModelScores,
  w: number,
  out: { readonly scores: Float64Array; readonly countScale: number | null },
  ks: readonly number[],
  best: readonly number[],
  N: number,
): void {
  const lat = ctx.lattice;
  const { flaggedCells, top } = run.measures;
  let maxK = 0;
  for (const k of ks) if (k > maxK) maxK = k;
  const placed = placeWindow(lat, run, out.scores, maxK, top);
  const cumHits = [0];
  const cumExpected = [0];
  for (let b = 0; b < placed.city.length; b++) {
    cumHits.push(cumHits[b]! + boxCatch(lat, ctx.actualFine, placed.city[b]!));
    cumExpected.push(cumExpected[b]! + placed.cityExpected[b]!);
  }
  const at = (cum: number[], k: number): number => cum[Math.min(k, cum.length - 1)]!;
  for (const f of placed.district) s.timesPicked[f]!++;
  const A = flaggedCells.length;
  for (let a = 0; a < A; a++)
    for (let b = 0; b < Math.min(flaggedCells[a]!, placed.city.length); b++) s.flaggedEver[a]![placed.city[b]!] = 1;
  if (N > 0) {
    for (let a = 0; a < A; a++) {
      const hits = at(cumHits, flaggedCells[a]!);
      s.hitRate[a]![w] = hits / N;
      if (best[a]! > 0) s.pei[a]![w] = hits / best[a]!;
    }
    for (let f = 0; f < s.coverageHitRate.length; f++) s.coverageHitRate[f]![w] = at(cumHits, ks[A + f]!) / N;
    if (top > 0) {
      let boxHits = 0;
      for (const f of placed.district) boxHits += boxCatch(lat, ctx.actualFine, f);
      s.topKHitRate[w] = boxHits / N;
    }
  }
  if (out.countScale !== null) {
    for (let a = 0; a < A; a++) {
      s.rriPredicted[a]! += at(cumExpected, flaggedCells[a]!) * out.countScale;
      s.rriObserved[a]! += at(cumHits, flaggedCells[a]!);
    }
  }
}
