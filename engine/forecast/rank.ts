/** Ranking cells by a score and choosing the top cells by count or by area. */
import type { H3Cell } from '../types.ts';
import { ForecastError } from './errors.ts';

/** Code-unit string order (locale-independent: the same on every machine). */
export function compareCells(a: H3Cell, b: H3Cell): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Indices of `cells` ordered by score, highest first; equal scores by H3 id ascending, so the
 * order is fully deterministic (and independent of the input order).
 *
 * Cost O(m log m).
 * @throws {ForecastError} E_ARGUMENT when lengths differ or a score is NaN
 * @example
 * rankCells(['8a2', '8a1', '8a3'], new Float64Array([1, 1, 2])) // => [2, 1, 0]
 */
export function rankCells(cells: readonly H3Cell[], scores: ArrayLike<number>): number[] {
  if (cells.length !== scores.length) {
    throw new ForecastError(
      'E_ARGUMENT',
      `rankCells needs one score per cell: ${cells.length} cells, ${scores.length} scores`,
      scores.length,
    );
  }
  const idx: number[] = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    if (Number.isNaN(scores[i])) throw new ForecastError('E_ARGUMENT', `score of cell ${cells[i]} is NaN`, i);
    idx[i] = i;
  }
  return idx.sort((i, j) => scores[j]! - scores[i]! || compareCells(cells[i]!, cells[j]!));
}

/**
 * The top-ranked cells (order of {@link rankCells}) whose total area first reaches `areaKm2`:
 * cells are taken greedily in rank order until the covered area is ≥ `areaKm2`, so the last
 * cell may overshoot the request by less than its own area (the result is the shortest prefix
 * of the ranking that covers it). When all cells together cover less, all are returned.
 * `areaKm2 ≤ 0` gives none. Growing `areaKm2` only ever appends cells (monotone).
 *
 * Cost O(m log m).
 * @param cellAreaKm2 area of a cell in km² (e.g. engine/grid `cellAreaKm2`)
 * @throws {ForecastError} E_ARGUMENT (lengths differ, NaN score or area, a cell area ≤ 0)
 */
export function topCellsByArea(
  cells: readonly H3Cell[],
  scores: ArrayLike<number>,
  areaKm2: number,
  cellAreaKm2: (cell: H3Cell) => number,
): H3Cell[] {
  if (Number.isNaN(areaKm2)) throw new ForecastError('E_ARGUMENT', 'area must be a number of km², got NaN', areaKm2);
  const out: H3Cell[] = [];
  if (areaKm2 <= 0) return out;
  let covered = 0;
  for (const i of rankCells(cells, scores)) {
    if (covered >= areaKm2) break;
    const cell = cells[i]!;
    const a = cellAreaKm2(cell);
    if (!Number.isFinite(a) || a <= 0)
      throw new ForecastError('E_ARGUMENT', `area of cell ${cell} must be a positive number of km², got ${String(a)}`, a);
    out.push(cell);
    covered += a;
  }
  return out;
}
