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
  /**
   * Fine ids no box may cover (rotation: the seven cells of each box being rested,
   * engine/evaluate/discovery.ts). Blocking the cells, not only the centres, keeps a rested box's
   * neighbour (sharing 4 of its 7 cells) from taking its place: the slot goes to the next best
   * box elsewhere. Ids outside the lattice are ignored. Default: none.
   */
  readonly blocked?: ArrayLike<number>;
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
 * Candidates in greedy order (covered count descending, then index), produced lazily by a
 * binary max-heap over all candidates or over a subset (`members`, e.g. one district's): O(m)
 * to build, O(log m) per candidate taken. The scans look at about 8 candidates per box placed
 * (the children of a hot cell overlap), far fewer than m, so this beats sorting every candidate
 * (the hot path of the backtest's placed scoring).
 */
export class GreedyOrder {
  /** The heap: candidate indices and, alongside, their sums (read without an indirection). */
  private readonly heap: Int32Array;
  private readonly key: Float64Array;
  private size: number;
  private readonly out: Int32Array;
  private produced = 0;
  readonly length: number;

  constructor(
    private readonly sum: Float64Array,
    members?: Int32Array,
  ) {
    const n = members ? members.length : sum.length;
    this.heap = new Int32Array(n);
    this.key = new Float64Array(n);
    if (members) this.heap.set(members);
    else for (let i = 0; i < n; i++) this.heap[i] = i;
    for (let i = 0; i < n; i++) this.key[i] = sum[this.heap[i]!]!;
    this.length = n;
    this.size = n;
    this.out = new Int32Array(n);
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Whether candidate a comes before candidate b: larger sum, then smaller index. */
  before(a: number, b: number): boolean {
    const sa = this.sum[a]!;
    const sb = this.sum[b]!;
    return sa > sb || (sa === sb && a < b);
  }

  private down(i: number): void {
    const h = this.heap;
    const k = this.key;
    const x = h[i]!;
    const kx = k[i]!;
    const size = this.size;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size) {
        const k1 = k[c + 1]!;
        const k0 = k[c]!;
        if (k1 > k0 || (k1 === k0 && h[c + 1]! < h[c]!)) c++;
      }
      const kc = k[c]!;
      if (!(kc > kx || (kc === kx && h[c]! < x))) break;
      h[i] = h[c]!;
      k[i] = kc;
      i = c;
    }
    h[i] = x;
    k[i] = kx;
  }

  /** The i-th candidate in greedy order (i < length). */
  at(i: number): number {
    while (this.produced <= i) {
      this.out[this.produced++] = this.heap[0]!;
      this.size--;
      this.heap[0] = this.heap[this.size]!;
      this.key[0] = this.key[this.size]!;
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
      if (id >= 0 && id < expected.length) s += expected[id]!; // a cell met after the split expects nothing
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

  /** Marks cells as covered before any box is placed (GreedyOptions.blocked). O(ids). */
  block(ids: ArrayLike<number> | undefined): void {
    if (ids === undefined) return;
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j]!;
      if (!(id >= 0 && id < this.covered.length)) continue;
      this.covered[id] = 1;
      this.touched.push(id);
    }
  }
}

/**
 * Places boxes on the lattice (module comment): the first `cityBoxes` city-wide, and up to `top`
 * per district in one pass over the same order (a district takes boxes until it has `top`;
 * the pass ends when every district is full or the candidates run out); no box covers a
 * `blocked` cell. `expected` holds
 * every fine id's expected count (FineCounts.split: cells outside the coarse cells too; ids met
 * after the split, beyond its length, count 0). Cost O(F) to score the candidates
 * and build the heap, plus O(log F) per candidate looked at (about 8 per box placed on
 * Vancouver; every candidate when a district never fills): O(F log F) at worst, no recursion.
 */
export function placeGreedy(lat: FineLattice, expected: Float64Array, options: GreedyOptions): GreedyBoxes {
  const { cityBoxes, top, districtOfCoarse, districts: D = 0, blocked } = options;
  const { centre, sum } = candidateSums(lat, expected);
  const cover = new Cover(lat);
  cover.block(blocked);
  const out: GreedyBoxes = { city: [], cityExpected: [], district: [], districtExpected: [] };
  const order = cityBoxes > 0 ? new GreedyOrder(sum) : null;
  for (let i = 0; order !== null && i < order.length && out.city.length < cityBoxes; i++) {
    const b = order.at(i);
    if (!cover.free(centre[b]!)) continue;
    cover.cover(centre[b]!);
    out.city.push(centre[b]!);
    out.cityExpected.push(sum[b]!);
  }
  cover.clear();
  if (top <= 0 || districtOfCoarse === undefined || D === 0) return out;
  cover.block(blocked);
  placeDistricts(lat, { centre, sum }, districtOfCoarse, D, top, cover, out);
  return out;
}

/**
 * The district pass: the global greedy order restricted to the districts not yet full, merged
 * from one lazy order per district, so a district that fills early costs nothing more and one
 * whose last box lies deep in the order costs only its own candidates (a single global order
 * looked at nearly every candidate on Vancouver). O(F) to build, O(log F + log D) per candidate
 * looked at for D districts.
 */
function placeDistricts(
  lat: FineLattice,
  cand: { centre: Int32Array; sum: Float64Array },
  districtOfCoarse: Int32Array,
  D: number,
  top: number,
  cover: Cover,
  out: GreedyBoxes,
): void {
  const { centre, sum } = cand;
  const of = new Int32Array(centre.length);
  const start = new Int32Array(D + 1);
  for (let b = 0; b < centre.length; b++) {
    const d = (of[b] = districtOfCoarse[lat.parent[centre[b]!]!]!);
    if (d >= 0) start[d + 1]!++;
  }
  for (let d = 0; d < D; d++) start[d + 1]! += start[d]!;
  const members = new Int32Array(start[D]!);
  const next = start.slice(0, D);
  for (let b = 0; b < of.length; b++) if (of[b]! >= 0) members[next[of[b]!]!++] = b;
  const orders: GreedyOrder[] = [];
  for (let d = 0; d < D; d++) orders.push(new GreedyOrder(sum, members.subarray(start[d]!, start[d + 1]!)));
  const cursor = new Int32Array(D);
  const taken = new Int32Array(D);
  const heads = new DistrictHeads(orders, cursor);
  while (heads.size > 0) {
    const d = heads.top();
    const b = orders[d]!.at(cursor[d]!++);
    if (cover.free(centre[b]!)) {
      cover.cover(centre[b]!);
      out.district.push(centre[b]!);
      out.districtExpected.push(sum[b]!);
      taken[d]!++;
    }
    if (taken[d] === top || cursor[d] === orders[d]!.length) heads.removeTop();
    else heads.updateTop();
  }
  cover.clear();
}

/** The districts still placing, in a binary heap by their next candidate (greedy order). */
class DistrictHeads {
  private readonly heap: Int32Array;
  size = 0;

  constructor(
    private readonly orders: readonly GreedyOrder[],
    private readonly cursor: Int32Array,
  ) {
    this.heap = new Int32Array(orders.length);
    for (let d = 0; d < orders.length; d++) if (orders[d]!.length > 0) this.heap[this.size++] = d;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private head(d: number): number {
    return this.orders[d]!.at(this.cursor[d]!);
  }

  private before(d: number, e: number): boolean {
    return this.orders[d]!.before(this.head(d), this.head(e));
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

  /** The district whose next candidate comes first. */
  top(): number {
    return this.heap[0]!;
  }

  /** After the top district's cursor moved on. */
  updateTop(): void {
    this.down(0);
  }

  /** The top district is done (full, or out of candidates). */
  removeTop(): void {
    this.heap[0] = this.heap[--this.size]!;
    if (this.size > 0) this.down(0);
  }
}
