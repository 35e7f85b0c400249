/**
 * Builds the web app's base map for the bundled Vancouver data (fixtures/vancouver/basemap.geojson)
 * from the City of Vancouver's open data in /work/shared/data/vancouver_context (see its README):
 * water, parks with their names and the 22 local areas with their names, as one small GeoJSON
 * FeatureCollection whose features carry `layer` = "water" | "park" | "area" (one source, three
 * map layers). Contains information licensed under the Open Government Licence - Vancouver.
 *
 *   npx tsx bench/basemap-vancouver.ts [contextDir] [outFile]
 *
 * Water: the shoreline is one LineString from Burrard Inlet round English Bay and Point Grey to
 * the Fraser River; it is closed into the land polygon along the eastern city limit (Boundary
 * Road), taken from the outer ring of the local areas' union between the two vertices nearest
 * the shoreline's ends. Water is the bounding box (the city and the shoreline, plus a margin)
 * minus the land, so whatever neighbouring land falls inside the box (Richmond across the Fraser,
 * the North Shore edge) is drawn as water too: the box is kept tight for that reason.
 *
 * Simplification: Douglas-Peucker (turf simplify, high quality) at 5e-5 degrees, about 5.6 m
 * north-south and 3.6 m east-west at 49.25° N; a zoom-14 pixel is about 6.3 m there, so the
 * simplified lines stay within one pixel at the zoom a sergeant reads one box at, and the file
 * stays small. Coordinates are then rounded to 5 decimals (1.1 m by 0.7 m).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon, Position } from 'geojson';

/** Douglas-Peucker tolerance in degrees (see the header). */
export const SIMPLIFY_TOLERANCE_DEG = 5e-5;
/** Decimals kept per coordinate: 1e-5 degrees ≈ 1.1 m north-south. */
export const COORD_DECIMALS = 5;
/** Margin of the water's bounding box around the city and the shoreline, in degrees (≈ 330 m N-S). */
const BOX_MARGIN_DEG = 0.003;

type Area = Polygon | MultiPolygon;

function readGz<T>(dir: string, name: string): T {
  const file = join(dir, `${name}.geojson.gz`);
  try {
    return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as T;
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function round(position: Position): Position {
  const f = 10 ** COORD_DECIMALS;
  return [Math.round(position[0]! * f) / f, Math.round(position[1]! * f) / f];
}

/** Rounds a ring and drops consecutive repeats the rounding made (the ring stays closed). */
function roundRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const r = round(p);
    const last = out[out.length - 1];
    if (!last || last[0] !== r[0] || last[1] !== r[1]) out.push(r);
  }
  return out;
}

/** Simplified and rounded; rings that collapse below 4 positions are dropped, null if nothing is left. */
function compact(geometry: Area): Area | null {
  const simple = turf.simplify(geometry, { tolerance: SIMPLIFY_TOLERANCE_DEG, highQuality: true });
  const polygons = simple.type === 'Polygon' ? [simple.coordinates] : simple.coordinates;
  const kept: Position[][][] = [];
  for (const polygon of polygons) {
    const outer = roundRing(polygon[0]!);
    // A polygon whose outer ring collapsed is dropped whole (its holes mean nothing without it).
    if (outer.length < 4) continue;
    kept.push([
      outer,
      ...polygon
        .slice(1)
        .map(roundRing)
        .filter((ring) => ring.length >= 4),
    ]);
  }
  if (kept.length === 0) return null;
  return kept.length === 1 ? { type: 'Polygon', coordinates: kept[0]! } : { type: 'MultiPolygon', coordinates: kept };
}

function nearestIndex(ring: Position[], target: Position): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < ring.length; i++) {
    const d = (ring[i]![0]! - target[0]!) ** 2 + (ring[i]![1]! - target[1]!) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

/**
 * The ring's vertices from index `from` to index `to`, walking the shorter way: the straight
 * eastern city limit (about 10 km) rather than round the shore (about 40 km).
 */
function easternArc(ring: Position[], from: number, to: number): Position[] {
  const open = ring.slice(0, -1);
  const n = open.length;
  const walk = (step: 1 | -1): Position[] => {
    const out: Position[] = [];
    for (let i = from; ; i = (i + step + n) % n) {
      out.push(open[i]!);
      if (i === to) return out;
    }
  };
  const forward = walk(1);
  const backward = walk(-1);
  return turf.length(turf.lineString(forward)) <= turf.length(turf.lineString(backward)) ? forward : backward;
}

export function buildBasemap(dir: string): FeatureCollection {
  const areas = readGz<FeatureCollection<Polygon, { name: string }>>(dir, 'local-area-boundary');
  const parks = readGz<FeatureCollection<Area, { park_name: string }>>(dir, 'parks-polygon');
  const shore = readGz<FeatureCollection<LineString>>(dir, 'shoreline-2002').features[0]!.geometry.coordinates;

  const city = turf.union(turf.featureCollection(areas.features));
  if (!city) throw new Error('local-area-boundary: the union of the local areas is empty');
  const outer = (city.geometry.type === 'Polygon' ? city.geometry.coordinates : city.geometry.coordinates[0]!)[0]!;
  const fromFraser = nearestIndex(outer, shore[shore.length - 1]!);
  const toInlet = nearestIndex(outer, shore[0]!);
  const closing = easternArc(outer, fromFraser, toInlet);
  const land = turf.polygon([[...shore, ...closing, shore[0]!]]);

  const [w, s, e, n] = turf.bbox(turf.featureCollection<Area | LineString>([city, turf.lineString(shore)]));
  const box = turf.bboxPolygon([w - BOX_MARGIN_DEG, s - BOX_MARGIN_DEG, e, n + BOX_MARGIN_DEG]);
  const water = turf.difference(turf.featureCollection<Area>([box, land]));
  if (!water) throw new Error('shoreline-2002: the land covers the whole box, no water left');

  const features: Feature[] = [];
  const push = (geometry: Area, properties: Record<string, string | number>): void => {
    const small = compact(geometry);
    if (small) features.push({ type: 'Feature', properties, geometry: small });
  };
  push(water.geometry, { layer: 'water' });
  const byName = <T extends { properties: Record<string, string> }>(a: T, b: T, key: string): number =>
    a.properties[key]! < b.properties[key]! ? -1 : a.properties[key]! > b.properties[key]! ? 1 : 0;
  for (const park of [...parks.features].sort((a, b) => byName(a, b, 'park_name'))) {
    push(park.geometry, { layer: 'park', name: park.properties.park_name });
  }
  for (const area of [...areas.features].sort((a, b) => byName(a, b, 'name'))) {
    // Where the page writes the name: a point inside the area (its centroid when that is inside).
    const [labelLon, labelLat] = round(turf.pointOnFeature(area).geometry.coordinates);
    push(area.geometry, { layer: 'area', name: area.properties.name, labelLon: labelLon!, labelLat: labelLat! });
  }
  return { type: 'FeatureCollection', features };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? '/work/shared/data/vancouver_context';
  const out = process.argv[3] ?? 'fixtures/vancouver/basemap.geojson';
  const collection = buildBasemap(dir);
  const text = `${JSON.stringify(collection)}\n`;
  writeFileSync(out, text);
  const counts: Record<string, number> = {};
  for (const f of collection.features) counts[f.properties!['layer']] = (counts[f.properties!['layer']] ?? 0) + 1;
  console.log(`${out}: ${text.length} bytes, features ${JSON.stringify(counts)}`);
}
