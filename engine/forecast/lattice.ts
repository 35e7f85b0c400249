/**
 * The finer lattice of placed boxes on indices (issue 11): the fine children (resolution r + 1)
 * of a set of coarse cells numbered in H3 id order (and any other fine cell met, from `inside`
 * on), each centre's box as seven ids, and the history's counts that give the smoothed shares. One data structure for the service
 * (placedPatrolBoxes, placeBoxes) and the backtest (engine/evaluate/placed.ts), so both place
 * boxes with the same code (greedy.ts); strings are met only when the lattice is built and
 * when a box is reported.
 */
import { boxCells, fineChildren } from '../grid/index.ts';
import type { H3Cell } from '../types.ts';
import { ForecastError } from './errors.ts';

/** Box slots per centre (6 cells and a −1 at a pentagon). */
export const BOX = 7;

/**
 * Default additive smoothing of the fine shares: 0.5, the Jeffreys (Krichevsky–Trofimov)
 * estimator of a multinomial's probabilities, which keeps a child with no past incident at a
 * small positive share without flattening a coarse cell with a few incidents (with 2 incidents
 * in one child of seven, it keeps (2 + 0.5)/(2 + 3.5) = 45% of the cell's expected count, where
 * Laplace's α = 1 keeps 33%).
 */
export const DEFAULT_SHARE_ALPHA = 0.5;

/**
 * The fine children of sorted coarse cells. Ids 0..inside−1 are the children, in H3 id order
 * (children of one cell share its id's prefix, so sorted parents give sorted children); other
 * fine cells get ids from `inside` on when met ({@link idOf}): in boxes, where they block
 * overlaps, and where a coarse cell's incidents lie in a neighbour's child outside the coarse
 * cells (FineCounts shares expected counts there). Box centres are inside cells only: a box is
 * named by, and belongs to the district of, its centre's coarse parent, which must be one of the
 * coarse cells; any fine cell may be covered.
 */
export class FineLattice {
  /** The coarse cells, ascending id. */
  readonly coarse: readonly H3Cell[];
  /** Fine cells by id. */
  readonly cells: H3Cell[] = [];
  /** Number of fine cells inside the coarse cells. */
  readonly inside: number;
  /** Coarse index of each inside fine cell. */
  readonly parent: Int32Array;
  /** Children of coarse cell c: ids childStart[c] .. childStart[c + 1] − 1. */
  readonly childStart: Int32Array;
  /** Box member ids of each centre, 7 slots per inside fine cell (−2: not computed yet); see {@link boxAt}. */
  readonly box: Int32Array;
  private readonly index = new Map<H3Cell, number>();
  private readonly coarseIndex = new Map<H3Cell, number>();

  /**
   * O(C) h3 calls for C coarse cells; boxes are computed on first use.
   * @throws {ForecastError} E_ARGUMENT when the coarse cells are not strictly ascending
   * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
   */
  constructor(coarseCells: readonly H3Cell[]) {
    const C = coarseCells.length;
    this.coarse = coarseCells;
    this.childStart = new Int32Array(C + 1);
    const parent: number[] = [];
    for (let c = 0; c < C; c++) {
      const cell = coarseCells[c]!;
      if (c > 0 && !(coarseCells[c - 1]! < cell))
        throw new ForecastError('E_ARGUMENT', `lattice cells must be strictly ascending: ${coarseCells[c - 1]} then ${cell}`, cell);
      this.coarseIndex.set(cell, c);
      for (const kid of fineChildren(cell)) {
        this.index.set(kid, this.cells.length);
        this.cells.push(kid);
        parent.push(c);
      }
      this.childStart[c + 1] = this.cells.length;
    }
    this.inside = this.cells.length;
    this.parent = Int32Array.from(parent);
    this.box = new Int32Array(this.inside * BOX).fill(-2);
  }

  /** Index of a coarse cell, or −1. */
  coarseId(cell: H3Cell): number {
    return this.coarseIndex.get(cell) ?? -1;
  }

  /** Id of an inside fine cell, or −1 for any other cell. */
  insideId(cell: H3Cell): number {
    const id = this.index.get(cell);
    return id !== undefined && id < this.inside ? id : -1;
  }

  /** Id of any fine cell (cells outside get ids from `inside` on: they can be covered and expect counts, but hold no centre). */
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
   * Offset in {@link box} of the box centred on inside fine cell f: its ids are box[at .. at + 6]
   * in the order of engine/grid boxCells (ascending H3 id; −1 pads a pentagon's). O(1),
   * computed once per centre.
   */
  boxAt(f: number): number {
    const at = f * BOX;
    if (this.box[at] === -2) {
      const ids = boxCells(this.cells[f]!).map((c) => this.idOf(c));
      for (let j = 0; j < BOX; j++) this.box[at + j] = ids[j] ?? -1;
    }
    return at;
  }
}

/** Key of a foreign pair (coarse index, fine id): both below 2^26, the key below 2^52. */
const PAIR = 2 ** 26;

/**
 * Past incidents by coarse cell and by fine cell, and the smoothed share of each fine cell in a
 * coarse cell's history (the one split rule of placement). H3 children are not their parent
 * hexagon: a res r + 1 cell's parent (cellToParent) need not be the res r cell its points fall
 * in, so some of a coarse cell c's incidents lie in fine cells that are children of a
 * neighbour. c's expected count is therefore shared among the fine cells where its own
 * incidents lie, plus its own children for the smoothing:
 *
 *     share_{c,f} = (n_{c,f} + α · [f is a child of c]) / (N_c + (number of children of c) · α)
 *
 * with n_{c,f} the incidents whose coarse cell is c and fine cell f, N_c = Σ_f n_{c,f}; equal
 * shares of c's children when the denominator is 0 (no history and α = 0). Σ_f share_{c,f} = 1.
 * A fine cell's expected count is Σ_c E_c · share_{c,f} ({@link split}).
 *
 * Storage: arrays. n_{c,f} for f a child of c by fine id; the other ("foreign") pairs, a few
 * per cent of incidents, in a pair list (looked up by one numeric key on add) summed in a fixed
 * (fine id, coarse index) order, so the same counts give the same bits whatever order they came in.
 */
export class FineCounts {
  /** n_{parent(f), f} per inside fine id. */
  private readonly own: Float64Array;
  /** N_c per coarse index. */
  private readonly coarse: Float64Array;
  private readonly pairSlot = new Map<number, number>();
  private readonly pairCoarse: number[] = [];
  private readonly pairFine: number[] = [];
  private readonly pairCount: number[] = [];
  /** Pair slots by (fine id, coarse index); null when a slot was added since. */
  private pairOrder: Int32Array | null = new Int32Array(0);

  /** @throws {ForecastError} E_ARGUMENT for α negative or not finite */
  constructor(
    readonly lattice: FineLattice,
    readonly alpha: number = DEFAULT_SHARE_ALPHA,
  ) {
    if (!Number.isFinite(alpha) || alpha < 0)
      throw new ForecastError('E_ARGUMENT', `smoothing α must be a finite number ≥ 0, got ${String(alpha)}`, alpha);
    this.own = new Float64Array(lattice.inside);
    this.coarse = new Float64Array(lattice.coarse.length);
  }

  /**
   * Counts `n` past incidents (default 1) whose coarse cell is c (coarse index) and fine cell f
   * (any lattice id, {@link FineLattice.idOf}); ignored when c or f is negative (a cell outside
   * the lattice's coarse cells shares nothing). O(1).
   * @throws {ForecastError} E_ARGUMENT for an index of 2^26 or more in a foreign pair
   */
  add(c: number, f: number, n = 1): void {
    if (c < 0 || f < 0) return;
    this.coarse[c]! += n;
    if (f < this.lattice.inside && this.lattice.parent[f] === c) {
      this.own[f]! += n;
      return;
    }
    const key = c * PAIR + f;
    let slot = this.pairSlot.get(key);
    if (slot === undefined) {
      if (f >= PAIR || c >= PAIR)
        throw new ForecastError('E_ARGUMENT', `lattice too large for the pair key: coarse ${c}, fine ${f} (limit ${PAIR})`, f);
      slot = this.pairCount.length;
      this.pairSlot.set(key, slot);
      this.pairCoarse.push(c);
      this.pairFine.push(f);
      this.pairCount.push(0);
      this.pairOrder = null;
    }
    this.pairCount[slot]! += n;
  }

  /** Forgets every incident. O(cells + pairs). */
  clear(): void {
    this.own.fill(0);
    this.coarse.fill(0);
    this.pairCount.fill(0);
  }

  /** The denominator of coarse cell c's shares, and its number of children. */
  private denominator(c: number): { denom: number; kids: number } {
    const kids = this.lattice.childStart[c + 1]! - this.lattice.childStart[c]!;
    return { denom: this.coarse[c]! + kids * this.alpha, kids };
  }

  /** share_{c,f} (class comment) of fine id f in coarse index c. O(1). */
  share(c: number, f: number): number {
    const { denom, kids } = this.denominator(c);
    const child = f < this.lattice.inside && this.lattice.parent[f] === c;
    if (!(denom > 0)) return child ? 1 / kids : 0;
    const n = child ? this.own[f]! : (this.pairCount[this.pairSlot.get(c * PAIR + f) ?? -1] ?? 0);
    return (n + (child ? this.alpha : 0)) / denom;
  }

  /** The foreign pairs (f not a child of c) with a positive count, by fine id then coarse index. O(pairs). */
  foreignPairs(): { coarse: number; fine: number; count: number }[] {
    return Array.from(this.order(), (s) => ({ coarse: this.pairCoarse[s]!, fine: this.pairFine[s]!, count: this.pairCount[s]! })).filter(
      (p) => p.count > 0,
    );
  }

  private order(): Int32Array {
    if (this.pairOrder === null) {
      const fine = this.pairFine;
      const coarse = this.pairCoarse;
      this.pairOrder = Int32Array.from(fine.keys()).sort((a, b) => fine[a]! - fine[b]! || coarse[a]! - coarse[b]!);
    }
    return this.pairOrder;
  }

  /**
   * Fine expected counts Σ_c E_c · share_{c,f} (class comment) into `out` (length ≥
   * lattice.cells.length; every other entry set to 0): each inside fine cell first gets its
   * parent's part, then the foreign parts are added in (fine id, coarse index) order. The fine
   * cells sum to Σ_c E_c to rounding. O(fine cells + foreign pairs), plus a sort of the pairs
   * when new ones were added since the last call.
   * @param coarseExpected expected count per coarse index (finite, ≥ 0; checked by the caller)
   */
  split(coarseExpected: ArrayLike<number>, out: Float64Array): void {
    const lat = this.lattice;
    const C = lat.coarse.length;
    const alpha = this.alpha;
    out.fill(0, lat.inside);
    for (let c = 0; c < C; c++) {
      const e = coarseExpected[c]!;
      const from = lat.childStart[c]!;
      const to = lat.childStart[c + 1]!;
      if (!(e > 0)) {
        out.fill(0, from, to);
        continue;
      }
      const denom = this.coarse[c]! + (to - from) * alpha;
      // the same arithmetic as share(c, f), written out: this loop runs for every cell of every window
      for (let f = from; f < to; f++) out[f] = e * (denom > 0 ? (this.own[f]! + alpha) / denom : 1 / (to - from));
    }
    for (const s of this.order()) {
      const n = this.pairCount[s]!;
      const c = this.pairCoarse[s]!;
      const e = coarseExpected[c]!;
      if (n > 0 && e > 0) out[this.pairFine[s]!]! += e * (n / (this.coarse[c]! + this.denominator(c).kids * alpha));
    }
  }
}
