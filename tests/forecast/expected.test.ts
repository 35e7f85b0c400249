import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { forecastShift, shiftIntegral } from '../../engine/forecast/index.ts';
import { buildEventSet } from '../../engine/grid/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { EtasFit } from '../../engine/model/index.ts';
import type { CellForecast, EventSet, Incident } from '../../engine/types.ts';
import { HOUR_MS, makeEvents, makeFit, makeIncident } from './helpers.ts';

function at(f: CellForecast, cell: string): { expected: number; background: number; triggered: number } {
  const k = f.cells.indexOf(cell);
  if (k < 0) throw new Error(`cell ${cell} not in forecast`);
  return { expected: f.expected[k]!, background: f.background[k]!, triggered: f.triggered[k]! };
}

/**
 * The conditional intensity λ_n(t) of docs/model.md#intensity-2015, summed naively over the cell's events that
 * happened before both t and the shift start (the forecast ignores events inside the shift).
 */
function intensity(fit: EtasFit, ev: EventSet, cellIdx: number, tHours: number, shiftStartHours: number): number {
  let lambda = fit.muPerHour[ev.cells[cellIdx]!] ?? 0;
  for (let j = 0; j < ev.tHours.length; j++) {
    if (ev.cell[j] === cellIdx && ev.tHours[j]! < tHours && ev.tHours[j]! < shiftStartHours) {
      lambda += fit.theta * fit.omegaPerHour * Math.exp(-fit.omegaPerHour * (tHours - ev.tHours[j]!));
    }
  }
  return lambda;
}

describe('forecastShift', () => {
  // A hand-worked case. θ = 0.5, ω = ln 2 per hour (half-life 1 h), shift s = 100 h after the
  // origin, H = 8 h. One event at age a contributes θ(2^−a − 2^−(a+8)).
  //   cell a: μ = 0.1/h, events at ages 1 h and 2 h
  //     background 0.1·8 = 0.8
  //     triggered  0.5(1/2 − 1/512) + 0.5(1/4 − 1/1024) = 0.2490234375 + 0.12451171875 = 0.37353515625
  //     expected   1.17353515625
  //   cell b: μ absent (0), one event at age 3 h: 0.5(1/8 − 1/2048) = 0.062255859375
  //   cell c: μ = 0.05/h, no events: 0.05·8 = 0.4
  //   cell d: μ = 0 in the fit and no events: not a forecast cell
  const origin = Date.UTC(2024, 0, 1);
  const s = origin + 100 * HOUR_MS;
  const fit = makeFit(0.5, Math.LN2, { a: 0.1, c: 0.05, d: 0 });
  const history = makeEvents(origin, [
    ['a', 99],
    ['a', 98],
    ['b', 97],
  ]);

  it('matches the hand-computed expected counts', () => {
    const f = forecastShift(fit, history, s, 8);
    expect(f.cells).toEqual(['a', 'b', 'c']);
    expect(at(f, 'a').background).toBeCloseTo(0.8, 14);
    expect(at(f, 'a').triggered).toBeCloseTo(0.37353515625, 14);
    expect(at(f, 'a').expected).toBeCloseTo(1.17353515625, 14);
    expect(at(f, 'b')).toEqual({
      expected: expect.closeTo(0.062255859375, 14),
      background: 0,
      triggered: expect.closeTo(0.062255859375, 14),
    });
    expect(at(f, 'c')).toEqual({ expected: expect.closeTo(0.4, 14), background: expect.closeTo(0.4, 14), triggered: 0 });
  });

  it('ignores events at or after the shift start (no leakage)', () => {
    const base = forecastShift(fit, history, s, 8);
    // Same cells, events exactly at s, inside the shift and long after it.
    const leaky = makeEvents(origin, [
      ['a', 99],
      ['a', 98],
      ['b', 97],
      ['a', 100],
      ['b', 100],
      ['a', 103.5],
      ['c', 100.01],
      ['b', 5000],
    ]);
    const f = forecastShift(fit, leaky, s, 8);
    expect(f.cells).toEqual(base.cells);
    expect(f.expected).toEqual(base.expected);
    expect(f.background).toEqual(base.background);
    expect(f.triggered).toEqual(base.triggered);
  });

  it('gives a cell that only has events at or after s an expected count of 0 (it is left out)', () => {
    const f = forecastShift(
      fit,
      makeEvents(origin, [
        ['a', 99],
        ['e', 100],
        ['e', 101],
      ]),
      s,
      8,
    );
    expect(f.cells).toEqual(['a', 'c']);
  });

  it('uses only incidents before s when the history comes from buildEventSet with later incidents in it', () => {
    const incidents: Incident[] = [];
    const rand = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      incidents.push({
        ...makeIncident(String(i), 'Theft'),
        timeMs: origin + rand() * 200 * HOUR_MS,
        lat: 49.28 + rand() * 0.004,
        lng: -123.12 + rand() * 0.004,
      });
    }
    const all = buildEventSet(incidents, 10, origin);
    const before = buildEventSet(incidents, 10, origin, { endMs: s });
    const mu: Record<string, number> = {};
    for (const c of all.cells) mu[c] = 0.01;
    const withAll = forecastShift(makeFit(0.3, 0.1, mu), all, s, 8);
    const withBefore = forecastShift(makeFit(0.3, 0.1, mu), before, s, 8);
    for (const c of all.cells) expect(at(withAll, c).expected).toBe(at(withBefore, c).expected);
  });

  it('equals the numeric integral of the intensity over the shift (trapezoid oracle)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.01, max: 0.95, noNaN: true }),
        fc.double({ min: 0.02, max: 2, noNaN: true }),
        fc.double({ min: 1, max: 12, noNaN: true }),
        (seed, theta, omega, hours) => {
          const rand = seededRandom(seed);
          const evs: [string, number][] = [];
          // Events from 0 to 60 h; the shift starts at 50 h, so some fall inside it (ignored).
          for (let i = 0; i < 25; i++) evs.push([`c${Math.floor(rand() * 4)}`, rand() * 60]);
          const ev = makeEvents(origin, evs);
          const f = forecastShift(makeFit(theta, omega, { c0: 0.2, c1: 0.01, c3: 0.07 }), ev, origin + 50 * HOUR_MS, hours);
          const steps = 20000;
          const h = hours / steps;
          for (let k = 0; k < ev.cells.length; k++) {
            // λ is smooth on the shift (no events inside it) and |λ''| ≤ ω²·λ (a constant plus
            // decaying exponentials), so the trapezoid rule errs by at most h²ω²/12 of the
            // integral: ≤ 1.2e-6 relative here. Missing the (1 − e^{−ωH}) factor or counting
            // the point intensity instead of the integral would be off by far more.
            let integral = 0;
            for (let q = 0; q <= steps; q++) {
              const w = q === 0 || q === steps ? 0.5 : 1;
              integral += w * intensity(makeFit(theta, omega, { c0: 0.2, c1: 0.01, c3: 0.07 }), ev, k, 50 + q * h, 50);
            }
            integral *= h;
            const got = at(f, ev.cells[k]!).expected;
            const bound = ((h * h * omega * omega) / 12) * integral;
            expect(Math.abs(got - integral)).toBeLessThanOrEqual(bound + 1e-13);
          }
        },
      ),
      { numRuns: 15, seed: 20240301 },
    );
  });

  it("does not depend on the order of the fit's μ keys", () => {
    const f1 = forecastShift(makeFit(0.5, Math.LN2, { a: 0.1, c: 0.05 }), history, s, 8);
    const f2 = forecastShift(makeFit(0.5, Math.LN2, { c: 0.05, a: 0.1 }), history, s, 8);
    expect(f2).toEqual(f1);
  });

  it('gives background only when θ = 0 (cells with neither a rate nor a triggered part are left out)', () => {
    const f = forecastShift(makeFit(0, 1, { a: 0.1 }), history, s, 8);
    expect(f.cells).toEqual(['a']);
    expect([...f.triggered]).toEqual([0]);
    expect(at(f, 'a').expected).toBeCloseTo(0.8, 14);
  });

  it('rejects a non-positive shift length and bad parameters with coded errors', () => {
    expect(() => forecastShift(fit, history, s, 0)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => forecastShift(fit, history, Number.NaN, 8)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => forecastShift(makeFit(0.5, 0, {}), history, s, 8)).toThrow(expect.objectContaining({ code: 'E_FIT' }));
    expect(() => forecastShift(makeFit(0.5, 1, { a: Number.NaN }), history, s, 8)).toThrow(expect.objectContaining({ code: 'E_FIT' }));
  });
});

describe('shiftIntegral', () => {
  it('is θ(e^{−ω(s−t)} − e^{−ω(s+H−t)}), hand-worked and against a numeric integral of θω e^{−ω(u−t)} over the shift', () => {
    // θ = 0.5, ω = ln 2 per hour, H = 8 h, an incident 1 h before the shift: 0.5·(2^−1 − 2^−9).
    expect(shiftIntegral(0.5, Math.LN2, 8)(1)).toBe(0.2490234375);
    for (const [theta, omega, hours, age] of [
      [0.3, 0.05, 8, 30],
      [0.9, 3, 7, 0.01],
      [0.01, 1e-4, 9, 2000],
    ] as const) {
      const steps = 20_000;
      let sum = 0;
      for (let q = 0; q < steps; q++) sum += theta * omega * Math.exp(-omega * (age + ((q + 0.5) / steps) * hours)) * (hours / steps);
      // Midpoint rule: relative error about (ωH/steps)²/24, under 5e-8 here.
      expect(shiftIntegral(theta, omega, hours)(age)).toBeCloseTo(sum, 6);
    }
  });
});
