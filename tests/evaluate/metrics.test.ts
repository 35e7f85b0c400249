import { describe, expect, it } from 'vitest';
import {
  bestPossibleHits,
  cellsForArea,
  cellsForCoverage,
  hitsAtK,
  logScoreVsUniform,
  rankIndices,
  topIndices,
  topKPerDistrict,
  topKPerDistrictFromScores,
} from '../../engine/evaluate/metrics.ts';
import { seededRandom } from '../../engine/random.ts';
import { EvaluateError } from '../../engine/evaluate/errors.ts';
import { expectCoded } from '../support/coded.ts';

/*
 * The worked example used below (hand-computed):
 *   5 study cells (indices 0..4), each 0.2 km², study area A = 1 km².
 *   model scores  s = [3, 0, 5, 1, 5]      → ranking 2, 4 (tie with 2, higher index), 0, 3, 1
 *   shift events in cells [4, 4, 0, 1, −1]  → N = 5 (one outside the study cells)
 *   top 1 = {2}: 0 hits; top 2 = {2, 4}: 2 hits; top 3 = {2, 4, 0}: 3 hits
 *   hit rates 0, 0.4, 0.6; PAI at k = 2: 0.4 / (2/5) = 1
 *   counts per cell: 4 → 2, 0 → 1, 1 → 1, so n* = 2, 3, 4 for k = 1, 2, 3; PEI at k = 2 = 2/3
 */
const scores = [3, 0, 5, 1, 5];
const events = [4, 4, 0, 1, -1];

describe('rankIndices', () => {
  it('orders by score descending, ties by index ascending, zeros last in index order', () => {
    expect(Array.from(rankIndices(scores))).toEqual([2, 4, 0, 3, 1]);
    expect(Array.from(rankIndices([0, 0, 1, 0]))).toEqual([2, 0, 1, 3]);
  });
  it('rejects negative and non-finite scores', () => {
    expectCoded(() => rankIndices([1, -1]), EvaluateError, 'E_ARGUMENT', -1);
    expectCoded(() => rankIndices([NaN]), EvaluateError, 'E_ARGUMENT', NaN);
    expectCoded(() => rankIndices([Infinity]), EvaluateError, 'E_ARGUMENT', Infinity);
  });
});

describe('hitsAtK and bestPossibleHits on the worked example', () => {
  const order = rankIndices(scores);
  it('counts the events in the top k cells', () => {
    expect(hitsAtK(order, events, [1, 2, 3])).toEqual([0, 2, 3]);
    expect(hitsAtK(order, events, [5])).toEqual([4]); // everything but the outside event
  });
  it('restores the scratch buffer it is given', () => {
    const scratch = new Int32Array(5).fill(-1);
    hitsAtK(order, events, [3], scratch);
    expect(Array.from(scratch)).toEqual([-1, -1, -1, -1, -1]);
  });
  it('n* is the sum of the k largest cell counts', () => {
    expect(bestPossibleHits(events, [1, 2, 3, 10])).toEqual([2, 3, 4, 4]);
    expect(bestPossibleHits([], [1])).toEqual([0]);
  });
  it('PAI and PEI follow from them', () => {
    const [n2] = hitsAtK(order, events, [2]);
    const [best2] = bestPossibleHits(events, [2]);
    const hitRate = n2! / events.length;
    expect(hitRate).toBeCloseTo(0.4, 12);
    expect(hitRate / (2 / 5)).toBeCloseTo(1, 12); // PAI
    expect(n2! / best2!).toBeCloseTo(2 / 3, 12); // PEI
  });
});

describe('flag sizes', () => {
  it('cellsForArea floors the number of whole cells, at least one', () => {
    expect(cellsForArea(1, 0.2, 5)).toBe(5);
    expect(cellsForArea(0.5, 0.2, 5)).toBe(2);
    expect(cellsForArea(0.6, 0.2, 5)).toBe(3); // 0.6/0.2 = 2.9999999999999996 in floating point
    expect(cellsForArea(0.01, 0.2, 5)).toBe(1);
    expect(cellsForArea(100, 0.2, 5)).toBe(5);
    expectCoded(() => cellsForArea(0, 0.2, 5), EvaluateError, 'E_ARGUMENT', [0, 0.2]);
  });
  it('cellsForCoverage floors fraction × cells', () => {
    expect(cellsForCoverage(0.05, 1000)).toBe(50);
    expect(cellsForCoverage(0.001, 100)).toBe(1);
    expectCoded(() => cellsForCoverage(1.5, 10), EvaluateError, 'E_ARGUMENT', 1.5);
  });
});

describe('topKPerDistrict', () => {
  it('keeps the best K cells of each district, skipping cells without one', () => {
    // districts: cells 0, 1 → district 0; cells 2, 3 → district 1; cell 4 → none
    const district = Int32Array.from([0, 0, 1, 1, -1]);
    const kept = topKPerDistrict(rankIndices(scores), district, 2, 1);
    expect(Array.from(kept)).toEqual([2, 0]);
    // K = 2: district 1 gets 2 and 3, district 0 gets 0 and 1
    expect(Array.from(topKPerDistrict(rankIndices(scores), district, 2, 2))).toEqual([2, 0, 3, 1]);
  });
});

describe('logScoreVsUniform', () => {
  const areas = [0.2, 0.2, 0.2, 0.2, 0.2];
  it('matches the hand-worked mixture value', () => {
    // Σs = 14; ε = 0.01; uniform share 0.2 per cell.
    // q4 = 0.99·5/14 + 0.01·0.2, q0 = 0.99·3/14 + 0.002, q1 = 0 + 0.002 → log(0.002/0.2) = log 0.01.
    const q4 = 0.99 * (5 / 14) + 0.002;
    const q0 = 0.99 * (3 / 14) + 0.002;
    const expected = 2 * Math.log(q4 / 0.2) + Math.log(q0 / 0.2) + Math.log(0.01);
    const r = logScoreVsUniform(scores, 14, areas, 1, events);
    expect(r.events).toBe(4);
    expect(r.sum).toBeCloseTo(expected, 12);
    expect(Number.isFinite(r.sum)).toBe(true);
  });
  it('is zero for the uniform forecast and for all-zero scores', () => {
    expect(logScoreVsUniform([1, 1, 1, 1, 1], 5, areas, 1, events).sum).toBeCloseTo(0, 12);
    expect(logScoreVsUniform([0, 0, 0, 0, 0], 0, areas, 1, events).sum).toBe(0);
  });
  it('with ε = 0 a sure forecast of a two-cell map scores log 2', () => {
    expect(logScoreVsUniform([1, 0], 1, [1, 1], 2, [0], 0).sum).toBeCloseTo(Math.log(2), 12);
  });
});

describe('fast rankings agree with the full sort', () => {
  // Scores drawn from a few values, so ties (broken by index) are everywhere; plus zeros.
  const cases = Array.from({ length: 60 }, (_, seed) => {
    const rand = seededRandom(seed + 1);
    const c = 1 + Math.floor(rand() * 300);
    const levels = 1 + Math.floor(rand() * 6);
    return Array.from({ length: c }, () => (rand() < 0.4 ? 0 : Math.floor(rand() * levels) / 3));
  });
  it('topIndices(scores, m) is the first m of rankIndices(scores)', () => {
    for (const scores of cases) {
      const full = Array.from(rankIndices(scores));
      for (const m of [1, 2, 7, Math.floor(scores.length / 2), scores.length, scores.length + 5]) {
        expect(Array.from(topIndices(scores, m))).toEqual(full.slice(0, m));
      }
    }
  });
  it('topKPerDistrictFromScores keeps the same cells as topKPerDistrict on the full ranking', () => {
    cases.forEach((scores, n) => {
      const rand = seededRandom(1000 + n);
      const d = 1 + Math.floor(rand() * 5);
      const district = Int32Array.from(scores, () => Math.floor(rand() * (d + 1)) - 1); // some −1
      for (const k of [1, 3, 20]) {
        const expected = Array.from(topKPerDistrict(rankIndices(scores), district, d, k)).sort((a, b) => a - b);
        const got = Array.from(topKPerDistrictFromScores(scores, district, d, k)).sort((a, b) => a - b);
        expect(got).toEqual(expected);
      }
    });
  });
});
