/**
 * The backtest scores the placed boxes the sergeant sees (issue 11): for several shifts of the
 * Vancouver fixture, a backtest over a period holding the one shift (a cold fit on everything
 * known before it, as the service's) places its boxes with its own code path (engine/evaluate
 * placed.ts placeWindow on the scores its `onForecast` hook shows, the history advanced to the
 * window start), and those top 20 per district are the boxes of `shiftBoxes(..., placement
 * 'fine')`: the same centres, the same order, the same expected counts (to the last bit). The
 * backtest's own top-K hit rate is what those boxes catch. The grid twin is backtest.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { backtest, shiftAt, shiftBoxes, trainModel, type Incident, type ShiftBoxes } from '../../engine/index.ts';
import { prepareEvaluation } from '../../engine/evaluate/prepare.ts';
import { PlacedRun, placeWindow } from '../../engine/evaluate/placed.ts';
import { TZ, vancouver } from './support.ts';

const SHIFTS = ['2023-12-15T22:00', '2023-06-01T06:00', '2023-10-10T14:00'];
/** Boxes per shift (24 districts, a few short of 20 positive centres), measured. */
const BOXES: Record<string, number> = { '2023-12-15T22:00': 474, '2023-06-01T06:00': 460, '2023-10-10T14:00': 472 };

interface Compared {
  readonly backtest: { key: string; expected: number }[];
  readonly service: ShiftBoxes;
  readonly topKHitRate: number;
  readonly caught: number;
  readonly events: number;
}

function compare(incidents: readonly Incident[], at: string): Compared {
  const shift = shiftAt(at, TZ, 8);
  const input = {
    incidents,
    res: 10,
    tz: TZ,
    fromMs: shift.startMs,
    toMs: shift.startMs + 1,
    shiftStarts: [at.slice(11)],
    models: ['etas'],
    bootstrapResamples: 10,
  };
  let scores: Float64Array | null = null;
  const report = backtest(input, { onForecast: (info) => (scores = Float64Array.from(info.scores)) });
  expect(report.shifts).toBe(1);
  // The backtest's placement of that forecast, by the calls its scoring makes (scorePlaced).
  const run = prepareEvaluation(input);
  const placed = new PlacedRun(run);
  placed.advanceTo(run.windows[0]!.startMs);
  const boxes = placeWindow(placed, run, scores!, 0, 20);
  const lat = placed.lattice;
  const { names, ofCell } = run.districts;
  const byDistrict = names.map((): { key: string; expected: number }[] => []);
  boxes.district.forEach((f, b) => {
    const d = ofCell[lat.parent[f]!]!;
    byDistrict[d]!.push({ key: `${names[d]} ${lat.cells[f]}`, expected: boxes.districtExpected[b]! });
  });
  // What they catch: the window's incidents whose res-11 cell is in a box.
  const inBox = new Set<number>();
  for (const f of boxes.district) {
    const at7 = lat.boxAt(f);
    for (let j = at7; j < at7 + 7; j++) if (lat.box[j]! >= 0) inBox.add(lat.box[j]!);
  }
  const actual = placed.actualByWindow[0]!;
  const service = shiftBoxes({ incidents, tz: TZ, res: 10, shift, model: 'etas' });
  return {
    backtest: byDistrict.flat(),
    service,
    topKHitRate: report.models['etas']!.topKHitRate,
    caught: actual.filter((f) => f >= 0 && inBox.has(f)).length,
    events: run.actuals.byWindow[0]!.length,
  };
}

const runs = new Map<string, Compared>();

beforeAll(() => {
  const incidents = vancouver();
  for (const at of SHIFTS) runs.set(at, compare(incidents, at));
}, 120_000);

describe.each(SHIFTS)('shift %s: the backtest places the boxes the service gives the sergeant', (at) => {
  it('the same centres in the same order (districts by name, boxes by rank), the same expected counts', () => {
    const { backtest: bt, service } = runs.get(at)!;
    expect(service.placement).toBe('fine');
    expect(bt.length).toBe(BOXES[at]);
    expect(service.boxes.map((b) => `${b.district} ${b.h3}`)).toEqual(bt.map((b) => b.key));
    // One code path, so not merely within 1e-12: the same sums to the last bit (measured: 0).
    expect(service.boxes.map((b) => b.expected)).toEqual(bt.map((b) => b.expected));
  });

  it("the backtest's top-20 hit rate is what these boxes catch", () => {
    const { topKHitRate, caught, events } = runs.get(at)!;
    expect(events).toBeGreaterThan(0);
    expect(topKHitRate).toBe(caught / events);
  });
});

describe("the trained model's placement cache (later shifts after the fit)", () => {
  it("gives the boxes of a fresh computation, for the fit's shift and the next two, and is kept for those incidents only", () => {
    const incidents = vancouver();
    const first = shiftAt(SHIFTS[0]!, TZ, 8);
    const trained = trainModel({ incidents, tz: TZ, res: 10, untilMs: first.startMs });
    const request = { incidents, tz: TZ, res: 10, fit: trained.fit } as const;
    for (const k of [0, 1, 2]) {
      const shift = { ...first, startMs: first.startMs + k * 8 * 3_600_000 };
      const cached = shiftBoxes({ ...request, shift, placementCache: trained.placementCache });
      const fresh = shiftBoxes({ ...request, shift });
      expect(cached.placementCache).toBe(trained.placementCache);
      expect(fresh.placementCache).not.toBe(trained.placementCache);
      expect(cached.boxes.length).toBeGreaterThan(400);
      expect(cached.boxes).toEqual(fresh.boxes);
    }
    // Another incidents array (even with the same rows): the cache is not used.
    const copy = shiftBoxes({ ...request, incidents: [...incidents], shift: first, placementCache: trained.placementCache });
    expect(copy.placementCache).not.toBe(trained.placementCache);
    expect(copy.boxes).toEqual(shiftBoxes({ ...request, shift: first }).boxes);
  }, 60_000);
});
