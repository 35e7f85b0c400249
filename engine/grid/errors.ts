import { CodedError } from '../errors.ts';

/**
 * Stable codes for grid errors: tests and callers key on them (h3-js style).
 * - E_LATLNG_DOMAIN: a latitude or longitude out of range or not finite (value: it, or [lat, lng]);
 * - E_RES_DOMAIN: an H3 resolution that is not an integer 0..15 (value: it);
 * - E_CELL_INVALID: a string that is not a valid H3 cell (value: it);
 * - E_DISTANCE: no grid distance between two cells (value: [a, b]);
 * - E_ARGUMENT: another bad argument: origin, ring size, radius, month placement, an incident
 *   time that is not finite (value: it);
 * - E_GEOJSON: an area or district file that is not Polygon/MultiPolygon GeoJSON (value: what was found);
 * - E_NAME_PROPERTY: district polygons without a usable name property (value: the property, or
 *   the properties seen).
 */
export type GridErrorCode =
  'E_LATLNG_DOMAIN' | 'E_RES_DOMAIN' | 'E_CELL_INVALID' | 'E_DISTANCE' | 'E_ARGUMENT' | 'E_GEOJSON' | 'E_NAME_PROPERTY';

/**
 * An error from engine/grid that carries a stable `code` and the offending `value`, so that
 * callers can turn it into a message naming the file, line and field.
 */
export class GridError extends CodedError<GridErrorCode> {}
