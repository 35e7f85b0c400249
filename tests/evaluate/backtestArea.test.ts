import { describe, expect, it } from 'vitest';
import { backtest, type BacktestInput, type BacktestModelPlugin } from '../../engine/evaluate/backtest.ts';
import { EvaluateError } from '../../engine/evaluate/errors.ts';
import { cellAreaKm2, cellCenter, districtsFromPolygons, gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import type { H3Cell } from '../../engine/types.ts';
import { syntheticIncidents, VAN } from './synthetic.ts';

/** The largest value (0 for none), without spreading into Math.max. */
function maxOf(xs: Iterable<number>): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

const HOUR = 3_600_000;
const at = (s: string): number => parseLocalDateTime(s, VAN);
const RES = 10;
// The synthetic lattice spans lat 49.250–49.265, lng -123.120 to -123.104; this box holds its
// three southern rows only (lat 49.250, 49.253, 49.256), with ≥ 150 m to spare on every side.
const [W, S, E, N] = [-123.125, 49.2485, -123.1, 49.2575];
const SPLIT_LNG = -123.114; // districts A (west of it) and B (east), between lattice columns
const ring = (w: number, s: number, e: number, n: number): number[][] => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];
const square = { type: 'Polygon' as const, coordinates: [ring(W, S, E, N)] };
const districtsFc = {
  type: 'FeatureCollection' as const,
  features: [
    {
      type: 'Feature' as const,
      properties: { name: 'A' },
      geometry: { type: 'Polygon' as const, coordinates: [ring(-123.2, 49.2, SPLIT_LNG, 49.3)] },
    },
    {
      type: 'Feature' as const,
      properties: { name: 'B' },
      geometry: { type: 'Polygon' as const, coordinates: [ring(SPLIT_LNG, 49.2, -123.0, 49.3)] },
    },
  ],
};

/**
 * Oracle of the study cells, independent of h3's polygon fill: every cell of a wide disk around
 * the box whose centre lies inside the (axis-aligned) box.
 */
function boxCells(): Set<H3Cell> {
  const centre = incidentCell((S + N) / 2, (W + E) / 2, RES);
  const out = new Set<H3Cell>();
  for (const c of gridDisk(centre, 25)) {
    const { lat, lng } = cellCenter(c);
    if (lat > S && lat < N && lng > W && lng < E) out.add(c);
  }
  return out;
}

const FROM = at('2023-07-01');
const data = syntheticIncidents(3, 2500, at('2023-05-01'), at('2023-07-04'));
const inBox = boxCells();
const seen: { startMs: number; cells: H3Cell[]; events: number }[] = [];
const spy: BacktestModelPlugin = {
  name: 'spy',
  countsForecast: false,
  forecast(window, history) {
    seen.push({ startMs: window.startMs, cells: [...history.cells], events: history.cell.length });
    return { cells: [], scores: [] };
  },
};
const input: BacktestInput = {
  incidents: data,
  res: RES,
  fromMs: FROM,
  toMs: at('2023-07-02'),
  tz: VAN,
  models: ['naive-all', 'oracle'],
  plugins: [spy],
  top: 1,
  bootstrapResamples: 50,
  studyPolygon: square,
  districtOf: (cells) => districtsFromPolygons(districtsFc, cells),
};
const report = backtest(input);

describe('backtest with a study polygon and district polygons', () => {
  it('the box grid has room to spare and the data lie partly outside it', () => {
    expect(inBox.size).toBeGreaterThan(100);
    const outside = data.filter((d) => !inBox.has(incidentCell(d.lat, d.lng, RES))).length;
    expect(outside).toBeGreaterThan(500);
    expect(outside).toBeLessThan(data.length - 500);
  });

  it('studies exactly the cells whose centres lie in the polygon; its area is the sum of theirs', () => {
    let km2 = 0;
    for (const c of inBox) km2 += cellAreaKm2(c);
    expect(report.cells).toBe(inBox.size);
    expect(report.studyAreaKm2).toBeCloseTo(km2, 10);
  });

  it('scores every incident of the test period, those outside the polygon as uncatchable', () => {
    const start = at('2023-07-01T06:00');
    const test = data.filter((d) => d.timeMs >= start && d.timeMs < start + 24 * HOUR);
    const outside = test.filter((d) => !inBox.has(incidentCell(d.lat, d.lng, RES))).length;
    expect(outside).toBeGreaterThan(0);
    expect(report.events).toBe(test.length);
    expect(report.eventsOutsideArea).toBe(outside);
    expect(report.notes.some((n) => n.includes(`${outside} scored incidents fall outside the study cells (the given polygon)`))).toBe(true);
  });

  it('trains no model on incidents outside the polygon', () => {
    expect(seen).toHaveLength(3);
    for (const s of seen) {
      for (const c of s.cells) expect(inBox.has(c)).toBe(true);
      const known = data.filter((d) => d.timeMs + 60_000 <= s.startMs && inBox.has(incidentCell(d.lat, d.lng, RES))).length;
      expect(s.events).toBe(known);
    }
  });

  it('takes the top-K boxes per polygon district (oracle at K = 1: the busiest cell of A plus that of B)', () => {
    expect(report.districts).toBe(2);
    const start = at('2023-07-01T06:00');
    for (let w = 0; w < 3; w++) {
      const lo = start + w * 8 * HOUR;
      const win = data.filter((d) => d.timeMs >= lo && d.timeMs < lo + 8 * HOUR);
      const counts = { A: new Map<H3Cell, number>(), B: new Map<H3Cell, number>() };
      for (const d of win) {
        const c = incidentCell(d.lat, d.lng, RES);
        if (!inBox.has(c)) continue;
        const m = cellCenter(c).lng < SPLIT_LNG ? counts.A : counts.B;
        m.set(c, (m.get(c) ?? 0) + 1);
      }
      const best = maxOf(counts.A.values()) + maxOf(counts.B.values());
      expect(counts.A.size).toBeGreaterThan(0);
      expect(counts.B.size).toBeGreaterThan(0);
      expect(report.perShift.models.oracle!.topKHitRate[w]).toBeCloseTo(best / win.length, 12);
    }
  });

  it('refuses a polygon holding no cell centre, and a non-polygon geometry, as E_AREA', () => {
    const tiny = { type: 'Polygon' as const, coordinates: [ring(-123.11, 49.25, -123.1099, 49.2501)] };
    expect(() => backtest({ ...input, studyPolygon: tiny })).toThrow(/contains no cell centre/);
    let err: unknown;
    try {
      backtest({ ...input, studyPolygon: { type: 'Point', coordinates: [-123.1, 49.25] } as never });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvaluateError);
    expect((err as EvaluateError).code).toBe('E_AREA');
    expect((err as Error).message).toMatch(/study polygon: .*Polygon or MultiPolygon/);
  });
});
