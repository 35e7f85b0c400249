import { describe, expect, it } from 'vitest';
import { ingestCsvText, lsoaDistrict, summarizeIngest } from '../../engine/ingest/index.ts';
import { fixtureText } from './helpers.ts';

// Expected numbers come from the fixture itself, counted with awk (fixtures/README.md):
//   zcat fixtures/kent/ashford_2014.csv.gz | awk -F, 'NR>1{n++; if($1=="")noid++; m[$2]++; c[$10]++} END{...}'
describe('police-uk reader on Ashford (Kent) 2014', () => {
  const result = ingestCsvText(fixtureText('kent/ashford_2014.csv.gz'), { file: 'ashford_2014.csv.gz' });
  const s = summarizeIngest(result);

  it('is recognised by its header', () => {
    expect(result.format).toBe('police-uk');
  });

  it('accepts all 7,855 rows (every Ashford row has a location)', () => {
    expect(s).toMatchObject({ rowsRead: 7855, accepted: 7855, rejected: 0 });
  });

  it('counts the categories as awk does', () => {
    expect(s.categories).toEqual({
      'Anti-social behaviour': 1709,
      'Violence and sexual offences': 1593,
      'Other theft': 947,
      'Criminal damage and arson': 892,
      Burglary: 853,
      Shoplifting: 682,
      'Vehicle crime': 476,
      'Bicycle theft': 211,
      Drugs: 173,
      'Public order': 146,
      'Other crime': 69,
      'Theft from the person': 49,
      Robbery: 33,
      'Possession of weapons': 22,
    });
  });

  it('gives month precision at the first instant of the month in Europe/London (BST from April)', () => {
    const byMonth = new Map<number, number>();
    for (const inc of result.incidents) byMonth.set(inc.timeMs, (byMonth.get(inc.timeMs) ?? 0) + 1);
    // 2014-04-01 00:00 BST = 2014-03-31T23:00Z; 2014-11-01 00:00 GMT = 2014-11-01T00:00Z.
    expect(byMonth.get(Date.UTC(2014, 2, 31, 23))).toBe(785);
    expect(byMonth.get(Date.UTC(2014, 0, 1))).toBe(656);
    expect(byMonth.get(Date.UTC(2014, 10, 1))).toBe(610);
    expect(byMonth.size).toBe(11);
    expect(s.precision).toEqual({ month: 7855 });
    expect(s.timeOfDayUnknown).toBe(7855);
    expect(s.first).toBe('2014-01-01T00:00:00.000Z');
    expect(s.last).toBe('2014-11-01T00:00:00.000Z');
  });

  it('has a null id exactly for the 1,709 anti-social behaviour rows (blank Crime ID)', () => {
    const noId = result.incidents.filter((i) => i.id === null);
    expect(noId.length).toBe(1709);
    expect(noId.every((i) => i.category === 'Anti-social behaviour')).toBe(true);
  });

  it('labels the district with the LSOA local authority "Ashford"', () => {
    expect(new Set(result.incidents.map((i) => i.district))).toEqual(new Set(['Ashford']));
  });

  it('keeps the published coordinates and the source line', () => {
    // line 2: cb9c264c...,2014-01,Kent Police,Kent Police,0.968272,51.255956,...,Ashford 001B,Burglary
    expect(result.incidents[0]).toEqual({
      id: 'cb9c264ce2e945276acb97948567e366ac616946672035fee9baaee359a48e6c',
      timeMs: Date.UTC(2014, 0, 1),
      precision: 'month',
      timeOfDayUnknown: true,
      lat: 51.255956,
      lng: 0.968272,
      category: 'Burglary',
      district: 'Ashford',
      location: 'On or near Green Lane',
      source: { file: 'ashford_2014.csv.gz', line: 2 },
    });
  });
});

describe('police-uk reader: rows without a location', () => {
  it('rejects the 4 "No Location" rows of the January slice as missing_coords with their lines', () => {
    const r = ingestCsvText(fixtureText('kent/2014-01_slice.csv'), { file: 'slice.csv' });
    expect(r.rowsRead).toBe(14);
    expect(r.incidents.length).toBe(10);
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field])).toEqual([
      [12, 'missing_coords', 'Latitude'],
      [13, 'missing_coords', 'Latitude'],
      [14, 'missing_coords', 'Latitude'],
      [15, 'missing_coords', 'Latitude'],
    ]);
    expect(r.rejected[0]!.message).toBe('slice.csv line 12 field "Latitude" = "": no coordinates');
  });

  it('rejects bad and missing months and out-of-range latitudes, keeps blank ids and blank LSOA names as null', () => {
    const r = ingestCsvText(fixtureText('bad/police_uk_bad.csv'), { file: 'bad.csv' });
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field, x.value])).toEqual([
      [4, 'missing_time', 'Month', ''],
      [5, 'bad_time', 'Month', 'March 2014'],
      [6, 'bad_time', 'Month', '2014-13'],
      [7, 'coords_out_of_range', 'Latitude', '151.2'],
      [8, 'missing_coords', 'Latitude', ''],
    ]);
    expect(r.incidents.map((i) => [i.source.line, i.id, i.district])).toEqual([
      [2, 'abc1', 'Ashford'],
      [3, null, 'Ashford'],
      [9, 'abc8', null],
    ]);
  });
});

describe('lsoaDistrict', () => {
  it('drops the trailing LSOA code', () => {
    expect(lsoaDistrict('Ashford 001B')).toBe('Ashford');
    expect(lsoaDistrict('Tunbridge Wells 014C')).toBe('Tunbridge Wells');
    expect(lsoaDistrict('Cheshire West and Chester 020A')).toBe('Cheshire West and Chester');
  });
  it('keeps a name without a code', () => {
    expect(lsoaDistrict('Ashford')).toBe('Ashford');
  });
});
