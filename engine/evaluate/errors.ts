import { CodedError } from '../errors.ts';

/**
 * Stable codes for evaluation errors: tests and callers key on them.
 * - E_ARGUMENT: a bad input or argument: backtest/tune options, a model's scores, bootstrap,
 *   metric and kernel arguments (value: the offending value);
 * - E_NO_HISTORY: no incident is known before the first window (nothing to learn from);
 * - E_NO_SHIFTS: the test or tuning period holds no window;
 * - E_NO_EVENTS: the test or tuning period holds no incident a model could catch (none at all,
 *   all too vague to place in one window, or all outside the study cells): its hit rates would
 *   be 0/0 (value: { period, inPeriod, unplaced, outsideArea });
 * - E_PRECISION: every test incident is known only to the month, too coarse for shift scoring;
 * - E_CANCELLED: the caller's shouldCancel hook stopped the run;
 * - E_FIT: a model's fit failed inside a rolling refit (value: the underlying error);
 * - E_AREA: the study polygon is not usable, or holds no cell (value: what was wrong).
 * An unknown time zone is the engine-wide TimeZoneError E_TIMEZONE (engine/timezone.ts).
 */
export type EvaluateErrorCode =
  'E_ARGUMENT' | 'E_NO_HISTORY' | 'E_NO_SHIFTS' | 'E_NO_EVENTS' | 'E_PRECISION' | 'E_CANCELLED' | 'E_FIT' | 'E_AREA';

/** An error from engine/evaluate carrying a stable `code` and the offending `value`. */
export class EvaluateError extends CodedError<EvaluateErrorCode> {}
