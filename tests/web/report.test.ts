/**
 * The evaluation view's report reader (web/views/report.ts) on a real engine backtest report:
 * a short replay of Vancouver property crime from the bundled fixture.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtest, ingestCsvText, parseLocalDateTime, type BacktestReport as EngineReport } from '../../engine/index.ts';
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
