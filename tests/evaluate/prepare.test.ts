/**
 * prepareEvaluation, the first phase of the harness, on a handful of incidents whose known-from
 * instants, windows and placements are worked out by hand; and placeActuals on bare numbers.
 */
import { describe, expect, it } from 'vitest';
import { placeActuals } from '../../engine/evaluate/actuals.ts';
import { prepareEvaluation, type EvaluationInput } from '../../engine/evaluate/prepare.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import { incidentCell } from '../../engine/grid/index.ts';
import type { Incident } from '../../engine/types.ts';
import { incident, VAN } from './synthetic.ts';

const HOUR = 3_600_000;
const at = (s: string): number => parseLocalDateTime(s, VAN);
const A = { lat: 49.25, lng: -123.1, district: 'West' };
const B = { lat: 49.26, lng: -123.12, district: 'East' };
const D = { lat: 49.25, lng: -123.12 }; // no district label
const C = { lat: 49.253, lng: -123.113 }; // inside the triangle A, B, D: a study cell, no incident in the history
const FAR = { lat: 49.3, lng: -123.0 }; // ~9 km away: outside the history's study cells

// History (all known before 2023-07-01 06:00, the first window's start):
const history: Incident[] = [
  incident(2, at('2023-06-10T10:00'), A),
  incident(3, at('2023-06-11T10:00'), A),
  incident(4, at('2023-06-12T10:00'), B),
  incident(7, at('2023-06-13T10:00'), D),
  incident(5, at('2023-06-30'), A, { timeOfDayUnknown: true }), // known from 07-01 00:00
  incident(6, at('2023-07-01T05:00'), B), // known from 05:00 + 1 ms
];
// The test day, 2023-07-01, three 8-hour shifts from 06:00:
const test: Incident[] = [
  incident(10, at('2023-07-01T07:00'), A), // shift 0
  incident(11, at('2023-07-01T13:30'), B, { precision: 'hour' }), // [13:30, 14:30): straddles shifts 0 and 1: unplaced
  incident(12, at('2023-07-01T15:00'), B, { precision: 'hour' }), // [15:00, 16:00): shift 1
  incident(13, at('2023-07-01'), A, { timeOfDayUnknown: true }), // the whole day: unplaced, known from 07-02 00:00
  incident(14, at('2023-07-01T23:00'), FAR), // shift 2, outside the study cells
  incident(15, at('2023-07-01T23:30'), C), // shift 2
  incident(16, at('2023-07-02T07:00'), A), // after the test period: not scored
];
const base: EvaluationInput = {
  incidents: [...history, ...test],
  res: 10,
  tz: VAN,
  fromMs: at('2023-07-01'),
  toMs: at('2023-07-02'),
  flaggedKm2: [0.001, 0.05],
  coverage: [1],
  top: 1,
};
const run = prepareEvaluation(base);
const cellOf = (loc: { lat: number; lng: number }): string => incidentCell(loc.lat, loc.lng, 10);
const studyIndex = (loc: { lat: number; lng: number }): number => run.study.index.get(cellOf(loc)) ?? -1;

describe('prepareEvaluation on a hand-worked day', () => {
  it('makes the three shifts of the day', () => {
    expect(run.windows.map((w) => w.startMs)).toEqual([at('2023-07-01T06:00'), at('2023-07-01T14:00'), at('2023-07-01T22:00')]);
    expect(run.windows.map((w) => w.hours)).toEqual([8, 8, 8]);
  });

  it('gives each incident its known-from instant: +1 ms (minute), +1 h (hour), next local midnight (time unknown)', () => {
    const known = new Map(run.incidents.map((inc, i) => [inc.id, run.knownMs[i]!]));
    expect(known.get('s2')).toBe(at('2023-06-10T10:00') + 1);
    expect(known.get('s5')).toBe(at('2023-07-01'));
    expect(known.get('s11')).toBe(at('2023-07-01T14:30'));
    expect(known.get('s13')).toBe(at('2023-07-02'));
    // the stream is in known order, and each event carries its incident's instant
    const stream = Array.from(run.stream.knownMs);
    expect(stream).toEqual([...stream].sort((a, b) => a - b));
    for (let k = 0; k < run.events.cell.length; k++) expect(run.eventKnownMs[k]).toBe(run.knownMs[run.events.incidentIndex[k]!]);
    expect(run.timeUnknown.reduce((s, x) => s + x, 0)).toBe(2); // s5 and s13
  });

  it('takes as history the incidents known by the first shift start (06-30 time-unknown and 05:00 included)', () => {
    expect(run.history.map((i) => i.id)).toEqual(['s2', 's3', 's4', 's7', 's5', 's6']);
  });

  it('places each incident in the shift holding its whole period; straddlers are unplaced, FAR is uncatchable', () => {
    expect(run.actuals.byWindow).toEqual([[studyIndex(A)], [studyIndex(B)], [-1, studyIndex(C)]]);
    expect(studyIndex(C)).toBeGreaterThanOrEqual(0); // in the hull of A, B and D
    expect(run.actuals.events).toBe(4);
    expect(run.actuals.unplaced).toBe(2); // s11 and s13
    expect(run.actuals.outsideArea).toBe(1);
    expect(run.notes).toContain('1 scored incidents fall outside the study cells (built from the history): no model can catch them.');
  });

  it('sizes the measures from the mean cell area, and labels districts from the history', () => {
    expect(run.measures.flaggedCells).toEqual([1, Math.floor(0.05 / run.study.meanCellAreaKm2 + 1e-9)]);
    expect(run.measures.coverageCells).toEqual([run.study.cells.length]);
    expect(run.districts.names).toEqual(['East', 'West']);
    expect(run.districts.ofCell[studyIndex(A)]).toBe(1);
    expect(run.districts.ofCell[studyIndex(B)]).toBe(0);
    expect(run.districts.ofCell[studyIndex(C)]).toBe(-1); // no history incident there
    expect(run.districts.ofCell[studyIndex(D)]).toBe(-1); // its incident has no label
    const unlabelled = Array.from(run.districts.ofCell).filter((d) => d < 0).length;
    expect(run.notes).toContain(
      `${unlabelled} of ${run.study.cells.length} study cells have no district (no history incident carries a label there) and are never patrol boxes.`,
    );
  });

  it('counts an incident in both overlapping shifts (10-hour shifts every 8 hours)', () => {
    const r = prepareEvaluation({ ...base, shiftHours: 10 });
    // shifts [06:00, 16:00), [14:00, 24:00), [22:00, 08:00): s11 [13:30, 14:30) now lies inside
    // shift 0; s12 [15:00, 16:00) inside shifts 0 and 1; s14 and s15 inside shifts 1 and 2; s16 (07:00) inside shift 2
    expect(r.actuals.byWindow).toEqual([
      [studyIndex(A), studyIndex(B), studyIndex(B)],
      [studyIndex(B), -1, studyIndex(C)],
      [-1, studyIndex(C), studyIndex(A)],
    ]);
    expect(r.actuals.events).toBe(9);
    expect(r.actuals.unplaced).toBe(1); // s13 only
  });

  it('tuning: reads nothing at or after readBeforeMs, keeps only whole windows', () => {
    const r = prepareEvaluation({ ...base, toMs: at('2023-07-01T23:00'), readBeforeMs: at('2023-07-01T23:00'), wholeWindows: true });
    expect(r.windows).toHaveLength(2); // the night shift ends after 23:00
    expect(r.incidents.map((i) => i.id)).not.toContain('s15');
    expect(r.incidents.some((i) => i.timeMs >= at('2023-07-01T23:00'))).toBe(false);
  });

  it('refuses what cannot be evaluated, with codes', () => {
    expect(() => prepareEvaluation({ ...base, fromMs: at('2023-06-01'), toMs: at('2023-06-02') })).toThrowError(
      expect.objectContaining({ code: 'E_NO_HISTORY' }),
    );
    expect(() => prepareEvaluation({ ...base, fromMs: at('2023-07-01T07:00'), toMs: at('2023-07-01T08:00') })).toThrowError(
      expect.objectContaining({ code: 'E_NO_SHIFTS' }),
    );
    expect(() => prepareEvaluation({ ...base, toMs: at('2023-07-01T08:00'), wholeWindows: true, periodName: 'tuning period' })).toThrow(
      'the tuning period holds no whole shift',
    );
    const monthly = base.incidents.map((i) => ({ ...i, precision: 'month' as const }));
    expect(() => prepareEvaluation({ ...base, incidents: monthly })).toThrowError(expect.objectContaining({ code: 'E_PRECISION' }));
    expect(() => prepareEvaluation({ ...base, months: true, shiftHours: 8 })).toThrowError(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => prepareEvaluation({ ...base, top: -1 })).toThrow(/top/);
  });

  it('refuses a period with nothing to score (E_NO_EVENTS), saying how many incidents fell in it and why', () => {
    const noEvents = (over: Partial<EvaluationInput>): unknown => {
      try {
        prepareEvaluation({ ...base, ...over });
      } catch (err) {
        return err;
      }
      return null;
    };
    // none at all: 07-03 holds no incident (s16 is on 07-02)
    const none = noEvents({ fromMs: at('2023-07-03'), toMs: at('2023-07-04') }) as { code: string; message: string; value: unknown };
    expect(none.code).toBe('E_NO_EVENTS');
    expect(none.message).toContain('the test period (2023-07-03T13:00:00.000Z to 2023-07-04T13:00:00.000Z) has nothing to score');
    expect(none.message).toContain('no incident at all falls in it');
    expect(none.value).toEqual({ period: 'test period', inPeriod: 0, unplaced: 0, outsideArea: 0 });
    // the night shift [22:00, 06:00) alone, without s15: s14 (FAR, outside the study cells) and s13 (the whole of 07-01, straddling)
    const farOnly = noEvents({
      incidents: base.incidents.filter((i) => i.id !== 's15'),
      fromMs: at('2023-07-01T22:00'),
      toMs: at('2023-07-01T23:00'),
    });
    expect(farOnly).toMatchObject({ code: 'E_NO_EVENTS', value: { period: 'test period', inPeriod: 2, unplaced: 1, outsideArea: 1 } });
    expect((farOnly as Error).message).toContain(
      '2 incidents fall in it, none scorable: 1 outside the study area, 1 too vague to place in one window',
    );
    // too vague: keep only the history and s13 (the whole of 07-01, unknown time of day)
    const vague = noEvents({ incidents: [...history, test[3]!], periodName: 'tuning period' });
    expect(vague).toMatchObject({ code: 'E_NO_EVENTS', value: { period: 'tuning period', inPeriod: 1, unplaced: 1, outsideArea: 0 } });
    expect((vague as Error).message).toMatch(/^the tuning period .* 1 too vague to place in one window/);
    // one catchable incident is enough
    expect(() => prepareEvaluation({ ...base, incidents: [...history, test[0]!] })).not.toThrow();
  });
});

describe('placeActuals', () => {
  const H = HOUR;
  const wins = [0, 1].map((k) => ({ startMs: 8 * k * H, endMs: 8 * (k + 1) * H, hours: 8, label: `w${k}` }));
  it('places instants, leaves straddlers unplaced and ignores gaps and the outside', () => {
    const out = placeActuals(wins, [
      { timeMs: H, endMs: H + 1, cell: 4 },
      { timeMs: 7 * H, endMs: 9 * H, cell: 2 }, // straddles
      { timeMs: 9 * H, endMs: 10 * H, cell: -1 }, // outside the study cells
      { timeMs: 20 * H, endMs: 20 * H + 1, cell: 1 }, // after the last window
      { timeMs: -2 * H, endMs: -H, cell: 1 }, // before the first
    ]);
    expect(out).toEqual({ byWindow: [[4], [-1]], events: 2, outsideArea: 1, unplaced: 1 });
  });
  it('counts an incident in a gap between windows as neither placed nor unplaced', () => {
    const gap = [wins[0]!, { startMs: 10 * H, endMs: 18 * H, hours: 8, label: 'late' }];
    expect(placeActuals(gap, [{ timeMs: 9 * H, endMs: 9 * H + 1, cell: 0 }])).toEqual({
      byWindow: [[], []],
      events: 0,
      outsideArea: 0,
      unplaced: 0,
    });
  });
});
