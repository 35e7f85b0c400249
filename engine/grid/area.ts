import * as h3 from 'h3-js';
import { convex } from '@turf/convex';
import { featureCollection, point } from '@turf/helpers';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import type { H3Cell, Incident } from '../types.ts';
import { checkRes } from './cells.ts';
import { GridError } from './errors.ts';
import { makeCellLookup } from './eventSet.ts';

/** What {@link studyArea} and {@link districtsFromPolygons} accept as areas. */
export type AreaGeoJson = Polygon | MultiPolygon | Feature<Polygon | MultiPolygon> | FeatureCollection<Polygon | MultiPolygon>;

/** The polygons (each a list of GeoJSON rings) of an area, in input order. */
export function polygonsOf(area: AreaGeoJson): Position[][][] {
  const out: Position[][][] = [];
  const addGeometry = (g: Polygon | MultiPolygon | null | undefined, where: string): void => {
    if (g && g.type === 'Polygon') out.push(g.coordinates);
    else if (g && g.type === 'MultiPolygon') for (const poly of g.coordinates) out.push(poly);
    else {
      throw new GridError(
        'E_GEOJSON',
        `${where}: expected a Polygon or MultiPolygon geometry, got ${g ? String((g as { type: unknown }).type) : 'none'}`,
        g,
      );
    }
  };
  if (area === null || typeof area !== 'object') throw new GridError('E_GEOJSON', 'area is not a GeoJSON object', area);
  if (area.type === 'FeatureCollection') {
    area.features.forEach((f, i) => addGeometry(f.geometry, `feature ${i}`));
  } else if (area.type === 'Feature') {
    addGeometry(area.geometry, 'feature');
  } else {
    addGeometry(area, 'geometry');
  }
  return out;
}

/**
 * Cells whose centres fall in one GeoJSON polygon (h3 `polygonToCells`, centre containment).
 * @throws {GridError} E_GEOJSON when h3 rejects the polygon
 */
export function polygonCells(rings: Position[][], res: number): H3Cell[] {
  try {
    return h3.polygonToCells(rings as number[][][], res, true);
  } catch (err) {
    throw new GridError('E_GEOJSON', `cannot fill polygon with H3 cells: ${(err as Error).message}`, rings);
  }
}

/**
 * The study area as H3 cells and its area in km².
 *
 * - With `polygon`: the cells whose centres lie in it (h3 `polygonToCells`, each polygon of a
 *   MultiPolygon or FeatureCollection in turn, holes respected).
 * - Otherwise: the cells covering the convex hull of the incidents (turf `convex`, cells whose
 *   centres are inside), plus every incident's own cell (so no incident falls outside the area).
 *   With fewer than three distinct points the hull is empty and only the incidents' cells count.
 *
 * Cells are unique and sorted; the area is the sum of the cells' exact areas.
 * Cost O(area / cell area + N).
 *
 * @throws {GridError} E_RES_DOMAIN; E_GEOJSON for geometries other than (Multi)Polygon;
 *   E_ARGUMENT when neither a polygon nor any incident is given
 */
export function studyArea(options: { res: number; polygon?: AreaGeoJson; incidents?: readonly Incident[] }): {
  cells: H3Cell[];
  areaKm2: number;
} {
  const { res, polygon, incidents } = options;
  checkRes(res);
  const set = new Set<H3Cell>();
  if (polygon !== undefined) {
    for (const rings of polygonsOf(polygon)) for (const c of polygonCells(rings, res)) set.add(c);
  } else {
    if (!incidents || incidents.length === 0) {
      throw new GridError('E_ARGUMENT', 'studyArea needs a polygon or at least one incident', null);
    }
    const lookup = makeCellLookup(res);
    const seen = new Set<string>();
    const points = [];
    for (const inc of incidents) {
      set.add(lookup(inc.lat, inc.lng));
      const key = `${inc.lat},${inc.lng}`;
      if (!seen.has(key)) {
        seen.add(key);
        points.push(point([inc.lng, inc.lat]));
      }
    }
    const hull = points.length >= 3 ? convex(featureCollection(points)) : null;
    if (hull) for (const c of polygonCells(hull.geometry.coordinates, res)) set.add(c);
  }
  const cells = [...set].sort();
  let areaKm2 = 0;
  for (const c of cells) areaKm2 += h3.cellArea(c, h3.UNITS.km2);
  return { cells, areaKm2 };
}
