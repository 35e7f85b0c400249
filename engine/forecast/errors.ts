import { CodedError } from '../errors.ts';

/** Stable codes for forecast errors: tests and callers key on them (h3-js style). */
export type ForecastErrorCode =
  | 'E_ARGUMENT'
  | 'E_TIME'
  | 'E_TIME_ZONE'
  | 'E_FIT'
  | 'E_HISTORY';

/** An error from engine/forecast carrying a stable `code` and the offending `value`. */
export class ForecastError extends CodedError<ForecastErrorCode> {}
