import { describe, expect, it } from 'vitest';
import { backtest, type BacktestInput, type BacktestModelPlugin } from '../../engine/evaluate/backtest.ts';
import { cellAreaKm2, incidentCell } from '../../engine/grid/index.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import type { BacktestReport } from '../../engine/evaluate/report.ts';
import type { Incident } from '../../engine/types.ts';
import { incident, LOCATIONS, syntheticIncidents, VAN } from './synthetic.ts';

const HOUR = 3_600_000;
const at = (s: string): number => parseLocalDateTime(s, VAN);
const FROM = at('2023-07-01');
const TO = at('2023-07-04');
const data = syntheticIncidents(1, 2500, at('2023-05-01'), at('2023-07-06'));
const base: BacktestInput = { incidents: data, res: 10, fromMs: FROM, toMs: TO, tz: VAN, bootstrapResamples: 200 };

const report = backtest(base);
const models = report.modelNames;

describe('backtest on synthetic shifts', () => {
  it('replays the 9 shifts of three days and scores the incidents inside them', () => {
    expect(report.shifts).toBe(9);
    // windows tile [07-01 06:00, 07-04 06:00): every minute-precise incident in it is scored
    const expected = data.filter((d) => d.timeMs >= at('2023-07-01T06:00') && d.timeMs < at('2023-07-04T06:00')).length;
    expect(report.events).toBe(expected);
    expect(report.perShift.events.reduce((s, x) => s + x, 0)).toBe(expected);
    expect(report.unplacedEvents).toBe(0);
    expect(report.modelNames).toEqual([
      'etas',
      'etas-grid',
      'etas-2015',
      'naive-28',
      'naive-365',
      'naive-all',
      'naive-all-placed',
      'retro',
      'prospective',
      'random',
      'oracle',
    ]);
    expect(Object.keys(report.models.etas!.hitRate).sort()).toEqual(['0.5', '1', '2', '5']);
    expect(Object.keys(report.models.etas!.coverageHitRate).sort()).toEqual(['0.01', '0.05', '0.1']);
  });

  it('the oracle catches at least as much as every model, in every shift and at every area', () => {
    for (const key of Object.keys(report.models.oracle!.hitRate)) {
      const oracle = report.perShift.models.oracle!.hitRate[key]!;
      for (const m of models) {
        const series = report.perShift.models[m]!.hitRate[key]!;
        series.forEach((v, w) => {
          if (v !== null) expect(v).toBeLessThanOrEqual(oracle[w]! + 1e-12);
        });
        expect(report.models[m]!.hitRate[key]!).toBeLessThanOrEqual(report.models.oracle!.hitRate[key]! + 1e-12);
      }
    }
  });

  it('hit rate never falls as the flagged area or the coverage grows', () => {
    const areas = [...report.flaggedKm2].sort((a, b) => a - b).map(String);
    const covs = [...report.coverage].sort((a, b) => a - b).map(String);
    for (const m of models) {
      const p = report.perShift.models[m]!;
      for (let w = 0; w < report.shifts; w++) {
        for (let i = 1; i < areas.length; i++) {
          const lo = p.hitRate[areas[i - 1]!]![w];
          const hi = p.hitRate[areas[i]!]![w];
          if (lo !== null && lo !== undefined) expect(hi).toBeGreaterThanOrEqual(lo);
        }
        for (let i = 1; i < covs.length; i++) {
          const lo = p.coverageHitRate[covs[i - 1]!]![w];
          if (lo !== null && lo !== undefined) expect(p.coverageHitRate[covs[i]!]![w]).toBeGreaterThanOrEqual(lo);
        }
      }
    }
  });

  it('PAI is hit rate over area share, PEI lies in [0, 1] and is 1 for the oracle', () => {
    for (const m of models) {
      const s = report.models[m]!;
      report.flaggedKm2.forEach((a, i) => {
        const key = String(a);
        const share = report.flaggedCells[i]! / report.cells;
        expect(s.pai[key]).toBeCloseTo(s.hitRate[key]! / share, 10);
        expect(s.pei[key]).toBeGreaterThanOrEqual(0);
        expect(s.pei[key]).toBeLessThanOrEqual(1 + 1e-12);
      });
    }
    for (const key of Object.keys(report.models.oracle!.pei)) expect(report.models.oracle!.pei[key]).toBeCloseTo(1, 12);
  });

  it("random is the uniform density: its log score is 0; the oracle's is the highest", () => {
    expect(Math.abs(report.models.random!.logScore)).toBeLessThan(1e-12);
    for (const m of models) expect(report.models[m]!.logScore).toBeLessThanOrEqual(report.models.oracle!.logScore);
  });

  it('intervals bracket their means and the paired differences are ETAS minus the baseline', () => {
    for (const m of models) {
      const ci = report.models[m]!.ci.hitRate['1']!;
      expect(ci.lo).toBeLessThanOrEqual(ci.mean + 1e-12);
      expect(ci.hi).toBeGreaterThanOrEqual(ci.mean - 1e-12);
    }
    const naive = report.models['naive-all']!;
    expect(naive.pairedDiff!.reference).toBe('etas');
    expect(naive.pairedDiff!.hitRate['1']!.diff.mean).toBeCloseTo(report.models.etas!.hitRate['1']! - naive.hitRate['1']!, 12);
    expect(report.models.etas!.pairedDiff).toBeNull();
  });

  it("records which ETAS fit served which shift: one a day, trained up to the day's first shift", () => {
    expect(report.fits).toHaveLength(3);
    expect(report.fits.map((f) => [f.firstShift, f.lastShift])).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
    ]);
    expect(report.fits[0]!.trainedUntilMs).toBe(at('2023-07-01T06:00'));
    expect(report.perShift.fit).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    for (const f of report.fits) expect(f.events).toBe(data.filter((d) => d.timeMs < f.trainedUntilMs).length);
  });

  it('is deterministic: the same seed gives the same report', () => {
    const again = backtest(base);
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    const other = backtest({ ...base, seed: 2, models: ['random', 'naive-all'] });
    expect(other.models.random!.hitRate).not.toEqual(report.models.random!.hitRate);
  });

  it('counts patrol-box concentration: distinct cells and the most picked', () => {
    const r = backtest({ ...base, models: ['naive-all', 'random'], top: 3 });
    const n = r.models['naive-all']!;
    // all-history counts barely move in three days: the same few boxes every shift; random wanders
    expect(n.distinctCellsFlagged).toBeGreaterThanOrEqual(6); // 3 per district, 2 districts
    expect(n.distinctCellsFlagged).toBeLessThan(r.models.random!.distinctCellsFlagged);
    expect(n.distinctCellsFlaggedByArea['0.5']!).toBeLessThan(r.models.random!.distinctCellsFlaggedByArea['0.5']!);
    expect(n.mostPicked[0]!.times).toBe(r.shifts); // the hottest place is a box in every shift
    expect(n.mostPicked[0]!.share).toBe(1);
    const counts = n.mostPicked.map((p) => p.times);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });
});

describe('leakage: nothing at or after a shift start reaches its forecast', () => {
  it('perturbing and adding incidents from shift 4 on leaves every forecast of shifts 0-4 bit-identical', () => {
    const cut = at('2023-07-02T14:00'); // start of shift 4
    const perturbed: Incident[] = data.map((d, i) =>
      d.timeMs >= cut
        ? { ...d, lat: LOCATIONS[(i * 7) % 30]!.lat, lng: LOCATIONS[(i * 7) % 30]!.lng, timeMs: d.timeMs + (i % 5) * HOUR }
        : d,
    );
    let line = 100_000;
    // many more incidents at and after the cut, some exactly at it
    for (let k = 0; k < 400; k++) perturbed.push(incident(line++, cut + (k % 40) * 30 * 60_000, LOCATIONS[k % 3]!));
    // incidents whose period has not ended by the cut although their recorded time is earlier:
    // time of day unknown on the cut's day (recorded as local midnight) and an hour-precise time
    // half an hour before the cut (it may have happened after it)
    for (let k = 0; k < 50; k++) perturbed.push(incident(line++, at('2023-07-02'), LOCATIONS[k % 2]!, { timeOfDayUnknown: true }));
    for (let k = 0; k < 50; k++) perturbed.push(incident(line++, cut - HOUR / 2, LOCATIONS[5]!, { precision: 'hour' }));

    const reports: BacktestReport[] = [];
    const capture = (input: BacktestInput): Map<string, number[]> => {
      const seen = new Map<string, number[]>();
      reports.push(
        backtest(input, {
          onForecast: ({ windowIndex, model, scores, order }) => {
            seen.set(`${windowIndex}/${model}`, Array.from(order ?? scores));
          },
        }),
      );
      return seen;
    };
    const a = capture(base);
    const b = capture({ ...base, incidents: perturbed });
    let compared = 0;
    for (let w = 0; w <= 4; w++) {
      for (const m of models) {
        if (m === 'oracle') continue; // the oracle is scored on the actual events by design
        expect(b.get(`${w}/${m}`), `shift ${w}, ${m}`).toEqual(a.get(`${w}/${m}`));
        compared++;
      }
    }
    expect(compared).toBe(5 * 10); // every model but the oracle, etas-2015 and the placed ones included
    // placed boxes (fine shares of the history known at each start) catch the same in shifts 0-3,
    // whose actuals the perturbation leaves alone
    for (const m of ['etas', 'naive-all-placed']) {
      const [pa, pb] = reports.map((r) => r.perShift.models[m]!);
      for (const key of ['0.5', '1', '2', '5'])
        expect(pb!.hitRate[key]!.slice(0, 4), `${m} @ ${key}`).toEqual(pa!.hitRate[key]!.slice(0, 4));
      expect(pb!.topKHitRate.slice(0, 4)).toEqual(pa!.topKHitRate.slice(0, 4));
    }
    // the perturbation is real: it changes forecasts after the cut
    const changed = models
      .filter((m) => m !== 'oracle' && m !== 'random')
      .filter((m) => JSON.stringify(b.get(`5/${m}`)) !== JSON.stringify(a.get(`5/${m}`)));
    expect(changed.length).toBeGreaterThan(3);
  });
});

describe('incidents whose time cannot be placed in a shift', () => {
  it('are counted as unplaced, left out of the actuals, and used in training once their day is over', () => {
    const extra: Incident[] = [];
    let line = 200_000;
    // one time-unknown incident per day from 06-29 to 07-05 (recorded at local midnight)
    for (let d = 29; d <= 35; d++) {
      const day = d <= 30 ? `2023-06-${d}` : `2023-07-0${d - 30}`;
      extra.push(incident(line++, at(day), LOCATIONS[3]!, { timeOfDayUnknown: true }));
    }
    const r = backtest({ ...base, incidents: [...data, ...extra], models: ['naive-all', 'oracle'] });
    // days 07-01..07-04 overlap the windows [07-01 06:00, 07-04 06:00); 06-29, 06-30 and 07-05 do not
    expect(r.unplacedEvents).toBe(4);
    expect(r.events).toBe(report.events);
    expect(r.perShift.events).toEqual(report.perShift.events);
  });
});

describe('overlapping shifts', () => {
  it('score an incident in every shift that contains it (10-hour shifts every 8 hours)', () => {
    const r = backtest({ ...base, shiftHours: 10, models: ['naive-all', 'oracle'] });
    const expected = r.perShift.startMs.map((s) => data.filter((d) => d.timeMs >= s && d.timeMs < s + 10 * HOUR).length);
    expect(r.perShift.events).toEqual(expected);
    expect(r.events).toBe(expected.reduce((a, b) => a + b, 0));
    expect(r.events).toBeGreaterThan(report.events); // the two-hour overlaps count twice
  });
});

describe('a tiny backtest worked by hand', () => {
  // Three places far apart (different cells): A, B, C. History in June: A 3 times, B twice,
  // C once. One shift, 2023-07-01 06:00-14:00, with one incident in each place.
  const A = { lat: 49.25, lng: -123.1 };
  const B = { lat: 49.26, lng: -123.12 };
  const C = { lat: 49.24, lng: -123.13 };
  const hist = [
    incident(2, at('2023-06-10T10:00'), A),
    incident(3, at('2023-06-11T10:00'), A),
    incident(4, at('2023-06-12T10:00'), A),
    incident(5, at('2023-06-13T10:00'), B),
    incident(6, at('2023-06-14T10:00'), B),
    incident(7, at('2023-06-15T10:00'), C),
  ];
  const shift = [incident(8, at('2023-07-01T07:00'), A), incident(9, at('2023-07-01T08:00'), B), incident(10, at('2023-07-01T09:00'), C)];
  const r: BacktestReport = backtest({
    incidents: [...hist, ...shift],
    res: 10,
    fromMs: at('2023-07-01T06:00'),
    toMs: at('2023-07-01T07:00'),
    tz: VAN,
    models: ['naive-all', 'naive-28', 'oracle'],
    flaggedKm2: [0.001, 0.05],
    coverage: [1],
    bootstrapResamples: 50,
  });
  it('flags one cell for 0.001 km² and three for 0.05 km² (cells are ~0.015 km²)', () => {
    expect(r.shifts).toBe(1);
    expect(r.events).toBe(3);
    expect(r.flaggedCells).toEqual([1, Math.floor(0.05 / r.meanCellAreaKm2)]);
  });
  it('naive counts flag A first: hit rate 1/3, PEI 1 (n* = 1), then all three', () => {
    for (const m of ['naive-all', 'naive-28']) {
      expect(r.models[m]!.hitRate['0.001']).toBeCloseTo(1 / 3, 12);
      expect(r.models[m]!.pei['0.001']).toBeCloseTo(1, 12);
      expect(r.models[m]!.pai['0.001']).toBeCloseTo((1 / 3) * r.cells, 9);
      expect(r.models[m]!.hitRate['0.05']).toBeCloseTo(1, 12);
      expect(r.models[m]!.coverageHitRate['1']).toBe(1);
    }
  });
  it('RRI of naive-all: 3 past events × 8 h / hours of history, against 1 observed', () => {
    const historyHours = (at('2023-07-01T06:00') - (at('2023-06-10T10:00') + 1)) / HOUR;
    expect(r.models['naive-all']!.rri['0.001']).toBeCloseTo((3 * 8) / historyHours, 9);
    // naive-28: 3 events in 28 days → 3 · 8 / (28 · 24)
    expect(r.models['naive-28']!.rri['0.001']).toBeCloseTo((3 * 8) / (28 * 24), 9);
  });
  it('log score of naive-all: the 1%-uniform mixture of the 3:2:1 counts', () => {
    const areaA = cellAreaKm2(incidentCell(A.lat, A.lng, 10));
    const areaB = cellAreaKm2(incidentCell(B.lat, B.lng, 10));
    const areaC = cellAreaKm2(incidentCell(C.lat, C.lng, 10));
    const total = r.studyAreaKm2;
    const term = (p: number, a: number): number => Math.log((0.99 * p + 0.01 * (a / total)) * (total / a));
    const expected = (term(3 / 6, areaA) + term(2 / 6, areaB) + term(1 / 6, areaC)) / 3;
    expect(r.models['naive-all']!.logScore).toBeCloseTo(expected, 10);
  });
  it('the oracle ties A, B and C (one event each) and still catches one of three with one cell', () => {
    expect(r.models.oracle!.hitRate['0.001']).toBeCloseTo(1 / 3, 12);
    expect(r.models.oracle!.pei['0.001']).toBe(1);
  });
});

describe('month mode', () => {
  const LON = 'Europe/London';
  const monthStart = (y: number, m: number): number => parseLocalDateTime(`${y}-${String(m).padStart(2, '0')}-01`, LON);
  const monthly: Incident[] = [];
  let line = 2;
  for (let m = 1; m <= 6; m++) {
    for (let k = 0; k < 60; k++) {
      const loc = LOCATIONS[(k * k + m) % 30]!;
      monthly.push(
        incident(
          line++,
          monthStart(2014, m),
          { lat: 51.1 + (loc.lat - 49.25), lng: 0.87 + (loc.lng + 123.12) },
          { precision: 'month', timeOfDayUnknown: true },
        ),
      );
    }
  }
  const input: BacktestInput = {
    incidents: monthly,
    res: 9,
    fromMs: monthStart(2014, 4),
    toMs: monthStart(2014, 7),
    tz: LON,
    months: true,
    bootstrapResamples: 100,
  };

  it('forecasts calendar months and scores every month-precise incident in its month', () => {
    const r = backtest(input);
    expect(r.mode).toBe('months');
    expect(r.shifts).toBe(3);
    expect(r.perShift.label).toEqual(['2014-04', '2014-05', '2014-06']);
    expect(r.events).toBe(180);
    expect(r.unplacedEvents).toBe(0);
    expect(r.fits).toHaveLength(3);
    // April is trained on January-March: 180 incidents known by 1 April
    expect(r.fits[0]!.events).toBe(180);
    for (const m of r.modelNames) expect(r.models[m]!.hitRate['1']!).toBeLessThanOrEqual(r.models.oracle!.hitRate['1']! + 1e-12);
  });
  it('refuses a shift length in month mode, and shift mode on month-only data', () => {
    expect(() => backtest({ ...input, shiftHours: 8 })).toThrow(/month mode/);
    expect(() => backtest({ ...input, months: false })).toThrowError(expect.objectContaining({ code: 'E_PRECISION' }));
  });
});

describe('bad input', () => {
  it('names the problem', () => {
    expect(() => backtest({ ...base, models: ['etas', 'crystal-ball'] })).toThrow(/unknown model "crystal-ball"/);
    expect(() => backtest({ ...base, fromMs: TO, toMs: FROM })).toThrowError(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => backtest({ ...base, fromMs: at('2023-04-01'), toMs: at('2023-04-02') })).toThrowError(
      expect.objectContaining({ code: 'E_NO_HISTORY' }),
    );
    expect(() => backtest({ ...base, coverage: [2] })).toThrow(/coverage/);
  });
  it('leaves out a far-away incident with a note, as fit and forecast do, instead of a study area inflated by it', () => {
    // 45.5, -110 lies about 1,000 km from the Vancouver points: before the screen, the study area
    // spanned latitudes 45.5 to 49.265 and the run was refused (E_AREA).
    const stray = incident(999_999, at('2023-06-01T12:00'), { lat: 45.5, lng: -110 });
    const withStray = backtest({ ...base, incidents: [...data, stray], models: ['naive-all'] });
    const without = backtest({ ...base, models: ['naive-all'] });
    expect(withStray.notes[0]).toBe(
      `1 of ${data.length + 1} incidents lie more than 200 km from the bulk of the data (probably swapped latitude and longitude, or a placeholder point): left out.`,
    );
    expect(withStray.studyAreaKm2).toBe(without.studyAreaKm2);
    expect(withStray.models).toEqual(without.models);
  });
  it('can be cancelled', () => {
    let calls = 0;
    expect(() => backtest({ ...base, models: ['naive-all'] }, { shouldCancel: () => ++calls > 2 })).toThrowError(
      expect.objectContaining({ code: 'E_CANCELLED' }),
    );
  });
});

describe('plug-in models', () => {
  it('a plug-in counting its history per cell matches naive-all exactly, and only ever sees the past', () => {
    let latestSeenMs = -Infinity;
    let violations = 0;
    const counting: BacktestModelPlugin = {
      name: 'my-counts',
      countsForecast: false,
      forecast(window, history) {
        const counts = new Array<number>(history.cells.length).fill(0);
        for (let k = 0; k < history.cell.length; k++) {
          counts[history.cell[k]!]!++;
          const t = history.originMs + history.tHours[k]! * HOUR;
          latestSeenMs = Math.max(latestSeenMs, t);
          if (!(t < window.startMs)) violations++;
        }
        return { cells: history.cells, scores: counts };
      },
    };
    const r = backtest({ ...base, models: ['naive-all', 'oracle'], plugins: [counting], reference: 'my-counts' });
    expect(r.modelNames).toEqual(['naive-all', 'oracle', 'my-counts']);
    expect(r.reference).toBe('my-counts');
    expect(r.models['my-counts']!.hitRate).toEqual(r.models['naive-all']!.hitRate);
    expect(r.models['naive-all']!.pairedDiff!.hitRate['1']!.diff.mean).toBe(0);
    expect(r.models['my-counts']!.rri['1']).toBeNull();
    expect(violations).toBe(0);
    expect(latestSeenMs).toBeLessThan(at('2023-07-03T22:00'));
  });
  it('refuses a plug-in named like a built-in model and a reference that is not run', () => {
    const fake: BacktestModelPlugin = { name: 'etas', countsForecast: true, forecast: () => ({ cells: [], scores: [] }) };
    expect(() => backtest({ ...base, plugins: [fake] })).toThrow(/clashes/);
    expect(() => backtest({ ...base, models: ['naive-all'], reference: 'etas' })).toThrow(/reference model "etas"/);
  });
});
