import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseLocalDateTime, shiftAt, shiftWindows } from '../../engine/forecast/index.ts';
import { TimeZoneError } from '../../engine/errors.ts';
import { expectCoded } from '../support/coded.ts';

const H = 3_600_000;

/** Local wall-clock "HH:MM" of an instant. */
function localHm(ms: number, tz: string): string {
  return DateTime.fromMillis(ms, { zone: tz }).toFormat('HH:mm');
}

describe('shiftWindows', () => {
  it('gives the three default shifts of a summer day in Vancouver (PDT, UTC−7)', () => {
    const shifts = shiftWindows(Date.UTC(2023, 6, 1, 7), Date.UTC(2023, 6, 2, 7), 'America/Vancouver');
    expect(shifts).toEqual([
      { startMs: Date.UTC(2023, 6, 1, 13), hours: 8, label: '2023-07-01 06:00 (day)' },
      { startMs: Date.UTC(2023, 6, 1, 21), hours: 8, label: '2023-07-01 14:00 (evening)' },
      { startMs: Date.UTC(2023, 6, 2, 5), hours: 8, label: '2023-07-01 22:00 (night)' },
    ]);
  });

  it('includes a shift starting exactly at `from` and excludes one starting at `to`', () => {
    const from = Date.UTC(2023, 6, 1, 13);
    const shifts = shiftWindows(from, from + 16 * H, 'America/Vancouver');
    expect(shifts.map((x) => x.startMs)).toEqual([from, from + 8 * H]);
  });

  // 2024 DST changes: Vancouver 10 March 02:00 PST → 03:00 PDT, 3 November 02:00 PDT → 01:00 PST;
  // London 31 March 01:00 GMT → 02:00 BST, 27 October 02:00 BST → 01:00 GMT.
  const cases = [
    {
      tz: 'America/Vancouver',
      springNight: '2024-03-09 22:00',
      springStart: Date.UTC(2024, 2, 10, 6),
      fallNight: '2024-11-02 22:00',
      fallStart: Date.UTC(2024, 10, 3, 5),
    },
    {
      tz: 'Europe/London',
      springNight: '2024-03-30 22:00',
      springStart: Date.UTC(2024, 2, 30, 22),
      fallNight: '2024-10-26 22:00',
      fallStart: Date.UTC(2024, 9, 26, 21),
    },
  ];
  for (const { tz, springNight, springStart, fallNight, fallStart } of cases) {
    it(`tiles time with no gap or overlap across both 2024 DST changes in ${tz}`, () => {
      const shifts = shiftWindows(Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1), tz);
      expect(shifts.length).toBe(366 * 3);
      for (let i = 0; i + 1 < shifts.length; i++) {
        expect(shifts[i]!.startMs + shifts[i]!.hours * H).toBe(shifts[i + 1]!.startMs);
      }
      for (const sh of shifts) expect(['06:00', '14:00', '22:00']).toContain(localHm(sh.startMs, tz));
      const odd = shifts.filter((x) => x.hours !== 8);
      expect(odd.map((x) => [x.label, x.hours])).toEqual([
        [`${springNight} (night, 7 h: clocks change)`, 7],
        [`${fallNight} (night, 9 h: clocks change)`, 9],
      ]);
      expect(odd.map((x) => x.startMs)).toEqual([springStart, fallStart]);
    });
  }

  it('supports other starts and lengths (two 12-hour shifts)', () => {
    const shifts = shiftWindows(Date.UTC(2024, 2, 9, 12), Date.UTC(2024, 2, 11, 12), 'America/Vancouver', {
      starts: ['19:00', '07:00'],
      hours: 12,
    });
    expect(shifts.map((x) => [x.label, x.hours])).toEqual([
      ['2024-03-09 07:00 (day)', 12],
      ['2024-03-09 19:00 (night, 11 h: clocks change)', 11],
      ['2024-03-10 07:00 (day)', 12],
      ['2024-03-10 19:00 (night)', 12],
    ]);
  });

  it('moves a start inside the spring-forward gap forward by the gap, and takes the first of a repeated time', () => {
    const gap = shiftWindows(Date.UTC(2024, 2, 10, 0), Date.UTC(2024, 2, 11, 0), 'America/Vancouver', { starts: ['02:30'], hours: 1 });
    expect(gap.map((x) => x.startMs)).toEqual([Date.UTC(2024, 2, 10, 10, 30)]); // 03:30 PDT
    const twice = shiftWindows(Date.UTC(2024, 10, 3, 0), Date.UTC(2024, 10, 4, 0), 'America/Vancouver', { starts: ['01:30'], hours: 1 });
    expect(twice.map((x) => x.startMs)).toEqual([Date.UTC(2024, 10, 3, 8, 30)]); // 01:30 PDT, not PST
  });

  it('rejects an unknown zone, a bad start and a non-positive length with coded errors', () => {
    expectCoded(() => shiftWindows(0, H, 'Mars/Olympus'), TimeZoneError, 'E_TIMEZONE', 'Mars/Olympus');
    expect(() => shiftWindows(0, H, 'UTC', { starts: ['25:00'] })).toThrow(expect.objectContaining({ code: 'E_TIME' }));
    expect(() => shiftWindows(0, H, 'UTC', { hours: 0 })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});

describe('shiftAt', () => {
  it('is 7 real hours on the spring-forward night and 9 on the fall-back night', () => {
    expect(shiftAt('2024-03-09T22:00', 'America/Vancouver')).toEqual({
      startMs: Date.UTC(2024, 2, 10, 6),
      hours: 7,
      label: '2024-03-09 22:00 (night, 7 h: clocks change)',
    });
    expect(shiftAt('2024-11-02T22:00', 'America/Vancouver').hours).toBe(9);
    expect(shiftAt('2024-03-30T22:00', 'Europe/London').hours).toBe(7);
    expect(shiftAt('2024-10-26T22:00', 'Europe/London').hours).toBe(9);
    expect(shiftAt('2024-03-01T22:00', 'America/Vancouver', 8)).toEqual({
      startMs: Date.UTC(2024, 2, 2, 6),
      hours: 8,
      label: '2024-03-01 22:00 (night)',
    });
  });

  it('agrees with shiftWindows', () => {
    const all = shiftWindows(Date.UTC(2024, 9, 20), Date.UTC(2024, 10, 10), 'Europe/London');
    for (const sh of all) {
      const local = DateTime.fromMillis(sh.startMs, { zone: 'Europe/London' }).toFormat("yyyy-MM-dd'T'HH:mm");
      expect(shiftAt(local, 'Europe/London')).toEqual(sh);
    }
  });
});

describe('parseLocalDateTime', () => {
  it('reads local date-times, dates (local midnight) and explicit offsets', () => {
    expect(parseLocalDateTime('2024-03-01T22:00', 'America/Vancouver')).toBe(Date.UTC(2024, 2, 2, 6));
    expect(parseLocalDateTime('2024-03-01 22:00', 'America/Vancouver')).toBe(Date.UTC(2024, 2, 2, 6));
    expect(parseLocalDateTime('2024-03-01', 'America/Vancouver')).toBe(Date.UTC(2024, 2, 1, 8));
    expect(parseLocalDateTime('2024-07-01', 'Europe/London')).toBe(Date.UTC(2024, 5, 30, 23));
    expect(parseLocalDateTime('2024-03-01T22:00Z', 'America/Vancouver')).toBe(Date.UTC(2024, 2, 1, 22));
    expect(parseLocalDateTime('2024-03-01T22:00+01:00', 'America/Vancouver')).toBe(Date.UTC(2024, 2, 1, 21));
  });

  it('rejects impossible or unreadable dates naming the value', () => {
    expect(() => parseLocalDateTime('2024-02-30T10:00', 'UTC')).toThrow(/2024-02-30T10:00/);
    expect(() => parseLocalDateTime('1 March', 'UTC')).toThrow(expect.objectContaining({ code: 'E_TIME' }));
    expectCoded(() => parseLocalDateTime('2024-03-01', 'Nowhere/Land'), TimeZoneError, 'E_TIMEZONE', 'Nowhere/Land');
  });
});
