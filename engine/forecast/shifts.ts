/**
 * Patrol shifts in the local wall-clock time of an IANA time zone, right across DST changes.
 *
 * A shift starts at a local wall-clock time (default 06:00, 14:00 and 22:00) and ends `hours`
 * later *on the wall clock* (default 8): the night shift 22:00 → 06:00 is still 22:00 → 06:00
 * on the nights the clocks change, so it lasts 7 real hours on the spring-forward night and 9
 * on the fall-back night. With starts spaced `hours` apart (the defaults), each shift ends
 * exactly where the next begins, so the shifts tile time with no gap and no overlap.
 * `ShiftWindow.hours` is always the *real* duration: (end − start) / 3.6e6.
 *
 * Wall-clock times are resolved with the project's single DST rule (engine/ingest ZoneClock,
 * RFC 5545 / Temporal 'compatible'): a time inside the spring-forward gap moves forward by the
 * gap (02:30 → 03:30), a time in the repeated fall-back hour takes its first occurrence.
 */
import { DateTime } from 'luxon';
import { ZoneClock, parseIsoTime } from '../ingest/index.ts';
import type { ShiftWindow } from '../types.ts';
import { ForecastError } from './errors.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Default local shift starts (PredPol-style three 8-hour shifts). */
export const DEFAULT_SHIFT_STARTS: readonly string[] = ['06:00', '14:00', '22:00'];
/** Default shift length in wall-clock hours. */
export const DEFAULT_SHIFT_HOURS = 8;

/** @throws {TimeZoneError} E_TIMEZONE for an unknown zone (the engine's one check, checkTimeZone) */
function zoneClock(tz: string): ZoneClock {
  return new ZoneClock(tz);
}

function checkHours(hours: number): void {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0 || hours > 24 * 31) {
    throw new ForecastError('E_ARGUMENT', `shift length must be a positive number of hours (at most 744), got ${String(hours)}`, hours);
  }
}

/** Parses 'HH:MM' into minutes after local midnight. @throws {ForecastError} E_TIME */
function parseStart(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(typeof s === 'string' ? s.trim() : '');
  if (m === null || Number(m[1]) > 23 || Number(m[2]) > 59) {
    throw new ForecastError('E_TIME', `shift start must be a local time HH:MM (00:00 to 23:59), got "${String(s)}"`, s);
  }
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * The name of a shift by the wall-clock hour of its midpoint, (start + hours/2) mod 24:
 * 08:00-15:59 'day', 16:00-21:59 'evening', otherwise 'night'. So 06-14 is day, 14-22 evening,
 * 22-06 night; 07-19 is day and 19-07 night.
 * @param startHour local start, in hours after midnight (fractions allowed)
 * @param hours wall-clock length (default 8)
 */
export function shiftName(startHour: number, hours: number = DEFAULT_SHIFT_HOURS): 'day' | 'evening' | 'night' {
  const mid = (((startHour + hours / 2) % 24) + 24) % 24;
  if (mid >= 8 && mid < 16) return 'day';
  if (mid >= 16 && mid < 22) return 'evening';
  return 'night';
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Wall-clock fields of a "naive" ms value (a local time written as if it were UTC). */
function resolveNaive(clock: ZoneClock, naiveMs: number): number {
  const d = new Date(naiveMs);
  return clock.toEpochMs(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds() + d.getUTCMilliseconds() / 1000,
  );
}

/**
 * Builds the window of a shift whose local wall-clock start is `naiveStartMs` (local time
 * written as UTC ms) lasting `hours` on the wall clock.
 */
function windowFromNaive(clock: ZoneClock, naiveStartMs: number, hours: number): ShiftWindow {
  const startMs = resolveNaive(clock, naiveStartMs);
  const endMs = resolveNaive(clock, naiveStartMs + hours * HOUR_MS);
  const realHours = (endMs - startMs) / HOUR_MS;
  // Label in the local time actually in force at the start (a gap time has moved forward).
  const local = DateTime.fromMillis(startMs, { zone: clock.zoneName });
  const date = `${local.year}-${pad2(local.month)}-${pad2(local.day)}`;
  const time = `${pad2(local.hour)}:${pad2(local.minute)}`;
  const extra = realHours === hours ? '' : `, ${Number(realHours.toFixed(3))} h: clocks change`;
  return { startMs, hours: realHours, label: `${date} ${time} (${shiftName(local.hour + local.minute / 60, hours)}${extra})` };
}

/**
 * Every shift whose start lies in [fromMs, toMs), in time order.
 *
 * @param fromMs epoch ms, inclusive
 * @param toMs epoch ms, exclusive
 * @param tz IANA time zone whose wall clock defines the shifts
 * @param options.starts local start times 'HH:MM' (default 06:00, 14:00, 22:00)
 * @param options.hours wall-clock length of each shift in hours (default 8)
 * @returns shifts with `startMs`, real `hours` (7 or 9 across a DST change) and a local `label`
 *   such as "2023-07-01 22:00 (night)"
 * Cost O(days × starts).
 * @throws {ForecastError} E_TIME (bad start), E_ARGUMENT (bad range or hours); {TimeZoneError} E_TIMEZONE
 * @example
 * shiftWindows(Date.UTC(2023, 6, 1, 7), Date.UTC(2023, 6, 2, 7), 'America/Vancouver').map((s) => s.label)
 * // => ['2023-07-01 06:00 (day)', '2023-07-01 14:00 (evening)', '2023-07-01 22:00 (night)']
 */
export function shiftWindows(
  fromMs: number,
  toMs: number,
  tz: string,
  options: { readonly starts?: readonly string[]; readonly hours?: number } = {},
): ShiftWindow[] {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) {
    throw new ForecastError('E_ARGUMENT', `shift range must be finite epoch ms, got ${String(fromMs)} to ${String(toMs)}`, [fromMs, toMs]);
  }
  const clock = zoneClock(tz);
  const hours = options.hours ?? DEFAULT_SHIFT_HOURS;
  checkHours(hours);
  const starts = options.starts ?? DEFAULT_SHIFT_STARTS;
  if (!Array.isArray(starts) || starts.length === 0) {
    throw new ForecastError('E_ARGUMENT', 'at least one shift start time is needed', starts);
  }
  const startMinutes = [...new Set(starts.map(parseStart))].sort((a, b) => a - b);
  if (toMs <= fromMs) return [];

  // Local calendar days to visit: one either side of the range covers every zone offset.
  const firstLocal = DateTime.fromMillis(fromMs, { zone: tz });
  const lastLocal = DateTime.fromMillis(toMs, { zone: tz });
  const firstDay = Date.UTC(firstLocal.year, firstLocal.month - 1, firstLocal.day) - DAY_MS;
  const lastDay = Date.UTC(lastLocal.year, lastLocal.month - 1, lastLocal.day) + DAY_MS;
  const out: ShiftWindow[] = [];
  let previousStart = Number.NEGATIVE_INFINITY;
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    for (const minutes of startMinutes) {
      const w = windowFromNaive(clock, day + minutes * 60_000, hours);
      // Two starts in one spring-forward gap resolve to the same instant: keep one.
      if (w.startMs >= fromMs && w.startMs < toMs && w.startMs > previousStart) {
        out.push(w);
        previousStart = w.startMs;
      }
    }
  }
  return out;
}

/**
 * Reads a date-time as an instant. Without an offset it is local time in `tz`; a date alone
 * means local midnight; an explicit offset (Z, +01:00) wins over `tz`.
 * Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], "YYYY-MM-DD HH:MM", each optionally with Z or ±HH:MM.
 *
 * @returns epoch ms
 * @throws {ForecastError} E_TIME (unreadable or impossible date); {TimeZoneError} E_TIMEZONE
 * @example
 * // 22:00 PST (UTC−8) on 1 March is 06:00Z on 2 March
 * parseLocalDateTime('2024-03-01T22:00', 'America/Vancouver') // => Date.UTC(2024, 2, 2, 6)
 */
export function parseLocalDateTime(s: string, tz: string): number {
  const clock = zoneClock(tz);
  const parsed = parseIsoTime(typeof s === 'string' ? s : '', clock);
  if (parsed.kind === 'ok') return parsed.timeMs;
  const why = parsed.kind === 'bad' ? parsed.why : parsed.kind === 'missing' ? 'empty' : 'no time zone';
  throw new ForecastError(
    'E_TIME',
    `cannot read date-time "${String(s)}": ${why} (expected e.g. 2024-03-01T22:00, 2024-03-01 or 2024-03-01T22:00-08:00)`,
    s,
  );
}

/**
 * The shift that starts at a given local date-time and lasts `hours` on the wall clock.
 * An ISO value with an offset is converted to `tz`'s wall clock first.
 *
 * @example
 * // clocks spring forward that night (02:00 → 03:00): the 8-hour shift lasts 7 real hours
 * shiftAt('2024-03-09T22:00', 'America/Vancouver').hours // => 7
 * @throws {ForecastError} E_TIME, E_ARGUMENT; {TimeZoneError} E_TIMEZONE
 */
export function shiftAt(localIso: string, tz: string, hours: number = DEFAULT_SHIFT_HOURS): ShiftWindow {
  checkHours(hours);
  const startMs = parseLocalDateTime(localIso, tz);
  const clock = zoneClock(tz);
  const local = DateTime.fromMillis(startMs, { zone: tz });
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
  return windowFromNaive(clock, naive, hours);
}
