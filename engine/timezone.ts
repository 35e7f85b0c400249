/**
 * The engine's one check of a time zone name. Every place that takes a zone (the readers'
 * ZoneClock, shifts, the model's bin calendar, the backtest's known-time rule) validates it
 * here, so an unknown zone is always the same error: TimeZoneError, code E_TIMEZONE, with the
 * zone as `value` and a message naming it.
 */
import { DateTime, IANAZone } from 'luxon';
import { TimeZoneError } from './errors.ts';

/**
 * Returns `tz` when it is a valid IANA zone name (America/Vancouver, Europe/London, UTC,
 * Etc/GMT+8...). Luxon's shorthands that are not IANA names ('system', 'local', 'UTC+3') are
 * refused: the engine never depends on the host's zone.
 * Cost: O(1) after the first call for a name (luxon caches its zone objects).
 * @throws {TimeZoneError} E_TIMEZONE when `tz` is not a string or not a known IANA zone
 * @example
 * checkTimeZone('Europe/London') // => 'Europe/London'
 * checkTimeZone('Chicago') // throws TimeZoneError: unknown time zone "Chicago" (use an IANA name such as America/Vancouver or Europe/London)
 */
export function checkTimeZone(tz: unknown): string {
  if (typeof tz !== 'string' || tz === '' || !IANAZone.create(tz).isValid) {
    throw new TimeZoneError(
      'E_TIMEZONE',
      `unknown time zone "${String(tz)}" (use an IANA name such as America/Vancouver or Europe/London)`,
      tz,
    );
  }
  return tz;
}

/**
 * An instant as the local wall-clock time of `tz` with the zone's abbreviation or offset, to the
 * minute: how the CLI and the service print instants beside local inputs (--at, --until).
 * @throws {TimeZoneError} E_TIMEZONE
 * @example
 * formatLocalInstant(Date.UTC(2024, 5, 16, 5), 'America/Vancouver') // => '2024-06-15T22:00 PDT'
 * formatLocalInstant(Date.UTC(2014, 6, 1), 'Europe/London') // => '2014-07-01T01:00 GMT+1'
 */
export function formatLocalInstant(ms: number, tz: string): string {
  checkTimeZone(tz);
  if (!Number.isFinite(ms)) return String(ms);
  return DateTime.fromMillis(ms, { zone: tz, locale: 'en-US' }).toFormat("yyyy-MM-dd'T'HH:mm ZZZZ");
}
