import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseIsoTime, ZoneClock } from '../../engine/ingest/index.ts';
import { TimeZoneError } from '../../engine/errors.ts';
import { expectCoded } from '../support/coded.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('ZoneClock.toEpochMs', () => {
  const van = new ZoneClock('America/Vancouver');
  const lon = new ZoneClock('Europe/London');

  it('reads an ordinary summer time with the PDT offset (-07:00)', () => {
    expect(iso(van.toEpochMs(2023, 7, 1, 22, 15))).toBe('2023-07-02T05:15:00.000Z');
  });

  it('shifts a nonexistent spring-forward time (2023-03-12 02:30 Vancouver) forward by the gap: 03:30 PDT', () => {
    // 02:00 PST does not exist: clocks jump to 03:00 PDT (= 10:00Z).
    expect(iso(van.toEpochMs(2023, 3, 12, 2, 30))).toBe('2023-03-12T10:30:00.000Z');
    expect(iso(van.toEpochMs(2023, 3, 12, 1, 59))).toBe('2023-03-12T09:59:00.000Z'); // last PST minute
    expect(iso(van.toEpochMs(2023, 3, 12, 3, 0))).toBe('2023-03-12T10:00:00.000Z'); // first PDT minute
  });

  it('takes the earlier instant for an ambiguous fall-back time (2023-11-05 01:30 Vancouver = 01:30 PDT)', () => {
    expect(iso(van.toEpochMs(2023, 11, 5, 1, 30))).toBe('2023-11-05T08:30:00.000Z');
    expect(iso(van.toEpochMs(2023, 11, 5, 0, 59))).toBe('2023-11-05T07:59:00.000Z');
    expect(iso(van.toEpochMs(2023, 11, 5, 2, 0))).toBe('2023-11-05T10:00:00.000Z'); // PST after the repeat
  });

  it('handles the London DST days (2014-03-30 01:30 does not exist; 2014-10-26 01:30 happens twice)', () => {
    expect(iso(lon.toEpochMs(2014, 3, 30, 1, 30))).toBe('2014-03-30T01:30:00.000Z'); // = 02:30 BST
    expect(iso(lon.toEpochMs(2014, 10, 26, 1, 30))).toBe('2014-10-26T00:30:00.000Z'); // first: 01:30 BST
  });

  it('throws TimeZoneError E_TIMEZONE for an unknown zone, naming it', () => {
    const e = expectCoded(() => new ZoneClock('Mars/Olympus_Mons'), TimeZoneError, 'E_TIMEZONE', 'Mars/Olympus_Mons');
    expect(e.message).toBe('unknown time zone "Mars/Olympus_Mons" (use an IANA name such as America/Vancouver or Europe/London)');
  });

  const zones = ['America/Vancouver', 'Europe/London', 'America/Chicago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Havana'];
  const clocks = new Map(zones.map((z) => [z, new ZoneClock(z)]));
  /**
   * The contract, checked against luxon's formatting (an independent path): a wall-clock time
   * that exists round-trips and no earlier instant (30/60/120 min before) shows it; one that does
   * not exist is read with the offset in force a day before (shifted forward by the gap).
   * Returns true when the time was in a gap.
   */
  function checkWallClock(zone: string, y: number, mo: number, d: number, h: number, mi: number): boolean {
    const t = clocks.get(zone)!.toEpochMs(y, mo, d, h, mi);
    const back = DateTime.fromMillis(t, { zone });
    if (back.year === y && back.month === mo && back.day === d && back.hour === h && back.minute === mi) {
      for (const backMin of [30, 60, 120]) {
        const e = DateTime.fromMillis(t - backMin * 60_000, { zone });
        expect(e.day === d && e.hour === h && e.minute === mi, `${zone} ${y}-${mo}-${d} ${h}:${mi}`).toBe(false);
      }
      return false;
    }
    const asUtc = Date.UTC(y, mo - 1, d, h, mi);
    const before = DateTime.fromMillis(asUtc - 86_400_000, { zone }).offset;
    expect(t, `${zone} ${y}-${mo}-${d} ${h}:${mi}`).toBe(asUtc - before * 60_000);
    // and the time really is missing: neither offset around it gives it back
    const after = DateTime.fromMillis(asUtc + 86_400_000, { zone }).offset;
    for (const off of [before, after]) {
      const w = DateTime.fromMillis(asUtc - off * 60_000, { zone });
      expect(w.hour === h && w.minute === mi).toBe(false);
    }
    return true;
  }

  it('round-trips random wall-clock times, choosing the earliest instant (property, checked with luxon)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 1990, max: 2035 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (zone, y, mo, d, h, mi) => {
          checkWallClock(zone, y, mo, d, h, mi);
        },
      ),
      { numRuns: 2000, seed: 20240601 },
    );
  });

  it('keeps the contract on every night of the DST months 2016-2024 (gaps and repeats found and handled)', () => {
    let gaps = 0;
    for (const zone of ['America/Vancouver', 'Europe/London', 'Australia/Lord_Howe', 'America/Havana']) {
      for (let y = 2016; y <= 2024; y++) {
        for (const mo of [3, 4, 10, 11]) {
          for (let d = 1; d <= new Date(Date.UTC(y, mo, 0)).getUTCDate(); d++) {
            for (let m = 0; m < 4 * 60; m += 30) if (checkWallClock(zone, y, mo, d, Math.floor(m / 60), m % 60)) gaps++;
          }
        }
      }
    }
    // Each zone has one spring-forward night a year in these months (tzdb): Vancouver and London
    // lose 2 half-hour slots (02:00, 02:30 / 01:00, 01:30), Havana 2 (00:00, 00:30; it jumps at
    // midnight), Lord Howe 1 (02:00; its shift is 30 min). 9 years: 9·(2+2+2+1) = 63.
    expect(gaps).toBe(63);
  });
});

describe('parseIsoTime', () => {
  const chi = new ZoneClock('America/Chicago');
  it('reads an offset, ignoring the zone', () => {
    const p = parseIsoTime('2010-01-01T00:05:00-06:00', chi);
    expect(p).toEqual({ kind: 'ok', timeMs: Date.UTC(2010, 0, 1, 6, 5), precision: 'minute', midnight: false, hasMinutes: true });
  });
  it('reads Z and ±HHMM and ±HH offsets and fractional seconds', () => {
    expect(parseIsoTime('2010-01-01T12:00:30.5Z', null)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 0, 1, 12, 0, 30, 500) });
    expect(parseIsoTime('2010-01-01T12:00+0530', null)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 0, 1, 6, 30) });
    expect(parseIsoTime('2010-01-01T12:00-03', null)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 0, 1, 15, 0) });
  });
  it('reads "YYYY-MM-DD HH:MM" local times in the zone (Chicago CST = -06:00)', () => {
    expect(parseIsoTime('2010-01-01 00:05', chi)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 0, 1, 6, 5), precision: 'minute' });
  });
  it('gives day precision for a date and hour precision for THH', () => {
    expect(parseIsoTime('2010-07-04', chi)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 6, 4, 5), precision: 'day' });
    expect(parseIsoTime('2010-07-04T13', chi)).toMatchObject({ kind: 'ok', timeMs: Date.UTC(2010, 6, 4, 18), precision: 'hour' });
  });
  it('flags a written 00:00 as midnight', () => {
    expect(parseIsoTime('2010-07-04T00:00', chi)).toMatchObject({ midnight: true, hasMinutes: false });
    expect(parseIsoTime('2010-07-04T00:00:01Z', null)).toMatchObject({ midnight: false, hasMinutes: true });
  });
  it('says no_zone for a local time without a zone, missing for blanks, bad for nonsense', () => {
    expect(parseIsoTime('2010-07-04T10:00', null)).toEqual({ kind: 'no_zone' });
    expect(parseIsoTime('  ', null)).toEqual({ kind: 'missing' });
    for (const v of [
      '04/07/2010',
      '2010-13-01',
      '2010-02-29T10:00Z',
      '2010-07-04T24:00Z',
      '2010-07-04T10:60Z',
      '2010-07-04T10:00+19:00',
      'x',
    ]) {
      expect(parseIsoTime(v, chi).kind, v).toBe('bad');
    }
  });
});
