import { CodedError } from '../errors.ts';

/**
 * Stable codes for the service's errors (engine/service): tests and callers key on them.
 * - E_ARGUMENT: a bad request: a model name that is not a preset, a training window that is
 *   not before its end, a non-finite instant (value: the offending value);
 * - E_NO_EVENTS: no incident (of the chosen categories) is known before the end of the
 *   training window: nothing to fit or forecast from (value: the end, epoch ms);
 * - E_FIT_LEAK: a saved fit was trained on data up to after the shift start: a forecast may
 *   only use what was known before its shift (value: the fit's training end, epoch ms);
 * - E_FIT_RES: a saved fit was made at another H3 resolution than the request's (value: the fit's resolution);
 * - E_FIT_DATA: a saved fit was made for other data: its profile's zone is not the request's,
 *   or its cells hold fewer than half the training incidents (value: what was compared);
 * - E_CONFIG_OVERLAP: a configuration tuned on a period reaching past the start of the
 *   forecast (or fit) end: its choices could have seen the incidents being forecast (value: the
 *   configuration's `tuning` record);
 * - E_FIT: the model's fit failed (value: the engine/model error behind it);
 * - E_CANCELLED: the caller's shouldCancel hook stopped the work between stages (a cancel
 *   during the EM is the model's own E_CANCELLED, passed through unchanged).
 * An unknown time zone is the engine-wide TimeZoneError E_TIMEZONE (engine/timezone.ts).
 */
export type ServiceErrorCode =
  'E_ARGUMENT' | 'E_NO_EVENTS' | 'E_FIT_LEAK' | 'E_FIT_RES' | 'E_FIT_DATA' | 'E_CONFIG_OVERLAP' | 'E_FIT' | 'E_CANCELLED';

/** An error from engine/service carrying a stable `code` and the offending `value`. */
export class ServiceError extends CodedError<ServiceErrorCode> {}
