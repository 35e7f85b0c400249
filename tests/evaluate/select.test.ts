/**
 * The adaptive default's selection (engine/evaluate select.ts, choose.ts; docs/model.md#adaptive-default)
 * on simulated data of known structure: counts that are pure Poisson with constant rates keep
 * the all-history fall-back; hot spots that moved eight months ago get a short half-life. Also:
 * nothing known after the fit window's end changes the choice, and the choice is deterministic.
 */
import { gridDisk } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { chooseVariant, scoreVariant, selectVariant } from '../../engine/evaluate/choose.ts';
import { adaptVariants, variantLabel, type SelectionInput } from '../../engine/evaluate/select.ts';
import { ETAS_DEFAULTS, type EtasConfig } from '../../engine/model/index.ts';
import { seededRandom } from '../../engine/random.ts';
import type { EventSet } from '../../engine/types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const ORIGIN_MS = Date.UTC(2021, 0, 1, 8);
const DAYS = 730;
/** 1,261 cells of res 10 (about 19 km²): the flagged areas (0.5-5 km²) are a small part of it. */
const CELLS = gridDisk('8a28de8d8c77fff', 20).sort();

/** Poisson events of each cell with a rate per day that may change at `changeDay` (sorted by cell, time). */
function simulate(seed: number, ratePerDay: (cell: number, day: number) => number, days = DAYS): { t: number[]; c: number[] } {
  const rand = seededRandom(seed);
  const t: number[] = [];
  const c: number[] = [];
  for (let cell = 0; cell < CELLS.length; cell++) {
    for (let day = 0; day < days; day++) {
      // Poisson count of the day by inversion, times uniform in the day
      const lambda = ratePerDay(cell, day);
      let k = 0;
      let p = Math.exp(-lambda);
      let s = p;
      const u = rand();
      while (u > s && k < 1000) {
        k++;
        p *= lambda / k;
        s += p;
      }
      const times: number[] = [];
      for (let i = 0; i < k; i++) times.push(day * 24 + rand() * 24);
      times.sort((a, b) => a - b);
      for (const x of times) {
        t.push(x);
        c.push(cell);
      }
    }
  }
  return { t, c };
}

function input(sim: { t: number[]; c: number[] }, days = DAYS, config: EtasConfig = ETAS_DEFAULTS): SelectionInput {
  const n = sim.t.length;
  const events: EventSet = {
    originMs: ORIGIN_MS,
    cells: CELLS,
    cell: Int32Array.from(sim.c),
    tHours: Float64Array.from(sim.t),
    incidentIndex: Int32Array.from({ length: n }, (_, i) => i),
  };
  // minute-precise times: known a minute after they happened
  const knownMs = Float64Array.from(sim.t, (t) => ORIGIN_MS + t * HOUR_MS + 60_000);
  return {
    events,
    knownMs,
    timeUnknown: new Uint8Array(n),
    window: { startMs: ORIGIN_MS, endMs: ORIGIN_MS + days * DAY_MS },
    res: 10,
    tz: 'America/Vancouver',
    config,
    months: false,
  };
}

/** Rates per day: a skewed spread over the cells, constant in time (about 45 incidents a day in all). */
const steady = (cell: number): number => 0.005 + (0.1 * ((cell * 7919) % 13) ** 2) / 144;

describe('selectVariant on simulated data', () => {
  it('keeps all-history counts (or all-history rates without triggering) when the truth is constant Poisson rates', () => {
    for (const seed of [1, 2, 3]) {
      const rec = selectVariant(input(simulate(seed, steady)));
      const v = rec.variant;
      expect(v.kind === 'counts' || (v.halfLifeDays === null && !v.triggering), `seed ${seed}: ${rec.reason}`).toBe(true);
      expect(rec.holdout.windows).toBe(168);
      expect(rec.candidates).toBe(adaptVariants(ETAS_DEFAULTS).length);
    }
  }, 60_000);

  it('picks a short half-life when the hot spots moved 240 days before the end', () => {
    const hotBefore = (cell: number): boolean => cell % 40 === 0;
    const hotAfter = (cell: number): boolean => cell % 40 === 20;
    const moved = (cell: number, day: number): number => (day < DAYS - 240 ? (hotBefore(cell) ? 1 : 0.02) : hotAfter(cell) ? 1 : 0.02);
    const rec = selectVariant(input(simulate(5, moved)));
    const v = rec.variant;
    expect(v.kind, rec.reason).toBe('model');
    if (v.kind !== 'model') return;
    expect(v.halfLifeDays).not.toBeNull();
    expect(v.halfLifeDays!).toBeLessThanOrEqual(180);
    expect(rec.chosen.gain).toBeGreaterThan(0.2);
    expect(rec.chosen.z).toBeGreaterThanOrEqual(ETAS_DEFAULTS.adapt!.minZ);
    expect(rec.reason).toContain(variantLabel(v));
  }, 60_000);

  it('reads nothing known after the window end, and gives the same record twice', () => {
    const sim = simulate(7, steady, DAYS + 30);
    const cut = { t: [] as number[], c: [] as number[] };
    sim.t.forEach((t, i) => {
      // known (a minute after it happened) by the window's end
      if (t > DAYS * 24 - 1 / 60) return;
      cut.t.push(t);
      cut.c.push(sim.c[i]!);
    });
    const withLater = selectVariant(input(sim));
    const without = selectVariant(input(cut));
    expect(withLater).toEqual(without);
    expect(selectVariant(input(cut))).toEqual(without);
  }, 60_000);

  it('keeps the configured model, untested, when there is less history before the holdout than the holdout', () => {
    const rec = selectVariant(input(simulate(1, steady, 100), 100));
    expect(rec.variant).toEqual({ kind: 'model', halfLifeDays: 180, allHistoryWeight: 0, profile: true, triggering: true });
    expect(rec.reason).toMatch(
      /^half-life 180 d, shift profile, triggering: the configured model, untested: less history before the last 56 days/,
    );
    expect(rec.holdout.events).toBe(0);
  });
});

describe('the decision', () => {
  // Two windows, one area, counts (v = 0) and two variants; hand-worked values.
  const scores = {
    hits: [[Float64Array.of(2, 2)], [Float64Array.of(3, 3)], [Float64Array.of(4, 2)]],
    logSum: [Float64Array.of(-1, -1), Float64Array.of(-1, -1), Float64Array.of(0, 0)],
    events: Float64Array.of(5, 5),
  };

  it('scores a variant by its mean relative gain, its z and its log-score difference per incident', () => {
    // variant 1: d = (1/4, 1/4): gain 0.5, sd 0 → z 0 (undefined); variant 2: d = (2/4, 0): gain 0.5,
    // sd = √(((0.5 − 0.25)² + (0 − 0.25)²) / 1) = 0.3536, se = √2 · 0.3536 = 0.5 → z = 1; log (1 + 1) / 10
    expect(scoreVariant(scores, 1, 'a')).toEqual({ label: 'a', gain: 0.5, z: 0, logScoreDiff: 0, logScoreSE: 0 });
    const s2 = scoreVariant(scores, 2, 'b');
    expect(s2.gain).toBeCloseTo(0.5, 12);
    expect(s2.z).toBeCloseTo(1, 12);
    expect(s2.logScoreDiff).toBeCloseTo(0.2, 12);
    // l_w = (1, 1): no spread, standard error 0
    expect(s2.logScoreSE).toBe(0);
  });

  it('keeps counts unless a variant beats them by minZ standard errors in hit rate and minLogZ in log score, then takes the largest gain', () => {
    const s = [
      { label: 'counts', gain: 0, z: 0, logScoreDiff: 0, logScoreSE: 0 },
      { label: 'small', gain: 0.05, z: 3, logScoreDiff: 0.01, logScoreSE: 0.005 },
      { label: 'big but noisy', gain: 0.2, z: 1.5, logScoreDiff: 0.1, logScoreSE: 0.01 },
      { label: 'big, worse log', gain: 0.1, z: 4, logScoreDiff: -0.01, logScoreSE: 0 },
      { label: 'bigger, log level within noise', gain: 0.15, z: 4, logScoreDiff: 0.001, logScoreSE: 0.002 },
    ];
    expect(chooseVariant(s, 2, 1)).toEqual({ index: 1, best: 2 });
    expect(chooseVariant(s, 1, 1)).toEqual({ index: 2, best: 2 });
    // half a standard error of log-score gain lets the level one in; a worse log score never passes
    expect(chooseVariant(s, 2, 0.5)).toEqual({ index: 4, best: 2 });
    expect(chooseVariant(s, 2, 0)).toEqual({ index: 4, best: 2 });
    expect(chooseVariant(s, 2, 3)).toEqual({ index: 0, best: 2 });
    expect(chooseVariant(s, 5, 1)).toEqual({ index: 0, best: 2 });
    // a floor on the log-score gain (nats): 0.005 keeps out the level one, 0.02 the small one too
    expect(chooseVariant(s, 2, 0, 0.005)).toEqual({ index: 1, best: 2 });
    expect(chooseVariant(s, 2, 0, 0.02)).toEqual({ index: 0, best: 2 });
  });
});
