import { CodedError } from '../errors.ts';

/**
 * Stable codes for forecast errors: tests and callers key on them (h3-js style).
 * - E_ARGUMENT: a bad argument: shift start or length, shift range, box counts, scores or
 *   areas that are not finite or out of range (value: the argument);
 * - E_TIME: an unreadable or impossible date-time, or a shift start that is not HH:MM (value: the text);
 * - E_FIT: a fit (or fit file) with a field missing or out of range (value: the field's value);
 * - E_HISTORY: an EventSet that does not match the fit or the incidents (value: the offending
 *   index or length).
 * An unknown time zone is the engine-wide TimeZoneError E_TIMEZONE (engine/timezone.ts).
 */
export type ForecastErrorCode = 'E_ARGUMENT' | 'E_TIME' | 'E_FIT' | 'E_HISTORY';

/** An error from engine/forecast carrying a stable `code` and the offending `value`. */
export class ForecastError extends CodedError<ForecastErrorCode> {}
