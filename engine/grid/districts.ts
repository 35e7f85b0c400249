import * as h3 from 'h3-js';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { H3Cell, Incident } from '../types.ts';
import { checkCell } from './cells.ts';
import { GridError } from './errors.ts';
import { makeCellLookup } from './eventSet.ts';

/** Alphabetical order by UTF-16 code units (locale-independent, so the same on every machine). */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Districts from the incidents' own labels: each cell goes to the label most of its incidents
 * carry; a tie goes to the alphabetically first label (plain code-unit order, not locale).
 * Incidents without a label are ignored; a cell none of whose incidents has a label gets no
 * district (absent from the map). Iteration order of the result is sorted by cell.
 *
 * Cost O(N) plus the cell look-ups.
 * @throws {GridError} E_RES_DOMAIN, E_LATLNG_DOMAIN (naming the incident's file and line)
 */
export function districtsFromLabels(incidents: readonly Incident[], res: number): Map<H3Cell, string> {
  const lookup = makeCellLookup(res);
  const pairs: [H3Cell, string][] = [];
  for (const inc of incidents) {
    if (inc.district === null || inc.district === undefined) continue;
    try {
      pairs.push([lookup(inc.lat, inc.lng), inc.district]);
    } catch (err) {
      if (err instanceof GridError) throw new GridError(err.code, `${inc.source.file}, line ${inc.source.line}: ${err.message}`, err.value);
      throw err;
    }
  }
  return majorityLabels(pairs);
}

/**
 * The rule of {@link districtsFromLabels} on (cell, label) pairs already binned: each cell goes
 * to its most frequent label, a tie to the alphabetically first (code-unit order). Result sorted
 * by cell. O(P + cells log cells).
 */
export function majorityLabels(pairs: Iterable<readonly [H3Cell, string]>): Map<H3Cell, string> {
  const counts = new Map<H3Cell, Map<string, number>>();
  for (const [cell, label] of pairs) {
    let m = counts.get(cell);
    if (!m) counts.set(cell, (m = new Map()));
    m.set(label, (m.get(label) ?? 0) + 1);
  }
  const out = new Map<H3Cell, string>();
  for (const cell of [...counts.keys()].sort()) {
    let best: string | null = null;
    let bestCount = -1;
    for (const [label, count] of counts.get(cell)!) {
      if (count > bestCount || (count === bestCount && best !== null && byName(label, best) < 0)) {
        best = label;
        bestCount = count;
      }
    }
    out.set(cell, best!);
  }
  return out;
}

const NAME_CANDIDATES = ['name', 'district', 'NAME'] as const;

/** Polygons with properties: the districts as a GeoJSON FeatureCollection. */
export type NamedAreas = FeatureCollection<Polygon | MultiPolygon, Record<string, unknown> | null>;

function pickNameProperty(fc: NamedAreas, nameProperty: string | undefined): string {
  const has = (f: Feature<Polygon | MultiPolygon, Record<string, unknown> | null>, p: string): boolean =>
    f.properties != null && (typeof f.properties[p] === 'string' || typeof f.properties[p] === 'number');
  if (nameProperty !== undefined) {
    const bad = fc.features.findIndex((f) => !has(f, nameProperty));
    if (bad >= 0) {
      throw new GridError('E_NAME_PROPERTY', `district feature ${bad} has no "${nameProperty}" property`, nameProperty);
    }
    return nameProperty;
  }
  for (const p of NAME_CANDIDATES) if (fc.features.every((f) => has(f, p))) return p;
  const seen = Object.keys(fc.features[0]?.properties ?? {}).join(', ');
  throw new GridError(
    'E_NAME_PROPERTY',
    `district polygons need a name property: none of ${NAME_CANDIDATES.join(', ')} is on every feature (found: ${seen || 'no properties'}); name one explicitly`,
    seen,
  );
}

/**
 * Districts from named polygons: each cell goes to the first feature (in file order) whose
 * polygon contains the cell's centre; cells outside every polygon get no district.
 *
 * @param fc a FeatureCollection of Polygon/MultiPolygon features
 * @param cells the cells to label (e.g. the study area)
 * @param nameProperty the property holding the district name; when omitted, the first of
 *   'name', 'district', 'NAME' that every feature carries
 * @returns cell → district name, iterating in the order of `cells`
 * Cost O(cells × features) point-in-polygon tests, pruned by bounding boxes.
 * @throws {GridError} E_GEOJSON (not a FeatureCollection of polygons), E_NAME_PROPERTY, E_CELL_INVALID
 */
export function districtsFromPolygons(fc: NamedAreas, cells: readonly H3Cell[], nameProperty?: string): Map<H3Cell, string> {
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new GridError('E_GEOJSON', 'districts must be a GeoJSON FeatureCollection of Polygon or MultiPolygon features', fc);
  }
  fc.features.forEach((f, i) => {
    const t = f?.geometry?.type;
    if (t !== 'Polygon' && t !== 'MultiPolygon') {
      throw new GridError('E_GEOJSON', `district feature ${i} is a ${String(t)}, expected Polygon or MultiPolygon`, t);
    }
  });
  const prop = pickNameProperty(fc, nameProperty);
  const boxes = fc.features.map((f) => {
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys)
      for (const ring of poly)
        for (const [x, y] of ring) {
          if (x! < minX) minX = x!;
          if (x! > maxX) maxX = x!;
          if (y! < minY) minY = y!;
          if (y! > maxY) maxY = y!;
        }
    return { minX, minY, maxX, maxY };
  });
  const out = new Map<H3Cell, string>();
  for (const cell of cells) {
    checkCell(cell);
    const [lat, lng] = h3.cellToLatLng(cell);
    for (let i = 0; i < fc.features.length; i++) {
      const b = boxes[i]!;
      if (lng < b.minX || lng > b.maxX || lat < b.minY || lat > b.maxY) continue;
      const f = fc.features[i]!;
      if (booleanPointInPolygon([lng, lat], f)) {
        out.set(cell, String(f.properties![prop]));
        break;
      }
    }
  }
  return out;
}

/**
 * The outline of each district as one GeoJSON MultiPolygon Feature (`properties.district`),
 * sorted by district name; holes kept. For drawing district boundaries on the map.
 * Cost O(cells).
 */
export function districtOutlines(
  districts: ReadonlyMap<H3Cell, string>,
): FeatureCollection<MultiPolygon, { district: string; cells: number }> {
  const groups = new Map<string, H3Cell[]>();
  for (const [cell, name] of districts) {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = []));
    g.push(cell);
  }
  const features = [...groups.keys()].sort(byName).map((name) => {
    const cells = groups.get(name)!;
    return {
      type: 'Feature' as const,
      geometry: { type: 'MultiPolygon' as const, coordinates: h3.cellsToMultiPolygon(cells, true) },
      properties: { district: name, cells: cells.length },
    };
  });
  return { type: 'FeatureCollection', features };
}
