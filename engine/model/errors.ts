import { CodedError } from '../errors.ts';

/** Stable codes for model errors: tests and callers key on them (E_FIT: a fit file that cannot be read). */
export type ModelErrorCode = 'E_EVENTS' | 'E_WINDOW' | 'E_OPTIONS' | 'E_PARAMS' | 'E_CANCELLED' | 'E_FIT';

/** An error from engine/model carrying a stable `code` and the offending `value`. */
export class ModelError extends CodedError<ModelErrorCode> {}
