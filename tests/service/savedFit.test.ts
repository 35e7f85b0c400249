/** The service's checks of a saved fit against the data (engine/service/savedFit.ts): zone and area, as coded errors. */
import { describe, expect, it } from 'vitest';
import { ServiceError, shiftAt, shiftBoxes, trainModel } from '../../engine/index.ts';
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
