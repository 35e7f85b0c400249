import { describe, expect, it } from 'vitest';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { binAt, binCalendar, checkEtasConfig, fitEtas } from '../../engine/model/index.ts';
import { eStepRings, eStepSameCell, groupsByTime, newSums } from '../../engine/model/estep.ts';
import { prepareEvents } from '../../engine/model/prepare.ts';
import { ringNeighbours, ringsFromGrid } from '../../engine/model/rings.ts';
import { seededRandom } from '../../engine/random.ts';
import type { H3Cell } from '../../engine/types.ts';
import { CELLS, eventSetFrom, HOUR_MS, oracleBin, oracleEStep, oracleExposure, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const FROM = at('2023-03-06');
const TO = at('2023-03-16'); // 10 days with the spring-forward night
const T = (TO - FROM) / HOUR_MS;
const STARTS = ['06:00', '14:00', '22:00'];
const MINUTES = [360, 840, 1320];

/** Small random data: events on the 7 cells of ring ≤ 1 around CELLS' centre, with ties and unknown times. */
function smallData(seed: number, n: number) {
  const rand = seededRandom(seed);
  const centre = ringsFromGrid(CELLS[9]!, 1);
  const cells = [...centre[0]!, ...centre[1]!].sort();
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * cells.length);
    // hours on a 15-minute grid so that ties occur
    pairs.push([c, Math.floor(rand() * T * 4) / 4]);
  }
  const events = eventSetFrom(cells, FROM, pairs);
  const unknown = Uint8Array.from(events.tHours, (_, k) => (k % 7 === 3 ? 1 : 0));
  return { cells, events, unknown };
}

function randomParams(seed: number, cells: readonly H3Cell[], B: number, depth: number) {
  const rand = seededRandom(seed);
  const mu = new Map<H3Cell, number>();
  const h = new Map<H3Cell, number[]>();
  for (const c of cells) {
    mu.set(c, 0.01 + 0.05 * rand());
    h.set(
      c,
      Array.from({ length: B }, () => 0.3 + 1.5 * rand()),
    );
  }
  const w = depth === 0 ? [1] : [0.6, 0.4];
  return { mu, h, theta: 0.3 + 0.3 * rand(), omega: 0.05 + 0.3 * rand(), w };
}

describe('profile model E-step against the quadratic oracle', () => {
  for (const depth of [0, 1]) {
    it(`same sums and Σ log λ as every pair formed explicitly (ring depth ${depth}, ties, unknown times, weekend bins)`, () => {
      const { cells, events, unknown } = smallData(3 + depth, 60);
      const cal = binCalendar(VAN, STARTS, true, FROM, TO);
      const prep = prepareEvents(events, { startMs: FROM, endMs: TO }, { calendar: cal, timeUnknown: unknown });
      const p = randomParams(11, cells, 6, depth);
      const mu = Float64Array.from(cells, (c) => p.mu.get(c)!);
      const h = new Float64Array(cells.length * 6);
      cells.forEach((c, i) => h.set(p.h.get(c)!, i * 6));
      const wn = Float64Array.from(p.w, (w, d) => w / (d === 0 ? 1 : 6 * d));
      const params = { mu, h, theta: p.theta, omega: p.omega, ringWeightPerCell: wn };
      const sums = newSums(prep, depth);
      if (depth === 0) eStepSameCell(prep, params, sums, null);
      else eStepRings(prep, params, ringNeighbours(cells, depth, ringsFromGrid), groupsByTime(prep), sums, null);

      const ev = {
        cell: Array.from(events.cell, (c) => cells[c]!),
        t: Array.from(events.tHours),
        bin: Array.from(events.tHours, (t, k) => (unknown[k] ? -1 : oracleBin(FROM + t * HOUR_MS, VAN, MINUTES, true))),
        T,
        exposure: oracleExposure(FROM, TO, VAN, MINUTES, true),
      };
      const o = oracleEStep(ev, p);
      expect(sums.sumLog).toBeCloseTo(o.sumLog, 9);
      expect(sums.triggered).toBeCloseTo(o.S, 10);
      expect(sums.delayHours).toBeCloseTo(o.D, 9);
      o.Sd.forEach((s, d) => expect(sums.triggeredByDistance[d]).toBeCloseTo(s, 10));
      cells.forEach((c, i) => {
        const row = o.binBg.get(c) ?? new Array(6).fill(0);
        row.forEach((v, b) => expect(sums.binBackground[i * 6 + b]).toBeCloseTo(v, 10));
        expect(sums.unknownBackground[i]).toBeCloseTo(o.unkBg.get(c) ?? 0, 10);
      });
    });
  }

  it('the ring sweep with depth 0 gives the same sums as the same-cell recursion', () => {
    const { cells, events, unknown } = smallData(5, 80);
    const cal = binCalendar(VAN, STARTS, false, FROM, TO);
    const prep = prepareEvents(events, { startMs: FROM, endMs: TO }, { calendar: cal, timeUnknown: unknown });
    const p = randomParams(2, cells, 3, 0);
    const params = {
      mu: Float64Array.from(cells, (c) => p.mu.get(c)!),
      h: Float64Array.from(cells.flatMap((c) => p.h.get(c)!)),
      theta: p.theta,
      omega: p.omega,
      ringWeightPerCell: Float64Array.of(1),
    };
    const a = newSums(prep, 0);
    const b = newSums(prep, 0);
    eStepSameCell(prep, params, a, null);
    eStepRings(prep, params, ringNeighbours(cells, 0, ringsFromGrid), groupsByTime(prep), b, null);
    expect(b.sumLog).toBeCloseTo(a.sumLog, 10);
    expect(b.triggered).toBeCloseTo(a.triggered, 12);
    expect(b.delayHours).toBeCloseTo(a.delayHours, 10);
    a.binBackground.forEach((v, i) => expect(b.binBackground[i]).toBeCloseTo(v, 12));
  });
});

describe('fitEtas (MAP-)EM with the profile', () => {
  const configs = [
    { name: 'profile + same-cell triggering', cfg: { profile: { priorStrength: 5, blend: 0.2, weekend: true }, recency: null } },
    { name: 'profile, no prior (plain ML)', cfg: { profile: { priorStrength: 0, blend: 0, weekend: true }, recency: null } },
    { name: 'profile + ring-1 spread', cfg: { profile: { priorStrength: 2, blend: 0.1, weekend: false }, triggering: { ringDepth: 1 } } },
    { name: 'no profile, triggering', cfg: { profile: null } },
  ];
  for (const { name, cfg } of configs) {
    it(`the objective never decreases, plain and over-relaxed, on 6 seeded data sets (${name})`, () => {
      for (let seed = 1; seed <= 6; seed++) {
        const { events, unknown } = smallData(100 + seed, 150);
        const config = checkEtasConfig({ ...cfg, em: { maxIterations: 60, relTolerance: 0 } });
        const plain = fitEtas(events, { startMs: FROM, endMs: TO }, 10, config, { tz: VAN, timeUnknown: unknown, acceleration: false });
        const fast = fitEtas(events, { startMs: FROM, endMs: TO }, 10, config, { tz: VAN, timeUnknown: unknown });
        expect(plain.objectiveTrace.length).toBe(61);
        // Over-relaxed: at most 60 iterations, fewer only when the objective stopped moving at all.
        expect(fast.objectiveTrace.length === 61 || fast.stopReason === 'tolerance').toBe(true);
        for (const tr of [plain.objectiveTrace, fast.objectiveTrace]) {
          for (let i = 1; i < tr.length; i++) expect(tr[i]!).toBeGreaterThanOrEqual(tr[i - 1]! - 1e-9 * Math.abs(tr[i]!));
          expect(tr[tr.length - 1]!).toBeGreaterThan(tr[0]!);
        }
        // Same start, and the accelerated path gets at least as high in the same number of steps.
        expect(fast.objectiveTrace[0]).toBe(plain.objectiveTrace[0]);
        expect(fast.objectiveTrace.at(-1)!).toBeGreaterThanOrEqual(
          plain.objectiveTrace.at(-1)! - 1e-9 * Math.abs(plain.objectiveTrace.at(-1)!),
        );
      }
    });
  }

  it('its log-likelihood equals the quadratic oracle at the fitted parameters (exposure from the wall clock, ring 1)', () => {
    const { cells, events, unknown } = smallData(42, 120);
    const config = checkEtasConfig({
      profile: { priorStrength: 3, blend: 0.1, weekend: true },
      triggering: { ringDepth: 1 },
      recency: null,
      em: { maxIterations: 25, relTolerance: 0 },
    });
    const fit = fitEtas(events, { startMs: FROM, endMs: TO }, 10, config, { tz: VAN, timeUnknown: unknown });
    const ev = {
      cell: Array.from(events.cell, (c) => cells[c]!),
      t: Array.from(events.tHours),
      bin: Array.from(events.tHours, (t, k) => (unknown[k] ? -1 : oracleBin(FROM + t * HOUR_MS, VAN, MINUTES, true))),
      T,
      exposure: oracleExposure(FROM, TO, VAN, MINUTES, true),
    };
    const o = oracleEStep(ev, {
      mu: new Map(Object.entries(fit.muPerHour)),
      h: new Map(Object.entries(fit.profile!.cells)),
      theta: fit.theta,
      omega: fit.omegaPerHour,
      w: fit.ringWeights,
    });
    expect(fit.logLikelihood).toBeCloseTo(o.logLikelihood, 7);
    expect(fit.ringWeights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    // profiles average 1 over the window's exposure: ∫ μ_n h_n = μ_n T
    for (const row of Object.values(fit.profile!.cells)) {
      expect(row.reduce((s, hb, b) => s + hb * fit.profile!.exposureHours[b]!, 0)).toBeCloseTo(T, 8);
    }
  });

  it('without a prior (κ = β = 0) the objective is the log-likelihood itself', () => {
    const { events, unknown } = smallData(9, 100);
    const fit = fitEtas(
      events,
      { startMs: FROM, endMs: TO },
      10,
      checkEtasConfig({ profile: { priorStrength: 0, blend: 0, weekend: true }, em: { maxIterations: 10, relTolerance: 0 } }),
      { tz: VAN, timeUnknown: unknown },
    );
    expect(fit.objectiveTrace[fit.objectiveTrace.length - 1]).toBeCloseTo(fit.logLikelihood, 9);
  });

  it('refuses events outside the window, a profile without a zone, and a bad configuration', () => {
    const { events } = smallData(1, 10);
    expect(() => fitEtas(events, { startMs: FROM, endMs: FROM + HOUR_MS }, 10, checkEtasConfig({}), { tz: VAN })).toThrow(
      /outside the training window/,
    );
    expect(() => fitEtas(events, { startMs: FROM, endMs: TO }, 10, checkEtasConfig({}))).toThrow(/time zone/);
    expect(() => checkEtasConfig({ profile: { blend: 1 } })).toThrow(/profile.blend/);
    expect(() => checkEtasConfig({ triggering: { ringDepth: 9 } })).toThrow(/ringDepth/);
    expect(() => checkEtasConfig({ recency: { halfLifeDays: -3 } })).toThrow(/halfLifeDays/);
    expect(() => checkEtasConfig({ colour: 'red' })).toThrow(/"colour" is not a known field/);
  });

  it("the calendar bin of every event matches the oracle (events between 00:00 and 06:00 belong to the previous day's night shift)", () => {
    const cal = binCalendar(VAN, STARTS, true, FROM, TO);
    for (const s of ['2023-03-11T03:00', '2023-03-12T05:59', '2023-03-12T06:00', '2023-03-13T00:00']) {
      expect(binAt(cal, at(s))).toBe(oracleBin(at(s), VAN, MINUTES, true));
    }
  });
});
