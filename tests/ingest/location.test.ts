/**
 * The incidents' location text (issue 12: a place for every box): kept as published by each
 * reader, null when blank or a placeholder. Counts checked with zcat | awk (commands beside them).
 */
import { describe, expect, it } from 'vitest';
import { ADDRESS_NAMES, ingestCsvText, ingestGeoJson, IngestError } from '../../engine/ingest/index.ts';
import type { Incident } from '../../engine/types.ts';
import { fixtureText } from './helpers.ts';

function countOf(incidents: readonly Incident[], text: string | null): number {
  let n = 0;
  for (const i of incidents) if (i.location === text) n++;
  return n;
}

describe('Vancouver HUNDRED_BLOCK', () => {
  const r = ingestCsvText(fixtureText('vancouver/property_2023.csv.gz'), { file: 'property_2023.csv.gz' });

  it('keeps the block as published and counts it as awk does', () => {
    // zcat fixtures/vancouver/property_2023.csv.gz | awk -F, 'NR>1 && $7=="31XX GRANDVIEW HWY"' | wc -l  → 1093
    expect(countOf(r.incidents, '31XX GRANDVIEW HWY')).toBe(1093);
    // ... $7=="7XX W GEORGIA ST" → 513
    expect(countOf(r.incidents, '7XX W GEORGIA ST')).toBe(513);
    expect(r.incidents[0]!.location).toBe('10XX PACIFIC ST'); // line 2
  });

  it('turns the "location not known" placeholder into null, and nothing else', () => {
    // ... $7=="X NK_LOC ST" → 103; no blank HUNDRED_BLOCK in the file
    expect(countOf(r.incidents, null)).toBe(103);
    expect(countOf(r.incidents, 'X NK_LOC ST')).toBe(0);
    expect(r.incidents.every((i) => i.location !== undefined && i.location !== '')).toBe(true);
  });

  it('shares one string per block (interned)', () => {
    const a = r.incidents.filter((i) => i.location === '31XX GRANDVIEW HWY');
    expect(a.every((i) => Object.is(i.location, a[0]!.location))).toBe(true);
  });

  it('blanks "OFFSET TO PROTECT PRIVACY" when such a row has coordinates, and a blank block', () => {
    const text = [
      'TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y',
      'Mischief,2023,1,2,3,4,OFFSET TO PROTECT PRIVACY,West End,490284.2663,5458343.1703',
      'Mischief,2023,1,2,3,4, ,West End,490284.2663,5458343.1703',
      'Mischief,2023,1,2,3,4, 8XX W GEORGIA ST ,West End,490284.2663,5458343.1703',
    ].join('\n');
    const got = ingestCsvText(text, { file: 'v.csv' });
    expect(got.incidents.map((i) => i.location)).toEqual([null, null, '8XX W GEORGIA ST']);
  });

  it('reads a file without the HUNDRED_BLOCK column, with null locations', () => {
    const text = ['TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,NEIGHBOURHOOD,X,Y', 'Mischief,2023,1,2,3,4,West End,490284.2663,5458343.1703'].join(
      '\n',
    );
    expect(ingestCsvText(text, { file: 'v.csv' }).incidents[0]!.location).toBeNull();
  });
});

describe('data.police.uk Location', () => {
  it('keeps "On or near ..." as published; counts as awk does', () => {
    const r = ingestCsvText(fixtureText('kent/ashford_2014.csv.gz'), { file: 'ashford_2014.csv.gz' });
    // zcat fixtures/kent/ashford_2014.csv.gz | awk -F, 'NR>1{print $7}' | sort | uniq -c | sort -rn | head -2
    //   461 On or near Supermarket, 414 On or near Parking Area; no blank Location
    expect(countOf(r.incidents, 'On or near Supermarket')).toBe(461);
    expect(countOf(r.incidents, 'On or near Parking Area')).toBe(414);
    expect(countOf(r.incidents, null)).toBe(0);
  });

  it('the January slice: its 10 located rows in file order ("No Location" rows are rejected)', () => {
    const r = ingestCsvText(fixtureText('kent/2014-01_slice.csv'), { file: 'slice.csv' });
    // cut -d, -f7 fixtures/kent/2014-01_slice.csv
    expect(r.incidents.map((i) => i.location)).toEqual([
      'On or near Green Lane',
      'On or near Lower Lees Road',
      'On or near Herons Close',
      'On or near Shottenden Road',
      'On or near Canterbury Road',
      "On or near Long'S Acre",
      'On or near Abbots Walk',
      'On or near Bridge Street',
      'On or near Parking Area',
      'On or near Occupation Road',
    ]);
  });
});

describe('plain CSV address', () => {
  const base = 'datetime,lat,lon';
  const row = '2023-01-01T10:00Z,49.28,-123.12';

  it('finds the common names, preferring a street-level one to "location"', () => {
    expect(ADDRESS_NAMES.indexOf('street')).toBeLessThan(ADDRESS_NAMES.indexOf('location'));
    for (const name of ['address', 'Address', 'HUNDRED_BLOCK', 'block', 'street', 'location']) {
      const r = ingestCsvText(`${base},${name}\n${row},1XX MAIN ST\n`, { file: 'p.csv' });
      expect(r.incidents[0]!.location, name).toBe('1XX MAIN ST');
    }
    // Houston: location is the premise type, street the street
    const h = ingestCsvText(fixtureText('houston/houston_2010_slice.csv'), { file: 'h.csv', tz: 'America/Chicago' });
    expect(h.incidents[0]!.location).toBe('marlive ln');
  });

  it('reads a mapped address column; blank → null; none → null', () => {
    const r = ingestCsvText(`${base},where,street\n${row},1XX MAIN ST,ignored\n${row},,ignored\n`, {
      file: 'p.csv',
      columns: { address: 'where' },
    });
    expect(r.incidents.map((i) => i.location)).toEqual(['1XX MAIN ST', null]);
    expect(ingestCsvText(`${base}\n${row}\n`, { file: 'p.csv' }).incidents[0]!.location).toBeNull();
  });

  it('refuses a mapped address column that is not there, naming it', () => {
    let caught: unknown = null;
    try {
      ingestCsvText(`${base}\n${row}\n`, { file: 'p.csv', columns: { address: 'where' } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IngestError);
    expect((caught as IngestError).code).toBe('E_MISSING_COLUMN');
    expect((caught as IngestError).message).toMatch(/no column "where" for address/);
  });

  it('GeoJSON: the address property', () => {
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-123.12, 49.28] },
          properties: { datetime: '2023-01-01T10:00Z', address: '8XX W GEORGIA ST' },
        },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [-123.12, 49.28] }, properties: { datetime: '2023-01-01T11:00Z' } },
      ],
    };
    expect(ingestGeoJson(fc, { file: 'g.geojson' }).incidents.map((i) => i.location)).toEqual(['8XX W GEORGIA ST', null]);
  });
});
