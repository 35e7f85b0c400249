/**
 * Golden tests: a fixture in, the ingest summary (plus the first incidents and rejections) out,
 * compared with tests/ingest/golden/<name>.json. After a deliberate change, regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run tests/ingest/golden.test.ts` and review the diff like code.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestCsvText, ingestGeoJson, summarizeIngest, type IngestOptions } from '../../engine/ingest/index.ts';
import type { IngestResult } from '../../engine/types.ts';
import { fixtureText } from './helpers.ts';

const CASES: { name: string; fixture: string; options: Omit<IngestOptions, 'file'> }[] = [
  { name: 'vancouver-property-2023', fixture: 'vancouver/property_2023.csv.gz', options: {} },
  { name: 'vancouver-raw-2022-slice', fixture: 'vancouver/raw_2022_slice.csv', options: {} },
  { name: 'kent-ashford-2014', fixture: 'kent/ashford_2014.csv.gz', options: {} },
  { name: 'kent-2014-01-slice', fixture: 'kent/2014-01_slice.csv', options: {} },
  {
    name: 'chicago-district1',
    fixture: 'chicago/district1_2010_2016.csv.gz',
    options: { columns: { datetime: 'date', lat: 'latitude', lon: 'longitude', district: 'district' }, tz: 'America/Chicago' },
  },
  { name: 'houston-slice', fixture: 'houston/houston_2010_slice.csv', options: { tz: 'America/Chicago', columns: { district: 'beat' } } },
  { name: 'houston-geojson', fixture: 'geojson/houston_sample.geojson', options: { tz: 'America/Chicago', columns: { district: 'beat' } } },
  { name: 'bad-plain-rejections', fixture: 'bad/plain_rejections.csv', options: {} },
  { name: 'bad-spans', fixture: 'bad/spans.csv', options: { tz: 'America/Vancouver' } },
  { name: 'bad-vancouver', fixture: 'bad/vancouver_bad.csv', options: {} },
  { name: 'bad-police-uk', fixture: 'bad/police_uk_bad.csv', options: {} },
  { name: 'bad-features', fixture: 'bad/bad_features.geojson', options: {} },
];

function goldenOf(result: IngestResult) {
  return {
    format: result.format,
    summary: summarizeIngest(result),
    firstIncidents: result.incidents.slice(0, 3),
    firstRejected: result.rejected.slice(0, 12),
  };
}

describe('golden: fixture → ingest summary', () => {
  for (const c of CASES) {
    it(`${c.fixture} gives golden/${c.name}.json`, () => {
      const file = c.fixture.split('/').pop()!;
      const text = fixtureText(c.fixture);
      const result = c.fixture.endsWith('.geojson')
        ? ingestGeoJson(JSON.parse(text), { ...c.options, file })
        : ingestCsvText(text, { ...c.options, file });
      const actual = goldenOf(result);
      const path = fileURLToPath(new URL(`./golden/${c.name}.json`, import.meta.url));
      if (process.env.UPDATE_GOLDEN === '1') {
        writeFileSync(path, `${JSON.stringify(actual, null, 2)}\n`);
      }
      expect(existsSync(path), `missing ${path}: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(actual).toEqual(JSON.parse(readFileSync(path, 'utf8')));
    });
  }
});
