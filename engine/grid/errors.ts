import { CodedError } from '../errors.ts';

/** Stable codes for grid errors: tests and callers key on them (h3-js style). */
export type GridErrorCode =
  | 'E_LATLNG_DOMAIN'
  | 'E_RES_DOMAIN'
  | 'E_CELL_INVALID'
  | 'E_DISTANCE'
  | 'E_ARGUMENT'
  | 'E_GEOJSON'
  | 'E_NAME_PROPERTY';

/**
 * An error from engine/grid that carries a stable `code` and the offending `value`, so that
 * callers can turn it into a message naming the file, line and field.
 */
export class GridError extends CodedError<GridErrorCode> {}
