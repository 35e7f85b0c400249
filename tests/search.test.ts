import { describe, expect, it } from 'vitest';
import { upperBound } from '../engine/search.ts';

describe('upperBound', () => {
  it('upperBound(a, x) counts the entries ≤ x of an ascending array', () => {
    expect(upperBound([1, 2, 2, 5], 2)).toBe(3);
    expect(upperBound([1, 2, 2, 5], 0)).toBe(0);
    expect(upperBound([1, 2, 2, 5], 5)).toBe(4);
    expect(upperBound(new Float64Array(0), 1)).toBe(0);
  });

  it('agrees with a linear count on seeded random sorted arrays', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 50; trial++) {
      const a = Float64Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 10)).sort();
      const x = Math.floor(rand() * 12) - 1;
      expect(upperBound(a, x)).toBe(a.filter((v) => v <= x).length);
    }
  });
});
