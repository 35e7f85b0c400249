import { describe, expect, it } from 'vitest';
import { backtest, type BacktestInput } from '../../engine/evaluate/backtest.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { checkEtasConfig } from '../../engine/model/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { Incident } from '../../engine/types.ts';
import { VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const HOUR = 3_600_000;

function incident(line: number, timeMs: number, i: number, extra: Partial<Incident> = {}): Incident {
  return {
    id: `b${line}`,
    timeMs,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat: 49.25 + 0.003 * (i % 6),
    lng: -123.12 + 0.004 * Math.floor(i / 6),
    category: 'Theft',
    district: i % 6 < 3 ? 'West' : 'East',
    source: { file: 'synthetic', line },
    ...extra,
  };
}

/** Seeded incidents on 24 locations, each busiest in one shift type. */
function data(seed: number, n: number, fromMs: number, toMs: number): Incident[] {
  const rand = seededRandom(seed);
  const out: Incident[] = [];
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rand() * 24);
    const day = Math.floor((rand() * (toMs - fromMs)) / 86_400_000);
    const t = fromMs + day * 86_400_000 + (rand() < 0.7 ? (6 + 8 * (i % 3)) * HOUR : 0) + Math.floor(rand() * 8 * 60) * 60_000;
    if (t < toMs) out.push(incident(k + 2, t, i));
  }
  return out;
}

const incidents = data(5, 2500, at('2023-05-01'), at('2023-07-06'));
const base: BacktestInput = {
  incidents,
  res: 10,
  fromMs: at('2023-07-01'),
  toMs: at('2023-07-04'),
  tz: VAN,
  models: ['etas', 'etas-2015', 'naive-all'],
  bootstrapResamples: 100,
  flaggedKm2: [0.05, 0.1, 0.2],
  // every ingredient on, ring spread included, so the leakage check covers them all
  etasConfig: checkEtasConfig({
    recency: { halfLifeDays: 20 },
    profile: { weekend: true, priorStrength: 5, blend: 0.1 },
    triggering: { ringDepth: 1 },
  }),
};

describe('the etas model (beyond 2015) in the backtest', () => {
  it('perturbing and adding incidents from shift 4 on leaves its forecasts of shifts 0-4 bit-identical', () => {
    const cut = at('2023-07-02T14:00');
    const perturbed: Incident[] = incidents.map((d, i) =>
      d.timeMs >= cut ? { ...d, lat: 49.25 + 0.003 * (i % 6), timeMs: d.timeMs + (i % 5) * HOUR } : d,
    );
    let line = 100_000;
    for (let k = 0; k < 300; k++) perturbed.push(incident(line++, cut + (k % 40) * 30 * 60_000, k % 3));
    // unknown time of day on the cut's day, and hour-precise half an hour before it: not yet known at the cut
    for (let k = 0; k < 40; k++) perturbed.push(incident(line++, at('2023-07-02'), k % 2, { timeOfDayUnknown: true }));
    for (let k = 0; k < 40; k++) perturbed.push(incident(line++, cut - HOUR / 2, 5, { precision: 'hour' }));
    const capture = (input: BacktestInput): Map<string, number[]> => {
      const seen = new Map<string, number[]>();
      backtest(input, { onForecast: ({ windowIndex, model, scores }) => seen.set(`${windowIndex}/${model}`, Array.from(scores)) });
      return seen;
    };
    const a = capture(base);
    const b = capture({ ...base, incidents: perturbed });
    for (let w = 0; w <= 4; w++) expect(b.get(`${w}/etas`), `shift ${w}`).toEqual(a.get(`${w}/etas`));
    expect(JSON.stringify(b.get('5/etas'))).not.toEqual(JSON.stringify(a.get('5/etas')));
  });

  it('reports both models, refits daily, and names its configuration in the notes', () => {
    const r = backtest(base);
    expect(r.modelNames).toEqual(['etas', 'etas-2015', 'naive-all']);
    expect(r.fitsByModel!.etas!.length).toBe(3);
    expect(r.fitsByModel!['etas-2015']!.length).toBe(3);
    expect(r.fits).toEqual(r.fitsByModel!.etas);
    expect(r.notes.some((n) => n.startsWith('etas: recency half-life 20 d; profile 3 shift types × weekday/weekend'))).toBe(true);
    // the planted shift-type preference is there to find: etas beats all-history counts
    expect(r.models.etas!.hitRate['0.05']!).toBeGreaterThan(r.models['naive-all']!.hitRate['0.05']!);
  });

  it('with every ingredient off and a refit every shift it ranks cells exactly as all-history counts do (same hit rates)', () => {
    const r = backtest({
      ...base,
      etasConfig: checkEtasConfig({ recency: null, profile: null, triggering: null }),
      models: ['etas-grid', 'naive-all'],
      refitEveryDays: 8 / 24,
    });
    // the ranking is the same on the grid (etas-grid: the etas forecasts scored as grid cells); placed
    // boxes add the expected counts of neighbouring cells, which the same ranking does not fix
    for (const a of ['0.05', '0.1', '0.2']) expect(r.models['etas-grid']!.hitRate[a]).toBe(r.models['naive-all']!.hitRate[a]);
  });
});

describe('leakage on real data (Chicago district 1 fixture)', () => {
  it('removing every incident from 2016-03-02 14:00 on leaves the etas forecasts of the shifts before it bit-identical', async () => {
    const { readFileSync } = await import('node:fs');
    const { gunzipSync } = await import('node:zlib');
    const { ingestCsvText } = await import('../../engine/ingest/index.ts');
    const text = gunzipSync(readFileSync('fixtures/chicago/district1_2010_2016.csv.gz')).toString('utf8');
    const tz = 'America/Chicago';
    const all = ingestCsvText(text, {
      file: 'chicago',
      columns: { datetime: 'date', lat: 'latitude', lon: 'longitude', district: 'district' },
      tz,
    }).incidents;
    const cut = parseLocalDateTime('2016-03-02T14:00', tz);
    const input: BacktestInput = {
      incidents: all,
      res: 10,
      tz,
      fromMs: parseLocalDateTime('2016-02-01', tz),
      toMs: parseLocalDateTime('2016-03-04', tz),
      models: ['etas'],
      bootstrapResamples: 50,
      etasConfig: checkEtasConfig({ recency: { halfLifeDays: 60 }, profile: { weekend: true }, triggering: { ringDepth: 1 } }),
    };
    const capture = (incidents: readonly Incident[]): Map<number, number[]> => {
      const seen = new Map<number, number[]>();
      backtest(
        { ...input, incidents },
        { onForecast: ({ windowIndex, window, scores }) => window.startMs <= cut && seen.set(windowIndex, Array.from(scores)) },
      );
      return seen;
    };
    const a = capture(all);
    const b = capture(all.filter((inc) => inc.timeMs < cut));
    expect(a.size).toBe(92); // February 2016 (29 days) and March 1, 3 shifts a day, and March 2 06:00 and 14:00 (the shift starting at the cut)
    expect(b).toEqual(a);
  });
});
