/**
 * summarise, the last phase of the harness, on per-window values set by hand (the hand-made run
 * of handRun.ts: 5 cells, three 8-hour windows a day, flagged 1 and 2 cells = 2 and 4 km²).
 */
import { describe, expect, it } from 'vitest';
import { bootstrapMean } from '../../engine/evaluate/bootstrap.ts';
import type { FitRecord } from '../../engine/evaluate/report.ts';
import type { ModelScores, WindowScores } from '../../engine/evaluate/score.ts';
import { summarise } from '../../engine/evaluate/summarise.ts';
import { handRun } from './handRun.ts';

const run = handRun([[0, 0], [], [2, 3]]);

function modelScores(name: string, s: Partial<ModelScores>): ModelScores {
  return {
    name,
    hitRate: [
      [NaN, NaN, NaN],
      [NaN, NaN, NaN],
    ],
    pei: [
      [NaN, NaN, NaN],
      [NaN, NaN, NaN],
    ],
    coverageHitRate: [[NaN, NaN, NaN]],
    topKHitRate: [NaN, NaN, NaN],
    logSum: [NaN, NaN, NaN],
    logEvents: [0, 0, 0],
    rriPredicted: [0, 0],
    rriObserved: [0, 0],
    countsForecast: false,
    timesPicked: new Int32Array(5),
    flaggedEver: [new Uint8Array(5), new Uint8Array(5)],
    ...s,
  };
}

const ref = modelScores('ref', {
  hitRate: [
    [0.5, NaN, 0.25],
    [0.75, NaN, 0.5],
  ],
  pei: [
    [1, NaN, 0.5],
    [1, NaN, 1],
  ],
  coverageHitRate: [[1, NaN, 1]],
  topKHitRate: [0.5, NaN, 0],
  logSum: [2, NaN, 1],
  logEvents: [2, 0, 2],
  rriPredicted: [3, 4],
  rriObserved: [2, 0],
  countsForecast: true,
  timesPicked: Int32Array.of(3, 0, 1, 2, 0),
  flaggedEver: [Uint8Array.of(1, 0, 0, 1, 0), Uint8Array.of(1, 1, 1, 1, 0)],
});
const other = modelScores('other', {
  hitRate: [
    [0.25, NaN, 0.25],
    [0.5, NaN, 0.5],
  ],
  logSum: [1, NaN, 1],
  logEvents: [2, 0, 2],
  rriPredicted: [5, 5],
  rriObserved: [1, 1],
});
const fit = (firstShift: number): FitRecord => ({
  trainedUntilMs: 0,
  trainedUntil: '1970-01-01T00:00:00.000Z',
  events: 7,
  theta: 0.1,
  omegaPerHour: 0.5,
  meanDelayHours: 2,
  iterations: 3,
  stopReason: 'tolerance',
  warnings: [],
  firstShift,
  lastShift: firstShift,
});
const scores: WindowScores = {
  models: [ref, other],
  fitLogs: { 'etas-2015': { fits: [fit(0)], windowFit: [0, 0, 0] } },
  notes: ['runner note'],
};
const options = { seed: 3, bootstrapResamples: 50, reference: 'ref', refitEveryDays: 1 };
const report = summarise(run, scores, options);

describe('summarise on hand-set per-window values', () => {
  it('means over the windows with events; PAI = hit rate × C / k', () => {
    const s = report.models.ref!;
    expect(s.hitRate).toEqual({ '2': 0.375, '4': 0.625 });
    expect(s.pai['2']).toBeCloseTo(0.375 * 5, 14);
    expect(s.pai['4']).toBeCloseTo(0.625 * 2.5, 14);
    expect(s.pei).toEqual({ '2': 0.75, '4': 1 });
    expect(s.coverageHitRate).toEqual({ '0.8': 1 });
    expect(s.topKHitRate).toBe(0.25);
    expect(s.logScore).toBe(0.75); // (2 + 1) / (2 + 2) events
  });

  it('intervals: blocks of one day (3 windows) hold both defined windows, so every resample is the sample itself', () => {
    const ci = report.models.ref!.ci.hitRate['2']!;
    expect([ci.lo, ci.mean, ci.hi, ci.n]).toEqual([0.375, 0.375, 0.375, 2]);
    expect(report.bootstrap).toEqual({ seed: 3, resamples: 50, level: 0.95, blockShifts: 3 });
    // the same call as the summary's, for a series longer than a block
    const long = handRun([[0], [0], [0], [0], [0], [0], [0]]);
    const xs = [0.1, 0.9, 0.4, 0.3, 0.8, 0.2, 0.6];
    const pad = (v: number[]): number[][] => [v, v];
    const m = modelScores('m', {
      hitRate: pad(xs),
      pei: pad(xs),
      coverageHitRate: [xs],
      topKHitRate: xs,
      logSum: xs,
      logEvents: xs.map(() => 1),
    });
    const r = summarise(long, { models: [m], fitLogs: {}, notes: [] }, { ...options, reference: null });
    expect(r.models.m!.ci.hitRate['2']).toEqual(bootstrapMean(xs, { seed: 3, resamples: 50, level: 0.95, blockLength: 3 }));
    expect(r.models.m!.ci.hitRate['2']!.lo).toBeLessThan(r.models.m!.ci.hitRate['2']!.hi);
  });

  it('RRI: pooled predicted / observed for count forecasts (null when nothing was caught, or for rankings)', () => {
    expect(report.models.ref!.rri).toEqual({ '2': 1.5, '4': null });
    expect(report.models.other!.rri).toEqual({ '2': null, '4': null });
  });

  it('paired differences: reference − model over the windows where both are defined', () => {
    const d = report.models.other!.pairedDiff!;
    expect(d.reference).toBe('ref');
    expect(d.hitRate['2']!.diff.mean).toBe(0.125); // (0.5 − 0.25 + 0.25 − 0.25) / 2
    expect(d.logScore.mean).toBe(0.25); // (2 − 1 + 1 − 1) / 4 events
    expect(report.models.ref!.pairedDiff).toBeNull();
  });

  it('patrol-box concentration: distinct cells, cells flagged per area, the most picked first', () => {
    const s = report.models.ref!;
    expect(s.distinctCellsFlagged).toBe(3);
    expect(s.distinctCellsFlaggedByArea).toEqual({ '2': 2, '4': 4 });
    expect(s.mostPicked).toEqual([
      { h3: 'c0', times: 3, share: 1 },
      { h3: 'c3', times: 2, share: 2 / 3 },
      { h3: 'c2', times: 1, share: 1 / 3 },
    ]);
  });

  it("per-window series with nulls, the run's counts, and the fits of etas-2015 when etas did not run", () => {
    expect(report.perShift.models.ref!.hitRate['2']).toEqual([0.5, null, 0.25]);
    expect(report.perShift.models.ref!.logScore).toEqual([1, null, 0.5]);
    expect(report.perShift.events).toEqual([2, 0, 2]);
    expect([report.shifts, report.shiftsWithEvents, report.events, report.historyEvents, report.cells, report.districts]).toEqual([
      3, 2, 4, 7, 5, 2,
    ]);
    expect(report.fits).toEqual([fit(0)]);
    expect(report.perShift.fit).toEqual([0, 0, 0]);
    expect(Object.keys(report.fitsByModel!)).toEqual(['etas-2015']);
    expect(report.notes).toEqual(['a run note', 'runner note']);
    expect(report.modelNames).toEqual(['ref', 'other']);
    expect(report.wallSeconds).toBeNull();
  });

  it('prefers the fits of etas, and lists both', () => {
    const both = summarise(
      run,
      { ...scores, fitLogs: { 'etas-2015': scores.fitLogs['etas-2015']!, etas: { fits: [fit(0), fit(2)], windowFit: [0, 0, 1] } } },
      options,
    );
    expect(both.fits).toHaveLength(2);
    expect(both.perShift.fit).toEqual([0, 0, 1]);
    expect(Object.keys(both.fitsByModel!)).toEqual(['etas', 'etas-2015']);
    const none = summarise(run, { ...scores, fitLogs: {} }, options);
    expect(none.fits).toEqual([]);
    expect(none.perShift.fit).toEqual([-1, -1, -1]);
  });
});
