/**
 * The evaluation view's report reader (web/views/report.ts), its chart series and y scale
 * (web/views/evaluationSeries.ts, web/charts.ts) and its verdict in words, on a real engine
 * backtest report: a short replay of Vancouver property crime from the bundled fixture.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtest, ingestCsvText, parseLocalDateTime, type BacktestReport as EngineReport } from '../../engine/index.ts';
import { yDomain } from '../../web/charts.ts';
import { areaSeries, timeSeries } from '../../web/views/evaluationSeries.ts';
import { modelNames, perShiftSeries, readReport } from '../../web/views/report.ts';

const TZ = 'America/Vancouver';
let engineReport: EngineReport;

beforeAll(() => {
  const text = gunzipSync(readFileSync('fixtures/vancouver/property_2023.csv.gz')).toString('utf8');
  const { incidents } = ingestCsvText(text, { file: 'property_2023.csv.gz', format: 'vancouver' });
  engineReport = backtest({
    incidents,
    res: 10,
    tz: TZ,
    fromMs: parseLocalDateTime('2023-12-20T00:00', TZ),
    toMs: parseLocalDateTime('2023-12-24T00:00', TZ),
    models: ['etas', 'naive-28', 'random', 'oracle'],
    refitEveryDays: 7,
    bootstrapResamples: 50,
  });
});

describe('readReport', () => {
  it('readReport(backtest report) keeps every model and its hit rate per flagged area', () => {
    const report = readReport(engineReport);
    expect(report.shifts).toBe(12); // 4 days × 3 shifts
    expect(modelNames(report)).toEqual(['etas', 'naive-28', 'random', 'oracle']);
    expect(report.areaKeys).toEqual(['0.5', '1', '2', '5']);
    for (const name of modelNames(report)) {
      expect(report.models[name]!.hitRate).toEqual(engineReport.models[name]!.hitRate);
      expect(report.models[name]!.topKHitRate).toBe(engineReport.models[name]!.topKHitRate);
      expect(report.models[name]!.hitRateCi['1']!.lo).toBe(engineReport.models[name]!.ci.hitRate['1']!.lo);
    }
  });

  it('readReport reads the JSON file the CLI writes (NaN saved as null) the same as the object', () => {
    const fromFile = readReport(JSON.parse(JSON.stringify(engineReport)));
    const direct = readReport(engineReport);
    expect(fromFile.models).toEqual(direct.models);
    expect(fromFile.perShift).toEqual(direct.perShift);
  });

  it('perShiftSeries with a one-shift window is the per-shift hit rate of shifts with events', () => {
    const report = readReport(engineReport);
    const column = engineReport.perShift.models['etas']!.hitRate['1']!;
    const expected = engineReport.perShift.startMs
      .map((startMs, i) => [startMs, column[i]] as const)
      .filter((_, i) => engineReport.perShift.events[i]! > 0);
    const series = perShiftSeries(report, 'etas', '1', 1);
    expect(series.map(([t]) => t)).toEqual(expected.map(([t]) => t));
    series.forEach(([, rate], i) => expect(rate).toBeCloseTo(expected[i]![1]!, 12));
  });

  it('perShiftSeries pools caught and occurred crimes over the window', () => {
    const report = readReport(engineReport);
    const { events, models } = engineReport.perShift;
    const rates = models['naive-28']!.hitRate['2']!;
    const series = perShiftSeries(report, 'naive-28', '2', 3);
    const last = events.length - 1;
    let caught = 0;
    let occurred = 0;
    for (let i = last - 2; i <= last; i++) {
      caught += (rates[i] ?? 0) * events[i]!;
      occurred += events[i]!;
    }
    expect(series[series.length - 1]![1]).toBeCloseTo(caught / occurred, 12);
  });

  it('the oracle line never falls below the ETAS line over time', () => {
    const report = readReport(engineReport);
    const oracle = perShiftSeries(report, 'oracle', '1');
    const etas = perShiftSeries(report, 'etas', '1');
    etas.forEach(([, rate], i) => expect(oracle[i]![1]).toBeGreaterThanOrEqual(rate - 1e-12));
  });

  it('readReport refuses a file that is not a report, naming it', () => {
    expect(() => readReport({ type: 'FeatureCollection', features: [] }, 'boxes.geojson')).toThrow(
      /boxes\.geojson is not a backtest report/,
    );
    expect(() => readReport({ models: {} }, 'empty.json')).toThrow(/empty\.json has no models/);
  });
});

describe('the evaluation charts: the oracle off the y scale unless asked for', () => {
  /** The highest hit rate or interval end of the models other than the oracle, over all areas. */
  const realTop = (): number => {
    let top = -Infinity;
    for (const name of engineReport.modelNames) {
      if (name === 'oracle') continue;
      for (const ci of Object.values(engineReport.models[name]!.ci.hitRate)) top = Math.max(top, ci.mean, ci.hi);
    }
    return top;
  };

  it('by default the y scale of hit rate against area is set by the real models, not the oracle', () => {
    const series = areaSeries(readReport(engineReport), false);
    expect(series.filter((s) => s.offScale).map((s) => s.name)).toEqual(['oracle (ceiling)']);
    expect(engineReport.models['oracle']!.hitRate['1']).toBe(1);
    expect(realTop()).toBeLessThan(0.8);
    expect(yDomain(series, true)).toEqual([0, realTop()]);
  });

  it('with "show the oracle" the oracle is on the scale and sets its top (100%)', () => {
    const series = areaSeries(readReport(engineReport), true);
    expect(series.some((s) => s.offScale)).toBe(false);
    expect(yDomain(series, true)).toEqual([0, 1]);
  });

  it('over time the same: the oracle off the scale by default, on it when asked', () => {
    const report = readReport(engineReport);
    const off = timeSeries(report, '1', false);
    const on = timeSeries(report, '1', true);
    const oracleTop = perShiftSeries(report, 'oracle', '1').reduce((top, [, v]) => Math.max(top, v), -Infinity);
    expect(off.find((s) => s.name === 'oracle (ceiling)')!.offScale).toBe(true);
    expect(yDomain(off)![1]).toBeLessThan(oracleTop);
    expect(yDomain(on)![1]).toBe(oracleTop);
  });

  it('yDomain of series all off the scale uses them all rather than drawing nothing', () => {
    expect(
      yDomain([
        {
          name: 'a',
          points: [
            [1, 0.2],
            [2, 0.4],
          ],
          offScale: true,
        },
      ]),
    ).toEqual([0.2, 0.4]);
    expect(yDomain([{ name: 'a', points: [[1, NaN]] }])).toBeNull();
  });
});

describe("the evaluation view's verdict in words", () => {
  it('a verdict carries the paired 95% interval, and says "beat" only when the interval is above zero', () => {
    const words = readReport(engineReport).words;
    expect(words).toMatch(/^12 shifts, [\d,]+ crimes scored\. With the top cells covering 1 km², etas caught [\d.]+%/);
    expect(words).toMatch(/95% interval [+−]\d+\.\d\d to [+−]\d+\.\d\d points/);
    const diff = engineReport.models['naive-28']!.pairedDiff!.hitRate['1']!.diff;
    expect(/beat/.test(words)).toBe(diff.lo > 0);
  });

  it('an interval spanning zero reads "level with ... within noise", never "beat"', () => {
    const raw = JSON.parse(JSON.stringify(engineReport)) as typeof engineReport;
    const paired = raw.models['naive-28']!.pairedDiff!.hitRate['1']!;
    Object.assign(paired.diff, { mean: 0.01, lo: -0.004, hi: 0.024 });
    const words = readReport(raw).words;
    expect(words).toContain('95% interval −0.40 to +2.40 points), is within noise: etas is level with naive-28.');
    expect(words).not.toMatch(/beat|better than/);
  });

  it('a file without paired differences gets the rates and no verdict', () => {
    const words = readReport({ models: { etas: { hitRate: { '1': 0.3 } }, 'naive-28': { hitRate: { '1': 0.2 } } }, shifts: 3 }).words;
    expect(words).toBe(
      '3 shifts, 0 crimes scored. With 1 km² flagged, the ETAS model caught 30.0% of crime (the file has no paired intervals, so no verdict against the baselines).',
    );
  });
});
