/**
 * scoreWindows, the replay phase of the harness, on planted forecasts over the hand-made run
 * (handRun.ts: cells c0..c4 of 1, 1, 2, 2, 4 km², districts [0, 0, 1, 1, none]); every value
 * below is worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../engine/evaluate/runners.ts';
import { meanDefined, pooledLogScore, scoreWindows } from '../../engine/evaluate/score.ts';
import { handRun } from './handRun.ts';

// Window 0: events in c0, c0, c2 and one outside the study cells (N = 4); window 1: one in c2.
const run = handRun([[0, 0, 2, -1], [2]]); // flagged 1 and 2 cells, coverage 4 cells, top 1 per district
const planted: ModelRunner = {
  name: 'planted',
  forecast: (_w, i) => ({ scores: i === 0 ? Float64Array.of(0.5, 0.1, 0.3, 0, 0.2) : Float64Array.of(0, 0, 0, 1, 0), countScale: 1 }),
  fitLog: { fits: [], windowFit: [-1, -1] },
  note: 'planted note',
};
const ranked: ModelRunner = {
  name: 'ranked',
  forecast: () => ({ scores: Float64Array.of(1, 1, 2, 2, 4), order: Int32Array.of(4, 3, 2, 1, 0), countScale: null }),
};
const seen: string[] = [];
const progress: number[] = [];
const scores = scoreWindows(run, [planted, ranked], {
  onForecast: ({ windowIndex, model, cells }) => seen.push(`${windowIndex}/${model}/${cells.length}`),
  onProgress: (done, total) => progress.push(done / total),
});
const [p, r] = scores.models;

describe('scoreWindows on planted forecasts', () => {
  it('hit rates: window 0 ranks c0, c2, c4, c1, c3 (2, 3 and 3 of 4 events in the top 1, 2 and 4); window 1 ranks c3 first (0, 0, 1 of 1)', () => {
    expect(p!.hitRate).toEqual([
      [0.5, 0],
      [0.75, 0],
    ]);
    expect(p!.coverageHitRate).toEqual([[0.75, 1]]);
  });

  it('PEI: hits over the best any k cells could catch (window 0: 2 of 2, 3 of 3; window 1: 0 of 1)', () => {
    expect(p!.pei).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('patrol boxes, top 1 per district: c0 and c2 in window 0 (3 of 4 events), c0 (tie, lowest index) and c3 in window 1', () => {
    expect(p!.topKHitRate).toEqual([0.75, 0]);
    expect(Array.from(p!.timesPicked)).toEqual([2, 0, 1, 1, 0]);
    // an explicit order is walked as given: c4 (no district) skipped, then c3 for d1 and c1 for d0
    expect(Array.from(r!.timesPicked)).toEqual([0, 2, 0, 2, 0]);
    expect(r!.topKHitRate).toEqual([0, 0]);
  });

  it('log score: log(q/u) per event in the study cells, q = 0.99·s/Σs + 0.01·u, u = area / 10 km²', () => {
    const q = (s: number, u: number): number => 0.99 * s + 0.01 * u;
    const w0 = 2 * Math.log(q(0.5 / 1.1, 0.1) / 0.1) + Math.log(q(0.3 / 1.1, 0.2) / 0.2);
    expect(p!.logSum[0]).toBeCloseTo(w0, 14);
    expect(p!.logSum[1]).toBeCloseTo(Math.log(0.01), 14); // all mass on c3, the event in c2: q = 0.01·u
    expect(p!.logEvents).toEqual([3, 1]);
    // a forecast proportional to cell area is the uniform one: 0 per event
    expect(r!.logSum[0]).toBeCloseTo(0, 15);
    expect(pooledLogScore(p!)).toBeCloseTo((w0 + Math.log(0.01)) / 4, 14);
  });

  it('RRI terms of count forecasts: predicted counts in the flagged cells (0.5 + 1, 0.8 + 1) against events caught (2, 3)', () => {
    expect(p!.countsForecast).toBe(true);
    expect(p!.rriPredicted[0]).toBeCloseTo(1.5, 15);
    expect(p!.rriPredicted[1]).toBeCloseTo(1.8, 15);
    expect(p!.rriObserved).toEqual([2, 3]);
    expect(r!.countsForecast).toBe(false);
    expect(r!.rriPredicted).toEqual([0, 0]);
  });

  it('cells ever flagged per area: c0, c3 at 1 cell; c0, c2, c3 at 2 cells', () => {
    expect(Array.from(p!.flaggedEver[0]!)).toEqual([1, 0, 0, 1, 0]);
    expect(Array.from(p!.flaggedEver[1]!)).toEqual([1, 0, 1, 1, 0]);
  });

  it('calls every runner for every window in order, reports progress, and collects fit logs and notes', () => {
    expect(seen).toEqual(['0/planted/5', '0/ranked/5', '1/planted/5', '1/ranked/5']);
    expect(progress).toEqual([0, 0.5, 1]);
    expect(Object.keys(scores.fitLogs)).toEqual(['planted']);
    expect(scores.notes).toEqual(['planted note']);
  });

  it('leaves a window without events undefined (NaN) and scores no boxes with top 0', () => {
    const s = scoreWindows(handRun([[], [1]], { top: 0 }), [planted]).models[0]!;
    expect(s.hitRate[0]![0]).toBeNaN();
    expect(s.logSum[0]).toBeNaN();
    expect(s.logEvents[0]).toBe(0);
    expect(s.topKHitRate).toEqual([NaN, NaN]);
    expect(Array.from(s.timesPicked)).toEqual([0, 0, 0, 0, 0]);
    expect(meanDefined(s.hitRate[0]!)).toBe(0); // window 1: c3, c0 flagged, the event in c1
    expect(meanDefined([NaN, NaN], 0)).toBe(0);
  });

  it('can be cancelled between windows', () => {
    let polls = 0;
    expect(() => scoreWindows(run, [planted], { shouldCancel: () => ++polls > 1 })).toThrowError(
      expect.objectContaining({ code: 'E_CANCELLED' }),
    );
    expect(polls).toBe(2);
  });
});
