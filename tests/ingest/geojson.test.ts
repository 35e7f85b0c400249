import { describe, expect, it } from 'vitest';
import { IngestError, ingestCsvText, ingestGeoJson, summarizeIngest } from '../../engine/ingest/index.ts';
import { fixtureText } from './helpers.ts';

describe('ingestGeoJson', () => {
  it('reads the 40-feature Houston sample like the same rows as CSV', () => {
    const json = JSON.parse(fixtureText('geojson/houston_sample.geojson'));
    const r = ingestGeoJson(json, { file: 'h.geojson', tz: 'America/Chicago', columns: { district: 'beat' } });
    expect(r.format).toBe('geojson');
    expect(r.rowsRead).toBe(40);
    expect(r.incidents.length).toBe(40);
    // The same rows through the CSV reader: lines 2..41 of the slice (none lacks coordinates).
    const csv = ingestCsvText(fixtureText('houston/houston_2010_slice.csv'), {
      file: 'h.csv',
      tz: 'America/Chicago',
      columns: { district: 'beat' },
    });
    const first40 = csv.incidents.slice(0, 40);
    expect(r.incidents.map((i) => [i.id, i.timeMs, i.lat, i.lng, i.category, i.district])).toEqual(
      first40.map((i) => [i.id, i.timeMs, i.lat, i.lng, i.category, i.district]),
    );
    // 40 rows are enough for the hour-data rule: all hour precision.
    expect(summarizeIngest(r).precision).toEqual({ hour: 40 });
    expect(r.incidents[3]!.source).toEqual({ file: 'h.geojson', line: 4 });
  });

  it('rejects each bad feature with its reason (feature number as line)', () => {
    const r = ingestGeoJson(JSON.parse(fixtureText('bad/bad_features.geojson')), { file: 'b.geojson' });
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field])).toEqual([
      [2, 'not_a_point', 'geometry'],
      [3, 'missing_coords', 'geometry'],
      [4, 'bad_coords', 'geometry'],
      [5, 'coords_out_of_range', 'latitude'],
      [6, 'missing_time', 'datetime'],
      [7, 'bad_time', 'datetime'],
      [8, 'not_a_point', null],
      [9, 'coords_zero', 'latitude'],
    ]);
    expect(r.incidents.map((i) => i.id)).toEqual(['ok']);
    expect(r.rowsRead).toBe(9);
  });

  it('turns numeric ids into text', () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { id: 42, datetime: '2023-01-01T00:00Z' } },
      ],
    };
    expect(ingestGeoJson(fc, { file: 'n' }).incidents[0]!.id).toBe('42');
  });

  it('throws E_NOT_GEOJSON for anything but a FeatureCollection', () => {
    for (const v of [null, [], { type: 'Feature' }, { type: 'FeatureCollection' }, 'x']) {
      let err: unknown;
      try {
        ingestGeoJson(v, { file: 'v.json' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IngestError);
      expect((err as IngestError).code).toBe('E_NOT_GEOJSON');
      expect((err as IngestError).message).toMatch(/^v\.json: not a GeoJSON FeatureCollection/);
    }
  });

  it('throws E_NEED_TZ when every feature has a local time and no zone is given', () => {
    const json = JSON.parse(fixtureText('geojson/houston_sample.geojson'));
    expect(() => ingestGeoJson(json, { file: 'h.geojson' })).toThrow(/pass --tz/);
  });
});
