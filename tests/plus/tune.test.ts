import { checkEtasConfig } from '../../engine/model/index.ts';
import { describe, expect, it } from 'vitest';
import { backtest } from '../../engine/evaluate/backtest.ts';
import { tuneEtas, checkTuneGrid, type TuneInput } from '../../engine/evaluate/tune.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { Incident } from '../../engine/types.ts';
import { VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const HOUR = 3_600_000;

/**
 * 24 locations ~330 m apart; location i is busy only in shift type i mod 3 (06-14, 14-22,
 * 22-06), with weight 1 + (i mod 4): a per-cell profile that all-history counts cannot see.
 */
function incidents(seed: number, n: number, fromMs: number, toMs: number, firstLine = 2): Incident[] {
  const rand = seededRandom(seed);
  const out: Incident[] = [];
  const weights = Array.from({ length: 24 }, (_, i) => 1 + (i % 4));
  const total = weights.reduce((s, w) => s + w, 0);
  for (let k = 0; k < n; k++) {
    let r = rand() * total;
    let i = 0;
    while (r >= weights[i]!) r -= weights[i++]!;
    const day = Math.floor((rand() * (toMs - fromMs)) / 86_400_000);
    const dayStart = fromMs + day * 86_400_000;
    const t = dayStart + (6 + 8 * (i % 3)) * HOUR + Math.floor(rand() * 8 * 60) * 60_000;
    if (t >= toMs) continue;
    out.push({
      id: `t${firstLine + k}`,
      timeMs: t,
      precision: 'minute',
      timeOfDayUnknown: false,
      lat: 49.25 + 0.003 * (i % 6),
      lng: -123.12 + 0.004 * Math.floor(i / 6),
      category: 'Theft',
      district: i % 6 < 3 ? 'West' : 'East',
      source: { file: 'synthetic', line: firstLine + k },
    });
  }
  return out;
}

const data = incidents(3, 3000, at('2023-04-01'), at('2023-06-10'));
const input: TuneInput = {
  incidents: data,
  res: 10,
  tz: VAN,
  fromMs: at('2023-05-20'),
  toMs: at('2023-05-30'),
  refitEveryDays: 5,
  flaggedKm2: [0.05, 0.1],
  grid: {
    halfLifeDays: [Infinity, 20],
    profile: [true, false],
    priorStrength: [3],
    blend: [0, 0.3],
    weekend: [false],
    prior: ['district'],
    triggering: [true, false],
    minMeanDelayHours: [1],
    ringDepth: [0],
  },
};

describe('tuneEtas', () => {
  const result = tuneEtas(input);

  it('finds the per-cell shift profile the data was made with, and says it beats all-history counts', () => {
    expect(result.config.profile).not.toBeNull();
    expect(result.score).toBeGreaterThan(0.05);
    expect(result.hitRate['0.05']!).toBeGreaterThan(result.naiveAllHitRate['0.05']!);
    expect(result.shifts).toBe(29); // 10 days × 3, less the last night shift (it ends after the period)
    expect(result.config.tuning!.toMs).toBe(input.toMs);
    // the candidates were scored as placed boxes, and the configuration says so
    expect(result.config.placement).toBe('fine');
    expect(checkEtasConfig(JSON.parse(JSON.stringify(result.config))).placement).toBe('fine');
    // every candidate without a profile scores below the chosen one
    for (const c of result.candidates) if (c.config.profile === null) expect(c.score).toBeLessThan(result.score);
  });

  it('never looks past the tuning period: changing and adding incidents at or after its end changes nothing', () => {
    const cut = input.toMs;
    const perturbed = data.map((d, i) => (d.timeMs >= cut ? { ...d, lat: 49.25 + 0.003 * (i % 6), timeMs: d.timeMs + (i % 7) * HOUR } : d));
    for (const inc of incidents(99, 800, cut, at('2023-06-10'), 50_000)) perturbed.push(inc);
    for (const inc of incidents(98, 50, cut, cut + HOUR, 60_000)) perturbed.push(inc);
    const again = tuneEtas({ ...input, incidents: perturbed });
    expect(again.config).toEqual(result.config);
    expect(again.candidates).toEqual(result.candidates);
  });

  it("scores with the backtest's harness: naive-all and a candidate score as backtest() scores them on the same shifts", () => {
    // the tuning shifts lie wholly in [from, to): the backtest's shifts starting before 05-29 22:00
    const candidate = result.candidates.find((c) => c.config.profile !== null && c.config.recency !== null)!;
    const bt = backtest({
      incidents: data.filter((d) => d.timeMs < input.toMs),
      res: 10,
      tz: VAN,
      fromMs: input.fromMs,
      toMs: at('2023-05-29T22:00'),
      flaggedKm2: input.flaggedKm2!,
      // tune scores counts as placed boxes (engine/evaluate/tune.ts), so naive-all-placed is its
      // twin; the grid naive-all only matched it by chance of this data before the split followed
      // the incidents into neighbours' children (now placed catches more: 41.0% against 40.6%)
      models: ['naive-all-placed', 'etas'],
      etasConfig: candidate.config,
      refitEveryDays: 5,
      bootstrapResamples: 10,
    });
    expect(bt.shifts).toBe(result.shifts);
    expect(bt.events).toBe(result.events);
    for (const key of ['0.05', '0.1']) {
      expect(bt.models['naive-all-placed']!.hitRate[key]).toBeCloseTo(result.naiveAllHitRate[key]!, 12);
      expect(bt.models.etas!.hitRate[key]).toBeCloseTo(candidate.hitRate[key]!, 12);
    }
    expect(bt.models['naive-all-placed']!.logScore).toBeCloseTo(result.naiveAllLogScore, 12);
    expect(bt.models.etas!.logScore).toBeCloseTo(candidate.logScore, 12);
  });

  it('is deterministic', () => {
    expect(tuneEtas(input).candidates).toEqual(result.candidates);
  });

  it('refuses a tuning period that reaches into the evaluation period, and bad grids', () => {
    expect(() => tuneEtas({ ...input, evalFromMs: at('2023-05-29') })).toThrow(/must end before the evaluation period starts/);
    expect(() => checkTuneGrid({ halfLifeDays: [-1] })).toThrow(/halfLifeDays/);
    expect(() => checkTuneGrid({ ringDepth: [] })).toThrow(/non-empty/);
    expect(() => checkTuneGrid({ colour: [1] })).toThrow(/unknown/);
    expect(checkTuneGrid({ halfLifeDays: [null, 'Infinity', 30] }).halfLifeDays).toEqual([Infinity, 30]);
  });
});
