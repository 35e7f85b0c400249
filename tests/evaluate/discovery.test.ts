/**
 * The feedback-loop stress test (engine/evaluate/discovery.ts) on the bundled Vancouver fixture:
 * found incidents never count as real ones, p = 0 is the backtest's placed etas to the bit,
 * rotation rests what it says it rests; the Poisson draws, the merge of found events and the
 * weekly measures on hand-made inputs.
 */
import { describe, expect, it } from 'vitest';
import { backtest } from '../../engine/evaluate/backtest.ts';
import { runDiscovery } from '../../engine/evaluate/discovery.ts';
import { discoveryStudy } from '../../engine/evaluate/discoveryStudy.ts';
import { mergeFound, poissonDraw } from '../../engine/evaluate/discoveryEvents.ts';
import { periodMeasures, topShare, type DiscoveryShift } from '../../engine/evaluate/discoveryMetrics.ts';
import { prepareEvaluation } from '../../engine/evaluate/prepare.ts';
import { periodEndMs } from '../../engine/evaluate/timing.ts';
import { FineLattice, parseLocalDateTime, placeGreedy } from '../../engine/forecast/index.ts';
import { boxCells, buildEventSet, gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { seededRandom } from '../../engine/random.ts';
import { vancouver } from '../service/support.ts';

const TZ = 'America/Vancouver';
const input = {
  incidents: vancouver(),
  res: 10,
  fromMs: parseLocalDateTime('2023-10-02', TZ),
  toMs: parseLocalDateTime('2023-10-05', TZ),
  tz: TZ,
};
const run = prepareEvaluation(input);
const found5 = runDiscovery(run, { p: 5, rotateAfter: null }, { seed: 7 });

describe('the stress test scores real incidents only', () => {
  it('boxes found incidents, in their own cells and shifts, known from the shift end', () => {
    expect(found5.found.length).toBeGreaterThan(500);
    let i = 0;
    found5.shifts.forEach((shift, w) => {
      const win = run.windows[w]!;
      const inBoxes = new Set(shift.centres.flatMap((c) => boxCells(found5.fineCells[c]!)));
      for (const f of found5.found.slice(i, (i += shift.found))) {
        expect(f.knownMs).toBe(win.endMs);
        expect(f.incident.timeMs).toBeGreaterThanOrEqual(win.startMs);
        expect(f.incident.timeMs).toBeLessThan(win.endMs);
        expect(inBoxes.has(incidentCell(f.incident.lat, f.incident.lng, 11))).toBe(true);
      }
    });
    expect(i).toBe(found5.found.length);
  });

  it("each shift's hits are the real incidents inside its boxes, counted from the raw incidents (the found ones sit in the boxes too)", () => {
    let foundInLaterShifts = 0;
    run.windows.forEach((win, w) => {
      const shift = found5.shifts[w]!;
      const cells = new Set(shift.centres.flatMap((c) => boxCells(found5.fineCells[c]!)));
      // the oracle: minute-precise real incidents whose whole period lies in the shift
      const real = run.incidents.filter((inc) => inc.timeMs >= win.startMs && periodEndMs(inc, TZ) <= win.endMs);
      const hits = real.filter((inc) => cells.has(incidentCell(inc.lat, inc.lng, 11))).length;
      expect(shift.hits).toBe(hits);
      expect(shift.events).toBe(real.length);
      if (w > 0) foundInLaterShifts += found5.shifts[w - 1]!.found;
    });
    // the found incidents were many and inside the boxes: counting them would change every total
    expect(foundInLaterShifts).toBeGreaterThan(found5.total.hits);
    expect(found5.total.found).toBe(found5.found.length);
  });

  it('found incidents change the later boxes (they are trained on)', () => {
    const plain = runDiscovery(run, { p: 0, rotateAfter: null });
    expect(plain.shifts[0]!.centres).toEqual(found5.shifts[0]!.centres);
    const differs = plain.shifts.some((s, w) => s.centres.join() !== found5.shifts[w]!.centres.join());
    expect(differs).toBe(true);
  });
});

describe('p = 0 is the backtest', () => {
  it("per shift and on average, the patrol boxes' and the flagged areas' hit rates equal the backtest's placed etas to the bit", () => {
    const report = backtest({ ...input, models: ['etas'], bootstrapResamples: 10 });
    const study = discoveryStudy({ ...input, discovery: 0 });
    expect(study.runs).toHaveLength(1);
    const d0 = runDiscovery(run, { p: 0, rotateAfter: null });
    const etas = report.perShift.models['etas']!;
    d0.shifts.forEach((s, w) => expect(s.events > 0 ? s.hits / s.events : null).toBe(etas.topKHitRate[w]));
    report.flaggedKm2.forEach((a, k) => {
      d0.flaggedHitRate[k]!.forEach((x, w) => expect(Number.isNaN(x) ? null : x).toBe(etas.hitRate[String(a)]![w]));
      expect(study.runs[0]!.hitRate[String(a)]).toBe(report.models['etas']!.hitRate[String(a)]);
    });
    expect(study.runs[0]!.topKHitRate).toBe(report.models['etas']!.topKHitRate);
    expect(d0.found).toHaveLength(0);
  });
});

describe('rotation', () => {
  it('no place is a box on more than k days running in the same shift type, and rested boxes are not covered by others', () => {
    const k = 1;
    const r = runDiscovery(run, { p: 0, rotateAfter: k });
    const plain = runDiscovery(run, { p: 0, rotateAfter: null });
    const S = run.shiftStarts.length;
    expect(r.rested).toBeGreaterThan(0);
    for (let w = S; w < r.shifts.length; w++) {
      const before = new Set(r.shifts[w - S]!.centres);
      const blocked = new Set([...before].flatMap((c) => boxCells(r.fineCells[c]!)));
      for (const c of r.shifts[w]!.centres) for (const cell of boxCells(r.fineCells[c]!)) expect(blocked.has(cell)).toBe(false);
    }
    // the first day is not rotated: the same boxes as without rotation
    for (let w = 0; w < S; w++) expect(r.shifts[w]!.centres).toEqual(plain.shifts[w]!.centres);
    expect(r.total.places).toBeGreaterThan(plain.total.places);
  });

  it('refuses a bad rate or rotation, and month mode', () => {
    expect(() => runDiscovery(run, { p: 6, rotateAfter: null })).toThrowError(/discovery rate/);
    expect(() => runDiscovery(run, { p: -0.1, rotateAfter: null })).toThrowError(/discovery rate/);
    expect(() => runDiscovery(run, { p: 0, rotateAfter: 0 })).toThrowError(/rotation/);
    expect(() => runDiscovery({ ...run, months: true }, { p: 0, rotateAfter: null })).toThrowError(/month/);
  });
});

describe('the draws', () => {
  it.each([0.05, 0.3, 2, 650])(
    'Poisson draws of mean %s have that mean and variance (20,000 seeded draws, within 4 standard errors)',
    (mean) => {
      const rand = seededRandom(11);
      const n = 20_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = poissonDraw(mean, rand);
        s += x;
        s2 += x * x;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
      // the variance of a Poisson is its mean (the sample variance's sd is about sqrt((mean + 2 mean²)/n))
      expect(Math.abs(v - mean)).toBeLessThan(4 * Math.sqrt((mean + 2 * mean * mean) / n));
    },
  );

  it('a mean of 0 draws nothing; a bad mean is refused', () => {
    expect(poissonDraw(0, () => 0.999)).toBe(0);
    expect(() => poissonDraw(-1, Math.random)).toThrowError(/Poisson mean/);
    expect(() => poissonDraw(NaN, Math.random)).toThrowError(/Poisson mean/);
  });

  it('the same seed gives the same found incidents', () => {
    const again = runDiscovery(run, { p: 5, rotateAfter: null }, { seed: 7 });
    expect(again.found.map((f) => [f.incident.timeMs, f.incident.lat, f.incident.lng])).toEqual(
      found5.found.map((f) => [f.incident.timeMs, f.incident.lat, f.incident.lng]),
    );
  });

  it('merging found incidents into the events gives what buildEventSet gives on all of them', () => {
    const some = found5.found.slice(0, 300);
    const merged = mergeFound(run, some);
    const oracle = buildEventSet([...run.incidents, ...some.map((f) => f.incident)], run.res, run.events.originMs);
    expect(merged.events.cells).toEqual(oracle.cells);
    expect(Array.from(merged.events.cell)).toEqual(Array.from(oracle.cell));
    expect(Array.from(merged.events.tHours)).toEqual(Array.from(oracle.tHours));
    expect(Array.from(merged.events.incidentIndex)).toEqual(Array.from(oracle.incidentIndex));
    const N = run.incidents.length;
    merged.events.incidentIndex.forEach((i, k) => {
      expect(merged.eventKnownMs[k]).toBe(i < N ? run.knownMs[i]! : some[i - N]!.knownMs);
      if (i >= N) expect(merged.timeUnknown[k]).toBe(0);
    });
  });
});

describe('the weekly measures by hand', () => {
  // three shifts: boxes at places 1, 2, 3 / 1, 2 / 1, 4
  const shifts: DiscoveryShift[] = [
    { centres: [1, 2, 3], hits: 2, events: 5, found: 1 },
    { centres: [1, 2], hits: 1, events: 3, found: 0 },
    { centres: [1, 4], hits: 0, events: 0, found: 2 },
  ];
  const background = Float64Array.from([1, 3, 4, 2]);
  const everBox = Uint8Array.from([0, 1, 1, 0]);

  it('places, flags, concentration, places in every shift, pooled hit rate, found, background share', () => {
    const m = periodMeasures(shifts, { from: 0, to: 3, week: 1, label: 'w1' }, background, everBox);
    expect(m).toEqual({
      week: 1,
      from: 'w1',
      shifts: 3,
      events: 8,
      hits: 3,
      hitRate: 3 / 8,
      picks: 7,
      places: 4,
      // the 10 most picked are all 4 places: every flag
      top10Share: 1,
      everyShift: 1,
      found: 3,
      backgroundShare: 7 / 10,
    });
    // a top-2 share: places 1 (3 flags) and 2 (2 flags) of 7
    const counts = new Map([
      [1, 3],
      [2, 2],
      [3, 1],
      [4, 1],
    ]);
    expect(topShare(counts, 7, 2)).toBe(5 / 7);
  });

  it('a period without events or background gives NaN, not 0', () => {
    const m = periodMeasures(shifts, { from: 2, to: 3, week: 2, label: 'w2' }, new Float64Array(4), everBox);
    expect(m.hitRate).toBeNaN();
    expect(m.backgroundShare).toBeNaN();
    expect(m.everyShift).toBe(2);
  });
});

describe('placeGreedy with blocked cells (the rotation)', () => {
  it("blocking the best box's cells gives the next box the plain greedy places, and no box covers a blocked cell", () => {
    const a = incidentCell(49.28, -123.12, 10);
    const lat = new FineLattice(gridDisk(a, 2).sort());
    const rand = seededRandom(3);
    const expected = Float64Array.from({ length: lat.inside }, () => rand());
    const plain = placeGreedy(lat, expected, { cityBoxes: 4, top: 0 });
    const at = lat.boxAt(plain.city[0]!);
    const blocked = Array.from(lat.box.subarray(at, at + 7)).filter((id) => id >= 0);
    const rested = placeGreedy(lat, expected, { cityBoxes: 3, top: 0, blocked });
    expect(rested.city).toEqual(plain.city.slice(1));
    expect(rested.cityExpected).toEqual(plain.cityExpected.slice(1));
  });
});
