import { describe, expect, it } from 'vitest';
import { shiftWindows, parseLocalDateTime } from '../../engine/forecast/index.ts';
import { binAt, binCalendar, binExposureHours } from '../../engine/model/index.ts';
import { binIndex } from '../../engine/model/calendar.ts';
import { seededRandom } from '../../engine/random.ts';
import { oracleBin, oracleExposure, VAN } from './support.ts';

const at = (s: string): number => parseLocalDateTime(s, VAN);
const STARTS = ['06:00', '14:00', '22:00'];
const MINUTES = [360, 840, 1320];

describe('binCalendar', () => {
  it('segment starts are exactly the shift starts of shiftWindows, across both DST changes', () => {
    for (const [from, to] of [
      ['2023-03-09', '2023-03-15'],
      ['2023-11-01', '2023-11-08'],
    ] as const) {
      const cal = binCalendar(VAN, STARTS, true, at(from), at(to));
      const shifts = shiftWindows(at(from), at(to), VAN).map((w) => w.startMs);
      const inside = Array.from(cal.startsMs).filter((t) => t >= at(from) && t < at(to));
      expect(inside).toEqual(shifts);
    }
  });

  it('exposure per bin equals a minute-by-minute count on the local wall clock (7- and 9-hour nights included)', () => {
    for (const [from, to] of [
      ['2023-03-08T03:17', '2023-03-16T11:00'],
      ['2023-10-30', '2023-11-09T05:59'],
    ] as const) {
      const cal = binCalendar(VAN, STARTS, true, at(from), at(to));
      const got = Array.from(binExposureHours(cal, at(from), at(to)));
      const want = oracleExposure(at(from), at(to), VAN, MINUTES, true);
      got.forEach((g, b) => expect(g).toBeCloseTo(want[b]!, 9));
      expect(got.reduce((s, x) => s + x, 0)).toBeCloseTo((at(to) - at(from)) / 3.6e6, 9);
    }
  });

  it('binAt agrees with the wall-clock oracle on 600 random instants of 2023', () => {
    const cal = binCalendar(VAN, STARTS, true, at('2023-01-01'), at('2024-01-01'));
    const rand = seededRandom(7);
    for (let i = 0; i < 600; i++) {
      const t = at('2023-01-01') + Math.floor(rand() * (at('2024-01-01') - at('2023-01-01')));
      expect(binAt(cal, t)).toBe(oracleBin(t, VAN, MINUTES, true));
    }
  });

  it('binIndex (the hour-table look-up of the fit) agrees with binAt everywhere, segment starts and DST nights included', () => {
    const from = at('2023-01-01');
    const to = at('2024-01-01');
    const cal = binCalendar(VAN, ['06:00', '06:30', '14:00', '22:00'], true, from, to);
    const lookup = binIndex(cal, from, to);
    const rand = seededRandom(8);
    for (let i = 0; i < 5000; i++) {
      const t = from + Math.floor(rand() * (to - from));
      expect(lookup(t)).toBe(binAt(cal, t));
    }
    for (const s of cal.startsMs)
      for (const d of [-1, 0, 1]) if (s + d >= from && s + d < to) expect(lookup(s + d)).toBe(binAt(cal, s + d));
    expect(lookup(from - 3_600_000 * 24 * 3)).toBe(binAt(cal, from - 3_600_000 * 24 * 3));
  });

  it('the Friday night shift is a weekday shift until Saturday 06:00; Sunday night is a weekend shift', () => {
    const cal = binCalendar(VAN, STARTS, true, at('2023-07-07'), at('2023-07-11'));
    expect(cal.labels).toEqual(['06:00 weekday', '14:00 weekday', '22:00 weekday', '06:00 weekend', '14:00 weekend', '22:00 weekend']);
    expect(binAt(cal, at('2023-07-08T03:00'))).toBe(2); // Fri 22:00 shift
    expect(binAt(cal, at('2023-07-08T07:00'))).toBe(3); // Sat day
    expect(binAt(cal, at('2023-07-10T02:00'))).toBe(5); // Sun 22:00 shift
    expect(binAt(cal, at('2023-07-10T06:00'))).toBe(0); // Mon day
  });

  it('refuses an unknown zone and an exposure range it does not cover', () => {
    expect(() => binCalendar('Mars/Olympus', STARTS, false, 0, 1e9)).toThrow(/unknown time zone/);
    const cal = binCalendar(VAN, STARTS, false, at('2023-07-01'), at('2023-07-02'));
    expect(() => binExposureHours(cal, at('2023-07-01'), at('2023-07-03'))).toThrow(/does not cover/);
  });
});
