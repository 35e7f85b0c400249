/**
 * Time parsing for the readers: wall-clock (local) times in an IANA zone to epoch ms, and the
 * plain format's ISO 8601 values.
 *
 * DST rules (the same as RFC 5545 and Temporal's `disambiguation: 'compatible'`):
 * - a local time that does not exist (the spring-forward gap, e.g. 02:30 on 2023-03-12 in
 *   America/Vancouver) is shifted forward by the length of the gap: 02:30 → 03:30 PDT;
 * - a local time that occurs twice (the fall-back hour, e.g. 01:30 on 2023-11-05) takes the
 *   earlier instant, the first occurrence (01:30 PDT = 08:30Z, not 01:30 PST = 09:30Z).
 */
import { IANAZone } from 'luxon';
import { checkTimeZone } from '../timezone.ts';
import type { TimePrecision } from '../types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Days in a month (1-based month), Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when year/month/day/hour/minute/second form a real calendar date-time (no rollover). */
export function isValidWallClock(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  return (
    Number.isInteger(year) &&
    year >= 1000 &&
    year <= 9999 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12 &&
    Number.isInteger(day) &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    Number.isInteger(hour) &&
    hour >= 0 &&
    hour <= 23 &&
    Number.isInteger(minute) &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second < 60
  );
}

/**
 * Converts wall-clock times in one IANA zone to epoch ms. Offsets are cached per local day:
 * when the zone's offset is the same 36 h before and 60 h after the local day, no transition
 * can fall inside it (tzdb never has two transitions within four days), so the day's offset is
 * reused; only rows on or near DST days pay for the full disambiguation. Amortised O(1) a call.
 */
export class ZoneClock {
  readonly zoneName: string;
  private readonly zone: IANAZone;
  private readonly dayOffsetMin = new Map<number, number | null>();

  /** @throws {TimeZoneError} E_TIMEZONE when `zoneName` is not a valid IANA zone (checkTimeZone). */
  constructor(zoneName: string) {
    this.zoneName = checkTimeZone(zoneName);
    this.zone = IANAZone.create(zoneName);
  }

  /** Epoch ms of a wall-clock time; the caller has validated the fields (isValidWallClock). */
  toEpochMs(year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
    const dayUtc = Date.UTC(year, month - 1, day);
    const naiveMs = dayUtc + hour * HOUR_MS + minute * 60_000 + second * 1000;
    let offset = this.dayOffsetMin.get(dayUtc);
    if (offset === undefined) {
      const before = this.zone.offset(dayUtc - 36 * HOUR_MS);
      const after = this.zone.offset(dayUtc + 60 * HOUR_MS);
      offset = before === after ? before : null;
      this.dayOffsetMin.set(dayUtc, offset);
    }
    if (offset !== null) return naiveMs - offset * 60_000;
    return this.disambiguate(naiveMs);
  }

  /** Full resolution near a transition: candidates from the offsets a day either side. */
  private disambiguate(naiveMs: number): number {
    const offBefore = this.zone.offset(naiveMs - DAY_MS);
    const offAfter = this.zone.offset(naiveMs + DAY_MS);
    let best = Number.POSITIVE_INFINITY;
    for (const off of [offBefore, offAfter]) {
      const t = naiveMs - off * 60_000;
      if (this.zone.offset(t) === off && t < best) best = t; // earliest valid instant
    }
    if (best !== Number.POSITIVE_INFINITY) return best;
    // In the gap: read the wall clock with the offset in force before the jump, i.e. shift
    // forward by the gap length (02:30 PST-as-read = 10:30Z = 03:30 PDT).
    return naiveMs - offBefore * 60_000;
  }
}

/** A parsed plain-format time value. */
export type ParsedTime =
  | {
      readonly kind: 'ok';
      /** Epoch ms, or null when the value is a local time and no zone was given. */
      readonly timeMs: number;
      readonly precision: TimePrecision;
      /** True when the written wall-clock time is exactly 00:00(:00). */
      readonly midnight: boolean;
      /** True when the written time has a non-zero minute or second. */
      readonly hasMinutes: boolean;
    }
  | { readonly kind: 'missing' }
  /** `unreadable`: not in any accepted form (rather than a form with impossible values). */
  | { readonly kind: 'bad'; readonly why: string; readonly unreadable?: true }
  | { readonly kind: 'no_zone' };

// YYYY-MM-DD, then optionally [T or space]HH[:MM[:SS[.fff]]] and an offset (Z, ±HH, ±HHMM, ±HH:MM).
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export const ACCEPTED_TIME_FORMS =
  'YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], or "YYYY-MM-DD HH:MM", optionally followed by Z or an offset like +01:00';

/**
 * Parses an ISO 8601 date or date-time. Precision: 'day' for a date, 'hour' for `THH`,
 * 'minute' otherwise (seconds are kept but do not raise the precision). A value without an
 * offset is local: it needs `clock`, else the result is `{kind: 'no_zone'}`. An explicit
 * offset wins over the zone.
 */
export function parseIsoTime(raw: string, clock: ZoneClock | null): ParsedTime {
  const value = raw.trim();
  if (value === '') return { kind: 'missing' };
  const m = ISO_RE.exec(value);
  if (m === null) return { kind: 'bad', why: `not a date-time; expected ${ACCEPTED_TIME_FORMS}`, unreadable: true };
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hasHour = m[4] !== undefined;
  const hour = hasHour ? Number(m[4]) : 0;
  const minute = m[5] !== undefined ? Number(m[5]) : 0;
  const second = m[6] !== undefined ? Number(m[6]) + (m[7] !== undefined ? Number(`0.${m[7]}`) : 0) : 0;
  if (!isValidWallClock(year, month, day, hour, minute, second)) {
    return { kind: 'bad', why: 'not a real calendar date and time' };
  }
  const precision: TimePrecision = !hasHour ? 'day' : m[5] === undefined ? 'hour' : 'minute';
  const midnight = hasHour && hour === 0 && minute === 0 && second === 0;
  const hasMinutes = minute !== 0 || second !== 0;
  const zone = m[8];
  let timeMs: number;
  if (zone !== undefined) {
    let offsetMin = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const oh = Number(digits.slice(0, 2));
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
      if (oh > 18 || om > 59) return { kind: 'bad', why: `offset ${zone} out of range` };
      offsetMin = sign * (oh * 60 + om);
    }
    timeMs = Date.UTC(year, month - 1, day, hour, minute, 0) + second * 1000 - offsetMin * 60_000;
  } else {
    if (clock === null) return { kind: 'no_zone' };
    timeMs = clock.toEpochMs(year, month, day, hour, minute, second);
  }
  return { kind: 'ok', timeMs, precision, midnight, hasMinutes };
}

// MM/DD/YYYY, then optionally [T or spaces]H[H]:MM[:SS] and AM/PM (US open-data portals: "01/08/2020 10:30:00 PM").
const SLASH_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[Tt ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$/;

/** True when `raw` is written with slashes (MM/DD/YYYY ...), the form {@link parseSlashTime} reads. */
export function isSlashTime(raw: string): boolean {
  return SLASH_RE.test(raw.trim());
}

/**
 * Parses a local date-time written with slashes, month first (`MM/DD/YYYY`, US) or with
 * `order` 'dmy' day first (`DD/MM/YYYY`), optionally with `H:MM[:SS]` and AM/PM (12 AM is 00,
 * 12 PM is 12). Precision 'day' without a time, else 'minute'; always local (it needs `clock`).
 * A month field over 12 where the other is not: `wrong_order`, for the reader to refuse a file
 * written the other way rather than misread its other rows (engine/ingest/plain.ts).
 */
export function parseSlashTime(
  raw: string,
  clock: ZoneClock | null,
  order: 'mdy' | 'dmy' = 'mdy',
): ParsedTime | { readonly kind: 'wrong_order' } {
  const m = SLASH_RE.exec(raw.trim());
  if (m === null) return { kind: 'bad', why: `not a date-time; expected ${ACCEPTED_TIME_FORMS}`, unreadable: true };
  const month = Number(order === 'mdy' ? m[1] : m[2]);
  const day = Number(order === 'mdy' ? m[2] : m[1]);
  const year = Number(m[3]);
  if (month > 12 && day <= 12) return { kind: 'wrong_order' };
  const hasTime = m[4] !== undefined;
  let hour = hasTime ? Number(m[4]) : 0;
  const minute = hasTime ? Number(m[5]) : 0;
  const second = m[6] !== undefined ? Number(m[6]) : 0;
  const ampm = m[7]?.toLowerCase();
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return { kind: 'bad', why: `hour ${hour} with ${ampm}m` };
    hour = (hour % 12) + (ampm === 'p' ? 12 : 0);
  }
  if (!isValidWallClock(year, month, day, hour, minute, second)) return { kind: 'bad', why: 'not a real calendar date and time' };
  if (clock === null) return { kind: 'no_zone' };
  return {
    kind: 'ok',
    timeMs: clock.toEpochMs(year, month, day, hour, minute, second),
    precision: hasTime ? 'minute' : 'day',
    midnight: hasTime && hour === 0 && minute === 0 && second === 0,
    hasMinutes: minute !== 0 || second !== 0,
  };
}

/** Orders precisions from finest to coarsest. */
export const PRECISION_RANK: Readonly<Record<TimePrecision, number>> = { minute: 0, hour: 1, day: 2, month: 3 };
