import { describe, expect, it } from 'vitest';
import {
  createCsvIngestor,
  createCsvTokenizer,
  IngestError,
  ingestCsvChunks,
  ingestCsvText,
  ingestGeoJson,
  POLICE_UK_HEADER,
  VANCOUVER_HEADER,
} from '../../engine/ingest/index.ts';
import { fixtureText } from './helpers.ts';
import { TimeZoneError } from '../../engine/errors.ts';
import { expectCoded } from '../support/coded.ts';

function ingestError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error('expected an IngestError');
}

describe('format detection', () => {
  it('auto recognises police-uk, vancouver and plain by header', () => {
    expect(ingestCsvText(`${POLICE_UK_HEADER}\n`, { file: 'a' }).format).toBe('police-uk');
    expect(ingestCsvText(`${VANCOUVER_HEADER}\n`, { file: 'a' }).format).toBe('vancouver');
    expect(ingestCsvText('id,datetime,lat,lon,category\n', { file: 'a' }).format).toBe('plain');
    expect(ingestCsvText('\uFEFFDateTime,LAT,Lon\n', { file: 'a' }).format).toBe('plain');
  });

  it('fails an unrecognised header with E_UNKNOWN_FORMAT naming the file and the expected headers', () => {
    const e = ingestError(() => ingestCsvText(fixtureText('bad/not_incidents.csv'), { file: 'not_incidents.csv' }));
    expect(e.code).toBe('E_UNKNOWN_FORMAT');
    expect(e.file).toBe('not_incidents.csv');
    expect(e.line).toBe(1);
    expect(e.message).toMatch(
      /^not_incidents\.csv: unrecognised header "name,score,team" \(line 1\); expected a data\.police\.uk street CSV/,
    );
    expect(e.message).toContain(VANCOUVER_HEADER);
    expect(e.message).toContain('--columns');
  });

  it('fails a file that is not the requested format with E_WRONG_FORMAT', () => {
    const e = ingestError(() => ingestCsvText(fixtureText('kent/2014-01_slice.csv'), { file: 'k.csv', format: 'vancouver' }));
    expect(e.code).toBe('E_WRONG_FORMAT');
    expect(e.message).toContain('expected a Vancouver GeoDASH header');
  });

  it('reads a Vancouver file as plain only when asked, and then fails on its missing columns', () => {
    const e = ingestError(() => ingestCsvText(`${VANCOUVER_HEADER}\n`, { file: 'v.csv', format: 'plain' }));
    expect(e.code).toBe('E_MISSING_COLUMN');
  });

  it('fails an empty file with E_EMPTY', () => {
    expect(ingestError(() => ingestCsvText('', { file: 'e.csv' })).code).toBe('E_EMPTY');
  });

  it('rejects bad options with E_BAD_OPTION carrying the bad value', () => {
    expectCoded(() => createCsvIngestor({ file: 'x', columns: { when: 'date' } as never }), IngestError, 'E_BAD_OPTION', 'when');
    expectCoded(() => createCsvIngestor({ file: 'x', format: 'excel' as never }), IngestError, 'E_BAD_OPTION', 'excel');
    expect(ingestError(() => createCsvIngestor({ file: 'x', format: 'geojson' })).code).toBe('E_BAD_OPTION');
  });

  it('rejects an unknown --tz with the engine-wide E_TIMEZONE, for CSV and GeoJSON alike', () => {
    const csv = expectCoded(() => createCsvIngestor({ file: 'x', tz: 'Chicago' }), TimeZoneError, 'E_TIMEZONE', 'Chicago');
    expect(csv.message).toContain('unknown time zone "Chicago"');
    expectCoded(() => ingestCsvText('datetime,lat,lon\n', { file: 'x', tz: 'Chicago' }), TimeZoneError, 'E_TIMEZONE', 'Chicago');
    expectCoded(
      () => ingestGeoJson({ type: 'FeatureCollection', features: [] }, { file: 'x', tz: 'Chicago' }),
      TimeZoneError,
      'E_TIMEZONE',
      'Chicago',
    );
  });

  it('carries the header as the value of a format error, and the column as field and value of a missing one', () => {
    const wrong = expectCoded(() => ingestCsvText('a,b\n1,2\n', { file: 'w.csv', format: 'vancouver' }), IngestError, 'E_WRONG_FORMAT', [
      'a',
      'b',
    ]);
    expect([wrong.file, wrong.line]).toEqual(['w.csv', 1]);
    const unknown = expectCoded(() => ingestCsvText('a,b\n1,2\n', { file: 'u.csv' }), IngestError, 'E_UNKNOWN_FORMAT', ['a', 'b']);
    expect(unknown.file).toBe('u.csv');
    const missing = expectCoded(
      () => ingestCsvText('datetime,lat\n', { file: 'm.csv', columns: { lat: 'lat' } }),
      IngestError,
      'E_MISSING_COLUMN',
      'lon',
    );
    expect([missing.file, missing.line, missing.field]).toEqual(['m.csv', 1, 'lon']);
  });

  it('fails a header that is not valid CSV with E_BAD_CSV, the reason as value', () => {
    const e = expectCoded(() => ingestCsvText('"datetime,lat,lon\n', { file: 'q.csv' }), IngestError, 'E_BAD_CSV');
    expect([e.file, e.line]).toEqual(['q.csv', 1]);
    expect(e.message).toContain(String(e.value));
  });

  it('refuses data pushed after the end with E_FINISHED', () => {
    const tok = createCsvTokenizer(
      () => {},
      () => {},
    );
    tok.end();
    expectCoded(() => tok.write('a'), IngestError, 'E_FINISHED');
    const ing = createCsvIngestor({ file: 'f.csv' });
    ing.push(['datetime', 'lat', 'lon'], 1);
    ing.finish();
    const e = expectCoded(() => ing.push(['2024-01-01T00:00Z', '49', '-123'], 2), IngestError, 'E_FINISHED');
    expect([e.file, e.line]).toEqual(['f.csv', 2]);
  });
});

describe('createCsvIngestor', () => {
  it('gives the same result fed record by record as ingestCsvText on the text', () => {
    // The raw Vancouver slice has no quoted fields, so splitting lines on commas is exact.
    const text = fixtureText('vancouver/raw_2022_slice.csv');
    const ing = createCsvIngestor({ file: 'v' });
    text.split('\n').forEach((line, k) => {
      if (line !== '') ing.push(line.split(','), k + 1);
    });
    const streamed = ing.finish();
    expect(streamed.rowsRead).toBe(41);
    expect(streamed).toEqual(ingestCsvText(text, { file: 'v' }));
  });

  it('counts a record the tokenizer could not split as one bad_csv row', () => {
    const ing = createCsvIngestor({ file: 'x' });
    ing.push(['datetime', 'lat', 'lon'], 1);
    ing.pushUnparsable(2, 'quote never closed');
    const r = ing.finish();
    expect(r.rowsRead).toBe(1);
    expect(r.rejected[0]).toMatchObject({ reason: 'bad_csv', source: { file: 'x', line: 2 } });
  });

  it('numbers lines from where a record starts, counting quoted line breaks', () => {
    const r = ingestCsvText('id,datetime,lat,lon,category\r\na,2023-01-01T10:00Z,1,1,"two\r\nlines"\r\nb,2023-01-01T10:00Z,1,1,x\r\n', {
      file: 'q',
    });
    expect(r.incidents.map((i) => [i.id, i.source.line, i.category])).toEqual([
      ['a', 2, 'two\r\nlines'],
      ['b', 4, 'x'],
    ]);
  });
});

describe('ingestCsvChunks', () => {
  it('gives the same result as ingestCsvText whatever the chunk size (CRLF split across chunks included)', async () => {
    const text = fixtureText('kent/2014-01_slice.csv'); // CRLF line ends
    const whole = ingestCsvText(text, { file: 'k' });
    for (const size of [1, 2, 7, 64, 1000]) {
      async function* chunks() {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      }
      expect(await ingestCsvChunks(chunks(), { file: 'k' })).toEqual(whole);
    }
    expect(whole.rowsRead).toBe(14);
  });
});
