/**
 * H3 rings for triggering spread beyond an event's own cell (docs/model.md#rings): which cells lie at
 * grid distance d of a cell, and how many (n_d).
 */
import { gridDisk } from '../grid/index.ts';
import type { H3Cell } from '../types.ts';

/** Rings of `cell` at distances 0..depth from engine/grid (O(depth²) cells). */
export function ringsFromGrid(cell: H3Cell, depth: number): H3Cell[][] {
  const out: H3Cell[][] = [[cell]];
  let inner = new Set([cell]);
  for (let d = 1; d <= depth; d++) {
    const disk = gridDisk(cell, d);
    out.push(disk.filter((c) => !inner.has(c)));
    inner = new Set(disk);
  }
  return out;
}

/** n_d: cells at grid distance d (6d for d ≥ 1; pentagons have fewer, ignored at city scale). */
export function ringSize(d: number): number {
  return d === 0 ? 1 : 6 * d;
}

/**
 * For each cell of `cells`, the other cells of `cells` within H3 grid distance 1..depth, with
 * their distance, in CSR form (`offsets`, `neighbour`, `distance`). Cells outside the list
 * never hold events, so their decayed sums are always 0 and they are left out.
 *
 * Cost O(cells · depth²) H3 look-ups (through the `ringsOf` function, which may cache).
 */
export function ringNeighbours(
  cells: readonly H3Cell[],
  depth: number,
  ringsOf: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[],
): { offsets: Int32Array; neighbour: Int32Array; distance: Int32Array } {
  const index = new Map<H3Cell, number>();
  cells.forEach((c, i) => index.set(c, i));
  const offsets = new Int32Array(cells.length + 1);
  const nb: number[] = [];
  const dist: number[] = [];
  for (let c = 0; c < cells.length; c++) {
    const rings = ringsOf(cells[c]!, depth);
    for (let d = 1; d <= depth; d++) {
      for (const other of rings[d] ?? []) {
        const j = index.get(other);
        if (j !== undefined) {
          nb.push(j);
          dist.push(d);
        }
      }
    }
    offsets[c + 1] = nb.length;
  }
  return { offsets, neighbour: Int32Array.from(nb), distance: Int32Array.from(dist) };
}
