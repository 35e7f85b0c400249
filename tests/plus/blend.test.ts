/**
 * The recency blend r_n = (1 − a)·recency-weighted + a·all-history (config
 * `recency.allHistoryWeight`) and the tuner's log-score guard.
 */
import { describe, expect, it } from 'vitest';
import { tuneEtas, checkTuneGrid, type TuneInput } from '../../engine/evaluate/tune.ts';
import { EtasRollingModel } from '../../engine/evaluate/rolling.ts';
import { forecastShift } from '../../engine/forecast/index.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import {
  blendRates,
  checkEtasConfig,
  describeEtasConfig,
  fitEtas,
  fitEtasDetailed,
  etasConfigToJson,
  ETAS_DEFAULTS,
} from '../../engine/model/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { Incident } from '../../engine/types.ts';
import { CELLS, eventSetFrom, HOUR_MS, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const DAY_MS = 86_400_000;

describe('recency.allHistoryWeight in the configuration', () => {
  it('is optional, stored only above 0, validated to [0, 1), and described', () => {
    expect(checkEtasConfig({ recency: { halfLifeDays: 90, allHistoryWeight: 0 } }).recency).toEqual({ halfLifeDays: 90 });
    expect(checkEtasConfig({ recency: { halfLifeDays: 90 } }).recency).toEqual({ halfLifeDays: 90 });
    expect(checkEtasConfig({ recency: { halfLifeDays: 90, allHistoryWeight: 0.2 } }).recency).toEqual({
      halfLifeDays: 90,
      allHistoryWeight: 0.2,
    });
    // the defaults (and so every configuration written before the field) are unchanged, but for
    // the adaptive selection, which a configuration without "adapt" leaves off (docs/model.md#adaptive-default)
    expect(etasConfigToJson(checkEtasConfig({}))).toBe(etasConfigToJson(checkEtasConfig({ ...ETAS_DEFAULTS, adapt: null })));
    expect(etasConfigToJson(checkEtasConfig({}))).not.toMatch(/allHistoryWeight/);
    expect(() => checkEtasConfig({ recency: { halfLifeDays: 90, allHistoryWeight: 1 } })).toThrow(/recency\.allHistoryWeight.*\[0, 1\)/);
    expect(() => checkEtasConfig({ recency: { halfLifeDays: 90, allHistoryWeight: -0.1 } })).toThrow(/recency\.allHistoryWeight/);
    expect(() => checkEtasConfig({ recency: { halfLifeDays: 90, allHistoryWeight: '0.5' } })).toThrow(/recency\.allHistoryWeight/);
    expect(describeEtasConfig(checkEtasConfig({ recency: { halfLifeDays: 45, allHistoryWeight: 0.5 } }))).toMatch(
      /^recency half-life 45 d blended 0\.5 with all history;/,
    );
    expect(describeEtasConfig(checkEtasConfig({ recency: { halfLifeDays: 45 } }))).toMatch(/^recency half-life 45 d;/);
  });

  it('blendRates: a = 0 returns the recency array itself, a = 1 the all-history one, between a convex mix; a outside [0, 1] refused', () => {
    const recent = Float64Array.of(1, 0, 0.25);
    const all = Float64Array.of(0.5, 0.5, 0.25);
    expect(blendRates(recent, all, 0)).toBe(recent);
    expect(Array.from(blendRates(recent, all, 1))).toEqual([0.5, 0.5, 0.25]);
    expect(Array.from(blendRates(recent, all, 0.5))).toEqual([0.75, 0.25, 0.25]);
    expect(() => blendRates(recent, all, 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('the blended background rate of a fit (no triggering, no profile: p_jj = 1, so the rates are hand-computable)', () => {
  // 3 cells; events (cell, hours since the window start) in a 100-day window
  const T = 100 * 24;
  const pairs: [number, number][] = [
    [0, 10],
    [0, 30],
    [0, 50],
    [0, 70], // cell 0: 4 old events
    [1, T - 100],
    [1, T - 20], // cell 1: 2 recent ones
    [2, 1200], // cell 2: 1 in the middle
  ];
  const events = eventSetFrom(CELLS.slice(0, 3), 0, pairs);
  const window = { startMs: 0, endMs: T * HOUR_MS };
  const base = { profile: null, triggering: null } as const;
  const hl = 10; // days
  // independent oracle: r_n = Σ_j 2^{−(T − t_j)/h} / W, W = (h / ln 2)(1 − 2^{−T/h}) with h in hours
  const hHours = hl * 24;
  const W = (hHours / Math.LN2) * (1 - 2 ** (-T / hHours));
  const recentOracle = [0, 1, 2].map((c) => pairs.filter((p) => p[0] === c).reduce((s, p) => s + 2 ** (-(T - p[1]) / hHours), 0) / W);
  const allOracle = [4 / T, 2 / T, 1 / T];

  it('a = 0 reproduces the unblended fit exactly (same JSON, same forecast, bit for bit), and it is the recency oracle', () => {
    const plain = fitEtas(events, window, 10, checkEtasConfig({ ...base, recency: { halfLifeDays: hl } }));
    const zero = fitEtas(events, window, 10, checkEtasConfig({ ...base, recency: { halfLifeDays: hl, allHistoryWeight: 0 } }));
    expect(JSON.stringify(zero)).toBe(JSON.stringify(plain));
    for (let c = 0; c < 3; c++) expect(plain.ratePerHour[CELLS[c]!]!).toBeCloseTo(recentOracle[c]!, 15);
    const s = window.endMs;
    const f0 = forecastShift(plain, events, s, 8);
    const f1 = forecastShift(zero, events, s, 8);
    expect(Array.from(f1.expected)).toEqual(Array.from(f0.expected));
  });

  it('a = 0.3 gives 0.7 × the recency oracle + 0.3 × count / T, and the notes say so', () => {
    const fit = fitEtas(events, window, 10, checkEtasConfig({ ...base, recency: { halfLifeDays: hl, allHistoryWeight: 0.3 } }));
    for (let c = 0; c < 3; c++) expect(fit.ratePerHour[CELLS[c]!]!).toBeCloseTo(0.7 * recentOracle[c]! + 0.3 * allOracle[c]!, 15);
    expect(fit.notes.join(' ')).toMatch(/blended 0\.7:0\.3 with the all-history rate/);
    // the blend changes the ranking: cell 0 (old crime) is starved by recency alone, not with the blend
    expect(recentOracle[0]!).toBeLessThan(recentOracle[2]!);
    expect(fit.ratePerHour[CELLS[0]!]!).toBeGreaterThan(fit.ratePerHour[CELLS[2]!]!);
  });

  it('with triggering on, the blend mixes the declustered rates: a·Σ p_jj / T from the same fit', () => {
    const cfg = checkEtasConfig({ profile: null, recency: { halfLifeDays: hl, allHistoryWeight: 0.5 } });
    const r = fitEtasDetailed(events, window, 10, cfg);
    const recent = r.ratesByHalfLife.get(hl)!;
    const all = r.ratesByHalfLife.get(Infinity)!;
    const noRecency = fitEtas(events, window, 10, checkEtasConfig({ profile: null, recency: null }));
    for (let c = 0; c < 3; c++) {
      expect(r.fit.ratePerHour[CELLS[c]!]!).toBe(0.5 * recent[c]! + 0.5 * all[c]!);
      // the all-history part is the recency-off fit's rate (the EM does not depend on recency)
      expect(all[c]!).toBeCloseTo(noRecency.ratePerHour[CELLS[c]!]!, 14);
    }
  });
});

/** Location i of a planted data set: distinct res-10 cells ~330 m apart. */
function incidentAt(i: number, t: number, line: number): Incident {
  return {
    id: `p${line}`,
    timeMs: Math.floor(t / 60_000) * 60_000,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat: 49.25 + 0.003 * (i % 8),
    lng: -123.12 + 0.004 * Math.floor(i / 8),
    category: 'Theft',
    district: 'West',
    source: { file: 'planted', line },
  };
}

/**
 * Planted data: group A, 6 places with steady crime (1 a day each) all along; group B, 40 places
 * busy in April (2 a day) then silent until 20 May, when crime comes back at 0.3 a day (old
 * crime that returns); group C, 3 places that turn hot on 5 May (1 a day). A short half-life
 * catches C (better hit rates) but starves B, whose returning crime then lands in cells forecast
 * near zero (a worse log score than all-history counts).
 */
function planted(seed: number): Incident[] {
  const rand = seededRandom(seed);
  const out: Incident[] = [];
  const groups: [number, [number, string, string][]][] = [
    [6, [[1, '2023-04-01', '2023-06-10']]],
    [
      40,
      [
        [2, '2023-04-01', '2023-05-01'],
        [0.3, '2023-05-20', '2023-06-10'],
      ],
    ],
    [3, [[1, '2023-05-05', '2023-06-10']]],
  ];
  let line = 2;
  let i = 0;
  for (const [n, pieces] of groups) {
    for (let loc = 0; loc < n; loc++, i++) {
      for (const [ratePerDay, a, b] of pieces) {
        const to = at(b);
        for (let t = at(a); ;) {
          t += (-Math.log(1 - rand()) / ratePerDay) * DAY_MS;
          if (t >= to) break;
          out.push(incidentAt(i, t, line++));
        }
      }
    }
  }
  return out.sort((x, y) => x.timeMs - y.timeMs || x.source.line - y.source.line);
}

describe('all-history weight 1 with the profile off (the rolling model of backtest and tune)', () => {
  // 5 cells, events over 60 days; cell 4's crime is all old, cell 3's all recent
  const rand = seededRandom(11);
  const pairs: [number, number][] = [];
  const perCell = [30, 20, 12, 25, 40];
  perCell.forEach((n, c) => {
    for (let k = 0; k < n; k++) {
      const u = rand();
      const day = c === 4 ? u * 15 : c === 3 ? 45 + u * 15 : u * 60;
      pairs.push([c, day * 24]);
    }
  });
  const events = eventSetFrom(CELLS.slice(0, 5), 0, pairs);
  const eventKnownMs = Float64Array.from(events.tHours, (h) => h * HOUR_MS);
  const setup = (triggering: boolean) => ({
    events,
    eventKnownMs,
    timeUnknown: new Uint8Array(events.cell.length),
    res: 10,
    tz: VAN,
    studyOfCell: Int32Array.from(CELLS.slice(0, 5), (_, i) => i),
    studyCells: CELLS.slice(0, 5),
    config: checkEtasConfig({ profile: null, triggering: triggering ? {} : null, recency: { halfLifeDays: 3 } }),
    recencyVariants: [
      { halfLifeDays: 3, allHistoryWeight: 1 },
      { halfLifeDays: Infinity, allHistoryWeight: 0 },
      { halfLifeDays: 3, allHistoryWeight: 0 },
    ],
    refitEveryDays: 0,
  });
  const windows = [0, 1, 2].map((k) => ({
    startMs: (60 * 24 + 8 * k) * HOUR_MS,
    endMs: (60 * 24 + 8 * k + 8) * HOUR_MS,
    hours: 8,
    label: `w${k}`,
  }));
  const order = (x: Float64Array): number[] => Array.from(x.keys()).sort((a, b) => x[b]! - x[a]! || a - b);

  it("triggering off: scores are 8 h × count / T, so the ranking is the all-history counts'", () => {
    const model = new EtasRollingModel(setup(false));
    for (const [k, w] of windows.entries()) {
      const [blend1, all, recent] = model.forecast(w, k);
      const T = w.startMs / HOUR_MS;
      const counts = [0, 1, 2, 3, 4].map((c) => pairs.filter((p) => p[0] === c && p[1] * HOUR_MS <= w.startMs).length);
      for (let c = 0; c < 5; c++) expect(blend1![c]!).toBeCloseTo((8 * counts[c]!) / T, 14);
      expect(order(blend1!)).toEqual([4, 0, 3, 1, 2]); // counts 40, 30, 25, 20, 12
      expect(Array.from(all!)).toEqual(Array.from(blend1!));
      // recency alone ranks the old cell 4 last
      expect(order(recent!)[4]).toBe(4);
    }
  });

  it('triggering on: the background is the declustered all-history rate Σ p_jj / T, as with recency off', () => {
    const model = new EtasRollingModel(setup(true));
    for (const [k, w] of windows.entries()) {
      const [blend1, all] = model.forecast(w, k);
      for (let c = 0; c < 5; c++) expect(blend1![c]!).toBeCloseTo(all![c]!, 14);
      expect(order(blend1!)).toEqual(order(all!));
    }
    expect(model.currentFit!.theta).toBeGreaterThanOrEqual(0);
  });
});

describe('tune: the log-score guard (planted case)', () => {
  const data = planted(5);
  const input: TuneInput = {
    incidents: data,
    res: 10,
    tz: VAN,
    fromMs: at('2023-05-20'),
    toMs: at('2023-05-30'),
    refitEveryDays: 5,
    flaggedKm2: [0.05, 0.1],
    grid: { halfLifeDays: [Infinity, 3], allHistoryWeight: [0, 0.5], profile: [false], triggering: [false], ringDepth: [0] },
    base: checkEtasConfig({ profile: null, triggering: null }),
  };
  const off = tuneEtas(input);
  const on = tuneEtas({ ...input, logScoreMargin: 0.05 });
  const find = (r: typeof off, recency: unknown) => r.candidates.find((c) => JSON.stringify(c.config.recency) === JSON.stringify(recency))!;

  it('without the guard, the short half-life wins on hit rate although its log score is worse than counts', () => {
    expect(off.logScoreMargin).toBeNull();
    expect(off.config.recency).toEqual({ halfLifeDays: 3 });
    const short = find(off, { halfLifeDays: 3 });
    const blend = find(off, { halfLifeDays: 3, allHistoryWeight: 0.5 });
    expect(short.score).toBeGreaterThan(blend.score);
    expect(short.logScore).toBeLessThan(off.naiveAllLogScore - 0.05);
    expect(blend.logScore).toBeGreaterThan(off.naiveAllLogScore);
    expect(off.candidates.every((c) => c.eligible)).toBe(true);
    expect(off.config.tuning!.logScoreMargin).toBeUndefined();
  });

  it('with the guard, that candidate is ineligible and the blend (best eligible hit rate) is chosen; the record says so', () => {
    // same candidates and scores, only the eligibility and the choice differ
    expect(on.candidates.map((c) => [c.config, c.score, c.logScore])).toEqual(off.candidates.map((c) => [c.config, c.score, c.logScore]));
    for (const c of on.candidates) expect(c.eligible).toBe(c.logScore >= on.naiveAllLogScore - 0.05);
    expect(find(on, { halfLifeDays: 3 }).eligible).toBe(false);
    expect(on.config.recency).toEqual({ halfLifeDays: 3, allHistoryWeight: 0.5 });
    const bestEligible = on.candidates.filter((c) => c.eligible).reduce((m, c) => Math.max(m, c.score), -Infinity);
    expect(on.score).toBe(bestEligible);
    expect(on.config.tuning!.logScoreMargin).toBe(0.05);
    expect(on.config.tuning!.naiveAllLogScore).toBe(on.naiveAllLogScore);
    expect(on.config.tuning!.objective).toMatch(/log score is at least naive-all's − 0\.05/);
  });

  it('without a blend in the grid, the guard falls back to all history; with no eligible candidate it keeps the best hit rate', () => {
    const noBlend = tuneEtas({ ...input, grid: { ...input.grid, allHistoryWeight: [0] }, logScoreMargin: 0.05 });
    expect(noBlend.config.recency).toBeNull();
    const none = tuneEtas({ ...input, grid: { ...input.grid, halfLifeDays: [3], allHistoryWeight: [0] }, logScoreMargin: 0 });
    expect(none.candidates.every((c) => !c.eligible)).toBe(true);
    expect(none.config.recency).toEqual({ halfLifeDays: 3 });
  });

  it('checks the grid and the margin', () => {
    expect(checkTuneGrid({}).allHistoryWeight).toEqual([0]);
    expect(() => checkTuneGrid({ allHistoryWeight: [1] })).toThrow(/allHistoryWeight/);
    expect(() => tuneEtas({ ...input, logScoreMargin: -1 })).toThrow(/logScoreMargin/);
  });
});
