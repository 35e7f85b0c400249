import * as h3 from 'h3-js';
import type { Feature, Polygon } from 'geojson';
import type { H3Cell } from '../types.ts';
import { GridError } from './errors.ts';

/**
 * The default H3 resolution: 10, hexagons of about 0.015 km² (about 150 m across), the size of
 * a PredPol box. Resolution 9 (about 0.1 km², 400 m across) is the coarse option.
 */
export const DEFAULT_RES = 10;

/** @throws {GridError} E_RES_DOMAIN unless `res` is an integer in 0..15 */
export function checkRes(res: number): void {
  if (!Number.isInteger(res) || res < 0 || res > 15) {
    throw new GridError('E_RES_DOMAIN', `H3 resolution must be an integer from 0 to 15, got ${String(res)}`, res);
  }
}

/** @throws {GridError} E_CELL_INVALID unless `cell` is a valid H3 cell id */
export function checkCell(cell: H3Cell): void {
  if (typeof cell !== 'string' || !h3.isValidCell(cell)) {
    throw new GridError('E_CELL_INVALID', `not a valid H3 cell: ${String(cell)}`, cell);
  }
}

/**
 * The H3 cell containing a point.
 *
 * @param lat latitude, WGS84 degrees, −90..90
 * @param lng longitude, WGS84 degrees, −180..180
 * @param res H3 resolution 0..15 (see {@link DEFAULT_RES})
 * @returns the cell id (15 hex digits)
 * @throws {GridError} E_LATLNG_DOMAIN for non-finite or out-of-range coordinates, E_RES_DOMAIN for a bad resolution
 * @example
 * incidentCell(49.2827, -123.1207, 10) // => '8a28de8d8c77fff'
 */
export function incidentCell(lat: number, lng: number, res: number): H3Cell {
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new GridError('E_LATLNG_DOMAIN', `latitude out of range: ${String(lat)}`, lat);
  }
  if (!Number.isFinite(lng) || lng < -180 || lng > 180) {
    throw new GridError('E_LATLNG_DOMAIN', `longitude out of range: ${String(lng)}`, lng);
  }
  checkRes(res);
  return h3.latLngToCell(lat, lng, res);
}

/**
 * The area of one cell in km² (exact spherical area; res-10 cells vary from about 0.011 to
 * 0.017 km² across the globe, average 0.015).
 * @throws {GridError} E_CELL_INVALID
 */
export function cellAreaKm2(cell: H3Cell): number {
  checkCell(cell);
  return h3.cellArea(cell, h3.UNITS.km2);
}

/**
 * The centre of a cell.
 * @throws {GridError} E_CELL_INVALID
 */
export function cellCenter(cell: H3Cell): { lat: number; lng: number } {
  checkCell(cell);
  const [lat, lng] = h3.cellToLatLng(cell);
  return { lat, lng };
}

/** Twice the signed planar area of a ring in (lng, lat): positive when counter-clockwise. */
export function signedArea2(ring: readonly (readonly [number, number])[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum;
}

/**
 * The boundary of a cell as a closed GeoJSON ring of `[lng, lat]` positions (first = last),
 * counter-clockwise as RFC 7946 asks of exterior rings. Cells crossing the antimeridian are not
 * split (none of our study areas is near it).
 * @throws {GridError} E_CELL_INVALID
 */
export function cellBoundaryLngLat(cell: H3Cell): [number, number][] {
  checkCell(cell);
  const ring = h3.cellToBoundary(cell, true).map(([lng, lat]) => [lng!, lat!] as [number, number]);
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  if (signedArea2(ring) < 0) ring.reverse();
  return ring;
}

/**
 * A cell as a GeoJSON Feature with a Polygon geometry (RFC 7946 winding) and the given properties.
 * @throws {GridError} E_CELL_INVALID
 */
export function cellToFeature<P extends Record<string, unknown>>(cell: H3Cell, properties: P): Feature<Polygon, P> {
  return {
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [cellBoundaryLngLat(cell)] },
    properties,
  };
}

/**
 * All cells within grid distance `k` of `cell` (the cell itself included), sorted by id.
 * Cost O(k²).
 * @throws {GridError} E_CELL_INVALID, E_ARGUMENT when k is not a non-negative integer
 */
export function gridDisk(cell: H3Cell, k: number): H3Cell[] {
  checkCell(cell);
  if (!Number.isInteger(k) || k < 0) throw new GridError('E_ARGUMENT', `ring size must be a non-negative integer, got ${String(k)}`, k);
  return h3.gridDisk(cell, k).sort();
}

/**
 * Grid distance: the number of steps between two cells of the same resolution.
 * @throws {GridError} E_CELL_INVALID; E_DISTANCE when the resolutions differ or h3 cannot
 *   compute it (cells too far apart or across a pentagon)
 */
export function gridDistance(a: H3Cell, b: H3Cell): number {
  checkCell(a);
  checkCell(b);
  if (h3.getResolution(a) !== h3.getResolution(b)) {
    throw new GridError('E_DISTANCE', `cells ${a} and ${b} have different resolutions`, [a, b]);
  }
  try {
    return h3.gridDistance(a, b);
  } catch (err) {
    throw new GridError('E_DISTANCE', `no grid distance between ${a} and ${b}: ${(err as Error).message}`, [a, b]);
  }
}

/** Great-circle distance in km between two cells' centres. */
function centreDistanceKm(a: H3Cell, b: H3Cell): number {
  return h3.greatCircleDistance(h3.cellToLatLng(a), h3.cellToLatLng(b), h3.UNITS.km);
}

/**
 * Cells whose centres lie within `km` of this cell's centre (great-circle), the cell itself
 * included at distance 0, sorted by distance then id. Used by the hotspot baselines (quartic
 * kernel within 0.2 km, prospective hotspot within 0.4 km).
 *
 * The ring searched is wide enough by construction: on a hexagonal grid, cells at grid distance
 * d have centres at least d·s·√3/2 apart, where s is the spacing to the nearest neighbour.
 * Cost O((km/s)²).
 * @throws {GridError} E_CELL_INVALID, E_ARGUMENT when km is negative or not finite
 */
export function neighboursWithinKm(cell: H3Cell, km: number): { cell: H3Cell; distanceKm: number }[] {
  checkCell(cell);
  if (!Number.isFinite(km) || km < 0) throw new GridError('E_ARGUMENT', `radius must be a finite number of km ≥ 0, got ${String(km)}`, km);
  let spacingKm = Infinity;
  for (const n of h3.gridDisk(cell, 1)) if (n !== cell) spacingKm = Math.min(spacingKm, centreDistanceKm(cell, n));
  const k = Math.ceil(km / (spacingKm * (Math.sqrt(3) / 2))) + 1;
  const out: { cell: H3Cell; distanceKm: number }[] = [];
  for (const n of h3.gridDisk(cell, k)) {
    const d = n === cell ? 0 : centreDistanceKm(cell, n);
    if (d <= km) out.push({ cell: n, distanceKm: d });
  }
  out.sort((x, y) => x.distanceKm - y.distanceKm || (x.cell < y.cell ? -1 : x.cell > y.cell ? 1 : 0));
  return out;
}
