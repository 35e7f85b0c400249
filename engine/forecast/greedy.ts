/**
 * The one greedy placement of patrol boxes (issue 11), on a {@link FineLattice}: used by the
 * service (placeBoxes, placedPatrolBoxes) and by the backtest's placed scoring
 * (engine/evaluate/placed.ts), so the boxes a backtest scores are the boxes a sergeant is shown.
 *
 * Rule: repeatedly the box with the largest sum of its cells' expected counts, among the boxes
 * sharing no fine cell with a box already placed; ties by centre id ascending (= H3 id, the
 * lattice's order). A box overlapping a placed one is no longer a candidate, so a candidate's
 * covered sum never changes and "uncovered sum" and "full sum" coincide: the lazy max-heap
 * reduces to one order of the candidates and scans that skip a box found overlapping when its
 * turn comes. Candidate centres: every inside fine cell with a positive expected count itself
 * (a box is named by its centre and belongs to its centre's coarse cell's district). There is
 * no other restriction: every such centre is scored.
 */
import { BOX, type FineLattice } from './lattice.ts';

/** What to place. */
export interface GreedyOptions {
  /** Boxes city-wide, in greedy order (0: none): the flagged-area budget. */
  readonly cityBoxes: number;
  /** Boxes per district (0: none): the patrol boxes. */
  readonly top: number;
  /** District index (0..districts−1) of each coarse cell; −1: its children are no centres of district boxes. */
  readonly districtOfCoarse?: Int32Array;
  /** Number of districts. */
  readonly districts?: number;
}

/** The boxes of one placement: centres (inside fine ids) and the expected count each covers. */
export interface GreedyBoxes {
  /** The first `cityBoxes` boxes city-wide, in greedy order. */
  readonly city: number[];
  readonly cityExpected: number[];
  /** Up to `top` boxes per district, in greedy order (districts interleaved). */
  readonly district: number[];
  readonly districtExpected: number[];
}

/**
 * The candidates in greedy order (covered count descending, then index), produced lazily by a
 * binary max-heap: O(F) to build, O(log F) per candidate taken. The scans look at about 8
 * candidates per box placed (the children of a hot cell overlap), far fewer than F, so this
 * beats sorting every candidate (the hot path of the backtest's placed scoring).
 */
export class GreedyOrder {
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
 * The candidate centres (inside fine ids with a positive expected count, ascending) and the
 * sum over each one's box. O(F) for F inside fine cells (7 additions per candidate).
 */
export function candidateSums(lat: FineLattice, expected: Float64Array): { centre: Int32Array; sum: Float64Array } {
  let n = 0;
  for (let f = 0; f < lat.inside; f++) if (expected[f]! > 0) n++;
  const centre = new Int32Array(n);
  const sum = new Float64Array(n);
  const box = lat.box;
  let m = 0;
  for (let f = 0; f < lat.inside; f++) {
    if (!(expected[f]! > 0)) continue;
    const at = lat.boxAt(f);
    let s = 0;
    for (let j = at; j < at + BOX; j++) {
      const id = box[j]!;
      if (id >= 0 && id < lat.inside) s += expected[id]!; // cells outside expect nothing
    }
    centre[m] = f;
    sum[m++] = s;
  }
  return { centre, sum };
}

/** Non-overlap bookkeeping of one placement. */
class Cover {
  private readonly covered: Uint8Array;
  private readonly touched: number[] = [];
  constructor(private readonly lat: FineLattice) {
    this.covered = new Uint8Array(lat.cells.length);
  }

  free(f: number): boolean {
    const at = this.lat.boxAt(f);
    for (let j = at; j < at + BOX; j++) {
      const id = this.lat.box[j]!;
      if (id >= 0 && this.covered[id] === 1) return false;
    }
    return true;
  }

  cover(f: number): void {
    const at = this.lat.boxAt(f);
    for (let j = at; j < at + BOX; j++) {
      const id = this.lat.box[j]!;
      if (id < 0) continue;
      this.covered[id] = 1;
      this.touched.push(id);
    }
  }

  clear(): void {
    for (const id of this.touched) this.covered[id] = 0;
    this.touched.length = 0;
  }
}

/**
 * Places boxes on the lattice (module comment): the first `cityBoxes` city-wide, and up to `top`
 * per district in one pass over the same order (a district takes boxes until it has `top`;
 * the pass ends when every district is full or the candidates run out). `expected` holds
 * every fine id's expected count (ids from `inside` on: 0). Cost O(F) to score the candidates
 * and build the heap, plus O(log F) per candidate looked at (about 8 per box placed on
 * Vancouver; every candidate when a district never fills): O(F log F) at worst, no recursion.
 */
export function placeGreedy(lat: FineLattice, expected: Float64Array, options: GreedyOptions): GreedyBoxes {
  const { cityBoxes, top, districtOfCoarse, districts: D = 0 } = options;
  const { centre, sum } = candidateSums(lat, expected);
  const order = new GreedyOrder(sum);
  const cover = new Cover(lat);
  const out: GreedyBoxes = { city: [], cityExpected: [], district: [], districtExpected: [] };
  for (let i = 0; i < order.length && out.city.length < cityBoxes; i++) {
    const b = order.at(i);
    if (!cover.free(centre[b]!)) continue;
    cover.cover(centre[b]!);
    out.city.push(centre[b]!);
    out.cityExpected.push(sum[b]!);
  }
  cover.clear();
  if (top <= 0 || districtOfCoarse === undefined || D === 0) return out;
  const taken = new Int32Array(D);
  let full = 0;
  for (let i = 0; i < order.length && full < D; i++) {
    const b = order.at(i);
    const f = centre[b]!;
    const d = districtOfCoarse[lat.parent[f]!]!;
    if (d < 0 || taken[d] === top || !cover.free(f)) continue;
    cover.cover(f);
    out.district.push(f);
    out.districtExpected.push(sum[b]!);
    if (++taken[d]! === top) full++;
  }
  cover.clear();
  return out;
}
