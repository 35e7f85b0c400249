/**
 * The committed base map of the bundled data (fixtures/vancouver/basemap.geojson): what it holds,
 * checked against the bundled incidents and known places, and that bench/basemap-vancouver.ts
 * rebuilds it byte for byte from the shared City of Vancouver data (skipped where that is absent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { buildBasemap } from '../../bench/basemap-vancouver.ts';

const FILE = 'fixtures/vancouver/basemap.geojson';
const CONTEXT = '/work/shared/data/vancouver_context';
const text = readFileSync(FILE, 'utf8');
const basemap = JSON.parse(text) as FeatureCollection<Polygon | MultiPolygon>;
const of = (layer: string): Feature<Polygon | MultiPolygon>[] => basemap.features.filter((f) => f.properties!['layer'] === layer);
const water = of('water');
const parks = of('park');
const areas = of('area');

function inside(point: Position, features: readonly Feature<Polygon | MultiPolygon>[]): string[] {
  return features.filter((f) => booleanPointInPolygon(point, f)).map((f) => String(f.properties!['name'] ?? f.properties!['layer']));
}

describe('fixtures/vancouver/basemap.geojson', () => {
  it('is small: well under 300 kB, coordinates to 5 decimals', () => {
    expect(text.length).toBeLessThan(200_000);
    expect(/-?\d+\.\d{6,}/.test(text)).toBe(false);
  });

  it('has one water feature, the 254 parks and the 22 local areas, named as in the bundled incidents', () => {
    expect(water).toHaveLength(1);
    expect(parks).toHaveLength(254);
    const names = areas.map((f) => f.properties!['name']);
    const neighbourhoods = new Set<string>();
    for (const year of [2022, 2023]) {
      const csv = gunzipSync(readFileSync(`fixtures/vancouver/property_${year}.csv.gz`)).toString('utf8');
      for (const line of csv.split('\n').slice(1)) {
        const hood = line.split(',')[7];
        if (hood) neighbourhoods.add(hood);
      }
    }
    // The VPD's neighbourhoods are the local areas except that it calls Downtown "Central Business
    // District" and has two more (Musqueam, Stanley Park): the later district-polygon step must map them.
    expect([...neighbourhoods].filter((n) => !names.includes(n)).sort()).toEqual(['Central Business District', 'Musqueam', 'Stanley Park']);
    expect(names.filter((n) => !neighbourhoods.has(n as string))).toEqual(['Downtown']);
    expect(names).toHaveLength(22);
    expect(names).toContain('Downtown');
    for (const area of areas) expect(inside([area.properties!['labelLon'], area.properties!['labelLat']], [area])).toHaveLength(1);
  });

  it('puts known places in water, parks and local areas', () => {
    expect(inside([-123.165, 49.285], water)).toEqual(['water']); // English Bay
    expect(inside([-123.09, 49.293], water)).toEqual(['water']); // Burrard Inlet
    expect(inside([-123.13, 49.27], water)).toEqual(['water']); // False Creek under the Granville Bridge
    expect(inside([-123.1, 49.2], water)).toEqual(['water']); // the Fraser's north arm
    expect(inside([-123.12, 49.282], water)).toEqual([]); // Downtown, Robson at Burrard
    expect(inside([-123.143, 49.302], parks)).toEqual(['Stanley Park']);
    expect(inside([-123.11, 49.24], parks)).toEqual(['Queen Elizabeth Park']);
    expect(inside([-123.155, 49.268], areas)).toEqual(['Kitsilano']);
  });

  it.skipIf(!existsSync(CONTEXT))('is what bench/basemap-vancouver.ts builds from the shared data', () => {
    expect(`${JSON.stringify(buildBasemap(CONTEXT))}\n`).toBe(text);
  });
});
