/**
 * When is an incident known to have happened, and can it be placed in a forecast window?
 *
 * An incident's time is an interval, its *period* [timeMs, periodEndMs):
 * - minute precision (time-of-day known): an instant, [t, t + 1 ms);
 * - hour precision: [t, t + 1 h) (Houston publishes the hour the offence started);
 * - time-of-day unknown or day precision: the whole local day [t, next local midnight);
 * - month precision: the whole local month [t, first instant of the next month).
 *
 * Two rules follow, and the backtest uses nothing else:
 * - *Training* for a window starting at s may use an incident only if its whole period ends at or
 *   before s (periodEndMs ≤ s). An incident at "00:00, time unknown" on the day a shift starts
 *   could have happened after the shift began, so it joins training only from the next local
 *   midnight; a month-precision crime joins training from the first day of the next month.
 *   This is the price of never letting a possibly-future incident leak into a forecast.
 * - *Scoring*: an incident counts in a window's actuals only if its whole period lies inside the
 *   window. Time-unknown incidents cannot be placed in an 8-hour shift, so they are left out of
 *   the actuals and counted as *unplaced*; in month mode a day- or month-precise incident lies
 *   inside its calendar month and is scored there.
 */
import { DateTime } from 'luxon';
import { checkTimeZone } from '../timezone.ts';
import type { Incident } from '../types.ts';

const HOUR_MS = 3_600_000;

/**
 * End (exclusive, epoch ms) of the period in which the incident is known to lie; see the module
 * comment for the rule per precision.
 *
 * @param tz IANA zone of the data (local days and months are this zone's)
 * @throws {TimeZoneError} E_TIMEZONE when the zone is unknown (checkTimeZone)
 * @example
 * // 2023-07-01 00:00 in Vancouver, time-of-day unknown: known only from 2023-07-02 00:00 local
 * periodEndMs({ timeMs: Date.UTC(2023, 6, 1, 7), precision: 'minute', timeOfDayUnknown: true }, 'America/Vancouver') // => Date.UTC(2023, 6, 2, 7)
 */
export function periodEndMs(incident: Pick<Incident, 'timeMs' | 'precision' | 'timeOfDayUnknown'>, tz: string): number {
  const t = incident.timeMs;
  if (incident.precision === 'month') return localPlus(t, tz, 'month');
  if (incident.precision === 'day' || incident.timeOfDayUnknown) return localPlus(t, tz, 'day');
  if (incident.precision === 'hour') return t + HOUR_MS;
  return t + 1;
}

function localPlus(t: number, tz: string, unit: 'day' | 'month'): number {
  const dt = DateTime.fromMillis(t, { zone: checkTimeZone(tz) });
  return dt
    .startOf(unit)
    .plus(unit === 'day' ? { days: 1 } : { months: 1 })
    .toMillis();
}

/** A forecast window: a shift, or a calendar month in month mode. */
export interface EvalWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly hours: number;
  readonly label: string;
}

/**
 * Calendar months of zone `tz` that start in [fromMs, toMs): the first is the first local month
 * start at or after fromMs. Month lengths follow the calendar and DST (March in London is 743 h).
 *
 * @throws {TimeZoneError} E_TIMEZONE when the zone is unknown (checkTimeZone)
 * @example
 * monthWindows(Date.UTC(2014, 0, 1), Date.UTC(2014, 2, 1), 'Europe/London').map((w) => w.label) // => ['2014-01', '2014-02']
 */
export function monthWindows(fromMs: number, toMs: number, tz: string): EvalWindow[] {
  let start = DateTime.fromMillis(fromMs, { zone: checkTimeZone(tz) }).startOf('month');
  if (start.toMillis() < fromMs) start = start.plus({ months: 1 });
  const out: EvalWindow[] = [];
  while (start.toMillis() < toMs) {
    const end = start.plus({ months: 1 });
    out.push({
      startMs: start.toMillis(),
      endMs: end.toMillis(),
      hours: (end.toMillis() - start.toMillis()) / HOUR_MS,
      label: start.toFormat('yyyy-LL'),
    });
    start = end;
  }
  return out;
}
