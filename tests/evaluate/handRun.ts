/**
 * A hand-made evaluation run for the scoring and summary tests (not a test file itself): five
 * study cells c0..c4 of areas 1, 1, 2, 2, 4 km², districts [0, 0, 1, 1, none], two windows.
 * Only the fields that scoreWindows and summarise read are real; the rest throw when touched.
 */
import type { EvaluationRun } from '../../engine/evaluate/prepare.ts';
import type { EvalWindow } from '../../engine/evaluate/timing.ts';

const HOUR = 3_600_000;

/** Window events (study cell per event, −1 outside) by window. */
export function handRun(
  byWindow: number[][],
  overrides: { flaggedCells?: number[]; coverageCells?: number[]; top?: number } = {},
): EvaluationRun {
  const windows: EvalWindow[] = byWindow.map((_, w) => ({ startMs: w * 8 * HOUR, endMs: (w + 1) * 8 * HOUR, hours: 8, label: `w${w}` }));
  const cellAreaKm2 = Float64Array.of(1, 1, 2, 2, 4);
  const flaggedCells = overrides.flaggedCells ?? [1, 2];
  const coverageCells = overrides.coverageCells ?? [4];
  let events = 0;
  let outsideArea = 0;
  for (const ev of byWindow) {
    for (const c of ev) {
      events++;
      if (c < 0) outsideArea++;
    }
  }
  const run = {
    res: 10,
    tz: 'UTC',
    months: false,
    fromMs: 0,
    toMs: windows.length * 8 * HOUR,
    shiftStarts: ['00:00', '08:00', '16:00'],
    shiftHours: 8,
    windows,
    history: new Array(7).fill(null),
    study: {
      cells: ['c0', 'c1', 'c2', 'c3', 'c4'],
      index: new Map(['c0', 'c1', 'c2', 'c3', 'c4'].map((c, i) => [c, i])),
      cellAreaKm2,
      areaKm2: 10,
      meanCellAreaKm2: 2,
      fromPolygon: false,
    },
    districts: { names: ['d0', 'd1'], ofCell: Int32Array.of(0, 0, 1, 1, -1), byCell: new Map() },
    actuals: { byWindow, events, outsideArea, unplaced: 0 },
    measures: {
      flaggedKm2: flaggedCells.map((k) => 2 * k),
      flaggedCells,
      coverage: coverageCells.map((k) => k / 5),
      coverageCells,
      top: overrides.top ?? 1,
    },
    notes: ['a run note'],
  };
  return new Proxy(run, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target)) throw new Error(`handRun: ${String(key)} is not part of the hand-made run`);
      return target[key as keyof typeof target];
    },
  }) as unknown as EvaluationRun;
}
