import { describe, expect, it } from 'vitest';
import * as h3 from 'h3-js';
import { backtest } from '../../engine/evaluate/backtest.ts';
import { backtestHeadline } from '../../engine/evaluate/headline.ts';
import { prepareEvaluation } from '../../engine/evaluate/prepare.ts';
import { PlacedRun } from '../../engine/evaluate/placed.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { cellAreaKm2, coarseParent, fineChildren } from '../../engine/grid/index.ts';
import type { Incident } from '../../engine/types.ts';
import { incident, VAN } from './synthetic.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);

// Two neighbouring res-10 cells A and B in Vancouver, and a res-11 child f of A touching a
// res-11 child g of B: the border of two grid cells.
const A = h3.latLngToCell(49.2827, -123.1207, 10);
const { f, g } = (() => {
  for (const kid of fineChildren(A)) {
    for (const nb of h3.gridDisk(kid, 1)) {
      const parent = coarseParent(nb);
      if (parent !== A) return { f: kid, g: nb };
    }
  }
  throw new Error('no border pair');
})();

let line = 1;
function at11(cell: string, timeMs: number): Incident {
  const [lat, lng] = h3.cellToLatLng(cell);
  return incident(line++, timeMs, { lat, lng });
}

// history: 3 incidents in f and 3 in g (June); the test shift (07-01 06:00-14:00): one in f, one in g
const history = [0, 1, 2].flatMap((d) => [at11(f, at(`2023-06-0${d + 1}T10:00`)), at11(g, at(`2023-06-0${d + 1}T11:00`))]);
const test = [at11(f, at('2023-07-01T08:00')), at11(g, at('2023-07-01T09:00'))];
const input = {
  incidents: [...history, ...test],
  res: 10,
  fromMs: at('2023-07-01T06:00'),
  toMs: at('2023-07-01T14:00'),
  tz: VAN,
  shiftStarts: ['06:00'],
  flaggedKm2: [cellAreaKm2(A)],
  coverage: [0.01],
  top: 1,
  bootstrapResamples: 50,
  models: ['naive-all', 'naive-all-placed'],
};

describe('placed boxes in the backtest: incidents on the border of two grid cells', () => {
  it('a placed box of one cell area catches both; the best grid cell only one (exact)', () => {
    const report = backtest(input);
    expect(report.flaggedCells[0]).toBe(1);
    const key = String(cellAreaKm2(A));
    expect(report.models['naive-all']!.hitRate[key]).toBe(0.5);
    expect(report.models['naive-all']!.topKHitRate).toBe(0.5);
    expect(report.models['naive-all-placed']!.hitRate[key]).toBe(1);
    expect(report.models['naive-all-placed']!.topKHitRate).toBe(1);
    expect(report.models['naive-all-placed']!.placement).toBe('fine');
    expect(report.models['naive-all']!.placement).toBe('grid');
    // concentration by box centre: one box, centred on f or g (the only boxes holding both)
    const picked = report.models['naive-all-placed']!.mostPicked;
    expect(picked).toHaveLength(1);
    expect([f, g]).toContain(picked[0]!.h3);
    expect(report.version).toBe(2);
  });

  it("the headline never takes etas-grid (the reference's own forecasts) for a baseline", () => {
    const report = backtest({ ...input, models: ['naive-all', 'naive-all-placed'], reference: 'naive-all' });
    const key = String(cellAreaKm2(A));
    // a pretend etas-grid catching everything: still not the best baseline; naive-all-placed is one
    const withGrid = {
      ...report,
      modelNames: [...report.modelNames, 'etas-grid'],
      models: { ...report.models, 'etas-grid': report.models['naive-all-placed']! },
    };
    expect(backtestHeadline(withGrid, key)!.bestBaseline).toBe('naive-all-placed');
    const onlyGrid = { ...withGrid, modelNames: ['naive-all', 'etas-grid'] };
    expect(backtestHeadline(onlyGrid, key)!.bestBaseline).toBeNull();
  });

  it('the fine history advances only to each window start (shares from the known past only)', () => {
    const run = prepareEvaluation({ ...input, incidents: [...history, ...test] });
    const placed = new PlacedRun(run);
    const lat = {
      share: (f: number) => placed.counts.share(placed.lattice.coarseId(A), f),
      advanceTo: (ms: number) => placed.advanceTo(ms),
    };
    const fi = placed.lattice.cells.indexOf(f);
    // before any history: equal shares among A's children
    lat.advanceTo(at('2023-05-01'));
    expect(lat.share(fi)).toBeCloseTo(1 / fineChildren(A).length, 15);
    // at the shift start: f holds A's 3 incidents: (3 + 0.5) / (3 + 7 · 0.5)
    lat.advanceTo(run.windows[0]!.startMs);
    expect(lat.share(fi)).toBeCloseTo(3.5 / 6.5, 15);
    // later the test incidents count too; rewinding forgets them again
    lat.advanceTo(at('2023-07-02'));
    expect(lat.share(fi)).toBeCloseTo(4.5 / 7.5, 15);
    lat.advanceTo(run.windows[0]!.startMs);
    expect(lat.share(fi)).toBeCloseTo(3.5 / 6.5, 15);
    expect(placed.actualByWindow[0]!.map((id) => placed.lattice.cells[id]).sort()).toEqual([f, g].sort());
  });
});
