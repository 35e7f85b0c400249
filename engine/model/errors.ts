import { CodedError } from '../errors.ts';

/** Stable codes for model errors: tests and callers key on them. */
export type ModelErrorCode = 'E_EVENTS' | 'E_WINDOW' | 'E_OPTIONS' | 'E_PARAMS' | 'E_CANCELLED';

/** An error from engine/model carrying a stable `code` and the offending `value`. */
export class ModelError extends CodedError<ModelErrorCode> {}
