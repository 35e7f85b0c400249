import { describe, expect, it } from 'vitest';
import { monthWindows, periodEndMs } from '../../engine/evaluate/timing.ts';
import { TimeZoneError } from '../../engine/errors.ts';
import { expectCoded } from '../support/coded.ts';

const VAN = 'America/Vancouver';

describe('periodEndMs', () => {
  it('minute-precise times are instants: known 1 ms after', () => {
    const t = Date.UTC(2023, 6, 1, 20, 15);
    expect(periodEndMs({ timeMs: t, precision: 'minute', timeOfDayUnknown: false }, VAN)).toBe(t + 1);
  });
  it('hour-precise times cover the hour', () => {
    const t = Date.UTC(2010, 2, 1, 14);
    expect(periodEndMs({ timeMs: t, precision: 'hour', timeOfDayUnknown: false }, 'America/Chicago')).toBe(t + 3_600_000);
  });
  it('an unknown time of day covers the local day, 23 hours on the spring-forward day', () => {
    // 2023-07-01 00:00 PDT = 07:00 UTC
    expect(periodEndMs({ timeMs: Date.UTC(2023, 6, 1, 7), precision: 'minute', timeOfDayUnknown: true }, VAN)).toBe(
      Date.UTC(2023, 6, 2, 7),
    );
    // 2023-03-12 00:00 PST = 08:00 UTC; the next midnight is 2023-03-13 00:00 PDT = 07:00 UTC
    expect(periodEndMs({ timeMs: Date.UTC(2023, 2, 12, 8), precision: 'day', timeOfDayUnknown: true }, VAN)).toBe(Date.UTC(2023, 2, 13, 7));
  });
  it('a month-precise time covers the local month', () => {
    // data.police.uk: 2014-03 starts at 00:00 GMT; April starts at 00:00 BST = 23:00 UTC on 31 March
    expect(periodEndMs({ timeMs: Date.UTC(2014, 2, 1), precision: 'month', timeOfDayUnknown: true }, 'Europe/London')).toBe(
      Date.UTC(2014, 2, 31, 23),
    );
  });
  it('rejects an unknown zone with the one time-zone code', () => {
    expectCoded(
      () => periodEndMs({ timeMs: 0, precision: 'day', timeOfDayUnknown: true }, 'Mars/Olympus'),
      TimeZoneError,
      'E_TIMEZONE',
      'Mars/Olympus',
    );
    expectCoded(() => monthWindows(0, 1e10, 'system'), TimeZoneError, 'E_TIMEZONE', 'system');
  });
});
