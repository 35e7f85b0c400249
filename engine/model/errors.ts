import { CodedError } from '../errors.ts';

/**
 * Stable codes for model errors: tests and callers key on them.
 * - E_EVENTS: an event set the model cannot fit: arrays of different lengths, a cell or time out
 *   of range, unsorted, or empty (value: the offending index, length or time);
 * - E_WINDOW: a training window or bin calendar range that is not finite with start < end, or
 *   a calendar that does not cover it (value: the window or range);
 * - E_OPTIONS: bad fit options or configuration (bounds, fixed parameters, profile, shift
 *   starts, half-life...; value: the option's value);
 * - E_PARAMS: parameters outside their domain, or the EM objective became NaN (value: the parameter);
 * - E_CANCELLED: the caller's shouldCancel hook stopped the fit (value: the iteration);
 * - E_FIT: a fit file (readEtasFit) with a field missing or out of range (value: the field's value).
 * An unknown time zone is the engine-wide TimeZoneError E_TIMEZONE (engine/timezone.ts).
 */
export type ModelErrorCode = 'E_EVENTS' | 'E_WINDOW' | 'E_OPTIONS' | 'E_PARAMS' | 'E_CANCELLED' | 'E_FIT';

/** An error from engine/model carrying a stable `code` and the offending `value`. */
export class ModelError extends CodedError<ModelErrorCode> {}
