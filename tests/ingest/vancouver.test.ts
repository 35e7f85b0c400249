import { describe, expect, it } from 'vitest';
import { CATEGORY_PRESETS, ingestCsvText, summarizeIngest, utm10nToLatLng } from '../../engine/ingest/index.ts';
import { fixtureText } from './helpers.ts';

/**
 * Independent oracle: inverse transverse Mercator by Snyder (1987), "Map Projections: A Working
 * Manual", USGS PP 1395, eqs. 8-18 to 8-25 (WGS84, k0 = 0.9996, zone 10: central meridian -123°).
 * Accurate to well under 1 mm within a UTM zone.
 */
function snyderUtm10nToLatLng(easting: number, northing: number): { lat: number; lng: number } {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const k0 = 0.9996;
  const e2 = f * (2 - f);
  const ep2 = e2 / (1 - e2);
  const x = easting - 500000;
  const M = northing / k0;
  const mu = M / (a * (1 - e2 / 4 - (3 * e2 ** 2) / 64 - (5 * e2 ** 3) / 256));
  const e1 = (1 - Math.sqrt(1 - e2)) / (1 + Math.sqrt(1 - e2));
  const phi1 =
    mu +
    ((3 * e1) / 2 - (27 * e1 ** 3) / 32) * Math.sin(2 * mu) +
    ((21 * e1 ** 2) / 16 - (55 * e1 ** 4) / 32) * Math.sin(4 * mu) +
    ((151 * e1 ** 3) / 96) * Math.sin(6 * mu) +
    ((1097 * e1 ** 4) / 512) * Math.sin(8 * mu);
  const C1 = ep2 * Math.cos(phi1) ** 2;
  const T1 = Math.tan(phi1) ** 2;
  const N1 = a / Math.sqrt(1 - e2 * Math.sin(phi1) ** 2);
  const R1 = (a * (1 - e2)) / (1 - e2 * Math.sin(phi1) ** 2) ** 1.5;
  const D = x / (N1 * k0);
  const phi =
    phi1 -
    ((N1 * Math.tan(phi1)) / R1) *
      (D ** 2 / 2 -
        ((5 + 3 * T1 + 10 * C1 - 4 * C1 ** 2 - 9 * ep2) * D ** 4) / 24 +
        ((61 + 90 * T1 + 298 * C1 + 45 * T1 ** 2 - 252 * ep2 - 3 * C1 ** 2) * D ** 6) / 720);
  const lambda =
    (-123 * Math.PI) / 180 +
    (D - ((1 + 2 * T1 + C1) * D ** 3) / 6 + ((5 - 2 * C1 + 28 * T1 - 3 * C1 ** 2 + 8 * ep2 + 24 * T1 ** 2) * D ** 5) / 120) /
      Math.cos(phi1);
  return { lat: (phi * 180) / Math.PI, lng: (lambda * 180) / Math.PI };
}

// Counts checked with: zcat fixtures/vancouver/property_2022.csv.gz | awk -F, 'NR>1{n++; c[$1]++; if($5==0&&$6==0)mid++} END{...}'
describe('vancouver reader on 2022 property crime', () => {
  const result = ingestCsvText(fixtureText('vancouver/property_2022.csv.gz'), { file: 'property_2022.csv.gz' });
  const s = summarizeIngest(result);

  it('is recognised by its header and accepts all 29,353 rows', () => {
    expect(result.format).toBe('vancouver');
    expect(s).toMatchObject({ rowsRead: 29353, accepted: 29353, rejected: 0 });
  });

  it('counts the 7 property types as awk does', () => {
    expect(s.categories).toEqual({
      'Other Theft': 10760,
      'Theft from Vehicle': 7282,
      Mischief: 5617,
      'Break and Enter Commercial': 1986,
      'Theft of Bicycle': 1531,
      'Break and Enter Residential/Other': 1264,
      'Theft of Vehicle': 913,
    });
    expect(new Set(Object.keys(s.categories))).toEqual(new Set(CATEGORY_PRESETS['vancouver-property']!.categories));
  });

  it('flags the 1,264 rows at exactly 00:00 as unknown time of day, minute precision for all', () => {
    expect(s.timeOfDayUnknown).toBe(1264);
    expect(s.precision).toEqual({ minute: 29353 });
  });

  it('reads times as America/Vancouver local time (first 2022-01-01 00:00 PST, last 2022-12-31 23:08 PST)', () => {
    expect(s.first).toBe('2022-01-01T08:00:00.000Z');
    expect(s.last).toBe('2023-01-01T07:08:00.000Z');
  });

  it('puts every incident inside the City of Vancouver bounding box', () => {
    const lats = result.incidents.map((i) => i.lat);
    const lngs = result.incidents.map((i) => i.lng);
    expect(lats.reduce((m, x) => Math.min(m, x), Infinity)).toBeGreaterThan(49.19);
    expect(lats.reduce((m, x) => Math.max(m, x), -Infinity)).toBeLessThan(49.32);
    expect(lngs.reduce((m, x) => Math.min(m, x), Infinity)).toBeGreaterThan(-123.23);
    expect(lngs.reduce((m, x) => Math.max(m, x), -Infinity)).toBeLessThan(-123.02);
  });

  it('takes the district from NEIGHBOURHOOD and has no id', () => {
    const first = result.incidents[0]!;
    // line 2: Other Theft,2022,5,8,8,0,10XX DENMAN ST,West End,489842.0669,5459563.5454 (08:00 PDT)
    expect(first.source.line).toBe(2);
    expect(first.district).toBe('West End');
    expect(first.timeMs).toBe(Date.UTC(2022, 4, 8, 15));
    expect(first.id).toBeNull();
    expect(result.incidents.every((i) => i.id === null)).toBe(true);
  });
});

describe('utm10nToLatLng (proj4)', () => {
  it('agrees with Snyder’s inverse transverse Mercator within 1e-7° on the fixture points', () => {
    const text = fixtureText('vancouver/raw_2022_slice.csv').split('\n').slice(1);
    let n = 0;
    for (const line of text) {
      const f = line.split(',');
      const x = Number(f[8]);
      const y = Number(f[9]);
      if (!(x > 0 && y > 0)) continue;
      const got = utm10nToLatLng(x, y);
      const want = snyderUtm10nToLatLng(x, y);
      expect(Math.abs(got.lat - want.lat)).toBeLessThan(1e-7);
      expect(Math.abs(got.lng - want.lng)).toBeLessThan(1e-7);
      n++;
    }
    expect(n).toBe(31);
  });
});

describe('vancouver reader on a raw slice (all types)', () => {
  const r = ingestCsvText(fixtureText('vancouver/raw_2022_slice.csv'), { file: 'raw.csv' });

  it('rejects the 9 X=Y=0 rows as privacy_offset and the collision without X/Y as missing_coords', () => {
    expect(r.rowsRead).toBe(41);
    expect(r.incidents.length).toBe(31);
    const byReason = summarizeIngest(r).rejectedByReason;
    expect(byReason).toEqual({ privacy_offset: 9, missing_coords: 1 });
    expect(r.rejected.filter((x) => x.reason === 'privacy_offset').map((x) => x.source.line)).toEqual([2, 3, 4, 5, 6, 39, 40, 41, 42]);
    expect(r.rejected.find((x) => x.reason === 'missing_coords')!.source.line).toBe(29);
  });

  it('flags the Other Theft at 2022-09-01 00:00 (line 7) as unknown time of day', () => {
    const inc = r.incidents.find((i) => i.source.line === 7)!;
    expect(inc.timeOfDayUnknown).toBe(true);
    expect(inc.timeMs).toBe(Date.UTC(2022, 8, 1, 7)); // 00:00 PDT
    expect(r.incidents.filter((i) => i.timeOfDayUnknown).length).toBe(1);
  });
});

describe('vancouver reader on DST nights (real 2023 rows)', () => {
  const r = ingestCsvText(fixtureText('vancouver/property_2023.csv.gz'), { file: 'p23' });
  const at = (line: number) => new Date(r.incidents.find((i) => i.source.line === line)!.timeMs).toISOString();

  it('shifts 2023-03-12 02:00, which does not exist, to 03:00 PDT (lines 9746, 21917)', () => {
    expect(at(9746)).toBe('2023-03-12T10:00:00.000Z');
    expect(at(21917)).toBe('2023-03-12T10:00:00.000Z');
    expect(at(8343)).toBe('2023-03-12T10:00:00.000Z'); // a real 03:00 PDT: the same instant
    expect(at(7303)).toBe('2023-03-12T09:00:00.000Z'); // 01:00 PST
  });

  it('reads the repeated hour of 2023-11-05 as its first occurrence, PDT (lines 5302, 15926)', () => {
    expect(at(5302)).toBe('2023-11-05T08:19:00.000Z'); // 01:19 PDT
    expect(at(15926)).toBe('2023-11-05T08:30:00.000Z'); // 01:30 PDT
    expect(at(28602)).toBe('2023-11-05T10:00:00.000Z'); // 02:00 PST
  });
});

describe('vancouver reader: bad rows', () => {
  const r = ingestCsvText(fixtureText('bad/vancouver_bad.csv'), { file: 'vb.csv' });
  it('rejects each with its reason, field and line', () => {
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field])).toEqual([
      [3, 'missing_time', 'MONTH'],
      [4, 'bad_time', 'YEAR..MINUTE'],
      [5, 'bad_time', 'YEAR..MINUTE'],
      [6, 'bad_time', 'MINUTE'],
      [7, 'privacy_offset', 'X'],
      [8, 'missing_coords', 'X'],
      [9, 'bad_coords', 'X'],
      [10, 'coords_out_of_range', 'X'],
    ]);
    expect(r.rejected[1]!.message).toBe('vb.csv line 4 field "YEAR..MINUTE" = "2023-13-1 22:15": not a real date and time');
    expect(r.rowsRead).toBe(r.incidents.length + r.rejected.length);
  });
  it('accepts the good rows, flagging the 00:00 one', () => {
    expect(r.incidents.map((i) => [i.source.line, i.timeOfDayUnknown])).toEqual([
      [2, false],
      [11, true],
    ]);
  });
});
