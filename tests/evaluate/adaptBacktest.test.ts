/**
 * The adaptive default in the backtest (engine/evaluate rolling.ts, adaptRolling.ts;
 * docs/model.md#adaptive-default): when the selection keeps all-history counts, `etas-grid` is
 * naive-all, shift by shift (the counts follow the incidents known at each window's start, not
 * only at the day's refit), and the report lists one selection record per selection anchor.
 */
import { describe, expect, it } from 'vitest';
import { backtest, checkEtasConfig, shiftAt } from '../../engine/index.ts';
import { TZ, vancouver } from '../service/support.ts';

describe('the counts fall-back in the backtest', () => {
  it('scores exactly as naive-all, and the selections are listed in the fits', () => {
    // minZ out of reach: every selection keeps counts
    const etasConfig = checkEtasConfig({ adapt: { minZ: 1e9, reselectEveryDays: 7 } });
    const report = backtest({
      incidents: vancouver(),
      res: 10,
      tz: TZ,
      fromMs: shiftAt('2023-07-01T06:00', TZ, 8).startMs,
      toMs: shiftAt('2023-07-15T06:00', TZ, 8).startMs,
      models: ['etas', 'etas-grid', 'naive-all'],
      etasConfig,
      bootstrapResamples: 10,
    });
    expect(report.shifts).toBe(42);
    const selections = report.fits.filter((f) => f.adapt !== undefined);
    // the first refit, then the first refit after each 7-day anchor (Mondays 00:00Z from 2001-01-01: 2023-07-03 and
    // 2023-07-10 00:00Z are Sunday 17:00 PDT; the next refits are Monday 06:00 PDT = 13:00Z)
    expect(selections.map((f) => f.trainedUntil)).toEqual([
      '2023-07-01T13:00:00.000Z',
      '2023-07-03T13:00:00.000Z',
      '2023-07-10T13:00:00.000Z',
    ]);
    for (const f of selections) expect(f.adapt!.variant).toEqual({ kind: 'counts' });
    const [model, counts] = [report.models['etas-grid']!, report.models['naive-all']!];
    for (const a of ['0.5', '1', '2', '5']) expect(model.hitRate[a]).toBe(counts.hitRate[a]);
    expect(model.topKHitRate).toBe(counts.topKHitRate);
    expect(model.logScore).toBeCloseTo(counts.logScore, 6);
  }, 120_000);
});
