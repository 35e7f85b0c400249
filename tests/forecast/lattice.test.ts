/**
 * FineCounts, the one split of placement (engine/forecast/lattice.ts): a coarse cell's incidents
 * lying in a child of a neighbour take their share there, also when that neighbour is not on the
 * lattice; the sum is kept, and the same counts give the same bits in any order.
 */
import { describe, expect, it } from 'vitest';
import { FineCounts, FineLattice, placeGreedy } from '../../engine/forecast/index.ts';
import { fineChildren, gridDisk, gridDistance, incidentCell } from '../../engine/grid/index.ts';

const A = incidentCell(49.2827, -123.1207, 10);
/** A neighbour B of A and a child g of B touching a child of A (deterministic search). */
const { B, g } = (() => {
  for (const b of gridDisk(A, 1)) {
    if (b === A) continue;
    for (const f of fineChildren(A)) for (const k of fineChildren(b)) if (gridDistance(f, k) === 1) return { B: b, g: k };
  }
  throw new Error('no border pair');
})();

describe('FineCounts: the split where the history lies', () => {
  it('hand-worked, B off the lattice: A 3 in its child, 1 in g; α = 0.5 ⇒ denominator 4 + 3.5 = 7.5', () => {
    const lat = new FineLattice([A]);
    const counts = new FineCounts(lat, 0.5);
    const kid = lat.childStart[0]! + 4;
    const gid = lat.idOf(g);
    expect(gid).toBe(lat.inside); // a foreign cell outside the coarse cells
    counts.add(0, kid, 3);
    counts.add(0, gid);
    counts.add(-1, kid); // an incident of a cell off the lattice: ignored
    expect(counts.share(0, kid)).toBeCloseTo(3.5 / 7.5, 15);
    expect(counts.share(0, gid)).toBeCloseTo(1 / 7.5, 15);
    expect(counts.share(0, lat.childStart[0]!)).toBeCloseTo(0.5 / 7.5, 15);
    const out = new Float64Array(lat.cells.length + 3).fill(9);
    counts.split(Float64Array.of(1.5), out); // 1.5 / 7.5 = 0.2 per unit
    expect(out[kid]).toBeCloseTo(0.7, 15);
    expect(out[gid]).toBeCloseTo(0.2, 15);
    for (let f = 0; f < lat.inside; f++) if (f !== kid) expect(out[f]).toBeCloseTo(0.1, 15);
    expect(Array.from(out.subarray(lat.cells.length))).toEqual([0, 0, 0]);
    let total = 0;
    for (const v of out) total += v;
    expect(total).toBeCloseTo(1.5, 14);
    // a box may cover g (outside) and count its expected count, but is centred on A's children only
    const boxes = placeGreedy(lat, out, { cityBoxes: 3, top: 0 });
    for (const f of boxes.city) expect(f).toBeLessThan(lat.inside);
    counts.clear();
    counts.split(Float64Array.of(1.4), out);
    for (let f = 0; f < lat.inside; f++) expect(out[f]).toBeCloseTo(0.2, 15);
    expect(out[gid]).toBe(0);
  });

  it('B on the lattice: g gets from A and from B; the same counts in another order give the same bits', () => {
    const cells = [A, B].sort();
    const lat = new FineLattice(cells);
    const a = lat.coarseId(A);
    const b = lat.coarseId(B);
    const gid = lat.idOf(g);
    expect(lat.parent[gid]).toBe(b);
    const adds: [number, number, number][] = [
      [a, gid, 2],
      [b, gid, 1],
      [a, lat.childStart[a]!, 1],
      [b, lat.childStart[b]! + 2, 3],
    ];
    const one = new FineCounts(lat, 0.5);
    const two = new FineCounts(lat, 0.5);
    for (const x of adds) one.add(...x);
    for (const x of [...adds].reverse()) two.add(...x);
    const e = new Float64Array(2);
    e[a] = 1.3;
    e[b] = 0.7;
    const o1 = new Float64Array(lat.cells.length);
    const o2 = new Float64Array(lat.cells.length);
    one.split(e, o1);
    two.split(e, o2);
    expect(o2).toEqual(o1);
    // A: N = 3, denominator 6.5: g 2/6.5 of 1.3 = 0.4; B: N = 4, denominator 7.5: g (B's child, 1 + 0.5)/7.5 of 0.7 = 0.14
    expect(o1[gid]).toBeCloseTo(0.4 + 0.14, 15);
    let total = 0;
    for (const v of o1) total += v;
    expect(total).toBeCloseTo(2, 14);
  });
});
