/** The service's checks of a saved fit against the data (engine/service/savedFit.ts): zone and area, as coded errors. */
import { describe, expect, it } from 'vitest';
import { ServiceError, shiftAt, shiftBoxes, trainModel } from '../../engine/index.ts';
import { checkSavedFit } from '../../engine/service/savedFit.ts';
import { trainingSet } from '../../engine/service/training.ts';
import { expectCoded } from '../support/coded.ts';
import { syntheticIncidents, VAN } from '../evaluate/synthetic.ts';

const JUNE = Date.UTC(2023, 5, 1, 7);
const JULY = Date.UTC(2023, 6, 1, 7);
const data = syntheticIncidents(11, 400, JUNE, JULY);
const shift = shiftAt('2023-07-01T06:00', VAN, 8);

describe('a saved fit checked against the data', () => {
  const { fit } = trainModel({ incidents: data, tz: VAN, res: 10, untilMs: shift.startMs, model: 'etas' });

  it('is used as is for the data it was made from (no warning)', () => {
    expect(fit.tz).toBe(VAN);
    expect(shiftBoxes({ incidents: data, tz: VAN, res: 10, shift, fit }).warnings).toEqual([]);
  });

  it('is refused in another zone (E_FIT_DATA naming both zones)', () => {
    const err = expectCoded(
      () => shiftBoxes({ incidents: data, tz: 'America/Los_Angeles', res: 10, shift, fit }),
      ServiceError,
      'E_FIT_DATA',
    );
    expect(err.value).toEqual({ fitZone: VAN, zone: 'America/Los_Angeles' });
    expect(err.message).toMatch(/in zone America\/Vancouver, but the data and the shift are in America\/Los_Angeles/);
  });

  it('is refused for incidents of another area (E_FIT_DATA with the counts)', () => {
    const moved = data.map((inc) => ({ ...inc, lat: inc.lat + 2 }));
    const err = expectCoded(() => shiftBoxes({ incidents: moved, tz: VAN, res: 10, shift, fit }), ServiceError, 'E_FIT_DATA');
    expect(err.value).toEqual({ fitCells: Object.keys(fit.ratePerHour).length, events: 400, inFit: 0 });
  });
});

describe('the saved fit check builds the training set once (forecast --fit-in)', () => {
  const { fit } = trainModel({ incidents: data, tz: VAN, res: 10, untilMs: shift.startMs, model: 'etas' });
  const request = { incidents: data, tz: VAN, res: 10 };

  it("a fit of the shift's own window is checked against the shift's training set, not a rebuilt one", () => {
    const set = trainingSet(request, shift.startMs);
    expect(fit.window).toEqual({ startMs: set.window.startMs, endMs: shift.startMs });
    expect(checkSavedFit(fit, request, set)).toEqual([]);
    // No rebuild: with no incidents to rebuild from, a rebuilt fingerprint would be 'none'.
    expect(checkSavedFit(fit, { ...request, incidents: [] }, set)).toEqual([]);
  });

  it('still warns when the data of that window changed (one incident fewer)', () => {
    const fewer = data.filter((_inc, i) => i !== 5);
    const warnings = shiftBoxes({ incidents: fewer, tz: VAN, res: 10, shift, fit }).warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is not what it was fitted on \(fingerprint fnv1a64:[0-9a-f]{16}, the data's now fnv1a64:[0-9a-f]{16}\)/);
  });

  it('a fit of an earlier window is checked against a set rebuilt at its window', () => {
    const early = trainModel({ ...request, untilMs: shift.startMs - 86_400_000, model: 'etas' }).fit;
    const set = trainingSet(request, shift.startMs);
    expect(checkSavedFit(early, request, set)).toEqual([]);
    expect(checkSavedFit(early, { ...request, incidents: [] }, set)[0]).toMatch(/the data's now none/);
  });
});
