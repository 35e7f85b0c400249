import { describe, expect, it } from 'vitest';
import { bootstrapMean, pairedBootstrap, quantileOfSorted } from '../../engine/evaluate/bootstrap.ts';
import { seededRandom } from '../../engine/random.ts';
import { EvaluateError } from '../../engine/evaluate/errors.ts';
import { expectCoded } from '../support/coded.ts';

const rand = seededRandom(7);
const values = Array.from({ length: 200 }, () => rand());

describe('bootstrapMean', () => {
  it('gives the same interval for the same seed and a different one for another seed', () => {
    const a = bootstrapMean(values, { seed: 3 });
    const b = bootstrapMean(values, { seed: 3 });
    const c = bootstrapMean(values, { seed: 4 });
    expect(a).toEqual(b);
    expect(c.lo).not.toBe(a.lo);
    expect(c.mean).toBe(a.mean);
  });
  it('brackets the mean, with a width near 2·1.96·sd/√n for uniform values', () => {
    const r = bootstrapMean(values, { seed: 1, resamples: 2000 });
    expect(r.lo).toBeLessThan(r.mean);
    expect(r.hi).toBeGreaterThan(r.mean);
    const width = 2 * 1.96 * Math.sqrt(1 / 12) / Math.sqrt(200); // ≈ 0.080
    expect(r.hi - r.lo).toBeGreaterThan(0.8 * width);
    expect(r.hi - r.lo).toBeLessThan(1.2 * width);
  });
  it('collapses for constant values and for one block spanning the series', () => {
    expect(bootstrapMean([2, 2, 2])).toEqual({ mean: 2, lo: 2, hi: 2, n: 3 });
    const whole = bootstrapMean([1, 2, 3, 6], { blockLength: 4 });
    expect(whole.lo).toBe(3);
    expect(whole.hi).toBe(3);
  });
  it('returns NaN for no values and rejects non-finite ones', () => {
    expect(bootstrapMean([]).n).toBe(0);
    expect(Number.isNaN(bootstrapMean([]).mean)).toBe(true);
    expectCoded(() => bootstrapMean([1, NaN]), EvaluateError, 'E_ARGUMENT', NaN);
    expectCoded(() => bootstrapMean([1, 2], { resamples: 0 }), EvaluateError, 'E_ARGUMENT', [0, 0.95]);
  });
  it('a block bootstrap widens the interval of a strongly autocorrelated series', () => {
    const series = Array.from({ length: 300 }, (_, i) => (Math.floor(i / 30) % 2) + 0.01 * (i % 7));
    const plain = bootstrapMean(series, { seed: 1 });
    const blocked = bootstrapMean(series, { seed: 1, blockLength: 30 });
    expect(blocked.hi - blocked.lo).toBeGreaterThan(2 * (plain.hi - plain.lo));
  });
});

describe('pairedBootstrap', () => {
  it('a constant shift between the models gives a zero-width difference interval', () => {
    const b = values;
    const a = values.map((v) => v + 0.25);
    const p = pairedBootstrap(a, b, { seed: 9 });
    expect(p.diff.mean).toBeCloseTo(0.25, 12);
    expect(p.diff.lo).toBeCloseTo(0.25, 12);
    expect(p.diff.hi).toBeCloseTo(0.25, 12);
    const meanB = b.reduce((s, v) => s + v, 0) / b.length;
    expect(p.relative.mean).toBeCloseTo(0.25 / meanB, 12);
  });
  it('is deterministic for a seed and much narrower than unpaired intervals when shifts vary together', () => {
    const b = values.map((v) => 10 * v);
    const a = b.map((v, i) => v + (i % 2 === 0 ? 0.1 : -0.05));
    expect(pairedBootstrap(a, b, { seed: 2 })).toEqual(pairedBootstrap(a, b, { seed: 2 }));
    const p = pairedBootstrap(a, b, { seed: 2 });
    const ia = bootstrapMean(a, { seed: 2 });
    expect(p.diff.hi - p.diff.lo).toBeLessThan((ia.hi - ia.lo) / 10);
    expect(p.diff.mean).toBeCloseTo(0.025, 12);
  });
  it('rejects series of different lengths', () => {
    expectCoded(() => pairedBootstrap([1], [1, 2]), EvaluateError, 'E_ARGUMENT', 2);
    expectCoded(() => pairedBootstrap([1, Infinity], [1, 2]), EvaluateError, 'E_ARGUMENT', [Infinity, 2]);
  });
});

describe('quantileOfSorted', () => {
  it('interpolates linearly (R type 7)', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileOfSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileOfSorted([0, 10], 0.025)).toBeCloseTo(0.25, 12);
  });
});
