import { describe, expect, it } from 'vitest';
import {
  allocateBoxes,
  districtNeeds,
  ForecastError,
  NO_DISTRICT,
  QUIET_FLOOR_PER_SHIFT,
  rankingWarnings,
} from '../../engine/forecast/index.ts';
import type { CellForecast, PatrolBox } from '../../engine/types.ts';

const big = new Map([
  ['A', 100],
  ['B', 100],
  ['C', 100],
]);

describe('allocateBoxes (Sainte-Laguë)', () => {
  it('hand-worked: needs 6, 3, 1 and 5 boxes give 3, 2, 0 (quotients 12, 6, 4, 2.4, then B and C tie at 2: B by name)', () => {
    const needs = new Map([
      ['C', 1],
      ['A', 6],
      ['B', 3],
    ]);
    expect(Object.fromEntries(allocateBoxes(needs, big, 5))).toEqual({ A: 3, B: 2, C: 0 });
    // Proportional in the limit: 100 boxes give 60, 30, 10.
    expect(Object.fromEntries(allocateBoxes(needs, big, 100))).toEqual({ A: 60, B: 30, C: 10 });
  });

  it('respects the caps and gives the rest to the others; a total beyond every cap gives each its cap', () => {
    const needs = new Map([
      ['A', 6],
      ['B', 3],
      ['C', 1],
    ]);
    const caps = new Map([
      ['A', 2],
      ['B', 100],
      ['C', 100],
    ]);
    // A 12 → 1, B 6 → 1, A 4 → 2 (cap), B 2 = C 2 → B, then C 2 > B 1.2 → C.
    expect(Object.fromEntries(allocateBoxes(needs, caps, 5))).toEqual({ A: 2, B: 2, C: 1 });
    const small = new Map([
      ['A', 1],
      ['B', 2],
      ['C', 0],
    ]);
    expect(Object.fromEntries(allocateBoxes(needs, small, 50))).toEqual({ A: 1, B: 2, C: 0 });
  });

  it('gives a district of no need no box, and refuses a bad total or need', () => {
    const needs = new Map([
      ['A', 1],
      ['Z', 0],
    ]);
    expect(Object.fromEntries(allocateBoxes(needs, big, 3))).toEqual({ A: 3, Z: 0 });
    for (const total of [0, 1.5, Number.NaN]) {
      expect(() => allocateBoxes(needs, big, total)).toThrow(ForecastError);
    }
    expect(() => allocateBoxes(new Map([['A', Number.NaN]]), big, 3)).toThrow(/district A/);
  });
});

describe('districtNeeds', () => {
  it('sums the expected counts per district, grouping or dropping cells of none', () => {
    const forecast = { cells: ['a', 'b', 'c', 'd'], expected: [0.5, 0.25, 1, 2] } as unknown as CellForecast;
    const of = (c: string): string | null => ({ a: 'X', b: 'X', c: 'Y' })[c] ?? null;
    expect(Object.fromEntries(districtNeeds(forecast, of, 'group'))).toEqual({ X: 0.75, Y: 1, [NO_DISTRICT]: 2 });
    expect(Object.fromEntries(districtNeeds(forecast, of, 'drop'))).toEqual({ X: 0.75, Y: 1 });
  });
});

describe('rankingWarnings', () => {
  const box = (district: string, rank: number, expected: number): PatrolBox => ({
    h3: `${district}${rank}`,
    district,
    rank,
    expected,
    background: expected,
    triggered: 0,
    backgroundShare: 1,
    triggeredShare: 0,
    contributors: [],
  });
  // 1000 shifts of training: a box expecting e per shift rests on about 1000·e incidents.
  const TRAINING_HOURS = 8000;

  it('hand-worked: flags a quiet district (floor) and one whose box 1 and last box are within 2 sd; not a clear one', () => {
    const boxes = [
      box('Busy', 1, 0.1), // E = 100
      box('Busy', 2, 0.07),
      box('Busy', 3, 0.05), // E = 50: 100 − 50 = 50 > 2√150 = 24.5, a ranking
      box('Even', 1, 0.1), // E = 100
      box('Even', 2, 0.09), // E = 90: 10 < 2√190 = 27.6, noise
      box('Quiet', 1, 0.04), // below 0.05: floor
      box('Quiet', 2, 0.001),
      box('Solo', 1, 0.2), // one box: nothing to rank
    ];
    const w = rankingWarnings(boxes, TRAINING_HOURS, 8);
    expect(w.map((x) => [x.district, x.reason])).toEqual([
      ['Even', 'noise'],
      ['Quiet', 'floor'],
    ]);
    expect(w[0]!.words).toBe(
      'Even: box 1 and box 2 are within the noise of the data behind them (about 100 against 90 incidents over the training window, less than 2 standard deviations apart); treat these boxes as equally important, not as a ranking',
    );
    expect(w[1]!.words).toMatch(
      /^Quiet: every box expects fewer than 0\.05 crimes this shift \(box 1: 0\.040, under one crime in 25 shifts\)/,
    );
    expect(QUIET_FLOOR_PER_SHIFT).toBe(0.05);
  });

  it('decides at two standard deviations: E₁ − E_K just above 2√(E₁ + E_K) passes, just below warns', () => {
    // E₁ = 100, E_K = x: 100 − x = 2√(100 + x) at x = 100 + 2 − 2√(2·100 + 1)… solve numerically.
    let lo = 0;
    let hi = 100;
    for (let i = 0; i < 200; i++) {
      const x = (lo + hi) / 2;
      if (100 - x > 2 * Math.sqrt(100 + x)) lo = x;
      else hi = x;
    }
    const at = (x: number) => rankingWarnings([box('D', 1, 0.1), box('D', 2, x / 1000)], TRAINING_HOURS, 8).length;
    expect(lo).toBeCloseTo(73.6, 1);
    expect(at(lo - 0.01)).toBe(0);
    expect(at(hi + 0.01)).toBe(1);
    // More training data makes the same rates distinguishable: 10× the window, no warning for 100 vs 90.
    expect(rankingWarnings([box('D', 1, 0.1), box('D', 2, 0.09)], 10 * TRAINING_HOURS, 8)).toEqual([]);
  });

  it('refuses non-positive hours', () => {
    expect(() => rankingWarnings([], 0, 8)).toThrow(ForecastError);
    expect(() => rankingWarnings([], 8, Number.NaN)).toThrow(ForecastError);
  });
});
