/**
 * The finer lattice of placed boxes on indices (issue 11): the fine children (resolution r + 1)
 * of a set of coarse cells numbered in H3 id order, each centre's box as seven ids, and the
 * history's fine counts that give the smoothed shares. One data structure for the service
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
 * (children of one cell share its id's prefix, so sorted parents give sorted children); cells
 * outside met in boxes get ids from `inside` on (they only block overlaps: nothing is expected
 * there).
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

  /** Id of any fine cell (cells outside get ids from `inside` on: for overlap only). */
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

/**
 * Past incidents per inside fine cell and per coarse cell of a lattice, and the smoothed share
 * of each fine cell in its coarse cell's history (the one split rule of placement):
 *
 *     share_f = (n_f + α) / (Σ_children n + (number of children) · α)
 *
 * equal shares for a coarse cell without history (also when α = 0).
 */
export class FineCounts {
  private readonly fine: Float64Array;
  private readonly coarse: Float64Array;

  /** @throws {ForecastError} E_ARGUMENT for α negative or not finite */
  constructor(
    readonly lattice: FineLattice,
    readonly alpha: number = DEFAULT_SHARE_ALPHA,
  ) {
    if (!Number.isFinite(alpha) || alpha < 0)
      throw new ForecastError('E_ARGUMENT', `smoothing α must be a finite number ≥ 0, got ${String(alpha)}`, alpha);
    this.fine = new Float64Array(lattice.inside);
    this.coarse = new Float64Array(lattice.coarse.length);
  }

  /** Counts `n` past incidents (default 1) in inside fine cell f (ids < 0 or outside are ignored). O(1). */
  add(f: number, n = 1): void {
    if (f < 0 || f >= this.lattice.inside) return;
    this.fine[f]! += n;
    this.coarse[this.lattice.parent[f]!]! += n;
  }

  /** Forgets every incident. O(cells). */
  clear(): void {
    this.fine.fill(0);
    this.coarse.fill(0);
  }

  /** Past incidents in inside fine cell f. */
  count(f: number): number {
    return this.fine[f]!;
  }

  /** The smoothed share of inside fine cell f (class comment). O(1). */
  share(f: number): number {
    const lat = this.lattice;
    const c = lat.parent[f]!;
    const kids = lat.childStart[c + 1]! - lat.childStart[c]!;
    const denom = this.coarse[c]! + kids * this.alpha;
    return denom > 0 ? (this.fine[f]! + this.alpha) / denom : 1 / kids;
  }

  /**
   * Fine expected counts: coarse expected count × share (the plain product; the children of a
   * coarse cell sum to its count to rounding) for every inside cell, into `out` (length ≥
   * lattice.cells.length; ids from `inside` on are set to 0). O(fine cells).
   * @param coarseExpected expected count per coarse index (finite, ≥ 0; checked by the caller)
   */
  split(coarseExpected: ArrayLike<number>, out: Float64Array): void {
    const lat = this.lattice;
    const C = lat.coarse.length;
    const alpha = this.alpha;
    for (let c = 0; c < C; c++) {
      const e = coarseExpected[c]!;
      const from = lat.childStart[c]!;
      const to = lat.childStart[c + 1]!;
      if (!(e > 0)) {
        out.fill(0, from, to);
        continue;
      }
      const denom = this.coarse[c]! + (to - from) * alpha;
      // the same arithmetic as share(f), written out: this loop runs for every cell of every window
      for (let f = from; f < to; f++) out[f] = e * (denom > 0 ? (this.fine[f]! + alpha) / denom : 1 / (to - from));
    }
    out.fill(0, lat.inside, lat.cells.length);
  }
}
