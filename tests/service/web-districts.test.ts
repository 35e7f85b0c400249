/**
 * District polygons in the web app (Settings, "Districts"): the worker's `districts` job
 * (web/engineHost.ts setDistricts, run here in Node) relabels the loaded incidents and the boxes
 * with the polygons as the CLI's --districts does. Two rectangles split Vancouver at longitude
 * -123.1; the oracle for which side a cell is on is its centre's longitude (h3-js), not the
 * point-in-polygon test the engine uses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h3 from 'h3-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecast, load, setDistricts } from '../../web/engineHost.ts';
import type { DatasetInfo, ModelSettings } from '../../web/protocol.ts';
import { runCli } from '../support/cli.ts';
import { AT, FIXTURE, vancouver } from './support.ts';

const SPLIT_LNG = -123.1;
const SOUTH = 49.19;
const NORTH = 49.33;
const rectangle = (name: string, west: number, east: number): object => ({
  type: 'Feature',
  properties: { beat: name },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [west, SOUTH],
        [east, SOUTH],
        [east, NORTH],
        [west, NORTH],
        [west, SOUTH],
      ],
    ],
  },
});
const TWO_BEATS = { type: 'FeatureCollection', features: [rectangle('West', -123.3, SPLIT_LNG), rectangle('East', SPLIT_LNG, -122.9)] };
const MODEL: ModelSettings = { model: 'etas', res: 10, categories: null, trainingDays: null, fitOptions: {}, top: 5 };

let dir: string;
let original: DatasetInfo;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'patrolcast-districts-'));
  const bytes = readFileSync(FIXTURE);
  original = await load(
    {
      kind: 'files',
      files: [
        { name: 'property_2023.csv.gz', bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer },
      ],
    },
    () => {},
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('district polygons in the web app', () => {
  it('counts the incidents of each polygon by the side of the split their cell centre lies on', () => {
    const info = setDistricts({ geojson: TWO_BEATS, name: 'beats.geojson', nameProperty: 'beat' });
    expect(info.districtsFrom).toBe('beats.geojson');
    let west = 0;
    let east = 0;
    for (const incident of vancouver()) {
      const [lat, lng] = h3.cellToLatLng(h3.latLngToCell(incident.lat, incident.lng, 10));
      if (lat < SOUTH || lat > NORTH) continue;
      if (lng < SPLIT_LNG && lng > -123.3) west++;
      else if (lng > SPLIT_LNG && lng < -122.9) east++;
    }
    expect(west + east).toBeGreaterThan(30_000);
    expect(new Map(info.districts.map((d) => [d.name, d.count]))).toEqual(
      new Map([
        ['West', west],
        ['East', east],
      ]),
    );
  });

  it('gives boxes in the two beats only, each on its beat side, the same boxes as the CLI with --districts', async () => {
    setDistricts({ geojson: TWO_BEATS, name: 'beats.geojson', nameProperty: 'beat' });
    const web = forecast({ date: AT.slice(0, 10), shiftStart: AT.slice(11), hours: 8, district: '', model: MODEL }, () => {});
    expect(web.boxes).toHaveLength(10);
    expect(new Set(web.boxes.map((b) => b.district))).toEqual(new Set(['West', 'East']));
    for (const box of web.boxes) {
      // The box's district is its grid cell's; the cell centre decides the side.
      const [, lng] = h3.cellToLatLng(h3.cellToParent(box.h3, 10));
      expect(box.district, `box ${box.h3}`).toBe(lng < SPLIT_LNG ? 'West' : 'East');
    }
    // The map draws the two polygons themselves as the districts.
    expect(web.districts.features.map((f) => f.properties!['district'])).toEqual(['West', 'East']);
    const path = join(dir, 'beats.geojson');
    writeFileSync(path, JSON.stringify(TWO_BEATS));
    const out = join(dir, 'boxes.geojson');
    const cli = await runCli([
      'forecast',
      FIXTURE,
      '--at',
      AT,
      '--top',
      '5',
      '--districts',
      path,
      '--district-property',
      'beat',
      '--out',
      out,
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const cliBoxes = (JSON.parse(readFileSync(out, 'utf8')) as { features: { properties: Record<string, unknown> }[] }).features;
    expect(web.boxes.map((b) => [b.rank, b.h3, b.district, b.expected])).toEqual(
      cliBoxes.map((f) => [f.properties['rank'], f.properties['h3'], f.properties['district'], f.properties['expected']]),
    );
  });

  it('goes back to the data’s own districts', () => {
    const info = setDistricts(null);
    expect(info.districtsFrom).toBeUndefined();
    expect(info.districts).toEqual(original.districts);
    const web = forecast({ date: AT.slice(0, 10), shiftStart: AT.slice(11), hours: 8, district: '', model: MODEL }, () => {});
    expect(web.boxes.some((b) => b.district === 'Central Business District')).toBe(true);
  });

  it('refuses polygons that are not named polygons, or hold no incident, naming the file', () => {
    const point = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: 'x' }, geometry: { type: 'Point', coordinates: [0, 0] } }],
    };
    expect(() => setDistricts({ geojson: point, name: 'points.geojson' })).toThrow(
      /^points\.geojson: district feature 0 is a Point, expected Polygon or MultiPolygon$/,
    );
    const unnamed = { type: 'FeatureCollection', features: [{ ...rectangle('a', 0, 1), properties: { id: 3 } }] };
    expect(() => setDistricts({ geojson: unnamed, name: 'unnamed.geojson' })).toThrow(
      /^unnamed\.geojson: district polygons need a name property/,
    );
    const far = { type: 'FeatureCollection', features: [{ ...rectangle('a', 0, 1), properties: { name: 'Null Island' } }] };
    expect(() => setDistricts({ geojson: far, name: 'far.geojson' })).toThrow(
      'far.geojson: no incident of the loaded data lies inside these district polygons',
    );
    // A refused file leaves the districts as they were.
    const web = forecast({ date: AT.slice(0, 10), shiftStart: AT.slice(11), hours: 8, district: '', model: MODEL }, () => {});
    expect(web.boxes.some((b) => b.district === 'Central Business District')).toBe(true);
  });
});
