import { describe, expect, it } from 'vitest';
import { forecastShift, shiftBinHours } from '../../engine/forecast/index.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { checkEtasConfig, fitEtas, ringsFromGrid, type EtasFit } from '../../engine/model/index.ts';
import type { H3Cell } from '../../engine/types.ts';
import { CELLS, eventSetFrom, HOUR_MS, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);

/** A hand-made fit: the fields a forecast reads. */
function handFit(over: Partial<EtasFit>): EtasFit {
  return {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config: checkEtasConfig({ profile: { weekend: false } }),
    tz: VAN,
    res: 10,
    theta: 0,
    omegaPerHour: 1,
    ringWeights: [1],
    muPerHour: {},
    ratePerHour: {},
    profile: { labels: ['06:00', '14:00', '22:00'], exposureHours: [8, 8, 8], cells: {} },
    window: { startMs: 0, endMs: 1 },
    events: 0,
    iterations: 0,
    objectiveTrace: [],
    logLikelihood: 0,
    stopReason: 'tolerance',
    triggeredShare: 0,
    notes: [],
    warnings: [],
    fingerprint: 'test',
    ...over,
  };
}

describe('forecastShift', () => {
  const centre = CELLS[9]!;
  const rings = ringsFromGrid(centre, 1);

  it('background: rate × Σ_b h(b) × hours of the shift in bin b, for a 12-hour shift over two shift types (hand-worked)', () => {
    const fit = handFit({
      ratePerHour: { [centre]: 0.5 },
      profile: { labels: ['06:00', '14:00', '22:00'], exposureHours: [8, 8, 8], cells: { [centre]: [2, 0.5, 0.5] } },
    });
    const s = at('2023-07-05T10:00'); // 10:00-22:00: 4 h of day (h = 2), 8 h of evening (h = 0.5)
    expect(Array.from(shiftBinHours(fit, s, 12))).toEqual([4, 8, 0]);
    const f = forecastShift(fit, eventSetFrom([], 0, []), s, 12);
    expect(f.cells).toEqual([centre]);
    expect(f.expected[0]).toBeCloseTo(0.5 * (4 * 2 + 8 * 0.5), 14); // 6
    expect(f.triggered[0]).toBe(0);
  });

  it('triggering: θ(e^{−ω(s−t)} − e^{−ω(s+H−t)}) to the own cell with w_0 and w_1/6 to each ring-1 cell (hand-worked)', () => {
    const origin = at('2023-07-05');
    const s = at('2023-07-05T06:00');
    const fit = handFit({
      theta: 0.5,
      omegaPerHour: Math.LN2,
      ringWeights: [0.7, 0.3],
      config: checkEtasConfig({ profile: null, triggering: { ringDepth: 1 } }),
      profile: null,
      tz: null,
    });
    // one event 1 h before the shift, one exactly at its start (must not count), one after
    const hist = eventSetFrom([centre], origin, [
      [0, (s - origin) / HOUR_MS - 1],
      [0, (s - origin) / HOUR_MS],
      [0, (s - origin) / HOUR_MS + 2],
    ]);
    const f = forecastShift(fit, hist, s, 8);
    const total = 0.5 * (0.5 - 2 ** -9); // 0.2490234375
    expect(f.cells).toEqual([...rings[0]!, ...rings[1]!].sort());
    f.cells.forEach((c: H3Cell, k) => expect(f.expected[k]).toBeCloseTo(c === centre ? 0.7 * total : (0.3 * total) / 6, 15));
  });

  it('events at or after the shift start do not change the forecast (leakage)', () => {
    const origin = at('2023-06-01');
    const s = at('2023-07-01T22:00');
    const sH = (s - origin) / HOUR_MS;
    const pairs: [number, number][] = [
      [0, 10],
      [0, sH - 5],
      [1, sH - 30],
      [2, 400],
    ];
    const events = eventSetFrom(CELLS.slice(0, 3), origin, pairs);
    const fit = fitEtas(events, { startMs: origin, endMs: s }, 10, checkEtasConfig({}), { tz: VAN });
    const a = forecastShift(fit, events, s, 8);
    const later = eventSetFrom(CELLS.slice(0, 3), origin, [...pairs, [0, sH], [1, sH + 0.5], [2, sH + 7]]);
    const b = forecastShift(fit, later, s, 8);
    expect(b.cells).toEqual(a.cells);
    expect(Array.from(b.expected)).toEqual(Array.from(a.expected));
  });
});

describe('recency', () => {
  const origin = at('2023-01-01');
  const end = at('2023-07-01');
  const T = (end - origin) / HOUR_MS;

  it("with every ingredient off, rate × T is the cell's count: the forecast ranks cells as all-history counts do, ties by id", () => {
    const counts = [5, 3, 5, 1, 0, 8, 3];
    const pairs: [number, number][] = [];
    counts.forEach((k, c) => {
      for (let i = 0; i < k; i++) pairs.push([c, 17 + 101 * i + 13 * c]);
    });
    const cells = CELLS.slice(0, 7).filter((_, c) => counts[c]! > 0);
    const remap = CELLS.slice(0, 7).map((c) => cells.indexOf(c));
    const events = eventSetFrom(
      cells,
      origin,
      pairs.map(([c, t]) => [remap[c]!, t]),
    );
    const fit = fitEtas(events, { startMs: origin, endMs: end }, 10, checkEtasConfig({ recency: null, profile: null, triggering: null }));
    cells.forEach((c) => expect(fit.ratePerHour[c]! * T).toBeCloseTo(counts[CELLS.indexOf(c)]!, 12));
    const f = forecastShift(fit, events, end, 8);
    const byForecast = f.cells
      .map((c, k) => [c, f.expected[k]!] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map((x) => x[0]);
    const byCount = [...cells].sort((a, b) => counts[CELLS.indexOf(b)]! - counts[CELLS.indexOf(a)]! || (a < b ? -1 : 1));
    expect(byForecast).toEqual(byCount);
  });

  it('a finite half-life weighs each background event by 2^(−age/half-life) over ∫ 2^(−age/half-life) (hand-worked)', () => {
    // two events in one cell, 30 and 90 days before the window's end; half-life 30 days
    const events = eventSetFrom([CELLS[0]!], origin, [
      [0, T - 30 * 24],
      [0, T - 90 * 24],
    ]);
    const fit = fitEtas(
      events,
      { startMs: origin, endMs: end },
      10,
      checkEtasConfig({ recency: { halfLifeDays: 30 }, profile: null, triggering: null }),
    );
    const W = ((30 * 24) / Math.LN2) * (1 - 2 ** (-T / (30 * 24)));
    expect(fit.ratePerHour[CELLS[0]!]).toBeCloseTo((0.5 + 0.125) / W, 15);
  });
});
