import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { EtasFitOptions, EventSet, Incident } from '../../engine/types.ts';
import { seededRandom } from '../../engine/random.ts';
import {
  ETAS_2015,
  describeFit,
  etasLogLikelihood,
  fitEtas as fitModel,
  simulateEtas,
  simulationToEventSet,
  withFitOptions,
  type EtasFit,
  type FitHooks,
} from '../../engine/model/index.ts';
import { eStepSameCell, newSums } from '../../engine/model/estep.ts';
import { prepareEvents } from '../../engine/model/prepare.ts';
import { buildEventSet } from '../../engine/grid/index.ts';
import { oracleEm, oracleEStep } from './oracle.ts';

const H = 3.6e6;

/**
 * The one model with the etas-2015 preset (no profile, no recency, same-cell triggering), the
 * preset's bounds and EM limits overridden by `options`; `acceleration` and `initial` are fit inputs.
 */
function fitEtas(
  events: EventSet,
  window: { startMs: number; endMs: number },
  res: number,
  options: EtasFitOptions & { acceleration?: boolean; initial?: { theta: number; omegaPerHour: number } } = {},
  hooks: FitHooks = {},
): EtasFit {
  const { acceleration, initial, ...overrides } = options;
  const inputs = { ...(acceleration !== undefined ? { acceleration } : {}), ...(initial !== undefined ? { initial } : {}) };
  return fitModel(events, window, res, withFitOptions(ETAS_2015, overrides), inputs, hooks);
}

/** An EventSet from (cell, hours) pairs, sorted as the engine expects; cells named c0, c1, ... */
function eventSet(pairs: readonly (readonly [number, number])[], nCells: number): EventSet {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return {
    originMs: 0,
    cells: Array.from({ length: nCells }, (_, i) => `c${i}`),
    cell: Int32Array.from(sorted.map((p) => p[0])),
    tHours: Float64Array.from(sorted.map((p) => p[1])),
    incidentIndex: Int32Array.from(sorted.map((_, k) => k)),
  };
}

/** Small simulated data; with `roundTo` the times are floored to a grid, which makes ties. */
function smallData(seed: number, opts: { nCells?: number; T?: number; roundTo?: number } = {}): { ev: EventSet; T: number } {
  const nCells = opts.nCells ?? 4;
  const T = opts.T ?? 300;
  const rand = seededRandom(seed);
  const mu = Float64Array.from({ length: nCells }, () => 0.02 + 0.06 * rand());
  const sim = simulateEtas({ muPerHour: mu, theta: 0.5, omegaPerHour: 0.2, durationHours: T, seed: seed + 1000 });
  const pairs = [...sim.cell].map((c, k) => {
    const t = sim.tHours[k]!;
    return [c, opts.roundTo ? Math.floor(t / opts.roundTo) * opts.roundTo : t] as const;
  });
  return { ev: eventSet(pairs, nCells), T };
}

const WIDE = { thetaMax: 0.999, minMeanDelayHours: 1e-6, maxMeanDelayHours: 1e9, acceleration: false };

function relClose(a: number, b: number, rel: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(Math.abs(a), Math.abs(b), 1e-300));
}

describe('etasLogLikelihood', () => {
  it('matches a hand-worked value: one cell, events at 1 h and 3 h, T = 10 h', () => {
    // ℓ = log 0.1 + log(0.1 + 0.5·e^{−2}) − 10·0.1 − 0.5·[(1 − e^{−9}) + (1 − e^{−7})], worked in Python.
    const ev = eventSet(
      [
        [0, 1],
        [0, 3],
      ],
      1,
    );
    const ll = etasLogLikelihood(ev, 10, { muPerHour: new Float64Array([0.1]), theta: 0.5, omegaPerHour: 1 });
    expect(ll).toBeCloseTo(-6.087839029855726, 12);
  });

  it('applies the tie rule: two events at 1 h do not excite each other, both excite the one at 3 h', () => {
    // ℓ = 2 log 0.1 + log(0.1 + 2·0.5·e^{−2}) − 1 − 0.5·[2(1 − e^{−9}) + (1 − e^{−7})], worked in Python.
    const ev = eventSet(
      [
        [0, 1],
        [0, 1],
        [0, 3],
      ],
      1,
    );
    const ll = etasLogLikelihood(ev, 10, { muPerHour: { c0: 0.1 }, theta: 0.5, omegaPerHour: 1 });
    expect(ll).toBeCloseTo(-8.551334879684571, 12);
  });

  it('is −Infinity when a cell with events has no background', () => {
    const ev = eventSet([[0, 1]], 1);
    expect(etasLogLikelihood(ev, 10, { muPerHour: new Float64Array([0]), theta: 0.5, omegaPerHour: 1 })).toBe(-Infinity);
  });
});

describe('fitEtas against the quadratic EM oracle', () => {
  for (const [label, roundTo] of [
    ['continuous times', undefined],
    ['times floored to 5 h (ties)', 5],
  ] as const) {
    it(`gives the oracle's p sums at arbitrary parameters (${label})`, () => {
      const { ev, T } = smallData(3, roundTo === undefined ? {} : { roundTo });
      const prep = prepareEvents(ev, { startMs: 0, endMs: T * H }, { calendar: null, timeUnknown: null });
      for (const [theta, omega] of [
        [0.3, 0.2],
        [0.7, 0.05],
        [0.1, 3],
      ] as const) {
        const mu = Float64Array.from({ length: 4 }, (_, c) => 0.01 * (c + 1));
        const fast = newSums(prep, 0);
        eStepSameCell(prep, { mu, h: new Float64Array(4).fill(1), theta, omega, ringWeightPerCell: Float64Array.of(1) }, fast, null);
        const slow = oracleEStep(ev.cell, ev.tHours, 4, T, { mu: [...mu], theta, omega });
        relClose(fast.triggered, slow.triggered, 1e-12);
        relClose(fast.delayHours, slow.triggeredDelay, 1e-12);
        slow.background.forEach((b, c) => relClose(fast.binBackground[c]!, b, 1e-12));
        relClose(etasLogLikelihood(ev, T, { muPerHour: mu, theta, omegaPerHour: omega }), slow.logLikelihood, 1e-12);
      }
    });

    it(`gives the oracle's parameters after every iteration and its log-likelihood trace (${label})`, () => {
      const { ev, T } = smallData(11, roundTo === undefined ? {} : { roundTo });
      const n = ev.cell.length;
      expect(n).toBeGreaterThan(60);
      const counts = [0, 0, 0, 0];
      for (const c of ev.cell) counts[c]!++;
      const start = { mu: counts.map((m) => (0.8 * m) / T), theta: 0.2, omega: 1 / 24 };
      const K = 8;
      const oracle = oracleEm(ev.cell, ev.tHours, 4, T, start, K + 1);
      const fitK = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, {
        ...WIDE,
        relTolerance: 0,
        maxIterations: K,
        initial: { theta: 0.2, omegaPerHour: 1 / 24 },
      });
      expect(fitK.objectiveTrace).toHaveLength(K + 1);
      fitK.objectiveTrace.forEach((ll, k) => relClose(ll, oracle.logLikelihoods[k]!, 1e-11));
      for (let k = 1; k <= K; k++) {
        const fit = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, {
          ...WIDE,
          relTolerance: 0,
          maxIterations: k,
          initial: { theta: 0.2, omegaPerHour: 1 / 24 },
        });
        const want = oracle.params[k]!;
        relClose(fit.theta, want.theta, 1e-9);
        relClose(fit.omegaPerHour, want.omega, 1e-9);
        want.mu.forEach((m, c) => relClose(fit.muPerHour[`c${c}`]!, m, 1e-9));
      }
      // The final E-step's triggered share is the oracle's Σ p_ij / N at the same parameters.
      relClose(fitK.triggeredShare, oracle.esteps[K]!.triggered / n, 1e-9);
    });
  }
});

describe('fitEtas: monotone EM', () => {
  it('the log-likelihood never decreases, with ties, bounds and fixed parameters (property over seeded data)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(undefined, 0.5, 1, 24),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('free', 'tight-bounds', 'fixed-theta', 'fixed-delay'),
        fc.boolean(),
        (seed, roundTo, nCells, mode, acceleration) => {
          const { ev, T } = smallData(seed, { nCells, T: 200, ...(roundTo === undefined ? {} : { roundTo }) });
          if (ev.cell.length === 0) return;
          const options =
            mode === 'tight-bounds'
              ? { thetaMax: 0.3, minMeanDelayHours: 8, maxMeanDelayHours: 20 }
              : mode === 'fixed-theta'
                ? { fixedTheta: 0.4 }
                : mode === 'fixed-delay'
                  ? { fixedMeanDelayHours: 3 }
                  : { minMeanDelayHours: 0.01 };
          const fit = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { ...options, acceleration, maxIterations: 60, relTolerance: 0 });
          const tr = fit.objectiveTrace;
          for (let k = 1; k < tr.length; k++) {
            // Allow only floating-point rounding (1e-12 relative) as "decrease".
            expect(tr[k]!).toBeGreaterThanOrEqual(tr[k - 1]! - 1e-12 * Math.abs(tr[k - 1]!));
          }
        },
      ),
      { numRuns: 120, seed: 20240601 },
    );
  });
});

describe('fitEtas: real-data rules', () => {
  it('exact ties cannot make the fit run away: duplicated events converge to finite parameters and are counted', () => {
    // Every event twice at the same instant (like one incident reported twice), plus spread-out events.
    const rand = seededRandom(9);
    const pairs: [number, number][] = [];
    for (let k = 0; k < 150; k++) {
      const c = Math.floor(rand() * 5);
      const t = rand() * 1000;
      pairs.push([c, t], [c, t]);
    }
    const ev = eventSet(pairs, 5);
    const fit = fitEtas(ev, { startMs: 0, endMs: 1000 * H }, 10, { minMeanDelayHours: 1e-9 });
    expect(fit.stopReason).toBe('tolerance');
    expect(Number.isFinite(fit.theta) && Number.isFinite(fit.omegaPerHour)).toBe(true);
    // The only real structure is none: independent uniform times, so little triggering is found.
    expect(fit.theta).toBeLessThan(0.2);
    expect(fit.notes.join(' ')).toContain('300 events (100%) share their exact time with another event of their cell, in 150 groups');
  });

  it('near-ties pull the mean delay to its floor, which the fit reports', () => {
    const rand = seededRandom(4);
    const pairs: [number, number][] = [];
    for (let k = 0; k < 200; k++) {
      const c = Math.floor(rand() * 20);
      const t = rand() * 2000;
      pairs.push([c, t], [c, t + 1 / 60]); // a second report one minute later
    }
    const ev = eventSet(pairs, 20);
    const floored = fitEtas(ev, { startMs: 0, endMs: 2001 * H }, 10);
    expect(floored.omegaPerHour).toBe(1 / ETAS_2015.triggering!.minMeanDelayHours);
    expect(floored.warnings.join(' ')).toMatch(/mean trigger delay stopped at its floor of 1 h/);
    const unbounded = fitEtas(ev, { startMs: 0, endMs: 2001 * H }, 10, { minMeanDelayHours: 1e-6 });
    expect(1 / unbounded.omegaPerHour).toBeLessThan(0.05); // runs towards one minute without the floor
  });

  it('θ is held at thetaMax and reported', () => {
    const { ev, T } = smallData(5, { nCells: 3 });
    const fit = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { thetaMax: 0.1 });
    expect(fit.theta).toBe(0.1);
    expect(fit.warnings.join(' ')).toMatch(/θ stopped at its upper bound 0.1/);
  });

  it('honours a fixed θ and a fixed mean delay, and says so', () => {
    const { ev, T } = smallData(6);
    const a = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { fixedTheta: 0.25 });
    expect(a.theta).toBe(0.25);
    expect(a.notes.join(' ')).toContain('θ was fixed at 0.25 by the analyst');
    const b = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { fixedMeanDelayHours: 36 });
    expect(b.omegaPerHour).toBe(1 / 36);
    expect(b.notes.join(' ')).toContain('fixed at 36 h');
    const c = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { fixedTheta: 0.25, fixedMeanDelayHours: 36 });
    expect([c.theta, c.omegaPerHour]).toEqual([0.25, 1 / 36]);
  });

  it('reports month-only data and its placement, and warns that shifts need finer times', () => {
    const month = (m: number): number => Date.UTC(2014, m, 1);
    const incidents: Incident[] = [];
    for (let m = 0; m < 6; m++) {
      for (let k = 0; k < 4 + m; k++) {
        incidents.push({
          id: null,
          timeMs: month(m),
          precision: 'month',
          timeOfDayUnknown: true,
          lat: 51.27 + 0.002 * (k % 3),
          lng: 1.08,
          category: 'burglary',
          district: 'Canterbury',
          source: { file: 'kent.csv', line: incidents.length + 2 },
        });
      }
    }
    const ev = buildEventSet(incidents, 10, month(0));
    const fit = fitEtas(ev, { startMs: month(0), endMs: month(6) }, 10);
    expect(fit.warnings.join(' ')).toContain(
      `${incidents.length} of ${incidents.length} events (100%) are known to the month only: use this fit for month-ahead forecasts`,
    );
    expect(fit.notes.join(' ')).toContain('sit at the first instant of their month');
    const spread = fitEtas(
      buildEventSet(incidents, 10, month(0), { monthPlacement: 'spread' }),
      { startMs: month(0), endMs: month(6) },
      10,
    );
    expect(spread.notes.join(' ')).toContain('spread evenly over their month');
    expect(spread.stopReason).toBe('tolerance');
  });

  it('stops at maxIterations and says so', () => {
    const { ev, T } = smallData(8);
    const fit = fitEtas(ev, { startMs: 0, endMs: T * H }, 10, { maxIterations: 3, relTolerance: 0 });
    expect(fit.stopReason).toBe('max-iterations');
    expect(fit.iterations).toBe(3);
    expect(fit.warnings.join(' ')).toMatch(/maximum of 3 iterations/);
  });
});

describe('fitEtas: interface', () => {
  const { ev, T } = smallData(21);
  const window = { startMs: 0, endMs: T * H };

  it('is plain JSON: a round trip through JSON gives the same fit', () => {
    const fit = fitEtas(ev, window, 10);
    expect(JSON.parse(JSON.stringify(fit))).toEqual(fit);
    expect(fit.kind).toBe('patrolcast-etas-fit');
    expect(fit.config).toEqual(ETAS_2015);
    expect(fit.events).toBe(ev.cell.length);
    expect(fit.objectiveTrace).toHaveLength(fit.iterations + 1);
  });

  it('ends its trace with the log-likelihood of the returned parameters', () => {
    const fit = fitEtas(ev, window, 10);
    const ll = etasLogLikelihood(ev, T, { muPerHour: fit.muPerHour, theta: fit.theta, omegaPerHour: fit.omegaPerHour });
    relClose(ll, fit.objectiveTrace.at(-1)!, 1e-12);
  });

  it('measures time from the window start, whatever the event set origin', () => {
    const shifted: EventSet = { ...ev, originMs: -50 * H, tHours: ev.tHours.map((t) => t + 50) };
    const a = fitEtas(ev, window, 10);
    const b = fitEtas(shifted, window, 10);
    relClose(a.theta, b.theta, 1e-9);
    relClose(a.omegaPerHour, b.omegaPerHour, 1e-9);
    expect(b.fingerprint).toBe(a.fingerprint);
  });

  it('fingerprints the events: one time moved changes it', () => {
    const moved: EventSet = { ...ev, tHours: ev.tHours.map((t, k) => (k === 5 ? t + 0.01 : t)) };
    expect(fitEtas(moved, window, 10).fingerprint).not.toBe(fitEtas(ev, window, 10).fingerprint);
    expect(fitEtas(ev, window, 10).fingerprint).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
  });

  it('warm-starts from a previous fit and needs fewer iterations', () => {
    const cold = fitEtas(ev, window, 10);
    const warm = fitEtas(ev, window, 10, { initial: { theta: cold.theta, omegaPerHour: cold.omegaPerHour } });
    expect(warm.iterations).toBeLessThan(cold.iterations);
    relClose(warm.theta, cold.theta, 1e-3);
  });

  it('reports each iteration and can be cancelled', () => {
    const seen: number[] = [];
    const fit = fitEtas(
      ev,
      window,
      10,
      {},
      {
        onIteration: (k, ll) => {
          seen.push(k);
          expect(Number.isFinite(ll)).toBe(true);
        },
      },
    );
    expect(seen).toEqual(Array.from({ length: fit.iterations + 1 }, (_, k) => k));
    let calls = 0;
    expect(() => fitEtas(ev, window, 10, {}, { shouldCancel: () => ++calls > 2 })).toThrowError(
      expect.objectContaining({ code: 'E_CANCELLED' }),
    );
  });

  it('rejects events outside the window, unsorted events and bad options with coded errors', () => {
    expect(() => fitEtas(ev, { startMs: 0, endMs: 10 * H }, 10)).toThrowError(expect.objectContaining({ code: 'E_EVENTS' }));
    const unsorted = eventSet(
      [
        [0, 1],
        [0, 2],
      ],
      1,
    );
    (unsorted.tHours as Float64Array).reverse();
    expect(() => fitEtas(unsorted, { startMs: 0, endMs: 10 * H }, 10)).toThrowError(expect.objectContaining({ code: 'E_EVENTS' }));
    expect(() => fitEtas(ev, window, 10, { thetaMax: 1.5 })).toThrowError(expect.objectContaining({ code: 'E_OPTIONS', value: 1.5 }));
    expect(() => fitEtas(ev, window, 10, { minMeanDelayHours: 0 })).toThrowError(expect.objectContaining({ code: 'E_OPTIONS' }));
    expect(() => fitEtas(ev, { startMs: 5, endMs: 5 }, 10)).toThrowError(expect.objectContaining({ code: 'E_WINDOW' }));
    expect(() => fitEtas(eventSet([], 1), { startMs: 0, endMs: H }, 10)).toThrowError(expect.objectContaining({ code: 'E_EVENTS' }));
  });

  it('describeFit puts the parameters in plain words', () => {
    const fit = fitEtas(ev, window, 10);
    const text = describeFit(fit);
    expect(text).toMatch(
      /^Each crime raises the chance of another in the same box, decaying with a mean delay of [\d.]+ (hours|days|minutes); \d+% of crime is triggered\./,
    );
    expect(text).toContain(`${Math.round(100 * fit.triggeredShare)}% of crime is triggered`);
    const none = { ...fit, theta: 0, triggeredShare: 0 };
    expect(describeFit(none)).toContain('no self-excitation');
  });
});

describe('recovery on simulated data', () => {
  it('recovers μ, θ and the mean delay of a simulated 300-cell model', () => {
    // Truth: 300 cells with μ uniform in [0.001, 0.01] per hour, θ = 0.3, mean delay 24 h, two
    // years: about 40,000 events of which 12,000 triggered.
    // Tolerances: the standard error of θ̂ is about √(θ/N) = √(0.3/40000) ≈ 0.003 (20 seeds
    // gave mean 0.295, sd 0.0032); we allow ±0.02, six standard errors plus the small EM bias.
    // The mean delay averages ~12,000 triggered gaps: relative sd ≈ 1/√12000 ≈ 1% (20 seeds:
    // sd 0.45 h = 1.9%); we allow ±10%. Each μ_n rests on ~90 background events, so its
    // relative error is ~√(2/(π·90)) ≈ 8% on average (20 seeds: 10.4%, sd 0.6%); we allow a
    // mean relative error under 15%, and Σμ (28,000 background events, 0.6% sd) within 3%.
    const nCells = 300;
    const T = 2 * 8760;
    const r = seededRandom(1);
    const mu = Float64Array.from({ length: nCells }, () => 0.001 + 0.009 * r());
    const sim = simulateEtas({ muPerHour: mu, theta: 0.3, omegaPerHour: 1 / 24, durationHours: T, seed: 77 });
    const cells = Array.from({ length: nCells }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const fit = fitEtas(simulationToEventSet(sim, cells, 0), { startMs: 0, endMs: T * H }, 10);
    expect(fit.stopReason).toBe('tolerance');
    expect(Math.abs(fit.theta - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(1 / fit.omegaPerHour - 24) / 24).toBeLessThan(0.1);
    let relErr = 0;
    let muHat = 0;
    let muTrue = 0;
    cells.forEach((c, i) => {
      relErr += Math.abs(fit.muPerHour[c]! - mu[i]!) / mu[i]!;
      muHat += fit.muPerHour[c]!;
      muTrue += mu[i]!;
    });
    expect(relErr / nCells).toBeLessThan(0.15);
    expect(Math.abs(muHat - muTrue) / muTrue).toBeLessThan(0.03);
    // The triggered share estimates the true share of events with a parent.
    const trueShare = [...sim.parent].filter((p) => p >= 0).length / sim.parent.length;
    expect(Math.abs(fit.triggeredShare! - trueShare)).toBeLessThan(0.02);
  });
});

describe('describeFit: the one fit in words, whatever its configuration', () => {
  const { ev, T } = smallData(21);
  const window = { startMs: 0, endMs: T * H };
  const base = fitModel(ev, window, 10, ETAS_2015);

  it('names ring spread, the shift profile and recency when they are on', () => {
    const ringed: EtasFit = {
      ...base,
      theta: 0.25,
      triggeredShare: 0.2,
      omegaPerHour: 1 / 36,
      ringWeights: [0.75, 0.25],
      config: {
        ...base.config,
        triggering: { ...base.config.triggering!, ringDepth: 1 },
        recency: { halfLifeDays: 90 },
        profile: { shiftStarts: ['06:00', '14:00', '22:00'], weekend: true, priorStrength: 10, blend: 0.1, prior: 'district' },
      },
    };
    expect(describeFit(ringed)).toBe(
      'Each crime raises the chance of another in the same box (and, with 25% of its offspring, in the ring of boxes around it), decaying with a mean delay of 36 hours; 20% of crime is triggered.' +
        ' On average one crime sets off 0.25 more (θ).' +
        ` The background comes to ${Number((Object.values(base.muPerHour).reduce((a, b) => a + b, 0) * 24).toPrecision(3))} crimes a day over ${Object.keys(base.muPerHour).length} boxes, shaped per box by shift type (3 types, weekday and weekend apart); forecasts weigh it towards recent crime (half-life 90 days).` +
        ` Fitted on ${base.events} events; converged after ${base.iterations} iterations.`,
    );
  });

  it('says when the model has no triggering at all', () => {
    const none: EtasFit = { ...base, theta: 0, ringWeights: [], triggeredShare: 0, config: { ...base.config, triggering: null } };
    expect(describeFit(none)).toMatch(
      /^The model has no near-repeat triggering: every event is put down to the background rate of its box\. The background comes to /,
    );
  });
});
