import { CodedError } from '../errors.ts';

/** Stable codes for evaluation errors: tests and callers key on them. */
export type EvaluateErrorCode = 'E_ARGUMENT' | 'E_NO_HISTORY' | 'E_NO_SHIFTS' | 'E_PRECISION' | 'E_CANCELLED' | 'E_FIT' | 'E_AREA';

/** An error from engine/evaluate carrying a stable `code` and the offending `value`. */
export class EvaluateError extends CodedError<EvaluateErrorCode> {}
