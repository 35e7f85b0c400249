/**
 * The service's own rules: the training set (all history known before the shift, by the
 * backtest's known-from rule), leakage, the checks on a saved fit and a tuned configuration, its
 * coded errors carrying the offending value, and a history of a million incidents.
 */
import { describe, expect, it } from 'vitest';
import {
  ETAS_2015,
  ETAS_DEFAULTS,
  ServiceError,
  shiftAt,
  shiftBoxes,
  trainModel,
  type Incident,
  type ShiftBoxes,
} from '../../engine/index.ts';
import { incident, LOCATIONS, syntheticIncidents, VAN } from '../evaluate/synthetic.ts';
import { expectCoded } from '../support/coded.ts';
import { SHIFT, TZ, vancouver } from './support.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A small synthetic history: 400 incidents over June 2023 at 30 Vancouver locations. */
const JUNE = Date.UTC(2023, 5, 1, 7);
const JULY = Date.UTC(2023, 6, 1, 7);
const small = syntheticIncidents(11, 400, JUNE, JULY);
const JULY_SHIFT = shiftAt('2023-07-01T06:00', VAN, 8);

/** Everything a forecast shows, for bit-for-bit comparison. */
function shown(r: ShiftBoxes): unknown {
  return {
    boxes: r.boxes,
    fit: r.fit,
    cells: r.forecast.cells,
    expected: Array.from(r.forecast.expected),
    districts: [...r.districtOf],
    training: r.training,
  };
}

describe('the training set: all history known before the shift', () => {
  const loc = LOCATIONS[0]!;
  // Local times in Vancouver (PDT, UTC−7): the shift starts 2023-07-01 06:00 = 13:00Z.
  const data: Incident[] = [
    incident(2, Date.UTC(2023, 5, 20, 17, 37), loc), // 10:37 on 20 June: the first incident
    incident(3, Date.UTC(2023, 5, 30, 7), loc, { timeOfDayUnknown: true }), // 30 June, time unknown: known from 1 July 00:00
    incident(4, Date.UTC(2023, 6, 1, 7), loc, { timeOfDayUnknown: true }), // 1 July, time unknown: known only from 2 July
    incident(5, Date.UTC(2023, 6, 1, 12, 59), loc), // 05:59 on 1 July, a minute before the shift
    incident(6, Date.UTC(2023, 6, 1, 13), loc), // at the shift start: not before it
  ];

  it('starts at the first incident dated before the shift, floored to the hour, and ends at the shift start', () => {
    const r = shiftBoxes({ incidents: data, tz: VAN, res: 10, shift: JULY_SHIFT, model: 'etas-2015' });
    expect([r.training.startMs, r.training.endMs]).toEqual([Date.UTC(2023, 5, 20, 17), JULY_SHIFT.startMs]);
    expect([r.fit.window.startMs, r.fit.window.endMs]).toEqual([Date.UTC(2023, 5, 20, 17), JULY_SHIFT.startMs]);
    // Incidents 2, 3 and 5; 4 is dated before the shift but its day had not ended.
    expect([r.training.events, r.training.knownLater, r.training.limited]).toEqual([3, 1, false]);
    expect(Array.from(r.history.incidentIndex)).toEqual([0, 1, 3]);
    expect(r.training.lastEventMs).toBe(Date.UTC(2023, 6, 1, 12, 59));
    expect(r.notes.join(' ')).toMatch(/1 incidents dated before 2023-07-01T06:00 PDT are left out/);
  });

  it('a training start limits the window to the incidents at or after it', () => {
    const r = shiftBoxes({ incidents: data, tz: VAN, res: 10, shift: JULY_SHIFT, model: 'etas-2015', trainFromMs: Date.UTC(2023, 5, 25) });
    expect([r.training.startMs, r.training.events, r.training.limited]).toEqual([Date.UTC(2023, 5, 25), 2, true]);
  });

  it('warns when the newest incident is more than 7 days before the shift', () => {
    const late = shiftAt('2023-07-20T06:00', VAN, 8);
    const r = shiftBoxes({ incidents: data, tz: VAN, res: 10, shift: late, model: 'etas-2015' });
    expect(r.warnings).toEqual([
      expect.stringMatching(/^the newest incident is long before 2023-07-20T06:00 PDT: the fit window ends at /),
      expect.stringMatching(/^the newest incident before the shift is 19\.\d days older than it/),
    ]);
    expect(shiftBoxes({ incidents: data, tz: VAN, res: 10, shift: JULY_SHIFT, model: 'etas-2015' }).warnings).toEqual([]);
  });
});

describe('leakage', () => {
  it('removing every incident after the shift start, and those not yet known at it, leaves the forecast bit-identical', () => {
    const all = vancouver();
    // Time-unknown incidents of the shift's day (00:00 local on 15 December, 08:00Z) are dated
    // before the shift but known only from the next midnight: the service leaves them out.
    const unknownThatDay = all.filter((inc) => inc.timeOfDayUnknown && inc.timeMs === Date.UTC(2023, 11, 15, 8)).length;
    expect(unknownThatDay).toBeGreaterThan(0);
    const before = all.filter((inc) => inc.timeMs < SHIFT.startMs);
    const known = before.filter((inc) => !(inc.timeOfDayUnknown && inc.timeMs === Date.UTC(2023, 11, 15, 8)));
    expect(all.length - before.length).toBeGreaterThan(1000); // the rest of December
    const full = shiftBoxes({ incidents: all, tz: TZ, res: 10, shift: SHIFT });
    expect(full.training.knownLater).toBe(unknownThatDay);
    expect(shown(shiftBoxes({ incidents: before, tz: TZ, res: 10, shift: SHIFT }))).toEqual(shown(full));
    const onlyKnown = shiftBoxes({ incidents: known, tz: TZ, res: 10, shift: SHIFT });
    expect(shown({ ...onlyKnown, training: { ...onlyKnown.training, knownLater: unknownThatDay } })).toEqual(shown(full));
  }, 30_000);
});

describe('a saved fit', () => {
  it("trained past the shift start is refused (E_FIT_LEAK, the fit's end as value); one ending at the start is used as is", () => {
    const later = trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY_SHIFT.startMs + HOUR_MS, model: 'etas-2015' });
    const e = expectCoded(
      () => shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT, fit: later.fit }),
      ServiceError,
      'E_FIT_LEAK',
      JULY_SHIFT.startMs + HOUR_MS,
    );
    expect(e.message).toMatch(/trained on data up to 2023-07-01T07:00 PDT, after the shift start 2023-07-01T06:00 PDT/);
    const atStart = trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY_SHIFT.startMs, model: 'etas-2015' });
    const fresh = shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT, model: 'etas-2015' });
    const saved = shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT, fit: atStart.fit });
    expect([fresh.fitted, saved.fitted]).toEqual([true, false]);
    expect(shown(saved)).toEqual(shown(fresh));
  });

  it('made at another resolution is refused (E_FIT_RES, its resolution as value)', () => {
    const fit9 = trainModel({ incidents: small, tz: VAN, res: 9, untilMs: JULY, model: 'etas-2015' }).fit;
    expectCoded(() => shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT, fit: fit9 }), ServiceError, 'E_FIT_RES', 9);
  });
});

describe('coded errors carrying the offending value', () => {
  it('a configuration tuned on a period reaching past the shift (E_CONFIG_OVERLAP, its tuning record)', () => {
    const tuning = {
      from: '2023-06-01T07:00:00.000Z',
      to: '2023-07-02T07:00:00.000Z',
      fromMs: JUNE,
      toMs: JULY + DAY_MS,
      tz: VAN,
      shifts: 93,
      objective: 'hit rate',
      score: 0.3,
      hitRate: {},
      naiveAllHitRate: {},
      candidates: 2,
    };
    const model = { ...ETAS_DEFAULTS, tuning };
    expectCoded(
      () => shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT, model }),
      ServiceError,
      'E_CONFIG_OVERLAP',
      tuning,
    );
    expectCoded(() => trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY, model }), ServiceError, 'E_CONFIG_OVERLAP', tuning);
    // Tuned on June only: usable for July.
    const june = { ...tuning, to: '2023-07-01T07:00:00.000Z', toMs: JULY };
    expect(trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY, model: { ...ETAS_2015, tuning: june } }).fit.events).toBe(400);
  });

  it('nothing known before the end (E_NO_EVENTS, the end as value); an unknown model; a window that does not end after it starts', () => {
    expectCoded(
      () => shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: shiftAt('2023-05-01T06:00', VAN, 8) }),
      ServiceError,
      'E_NO_EVENTS',
      Date.UTC(2023, 4, 1, 13),
    );
    const none = expectCoded(
      () => trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY, include: (inc) => inc.category === 'Arson' }),
      ServiceError,
      'E_NO_EVENTS',
      JULY,
    );
    expect(none.message).toBe('no incident of the chosen categories known before 2023-07-01T00:00 PDT: nothing to fit');
    expectCoded(
      () => trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY, model: 'etas-2016' as never }),
      ServiceError,
      'E_ARGUMENT',
      'etas-2016',
    );
    expectCoded(
      () => trainModel({ incidents: small, tz: VAN, res: 10, untilMs: JULY, trainFromMs: JULY }),
      ServiceError,
      'E_ARGUMENT',
      JULY,
    );
  });

  it("a cancel between stages is E_CANCELLED; a cancel during the EM is the model's own E_CANCELLED", () => {
    const stages: string[] = [];
    expectCoded(
      () => shiftBoxes({ incidents: small, tz: VAN, res: 10, shift: JULY_SHIFT }, { shouldCancel: () => true }),
      ServiceError,
      'E_CANCELLED',
    );
    let polls = 0;
    const err = (() => {
      try {
        trainModel(
          { incidents: small, tz: VAN, res: 10, untilMs: JULY },
          { onStage: (s) => stages.push(s), shouldCancel: () => ++polls > 2 },
        );
      } catch (e) {
        return e as { code?: string };
      }
      return null;
    })();
    expect(err?.code).toBe('E_CANCELLED');
    expect(stages).toEqual(['training-set', 'fit']);
  });
});

describe('a history of a million incidents', () => {
  it('is trained on and forecast from without overflowing the stack (loops, no data-sized spread)', () => {
    // Three years at 30 locations, and ten days after the shift that must not count.
    const start = Date.UTC(2020, 0, 1, 8);
    const shift = shiftAt('2023-01-01T06:00', VAN, 8);
    const incidents = syntheticIncidents(7, 1_000_000, start, shift.startMs + 10 * DAY_MS);
    const before = incidents.filter((inc) => inc.timeMs < shift.startMs).length;
    const r = shiftBoxes({ incidents, tz: VAN, res: 10, shift, fitOptions: { maxIterations: 3 } });
    expect(r.training.events).toBe(before);
    expect(r.training.startMs).toBe(start);
    expect(r.fit.iterations).toBe(3);
    // 30 cells, 2 districts, 20 boxes each at most: every cell is a box.
    expect(r.boxes.length).toBe(30);
    expect(r.boxes.every((b) => b.expected > 0 && b.explanation.length > 0)).toBe(true);
  }, 30_000);
});
