/**
 * The finer lattice under the working grid, for placed patrol boxes: the cells of resolution
 * r + 1 inside a cell of resolution r, the coarse parent of a fine cell, and a "box" (a fine
 * cell with its ring-1 neighbours). H3 has aperture 7, so a box of seven res-(r+1) cells has the
 * area of one res-r cell; the seven children of a hexagon are exactly the box centred on its
 * centre child. At a pentagon a box (and a pentagon's set of children) has six cells.
 */
import * as h3 from 'h3-js';
import type { H3Cell } from '../types.ts';
import { checkCell, signedArea2 } from './cells.ts';
import { GridError } from './errors.ts';

/**
 * The cells of resolution r + 1 whose parent is `cell` (of resolution r), sorted by id:
 * 7 for a hexagon, 6 for a pentagon.
 * @throws {GridError} E_CELL_INVALID; E_RES_DOMAIN when `cell` is already at resolution 15
 */
export function fineChildren(cell: H3Cell): H3Cell[] {
  checkCell(cell);
  const res = h3.getResolution(cell);
  if (res >= 15) throw new GridError('E_RES_DOMAIN', `a cell of resolution 15 has no finer cells: ${cell}`, res);
  return h3.cellToChildren(cell, res + 1).sort();
}

/**
 * The cell of resolution r − 1 containing a fine cell of resolution r.
 * @throws {GridError} E_CELL_INVALID; E_RES_DOMAIN when `cell` is at resolution 0
 */
export function coarseParent(cell: H3Cell): H3Cell {
  checkCell(cell);
  const res = h3.getResolution(cell);
  if (res <= 0) throw new GridError('E_RES_DOMAIN', `a cell of resolution 0 has no coarser cell: ${cell}`, res);
  return h3.cellToParent(cell, res - 1);
}

/**
 * The box centred on a fine cell: the cell and its ring-1 neighbours, sorted by id (7 cells, 6
 * when the centre is a pentagon). Cost O(1).
 * @throws {GridError} E_CELL_INVALID
 */
export function boxCells(centre: H3Cell): H3Cell[] {
  checkCell(centre);
  return h3.gridDisk(centre, 1).sort();
}

/** Whether a cell is one of H3's twelve pentagons of its resolution. @throws {GridError} E_CELL_INVALID */
export function isPentagonCell(cell: H3Cell): boolean {
  checkCell(cell);
  return h3.isPentagon(cell);
}

/** The resolution of a cell (0..15). @throws {GridError} E_CELL_INVALID */
export function cellResolution(cell: H3Cell): number {
  checkCell(cell);
  return h3.getResolution(cell);
}

/**
 * The outline of a set of contiguous cells (a box) as one closed [lng, lat] ring, counter-
 * clockwise (RFC 7946), from h3's cellsToMultiPolygon: the union's outer ring. Cost O(cells).
 * @throws {GridError} E_CELL_INVALID; E_ARGUMENT when the cells are empty, do not form one
 *   polygon, or enclose a hole
 */
export function cellsOutlineLngLat(cells: readonly H3Cell[]): [number, number][] {
  for (const c of cells) checkCell(c);
  const polygons = h3.cellsToMultiPolygon([...cells], true);
  if (polygons.length !== 1 || polygons[0]!.length !== 1) {
    throw new GridError('E_ARGUMENT', `cells do not form one polygon without holes: ${cells.join(' ')}`, cells);
  }
  const ring = polygons[0]![0]!.map(([lng, lat]) => [lng!, lat!] as [number, number]);
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  if (signedArea2(ring) < 0) ring.reverse();
  return ring;
}
