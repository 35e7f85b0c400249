/**
 * Errors on the worker's side of web/protocol.ts: the worker's own coded errors, and the mapping
 * of anything a job throws to the error response the page receives (message, code, kind), so
 * the page can tell a cancel, bad input and a bug apart. Worker side only: it imports the engine.
 */
import { CodedError } from '../engine/index.ts';
import type { ErrorKind, Response } from './protocol.ts';

/**
 * Stable codes for the worker's own input errors (the engine's are documented in each module's
 * errors.ts):
 * - E_FETCH: the bundled data could not be fetched (value: the HTTP status);
 * - E_GZIP: a .gz file is truncated (the gzip stream ended early) or not valid gzip (value: the file name);
 * - E_NOT_JSON: a .json/.geojson file is not valid JSON (value: the file name);
 * - E_NO_INCIDENTS: the files hold no usable incident (value: the rows read);
 * - E_NO_DATA: a job needs a data set and none is loaded;
 * - E_DISTRICTS: district polygons are not a FeatureCollection of named polygons, or no incident
 *   lies inside them (value: the file name).
 * (No incident of the chosen types before the shift is the engine service's ServiceError
 * E_NO_EVENTS, value: the training end.)
 */
export type WorkerErrorCode = 'E_FETCH' | 'E_GZIP' | 'E_NOT_JSON' | 'E_NO_INCIDENTS' | 'E_NO_DATA' | 'E_DISTRICTS';

/** An input error found by the worker itself, coded like the engine's. */
export class WorkerError extends CodedError<WorkerErrorCode> {}

/** The error part of a Response. */
export type ErrorInfo = Pick<Extract<Response, { type: 'error' }>, 'message' | 'code' | 'kind'>;

/**
 * What a thrown value means to the page: E_CANCELLED → 'cancelled'; any other CodedError (the
 * engine's or the worker's) → 'input'; anything else (TypeError, a bare Error, a thrown string)
 * → 'bug', with code null.
 * @example
 * errorInfo(new TypeError("x is undefined")) // => { message: 'x is undefined', code: null, kind: 'bug' }
 */
export function errorInfo(error: unknown): ErrorInfo {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof CodedError)) return { message, code: null, kind: 'bug' };
  const kind: ErrorKind = error.code === 'E_CANCELLED' ? 'cancelled' : 'input';
  return { message, code: error.code, kind };
}
