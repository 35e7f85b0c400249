/**
 * The backtest forecasts a shift as the sergeant's service does, and scores the boxes the
 * sergeant sees. A backtest over a period holding one shift (2023-12-15 22:00 on the Vancouver
 * fixture) makes a cold fit on everything known before the shift; its per-cell scores, seen
 * through `hooks.onForecast`, are compared with the service's expected counts, and its top 20
 * per district (engine/evaluate's rule, topKPerDistrictFromScores over the study cells) with the
 * service's boxes.
 *
 * Measured: the two agree exactly (largest difference 0, absolute and relative, over the 11,180
 * study cells) for `etas` and for `etas-2015` (both the backtest's one rolling runner, the latter
 * with the ETAS_2015 preset); the tests assert equality, not a tolerance.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backtest,
  districtsFromLabels,
  type AdaptRecord,
  periodEndMs,
  shiftBoxes,
  type H3Cell,
  type Incident,
  type ShiftBoxes,
} from '../../engine/index.ts';
import { topKPerDistrictFromScores } from '../../engine/evaluate/metrics.ts';
import { SHIFT, TZ, vancouver } from './support.ts';

interface BacktestForecast {
  readonly cells: readonly H3Cell[];
  readonly scores: Float64Array;
  /** The adaptive selection of the first (only) fit, when the model adapts. */
  readonly adapt: AdaptRecord | undefined;
}

/** The backtest's forecast of the one shift by `model`, as its onForecast hook sees it. */
function backtestForecast(incidents: readonly Incident[], model: 'etas' | 'etas-2015'): BacktestForecast {
  let seen: Omit<BacktestForecast, 'adapt'> | null = null;
  const report = backtest(
    {
      incidents,
      res: 10,
      tz: TZ,
      fromMs: SHIFT.startMs,
      toMs: SHIFT.startMs + 1,
      shiftStarts: ['22:00'],
      models: [model],
      bootstrapResamples: 10,
    },
    {
      onForecast: (info) => {
        expect(info.model).toBe(model);
        seen = { cells: [...info.cells], scores: Float64Array.from(info.scores) };
      },
    },
  );
  expect(report.shifts).toBe(1);
  return { ...seen!, adapt: report.fits[0]!.adapt };
}

const runs = new Map<string, { backtest: BacktestForecast; service: ShiftBoxes }>();

beforeAll(() => {
  const incidents = vancouver();
  for (const model of ['etas', 'etas-2015'] as const) {
    runs.set(model, {
      backtest: backtestForecast(incidents, model),
      service: shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, model, placement: 'grid' }),
    });
  }
}, 60_000);

describe.each(['etas', 'etas-2015'])('%s: the backtest and the service forecast the shift alike', (model) => {
  it("the backtest's score of every study cell is the service's expected count (0 for a cell it leaves out)", () => {
    const { backtest: bt, service } = runs.get(model)!;
    const expected = new Map(service.forecast.cells.map((c, i) => [c, service.forecast.expected[i]!]));
    expect(bt.cells.length).toBe(11_180);
    // Every cell the service forecasts is a study cell (history cells and the hull around them).
    const study = new Set(bt.cells);
    expect(service.forecast.cells.filter((c) => !study.has(c))).toEqual([]);
    let positive = 0;
    let largestDifference = 0;
    for (let i = 0; i < bt.cells.length; i++) {
      const want = expected.get(bt.cells[i]!) ?? 0;
      if (want > 0) positive++;
      largestDifference = Math.max(largestDifference, Math.abs(bt.scores[i]! - want));
    }
    expect(positive).toBe(service.forecast.cells.length);
    expect(largestDifference).toBe(0);
  });

  it('both made the same adaptive choice (etas: the default adapts; etas-2015 does not)', () => {
    const { backtest: bt, service } = runs.get(model)!;
    if (model === 'etas-2015') {
      expect(bt.adapt).toBeUndefined();
      expect(service.fit.adapt).toBeUndefined();
      return;
    }
    expect(bt.adapt).toBeDefined();
    expect(service.fit.adapt!.variant).toEqual(bt.adapt!.variant);
    expect(service.fit.adapt!.reason).toBe(bt.adapt!.reason);
    expect(service.fit.adapt!.holdout).toEqual(bt.adapt!.holdout);
    // measured: on the fixture, 56 days before 2023-12-15 22:00, a model variant beats counts
    expect(bt.adapt!.variant.kind).toBe('model');
  });

  it('the boxes the backtest scores (top 20 per district) are the boxes the service gives the sergeant, in order', () => {
    const { backtest: bt, service } = runs.get(model)!;
    // The backtest's districts, by its own rule (worked out here, not taken from the service):
    // the majority label of the incidents known before the first shift.
    const known = vancouver().filter((inc) => periodEndMs(inc, TZ) <= SHIFT.startMs);
    const districtOf = districtsFromLabels(known, 10);
    expect([...service.districtOf]).toEqual([...districtOf]);
    const names = [...new Set(bt.cells.map((c) => districtOf.get(c)).filter((d): d is string => d !== undefined))].sort();
    const index = new Map(names.map((d, i) => [d, i]));
    const districtOfCell = Int32Array.from(bt.cells, (c) => (districtOf.has(c) ? index.get(districtOf.get(c)!)! : -1));
    const picked = Array.from(topKPerDistrictFromScores(bt.scores, districtOfCell, names.length, 20));
    // The backtest fills a district short of positive cells with zero-score cells; the service
    // never makes a box of a cell with nothing expected.
    const boxes = picked.filter((c) => bt.scores[c]! > 0).map((c) => `${districtOf.get(bt.cells[c]!)} ${bt.cells[c]}`);
    expect(boxes.length).toBe(474);
    expect(service.boxes.map((b) => `${b.district} ${b.h3}`)).toEqual(boxes);
  });
});
