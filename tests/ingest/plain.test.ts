import { describe, expect, it } from 'vitest';
import { HOUR_DATA_MIN_ROWS, IngestError, ingestCsvText, MAX_SPAN_HOURS, summarizeIngest } from '../../engine/ingest/index.ts';
import { fixtureText } from './helpers.ts';

/** Runs `fn`, expecting an IngestError; returns it. */
function ingestError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error('expected an IngestError');
}

// Counts: zcat fixtures/chicago/district1_2010_2016.csv.gz | tr -d '\r' | awk -F, 'NR>1{n++; split($1,a," "); if(a[2]=="00:00")mid++}'
describe('plain reader on Chicago district 1 (--columns datetime=date,lat=latitude,lon=longitude --tz America/Chicago)', () => {
  const r = ingestCsvText(fixtureText('chicago/district1_2010_2016.csv.gz'), {
    file: 'chicago.csv.gz',
    columns: { datetime: 'date', lat: 'latitude', lon: 'longitude' },
    tz: 'America/Chicago',
  });
  const s = summarizeIngest(r);

  it('accepts all 1,720 rows, minute precision', () => {
    expect(r.format).toBe('plain');
    expect(s).toMatchObject({ rowsRead: 1720, accepted: 1720, rejected: 0, precision: { minute: 1720 } });
  });

  it('flags the 5 rows at 00:00 (lines 436, 780, 917, 1570, 1585)', () => {
    expect(r.incidents.filter((i) => i.timeOfDayUnknown).map((i) => i.source.line)).toEqual([436, 780, 917, 1570, 1585]);
  });

  it('reads local Chicago times (first 2010-01-01 00:30 CST, last 2016-12-31 10:50 CST)', () => {
    expect(s.first).toBe('2010-01-01T06:30:00.000Z');
    expect(s.last).toBe('2016-12-31T16:50:00.000Z');
  });

  it('takes the district column by its default name and has no category or id', () => {
    expect(new Set(r.incidents.map((i) => i.district))).toEqual(new Set(['1']));
    expect(s.categories).toEqual({ '(none)': 1720 });
    expect(r.incidents[0]).toMatchObject({ id: null, lat: 41.8727, lng: -87.6242 });
  });
});

// Counts: tr -d '\r' < fixtures/houston/houston_2010_slice.csv | awk -F, 'NR>1 && $3!="" {c[$5]++}'
describe('plain reader on the Houston slice (--tz America/Chicago)', () => {
  const r = ingestCsvText(fixtureText('houston/houston_2010_slice.csv'), { file: 'houston.csv', tz: 'America/Chicago' });
  const s = summarizeIngest(r);

  it('reads 1,732 rows, rejects the 5 without coordinates at their lines', () => {
    expect(s).toMatchObject({ rowsRead: 1732, accepted: 1727, rejected: 5, rejectedByReason: { missing_coords: 5 } });
    expect(r.rejected.map((x) => x.source.line)).toEqual([359, 1240, 1295, 1584, 1708]);
  });

  it('counts categories as awk does', () => {
    expect(s.categories).toEqual({
      theft: 948,
      burglary: 345,
      'auto theft': 163,
      'aggravated assault': 159,
      robbery: 106,
      murder: 3,
      rape: 3,
    });
  });

  it('recognises hour data: every time is on the hour, so precision is hour and 00:00 is not flagged', () => {
    expect(s.precision).toEqual({ hour: 1727 });
    expect(s.timeOfDayUnknown).toBe(0);
  });

  it('reads local times across DST (first 2010-01-01 00:00 CST, last 2010-08-31 21:00 CDT)', () => {
    expect(s.first).toBe('2010-01-01T06:00:00.000Z');
    expect(s.last).toBe('2010-09-01T02:00:00.000Z');
  });

  it('keeps the published id', () => {
    expect(r.incidents[0]!.id).toBe('hou2010-82729');
  });
});

describe('plain reader: rejections (fixtures/bad/plain_rejections.csv)', () => {
  const r = ingestCsvText(fixtureText('bad/plain_rejections.csv'), { file: 'pr.csv' });

  it('gives each bad row its reason, field, value and line', () => {
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field, x.value])).toEqual([
      [3, 'missing_time', 'datetime', ''],
      [4, 'bad_time', 'datetime', '31/12/2023 10:00'],
      [5, 'local_time_without_zone', 'datetime', '2023-07-01 22:15'],
      [6, 'missing_coords', 'lat', ''],
      [7, 'bad_coords', 'lon', 'west'],
      [8, 'coords_out_of_range', 'lat', '94.5'],
      [9, 'coords_zero', 'lat', '0'],
      [10, 'wrong_field_count', null, '3'],
      [11, 'empty_row', null, null],
      [12, 'local_time_without_zone', 'datetime', '2023-07-02'],
      [13, 'bad_time', 'datetime', '2023-02-30T10:00Z'],
      [15, 'unclosed_quote', null, null],
    ]);
  });

  it('writes messages that name file, line, field and value', () => {
    expect(r.rejected[1]!.message).toBe(
      'pr.csv line 4 field "datetime" = "31/12/2023 10:00": the first number is not a month: a day-first date (dd/mm/yyyy)? write dates as YYYY-MM-DD',
    );
    expect(r.rejected[2]!.message).toContain('--tz');
  });

  it('counts every row: the unclosed quote on line 15 rejects that line only, and line 16 is read', () => {
    expect(r.rowsRead).toBe(15);
    expect(r.incidents.length + r.rejected.length).toBe(15);
    expect(r.incidents.map((i) => i.id)).toEqual(['ok-1', 'ok-3', 'ok-never']);
    expect(r.incidents[2]!.source.line).toBe(16);
  });

  it('flags ok-3 (written 00:00:00Z) as unknown time of day but not ok-1', () => {
    expect(r.incidents.map((i) => i.timeOfDayUnknown)).toEqual([false, true, false]);
  });

  it('with a zone, reads the local and date-only rows (day precision, local midnight)', () => {
    const z = ingestCsvText(fixtureText('bad/plain_rejections.csv'), { file: 'pr.csv', tz: 'America/Vancouver' });
    const day = z.incidents.find((i) => i.id === 'date-only-no-zone')!;
    expect(day).toMatchObject({ precision: 'day', timeOfDayUnknown: true, timeMs: Date.UTC(2023, 6, 2, 7), category: null });
    expect(z.incidents.find((i) => i.id === 'local-no-zone')!.timeMs).toBe(Date.UTC(2023, 6, 2, 5, 15));
  });
});

describe('plain reader: start/end spans (fixtures/bad/spans.csv)', () => {
  const r = ingestCsvText(fixtureText('bad/spans.csv'), { file: 'spans.csv', tz: 'America/Vancouver' });

  it('takes the midpoint: 20:00 to 08:00 PDT → 02:00 PDT', () => {
    expect(r.incidents.find((i) => i.id === 'ok-span')!.timeMs).toBe(Date.UTC(2023, 6, 2, 9));
  });

  it(`rejects end before start (bad_span) and spans over ${MAX_SPAN_HOURS} h (span_too_long), accepts exactly 72 h`, () => {
    expect(r.rejected.map((x) => [x.source.line, x.reason, x.field])).toEqual([
      [3, 'bad_span', 'end'],
      [4, 'span_too_long', 'end'],
      [6, 'missing_time', 'end'],
    ]);
    expect(r.rejected[1]!.message).toContain('72.0 h');
    expect(r.incidents.find((i) => i.id === 'exactly-72h')!.timeMs).toBe(Date.UTC(2023, 6, 9, 13));
  });

  it('gives a day pair day precision with unknown time of day, midpoint at local noon', () => {
    const d = r.incidents.find((i) => i.id === 'days')!;
    expect(d).toMatchObject({ precision: 'day', timeOfDayUnknown: true, timeMs: Date.UTC(2023, 6, 7, 19) });
  });
});

describe('plain reader: file-level rules', () => {
  it('throws E_NEED_TZ, saying to pass --tz, when every time is local without a zone', () => {
    const e = ingestError(() => ingestCsvText(fixtureText('bad/local_times.csv'), { file: 'lt.csv' }));
    expect(e.code).toBe('E_NEED_TZ');
    expect(e.message).toContain('lt.csv');
    expect(e.message).toContain('pass --tz');
    expect(e.line).toBe(2);
    expect([e.field, e.value]).toEqual(['datetime', '2010-01-01T00:00']); // line 2 of the fixture
  });

  it('maps columns, case-insensitively, and reads optional ones when present', () => {
    const text = 'When,Y,X,Kind,Beat,Ref\n2023-07-01T10:15Z,41.5,-87.5,assault,B1,r1\n';
    const r = ingestCsvText(text, {
      file: 'm.csv',
      columns: { datetime: 'when', lat: 'y', lon: 'x', category: 'kind', district: 'beat', id: 'ref' },
    });
    expect(r.incidents[0]).toMatchObject({
      id: 'r1',
      category: 'assault',
      district: 'B1',
      lat: 41.5,
      lng: -87.5,
      timeMs: Date.UTC(2023, 6, 1, 10, 15),
    });
  });

  it('names a mapped column that is not in the header', () => {
    const e = ingestError(() => ingestCsvText('date,lat,lon\n', { file: 'm.csv', columns: { datetime: 'date', category: 'offense' } }));
    expect(e.code).toBe('E_MISSING_COLUMN');
    expect(e.field).toBe('offense');
    expect(e.message).toBe('m.csv: no column "offense" for category in the header (date,lat,lon)');
  });

  it(`calls a file of ≥ ${HOUR_DATA_MIN_ROWS} rows all on the hour hour data, but not a smaller one or one with any minute`, () => {
    const rows = (n: number, minute = '00') =>
      `datetime,lat,lon\n${Array.from({ length: n }, (_, k) => `2023-07-01T${String(k % 24).padStart(2, '0')}:${k === n - 1 ? minute : '00'}Z,41.5,-87.5`).join('\n')}\n`;
    expect(summarizeIngest(ingestCsvText(rows(HOUR_DATA_MIN_ROWS), { file: 'a' })).precision).toEqual({ hour: HOUR_DATA_MIN_ROWS });
    expect(summarizeIngest(ingestCsvText(rows(HOUR_DATA_MIN_ROWS - 1), { file: 'a' })).precision).toEqual({
      minute: HOUR_DATA_MIN_ROWS - 1,
    });
    expect(summarizeIngest(ingestCsvText(rows(50, '07'), { file: 'a' })).precision).toEqual({ minute: 50 });
  });
});
