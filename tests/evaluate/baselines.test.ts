import { describe, expect, it } from 'vitest';
import {
  KernelScorer,
  naiveKernel,
  prospectiveKernel,
  randomOrder,
  retroKernel,
  selfNeighbourhood,
  type Neighbourhood,
} from '../../engine/evaluate/baselines.ts';
import { seededRandom } from '../../engine/random.ts';
import { EvaluateError } from '../../engine/evaluate/errors.ts';
import { expectCoded } from '../support/coded.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/*
 * A hand-made neighbourhood: one source cell (study cell 0) whose neighbours are study cells
 * 1 (grid distance 1, 0.1 km), 2 (grid distance 2, 0.35 km) and 3 (grid distance 3, 0.45 km).
 */
const line: Neighbourhood = {
  offsets: Int32Array.from([0, 4]),
  target: Int32Array.from([0, 1, 2, 3]),
  distanceKm: Float64Array.from([0, 0.1, 0.35, 0.45]),
  gridDistance: Int32Array.from([0, 1, 2, 3]),
};
const oneEvent = { knownMs: Float64Array.from([0]), source: Int32Array.from([0]) };

describe('naive counts', () => {
  it('count events known in (s − D days, s], exactly', () => {
    const stream = { knownMs: Float64Array.from([0, DAY, 2 * DAY, 2 * DAY]), source: Int32Array.from([0, 1, 0, 0]) };
    const hood = selfNeighbourhood(Int32Array.from([0, 1]));
    const k = new KernelScorer(stream, hood, 2, naiveKernel(2));
    expect(Array.from(k.scoresAt(-1))).toEqual([0, 0]);
    expect(Array.from(k.scoresAt(0))).toEqual([1, 0]);
    expect(Array.from(k.scoresAt(2 * DAY - 1))).toEqual([1, 1]);
    expect(Array.from(k.scoresAt(2 * DAY))).toEqual([2, 1]); // the event known at 0 is now 2 days old: out
    expect(Array.from(k.scoresAt(10 * DAY))).toEqual([0, 0]);
  });
  it('all-history counts never forget', () => {
    const k = new KernelScorer(oneEvent, selfNeighbourhood(Int32Array.from([0])), 1, naiveKernel(Infinity));
    expect(k.scoresAt(1e15)[0]).toBe(1);
  });
  it('source cells outside the study area score nothing', () => {
    const hood = selfNeighbourhood(Int32Array.from([-1, 0]));
    const stream = { knownMs: Float64Array.from([0, 0]), source: Int32Array.from([0, 1]) };
    expect(Array.from(new KernelScorer(stream, hood, 1, naiveKernel(1)).scoresAt(0))).toEqual([1]);
  });
  it('refuses to go back in time and unsorted streams', () => {
    const k = new KernelScorer(oneEvent, selfNeighbourhood(Int32Array.from([0])), 1, naiveKernel(1));
    k.scoresAt(5);
    expectCoded(() => k.scoresAt(4), EvaluateError, 'E_ARGUMENT', 4);
    const unsorted = { knownMs: Float64Array.from([2, 1]), source: Int32Array.from([0, 0]) };
    expectCoded(
      () => new KernelScorer(unsorted, selfNeighbourhood(Int32Array.from([0])), 1, naiveKernel(1)),
      EvaluateError,
      'E_ARGUMENT',
      1,
    );
  });
  it('rejects bad kernel settings with E_ARGUMENT naming the value', () => {
    expectCoded(() => naiveKernel(0), EvaluateError, 'E_ARGUMENT', 0);
    expectCoded(() => retroKernel(-1, 7), EvaluateError, 'E_ARGUMENT', [-1, 7]);
    expectCoded(() => prospectiveKernel(0.4, 1.5), EvaluateError, 'E_ARGUMENT', [0.4, 1.5]);
    const badEdges = { ...naiveKernel(1), ageEdgesMs: [0, 5, 5] };
    expectCoded(
      () => new KernelScorer(oneEvent, selfNeighbourhood(Int32Array.from([0])), 1, badEdges),
      EvaluateError,
      'E_ARGUMENT',
      [0, 5, 5],
    );
  });
});

describe('retrospective quartic hotspot', () => {
  it('weights (1 − d²/h²)² within 200 m for 60 days', () => {
    const k = new KernelScorer(oneEvent, line, 4, retroKernel());
    const s = k.scoresAt(59 * DAY);
    // d = 0 → 1; d = 0.1 → (1 − 0.25)² = 0.5625; 0.35 and 0.45 km are beyond 0.2 km
    expect(s[0]).toBeCloseTo(1, 6);
    expect(s[1]).toBeCloseTo(0.5625, 6);
    expect(s[2]).toBe(0);
    expect(s[3]).toBe(0);
    expect(Array.from(k.scoresAt(60 * DAY))).toEqual([0, 0, 0, 0]);
  });
});

describe('prospective hotspot (Bowers, Johnson & Pease 2004)', () => {
  it('weights 1/(1 + grid distance) · 1/(1 + whole weeks) within 400 m and 8 weeks', () => {
    const k = new KernelScorer(oneEvent, line, 4, prospectiveKernel());
    const week0 = k.scoresAt(0);
    expect(week0[0]).toBeCloseTo(1, 6);
    expect(week0[1]).toBeCloseTo(1 / 2, 6);
    expect(week0[2]).toBeCloseTo(1 / 3, 6);
    expect(week0[3]).toBe(0); // 0.45 km > 0.4 km
    const week1 = k.scoresAt(WEEK);
    expect(week1[0]).toBeCloseTo(1 / 2, 6);
    expect(week1[2]).toBeCloseTo(1 / 6, 6);
    const week7 = k.scoresAt(8 * WEEK - 1);
    expect(week7[0]).toBeCloseTo(1 / 8, 6);
    expect(week7[1]).toBeCloseTo(1 / 16, 6);
    expect(Array.from(k.scoresAt(8 * WEEK))).toEqual([0, 0, 0, 0]);
  });
  it('a jump over several weeks lands on the same scores as walking week by week', () => {
    const walked = new KernelScorer(oneEvent, line, 4, prospectiveKernel());
    for (let w = 0; w <= 3; w++) walked.scoresAt(w * WEEK + DAY);
    const jumped = new KernelScorer(oneEvent, line, 4, prospectiveKernel());
    expect(Array.from(jumped.scoresAt(3 * WEEK + DAY))).toEqual(Array.from(walked.scoresAt(3 * WEEK + DAY)));
    expect(jumped.scoresAt(3 * WEEK + DAY)[0]).toBeCloseTo(1 / 4, 6);
  });
  it('scores do not depend on the order of events known at the same instant (bit-identical)', () => {
    const hood: Neighbourhood = {
      offsets: Int32Array.from([0, 2, 4]),
      target: Int32Array.from([0, 1, 1, 0]),
      distanceKm: Float64Array.from([0, 0.12, 0, 0.12]),
      gridDistance: Int32Array.from([0, 1, 0, 1]),
    };
    const a = { knownMs: Float64Array.from([0, 0, 0, DAY]), source: Int32Array.from([0, 1, 1, 0]) };
    const b = { knownMs: Float64Array.from([0, 0, 0, DAY]), source: Int32Array.from([1, 0, 1, 0]) };
    const ka = new KernelScorer(a, hood, 2, prospectiveKernel());
    const kb = new KernelScorer(b, hood, 2, prospectiveKernel());
    for (const t of [0, DAY, 9 * DAY, 30 * DAY]) expect(Array.from(ka.scoresAt(t))).toEqual(Array.from(kb.scoresAt(t)));
  });
});

describe('randomOrder', () => {
  it('is a seeded permutation', () => {
    const a = randomOrder(50, seededRandom(5));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(randomOrder(50, seededRandom(5)))).toEqual(Array.from(a));
    expect(Array.from(randomOrder(50, seededRandom(6)))).not.toEqual(Array.from(a));
  });
  it('puts each cell first about equally often', () => {
    const rand = seededRandom(11);
    const first = new Array(4).fill(0);
    for (let i = 0; i < 4000; i++) first[randomOrder(4, rand)[0]!]++;
    for (const f of first) expect(Math.abs(f - 1000)).toBeLessThan(120); // ~4 sd of a binomial(4000, 1/4)
  });
});
