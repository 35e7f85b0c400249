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

/** Box slots per centre (6 cells and a −1 at a pentagon). */
export const BOX = 7;
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
  /** Box member ids of each centre, 7 slots per inside fine cell (−2: not computed yet); see {@link boxAt}. */
  readonly box: Int32Array;
  /** History: incidents per inside fine cell and per study cell, as of `historyMs`. */
  private readonly fineCount: Float64Array;
  private readonly coarseCount: Float64Array;
  private readonly streamFine: Int32Array;
  private readonly streamKnownMs: Float64Array;
  private cursor = 0;
  private historyMs = -Infinity;
  private covered = new Uint8Array(0);
  /** This window's expected count per inside fine cell, valid where expStamp = epoch. */
  private readonly fineExp: Float64Array;
  private readonly expStamp: Int32Array;
  private epoch = 0;

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
    this.fineExp = new Float64Array(this.inside);
    this.expStamp = new Int32Array(this.inside);
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

  /**
   * Offset in {@link box} of the box centred on inside fine cell f: its ids are
   * box[at .. at + 6] (−1 pads a pentagon's). O(1), computed once per centre.
   */
  boxAt(f: number): number {
    const at = f * BOX;
    if (this.box[at] === -2) {
      const ids = boxCells(this.cells[f]!).map((c) => this.idOf(c));
      for (let j = 0; j < BOX; j++) this.box[at + j] = ids[j] ?? -1;
    }
    return at;
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

  /** Starts a new forecast for {@link expected}. */
  newForecast(): void {
    this.epoch++;
  }

  /** Expected count of fine id f under coarse `scores` (0 outside the study cells), memoised per forecast. */
  expected(scores: Float64Array, f: number): number {
    if (f < 0 || f >= this.inside) return 0;
    if (this.expStamp[f] === this.epoch) return this.fineExp[f]!;
    this.expStamp[f] = this.epoch;
    const c = this.parent[f]!;
    const v = scores[c]! > 0 ? scores[c]! * this.share(f) : 0;
    this.fineExp[f] = v;
    return v;
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

/**
 * The candidate centres (children of the candidate study cells, ascending id) whose box covers
 * a positive expected count, with that count. O(F), F candidates.
 */
function candidateSums(lat: FineLattice, scores: Float64Array, coarse: readonly number[]): { centre: Int32Array; sum: Float64Array } {
  lat.newForecast();
  const box = lat.box;
  let n = 0;
  for (const c of coarse) n += lat.childStart[c + 1]! - lat.childStart[c]!;
  const centre = new Int32Array(n);
  const sum = new Float64Array(n);
  let m = 0;
  for (const c of coarse) {
    for (let f = lat.childStart[c]!; f < lat.childStart[c + 1]!; f++) {
      const at = lat.boxAt(f);
      let s = 0;
      for (let j = at; j < at + BOX; j++) s += lat.expected(scores, box[j]!);
      if (s > 0) {
        centre[m] = f;
        sum[m++] = s;
      }
    }
  }
  return { centre: centre.subarray(0, m), sum: sum.subarray(0, m) };
}

/** The greedy scans of one forecast over candidates in `order` (indices into centre/sum). */
class Scans {
  private readonly touched: number[] = [];
  constructor(
    private readonly lat: FineLattice,
    private readonly covered: Uint8Array,
  ) {}

  private free(f: number): boolean {
    const at = this.lat.boxAt(f);
    for (let j = at; j < at + BOX; j++) {
      const id = this.lat.box[j]!;
      if (id >= 0 && this.covered[id] === 1) return false;
    }
    return true;
  }

  private cover(f: number): void {
    const at = this.lat.boxAt(f);
    for (let j = at; j < at + BOX; j++) {
      const id = this.lat.box[j]!;
      if (id < 0) continue;
      this.covered[id] = 1;
      this.touched.push(id);
    }
  }

  private clear(): void {
    for (const id of this.touched) this.covered[id] = 0;
    this.touched.length = 0;
  }

  /** The first `maxBoxes` non-overlapping boxes in order; `complete` false when the order ran out first. */
  city(order: GreedyOrder, centre: Int32Array, sum: Float64Array, maxBoxes: number): { boxes: number[]; expected: number[] } {
    const boxes: number[] = [];
    const expected: number[] = [];
    for (let i = 0; i < order.length && boxes.length < maxBoxes; i++) {
      const b = order.at(i);
      const f = centre[b]!;
      if (!this.free(f)) continue;
      this.cover(f);
      boxes.push(f);
      expected.push(sum[b]!);
    }
    this.clear();
    return { boxes, expected };
  }

  /** Up to `top` boxes per district (of the centre's parent cell; none: skipped), and how many each took. */
  districts(order: GreedyOrder, centre: Int32Array, ofCell: Int32Array, D: number, top: number): { boxes: number[]; taken: Int32Array } {
    const boxes: number[] = [];
    const taken = new Int32Array(D);
    let full = 0;
    for (let i = 0; i < order.length && full < D; i++) {
      const f = centre[order.at(i)]!;
      const d = ofCell[this.lat.parent[f]!]!;
      if (d < 0 || taken[d] === top || !this.free(f)) continue;
      this.cover(f);
      boxes.push(f);
      if (++taken[d]! === top) full++;
    }
    this.clear();
    return { boxes, taken };
  }
}

/**
 * The candidates in greedy order (covered count descending, then index), produced lazily by a
 * binary max-heap: O(F) to build, O(log F) per candidate taken. The scans look at about 8
 * candidates per box placed (the children of a hot cell overlap), far fewer than F, so this
 * beats sorting every candidate (the hot path of placed scoring).
 */
class GreedyOrder {
  private readonly heap: Int32Array;
  private size: number;
  private readonly out: Int32Array;
  private produced = 0;
  readonly length: number;

  constructor(private readonly sum: Float64Array) {
    this.length = sum.length;
    this.size = sum.length;
    this.heap = new Int32Array(sum.length);
    for (let i = 0; i < sum.length; i++) this.heap[i] = i;
    this.out = new Int32Array(sum.length);
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private before(a: number, b: number): boolean {
    const sa = this.sum[a]!;
    const sb = this.sum[b]!;
    return sa > sb || (sa === sb && a < b);
  }

  private down(i: number): void {
    const h = this.heap;
    const x = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && this.before(h[c + 1]!, h[c]!)) c++;
      if (!this.before(h[c]!, x)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = x;
  }

  /** The i-th candidate in greedy order (i < length). */
  at(i: number): number {
    while (this.produced <= i) {
      this.out[this.produced++] = this.heap[0]!;
      this.heap[0] = this.heap[--this.size]!;
      this.down(0);
    }
    return this.out[i]!;
  }
}

/**
 * Places one forecast's boxes (module comment): `maxBoxes` city-wide and `top` per district.
 * The greedy order (covered count descending, then centre id) comes lazily from a heap
 * ({@link GreedyOrder}). Cost O(F + P log F) for F ≤ 7 · candidate study cells and P
 * candidates looked at (about 8 per box on Vancouver), O(F log F) at worst.
 */
export function placeWindow(lat: FineLattice, run: EvaluationRun, scores: Float64Array, maxBoxes: number, top: number): PlacedWindow {
  const { ofCell, names } = run.districts;
  const D = names.length;
  const C = scores.length;
  const mark = new Uint8Array(C);
  for (const c of topIndices(scores, CANDIDATE_FACTOR * maxBoxes)) mark[c] = 1;
  if (top > 0) for (const c of topKPerDistrictFromScores(scores, ofCell, D, CANDIDATE_FACTOR * top)) mark[c] = 1;
  const coarse: number[] = [];
  for (let c = 0; c < C; c++) if (mark[c] === 1) coarse.push(c);
  const { centre, sum } = candidateSums(lat, scores, coarse);
  const scans = new Scans(lat, lat.coveredScratch());
  const order = new GreedyOrder(sum);
  const city = scans.city(order, centre, sum, maxBoxes);
  const district = top > 0 ? scans.districts(order, centre, ofCell, D, top).boxes : [];
  return { city: city.boxes, cityExpected: city.expected, district };
}
