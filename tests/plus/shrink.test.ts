import { describe, expect, it } from 'vitest';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { checkEtasConfig, fitEtas, shrinkShares } from '../../engine/model/index.ts';
import type { H3Cell } from '../../engine/types.ts';
import { CELLS, eventSetFrom, HOUR_MS, oracleExposure, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const FROM = at('2023-05-01');
const TO = at('2023-08-01');
const T = (TO - FROM) / HOUR_MS;
const E = oracleExposure(FROM, TO, VAN, [360, 840, 1320], false);
const LOCAL = ['T09:00', 'T17:00', 'T23:30']; // one instant in each shift type

/** `counts[b]` events of cell index c in bin b (each on its own day, so no ties), plus `unknown` time-unknown ones at 00:00. */
function eventsOf(c: number, counts: readonly number[], unknown = 0): { pairs: [number, number][]; unknownFlags: number[] } {
  const pairs: [number, number][] = [];
  const unknownFlags: number[] = [];
  counts.forEach((k, b) => {
    for (let i = 0; i < k; i++) {
      const day = new Date(Date.UTC(2023, 4, 1) + (i % 90) * 86_400_000).toISOString().slice(0, 10);
      pairs.push([c, (at(day + LOCAL[b]!) - FROM) / HOUR_MS + Math.floor(i / 90) / 60]);
      unknownFlags.push(0);
    }
  });
  for (let i = 0; i < unknown; i++) {
    const day = new Date(Date.UTC(2023, 4, 2) + i * 86_400_000).toISOString().slice(0, 10);
    pairs.push([c, (at(day) - FROM) / HOUR_MS]);
    unknownFlags.push(1);
  }
  return { pairs, unknownFlags };
}

function fitWith(parts: ReturnType<typeof eventsOf>[], cells: readonly H3Cell[], districtOf: Map<H3Cell, string>, profile: object) {
  const pairs = parts.flatMap((p) => p.pairs);
  const flags = parts.flatMap((p) => p.unknownFlags);
  const events = eventSetFrom(cells, FROM, pairs);
  const timeUnknown = Uint8Array.from(events.incidentIndex, (i) => flags[i]!);
  return fitEtas(
    events,
    { startMs: FROM, endMs: TO },
    10,
    checkEtasConfig({ profile: { weekend: false, ...profile }, triggering: null, recency: null }),
    { tz: VAN, timeUnknown, districtOf },
  );
}

const shares = (h: readonly number[]): number[] => h.map((x, b) => (x * E[b]!) / T);

describe('shrinkShares', () => {
  it('gives the prior with no evidence and the posterior mode otherwise (hand-worked)', () => {
    expect(shrinkShares([0, 0, 0], [1, 2, 1])).toEqual([0.25, 0.5, 0.25]);
    expect(shrinkShares([30, 0, 10], [1, 2, 1])).toEqual([31 / 44, 2 / 44, 11 / 44]);
    expect(shrinkShares([0, 0], [0, 0])).toBeNull();
  });
});

describe('profile shrinkage inside the fit', () => {
  const cells = CELLS.slice(0, 3); // A, B in North; C in South
  const districtOf = new Map<H3Cell, string>([
    [cells[0]!, 'North'],
    [cells[1]!, 'North'],
    [cells[2]!, 'South'],
  ]);
  const kappa = 6;
  const fit = fitWith([eventsOf(0, [40, 10, 10]), eventsOf(1, [0, 0, 0], 5), eventsOf(2, [0, 0, 30])], cells, districtOf, {
    priorStrength: kappa,
    blend: 0,
    prior: 'district',
  });
  // Independent priors from the counts (profile.ts formulas written out): city, then North.
  const K = [40, 10, 40];
  const city = K.map((k, b) => (k + E[b]! / T) / (90 + 1));
  const kN = Math.max(kappa, 3);
  const north = [40, 10, 10].map((k, b) => (k + kN * city[b]!) / (60 + kN));

  it("a cell with no time-known event gets its district's prior profile exactly", () => {
    shares(fit.profile!.cells[cells[1]!]!).forEach((s, b) => expect(s).toBeCloseTo(north[b]!, 12));
  });

  it('a cell with events gets the posterior mode (c_b + κ π_b) / (c + κ)', () => {
    const want = [40, 10, 10].map((c, b) => (c + kappa * north[b]!) / (60 + kappa));
    shares(fit.profile!.cells[cells[0]!]!).forEach((s, b) => expect(s).toBeCloseTo(want[b]!, 12));
    // μ counts every event of the cell, time-unknown ones included
    expect(fit.muPerHour[cells[1]!]! * T).toBeCloseTo(5, 12);
  });

  it('a busy cell keeps its own profile; with blend β it keeps (1 − β) own + β prior', () => {
    const big = [2700, 150, 150];
    const own = big.map((c) => c / 3000);
    const f0 = fitWith(
      [eventsOf(0, big), eventsOf(1, [10, 10, 10])],
      cells.slice(0, 2),
      new Map([
        [cells[0]!, 'N'],
        [cells[1]!, 'N'],
      ]),
      { priorStrength: 10, blend: 0 },
    );
    shares(f0.profile!.cells[cells[0]!]!).forEach((s, b) => expect(Math.abs(s - own[b]!)).toBeLessThan(10 / 3000));
    const f1 = fitWith(
      [eventsOf(0, big), eventsOf(1, [10, 10, 10])],
      cells.slice(0, 2),
      new Map([
        [cells[0]!, 'N'],
        [cells[1]!, 'N'],
      ]),
      { priorStrength: 0, blend: 0.3 },
    );
    // prior of district N from raw counts (κ_N = bins = 3 when κ = 0)
    const Kb = [2710, 160, 160];
    const cityB = Kb.map((k, b) => (k + E[b]! / T) / (3030 + 1));
    const prior = Kb.map((k, b) => (k + 3 * cityB[b]!) / (3030 + 3));
    shares(f1.profile!.cells[cells[0]!]!).forEach((s, b) => expect(s).toBeCloseTo(0.7 * own[b]! + 0.3 * prior[b]!, 12));
  });

  it("prior 'city' ignores the districts", () => {
    const f = fitWith([eventsOf(0, [40, 10, 10]), eventsOf(1, [0, 0, 0], 5), eventsOf(2, [0, 0, 30])], cells, districtOf, {
      priorStrength: kappa,
      blend: 0,
      prior: 'city',
    });
    shares(f.profile!.cells[cells[1]!]!).forEach((s, b) => expect(s).toBeCloseTo(city[b]!, 12));
  });
});
