/**
 * backtestHeadline's words (the verdict at the top of the HTML report, the CLI's summary and the
 * web app's evaluation view): "beat" only with the paired 95% interval and only when the interval
 * is above zero; an interval spanning zero is called level, within noise.
 */
import { describe, expect, it } from 'vitest';
import { backtestHeadline, pairedVerdict } from '../../engine/evaluate/headline.ts';
import type { BacktestReport } from '../../engine/evaluate/report.ts';

/** The parts of a report the headline reads: etas against naive-all at 1 km², and the oracle. */
function report(diff: { mean: number; lo: number; hi: number }): BacktestReport {
  const model = (rate: number, paired: boolean) => ({
    hitRate: { '1': rate },
    pairedDiff: paired ? { hitRate: { '1': { diff, relative: { mean: diff.mean / 0.3, lo: NaN, hi: NaN } } } } : null,
  });
  return {
    reference: 'etas',
    mode: 'shifts',
    shifts: 276,
    flaggedKm2: [1],
    modelNames: ['etas', 'naive-all', 'oracle'],
    models: { etas: model(0.336, false), 'naive-all': model(0.3, true), oracle: model(1, true) },
  } as unknown as BacktestReport;
}

describe('backtestHeadline', () => {
  it('says "beat" with the difference and its 95% interval when the interval is above zero', () => {
    const h = backtestHeadline(report({ mean: 0.036, lo: 0.029, hi: 0.043 }))!;
    expect(h.verdict).toBe('better');
    expect(h.bestBaseline).toBe('naive-all');
    expect(h.sentence).toContain(
      'etas beat it by +3.60 percentage points (+12.0%; 95% interval +2.90 to +4.30 points): a real, clear gain.',
    );
    expect(h.sentence).toContain('the best baseline, naive-all, caught 30.0%');
  });

  it('says "level with", never "beat", when the interval spans zero', () => {
    const h = backtestHeadline(report({ mean: 0.006, lo: -0.002, hi: 0.014 }))!;
    expect(h.verdict).toBe('no clear difference');
    expect(h.sentence).toContain('(+2.0%; 95% interval −0.20 to +1.40 points), is within noise: etas is level with naive-all.');
    expect(h.sentence).not.toMatch(/beat|better than/);
  });

  it('says "did worse", with the interval, when the interval is below zero', () => {
    const h = backtestHeadline(report({ mean: -0.02, lo: -0.03, hi: -0.01 }))!;
    expect(h.verdict).toBe('worse');
    expect(h.sentence).toContain('etas did worse, by −2.00 percentage points');
    expect(h.sentence).toContain('95% interval −3.00 to −1.00 points');
    expect(h.sentence).not.toMatch(/beat/);
  });

  it('gives no verdict without an interval (a JSON report stores NaN as null)', () => {
    const h = backtestHeadline(report({ mean: 0.05, lo: null as unknown as number, hi: NaN }))!;
    expect(h.verdict).toBe('no clear difference');
    expect(h.sentence).toContain('+5.00 percentage points (no 95% interval: too few shifts to resample), cannot be judged: no verdict.');
    expect(h.sentence).not.toMatch(/beat|level/);
  });
});

describe('pairedVerdict (the same words for the review of what was published)', () => {
  const iv = (mean: number, lo: number, hi: number) => ({ mean, lo, hi, n: 90 });
  it('names the baseline it beat, and says which was better when the interval is below zero', () => {
    expect(pairedVerdict('the published map', 'all-history counts', iv(0.031, 0.01, 0.05), iv(0.12, 0.04, 0.2)).words).toBe(
      'the published map beat all-history counts by +3.10 percentage points (+12.0%; 95% interval +1.00 to +5.00 points): a real, clear gain.',
    );
    const worse = pairedVerdict('the published map', 'all-history counts', iv(-0.031, -0.05, -0.01), iv(-0.12, -0.2, -0.04));
    expect(worse.verdict).toBe('worse');
    expect(worse.words).toBe(
      'the published map did worse, by −3.10 percentage points (−12.0%; 95% interval −5.00 to −1.00 points): the better forecast here was all-history counts.',
    );
  });
});
