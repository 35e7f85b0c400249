import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rankCells, topCellsByArea } from '../../engine/forecast/index.ts';

describe('rankCells', () => {
  it('orders by score descending, equal scores by H3 id ascending', () => {
    const cells = ['8a28f', '8a28a', '8a28c', '8a28b', '8a28d'];
    const scores = new Float64Array([1, 2, 2, 0.5, 2]);
    // Score 2: 8a28a (1), 8a28c (2), 8a28d (4) in id order; then 8a28f (score 1), 8a28b (0.5).
    expect(rankCells(cells, scores)).toEqual([1, 2, 4, 0, 3]);
  });

  it('gives the same cell order whatever the input order (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        (cells, rawScores, rot) => {
          const scores = cells.map((_, i) => rawScores[i]!);
          const ranked = rankCells(cells, scores).map((i) => cells[i]);
          const r = rot % cells.length;
          const cells2 = [...cells.slice(r), ...cells.slice(0, r)].reverse();
          const scores2 = [...scores.slice(r), ...scores.slice(0, r)].reverse();
          expect(rankCells(cells2, scores2).map((i) => cells2[i])).toEqual(ranked);
        },
      ),
      { seed: 11 },
    );
  });

  it('rejects NaN scores and mismatched lengths', () => {
    expect(() => rankCells(['a', 'b'], [1, Number.NaN])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => rankCells(['a', 'b'], [1])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

describe('topCellsByArea', () => {
  const areaOf =
    (areas: Record<string, number>) =>
    (c: string): number =>
      areas[c]!;

  it('takes cells in rank order until the area is covered, overshooting with the last cell', () => {
    const cells = ['a', 'b', 'c', 'd'];
    const scores = [4, 3, 2, 1];
    const areas = areaOf({ a: 0.5, b: 0.3, c: 0.4, d: 1 });
    expect(topCellsByArea(cells, scores, 0.5, areas)).toEqual(['a']);
    expect(topCellsByArea(cells, scores, 0.6, areas)).toEqual(['a', 'b']); // 0.8 km² ≥ 0.6
    expect(topCellsByArea(cells, scores, 1.2, areas)).toEqual(['a', 'b', 'c']);
    expect(topCellsByArea(cells, scores, 99, areas)).toEqual(['a', 'b', 'c', 'd']);
    expect(topCellsByArea(cells, scores, 0, areas)).toEqual([]);
  });

  it('covers at least the requested area with the shortest prefix of the ranking, monotone in the area (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0.001, max: 1, noNaN: true })), {
          minLength: 40,
          maxLength: 40,
        }),
        fc.double({ min: 0, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 30, noNaN: true }),
        (cells, raw, x, y) => {
          const scores = cells.map((_, i) => raw[i]![0]);
          const areas: Record<string, number> = {};
          cells.forEach((c, i) => (areas[c] = raw[i]![1]));
          const ranked = rankCells(cells, scores).map((i) => cells[i]!);
          const [small, large] = x <= y ? [x, y] : [y, x];
          const a = topCellsByArea(cells, scores, small, areaOf(areas));
          const b = topCellsByArea(cells, scores, large, areaOf(areas));
          for (const [req, got] of [
            [small, a],
            [large, b],
          ] as const) {
            const covered = got.reduce((s, c) => s + areas[c]!, 0);
            expect(got).toEqual(ranked.slice(0, got.length));
            if (req > 0) expect(covered >= req || got.length === cells.length).toBe(true);
            if (got.length > 0) expect(covered - areas[got[got.length - 1]!]!).toBeLessThan(req);
          }
          expect(b.slice(0, a.length)).toEqual(a);
        },
      ),
      { seed: 12 },
    );
  });

  it('rejects a cell with a non-positive area', () => {
    expect(() => topCellsByArea(['a'], [1], 1, () => 0)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});
