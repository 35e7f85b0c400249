import { describe, expect, it } from 'vitest';
import * as h3 from 'h3-js';
import { boxCells, coarseParent, fineChildren, gridDisk, incidentCell, isPentagonCell, cellResolution } from '../../engine/grid/index.ts';

const coarse = incidentCell(49.2827, -123.1207, 10);

describe('the finer lattice (fineChildren, coarseParent, boxCells)', () => {
  it('a hexagon has 7 children at the next resolution, each with it as parent', () => {
    const kids = fineChildren(coarse);
    expect(kids).toHaveLength(7);
    expect([...kids].sort()).toEqual(kids);
    for (const k of kids) {
      expect(cellResolution(k)).toBe(11);
      expect(coarseParent(k)).toBe(coarse);
    }
  });

  it('the children of a hexagon are exactly the box centred on its centre child (aperture 7)', () => {
    const centreChild = h3.cellToCenterChild(coarse, 11);
    expect(boxCells(centreChild)).toEqual(fineChildren(coarse));
    // and no other child's box is the coarse cell
    for (const k of fineChildren(coarse)) if (k !== centreChild) expect(boxCells(k)).not.toEqual(fineChildren(coarse));
  });

  it('a box is the centre and its six neighbours, sorted by id', () => {
    const f = fineChildren(coarse)[0]!;
    expect(boxCells(f)).toEqual(gridDisk(f, 1));
    expect(boxCells(f)).toHaveLength(7);
    expect(isPentagonCell(f)).toBe(false);
  });

  it('pentagons: 6 children and boxes of 6 cells', () => {
    const pent10 = h3.getPentagons(10)[0]!;
    const pent11 = h3.cellToCenterChild(pent10, 11);
    expect(isPentagonCell(pent10)).toBe(true);
    expect(fineChildren(pent10)).toHaveLength(6);
    expect(boxCells(pent11)).toHaveLength(6);
    expect(boxCells(pent11)).toEqual(fineChildren(pent10));
  });

  it('coded errors: invalid cells and resolutions with no finer or coarser cell', () => {
    expect(() => fineChildren('nope')).toThrow(expect.objectContaining({ code: 'E_CELL_INVALID', value: 'nope' }));
    expect(() => boxCells('8a28de8d8c77ff')).toThrow(expect.objectContaining({ code: 'E_CELL_INVALID' }));
    const res15 = incidentCell(49.2827, -123.1207, 15);
    expect(() => fineChildren(res15)).toThrow(expect.objectContaining({ code: 'E_RES_DOMAIN', value: 15 }));
    expect(() => coarseParent(h3.getRes0Cells()[0]!)).toThrow(expect.objectContaining({ code: 'E_RES_DOMAIN', value: 0 }));
  });
});
