/**
 * The evaluation view's chart series, built from a report (no DOM, so tests can check them): the
 * oracle is left off the y scale unless asked for, since its hit rate of about 100% would squash
 * every real model's line to the floor.
 */
import type { Series } from '../charts.ts';
import { type BacktestReport, modelNames, perShiftSeries } from './report.ts';

export const MODEL_LABELS: Readonly<Record<string, string>> = {
  etas: 'ETAS model',
  'etas-2015': 'ETAS 2015 (plain)',
  'naive-28': 'counts, last 28 days',
  'naive-365': 'counts, last 365 days',
  'naive-all': 'counts, all history',
  retro: 'retrospective hotspot',
  prospective: 'prospective hotspot',
  random: 'random (floor)',
  oracle: 'oracle (ceiling)',
};

/** The ceiling: on the charts' y scale only when the user asks for it. */
const offScale = (name: string, showOracle: boolean): boolean => name === 'oracle' && !showOracle;

/** Hit rate against flagged area, one series per model with its 95% intervals. */
export function areaSeries(report: BacktestReport, showOracle: boolean): Series[] {
  return modelNames(report).map((name) => ({
    name: MODEL_LABELS[name] ?? name,
    emphasis: name === 'etas',
    offScale: offScale(name, showOracle),
    points: report.areaKeys
      .map((key) => [Number(key), report.models[name]?.hitRate[key] ?? NaN] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
    intervals: report.areaKeys
      .map((key) => {
        const ci = report.models[name]?.hitRateCi[key];
        return [Number(key), ci?.lo ?? NaN, ci?.hi ?? NaN] as const;
      })
      .filter(([, lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi)),
  }));
}

/** Hit rate over time at one flagged area (pooled over the last 21 shifts), one series per model. */
export function timeSeries(report: BacktestReport, areaKey: string, showOracle: boolean): Series[] {
  const series: Series[] = [];
  for (const name of modelNames(report)) {
    const points = perShiftSeries(report, name, areaKey);
    if (points.length > 0)
      series.push({ name: MODEL_LABELS[name] ?? name, emphasis: name === 'etas', offScale: offScale(name, showOracle), points });
  }
  return series;
}
