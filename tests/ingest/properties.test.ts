import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCsvIngestor,
  IngestError,
  ingestCsvText,
  ingestGeoJson,
  POLICE_UK_HEADER,
  VANCOUVER_HEADER,
} from '../../engine/ingest/index.ts';

// Pieces that look like the real thing, mixed with arbitrary text, so rows reach every branch.
const piece = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '0.0',
    '-1',
    '1e3',
    'NaN',
    '2023',
    '13',
    '59',
    '60',
    '49.28',
    '-123.12',
    '491775.7',
    '5458977.7',
    '2014-03',
    '2023-07-01T10:00Z',
    '2023-07-01 10:00',
    '2023-07-01',
    '2023-02-30T10:00Z',
    'Ashford 001B',
    'Burglary',
    '9999-99-99',
  ),
);
const cleanPiece = piece.map((s) => s.replace(/["\r\n]/g, ''));
const HEADERS = {
  'police-uk': POLICE_UK_HEADER,
  vancouver: VANCOUVER_HEADER,
  plain: 'id,datetime,lat,lon,category',
  span: 'id,start,end,lat,lon,category,district',
} as const;
const headerArb = fc.constantFrom(...(Object.keys(HEADERS) as (keyof typeof HEADERS)[]));

describe('readers on random garbage (fast-check)', () => {
  it('never crash and never lose a row: accepted + rejected = rows read = lines (no quotes or line breaks)', () => {
    fc.assert(
      fc.property(headerArb, fc.array(fc.array(cleanPiece, { minLength: 0, maxLength: 14 }), { maxLength: 25 }), (kind, rows) => {
        const lines = rows.map((r) => r.join(','));
        const text = `${HEADERS[kind]}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
        const r = ingestCsvText(text, { file: 'g.csv', tz: 'Europe/London' });
        expect(r.incidents.length + r.rejected.length).toBe(r.rowsRead);
        expect(r.rowsRead).toBe(lines.length);
        // Each data line appears exactly once, accepted or rejected, at its own line number.
        const seen = [...r.incidents.map((i) => i.source.line), ...r.rejected.map((x) => x.source.line)].sort((a, b) => a - b);
        expect(seen).toEqual(lines.map((_, k) => k + 2));
        for (const x of r.rejected) expect(x.message.startsWith(`g.csv line ${x.source.line}`)).toBe(true);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('never crash on arbitrary text after a valid header (quotes and line breaks included): counts still add up', () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.array(fc.oneof(piece, fc.constantFrom('"', '""', '\r\n', '\n', '\r', ',"', '",')), { maxLength: 60 }),
        (kind, bits) => {
          const text = `${HEADERS[kind]}\n${bits.join(',')}`;
          const r = ingestCsvText(text, { file: 'g.csv', tz: 'America/Vancouver' });
          expect(r.incidents.length + r.rejected.length).toBe(r.rowsRead);
          for (const i of r.incidents) {
            expect(Number.isFinite(i.timeMs)).toBe(true);
            expect(Math.abs(i.lat)).toBeLessThanOrEqual(90);
            expect(Math.abs(i.lng)).toBeLessThanOrEqual(180);
            expect(i.lat === 0 && i.lng === 0).toBe(false);
          }
        },
      ),
      { numRuns: 400, seed: 11 },
    );
  });

  it('without a zone, plain garbage either reads or fails as a whole with E_NEED_TZ, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cleanPiece, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 20 }), (rows) => {
        const text = `${HEADERS.plain}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
        try {
          const r = ingestCsvText(text, { file: 'g.csv' });
          expect(r.incidents.length + r.rejected.length).toBe(rows.length);
        } catch (err) {
          expect(err).toBeInstanceOf(IngestError);
          expect((err as IngestError).code).toBe('E_NEED_TZ');
        }
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('keeps every valid row among garbage: n generated incidents in, n accepted', () => {
    const valid = fc.record({
      minute: fc.integer({ min: 0, max: 525_599 }),
      lat: fc.double({ min: -89, max: 89, noNaN: true }),
      lng: fc.double({ min: -179, max: 179, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(valid, fc.array(cleanPiece, { maxLength: 3 })), { maxLength: 40 }), (rows) => {
        let nValid = 0;
        const lines = rows.map((row, k) => {
          if (Array.isArray(row)) return row.join(',');
          nValid++;
          const lat = row.lat === 0 && row.lng === 0 ? 1 : row.lat;
          return `v${k},${new Date(Date.UTC(2023, 0, 1) + row.minute * 60_000).toISOString()},${lat},${row.lng},x`;
        });
        const r = ingestCsvText(`${HEADERS.plain}\n${lines.join('\n')}\n`, { file: 'g.csv' });
        // Garbage rows of < 5 fields are always rejected, so exactly the valid ones survive.
        expect(r.incidents.length).toBe(nValid);
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it('createCsvIngestor.push takes any field arrays without throwing', () => {
    fc.assert(
      fc.property(headerArb, fc.array(fc.array(fc.string(), { maxLength: 14 }), { maxLength: 30 }), (kind, rows) => {
        const ing = createCsvIngestor({ file: 'p', tz: 'UTC' });
        ing.push(HEADERS[kind].split(','), 1);
        rows.forEach((f, k) => ing.push(f, k + 2));
        const r = ing.finish();
        expect(r.rowsRead).toBe(rows.length);
        expect(r.incidents.length + r.rejected.length).toBe(rows.length);
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('ingestGeoJson takes any JSON features without throwing and counts each', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.jsonValue(),
            fc.record({
              type: fc.constant('Feature'),
              geometry: fc.jsonValue(),
              properties: fc.dictionary(fc.constantFrom('id', 'datetime', 'category', 'start', 'end'), fc.jsonValue()),
            }),
          ),
          { maxLength: 20 },
        ),
        (features) => {
          const r = ingestGeoJson({ type: 'FeatureCollection', features }, { file: 'j', tz: 'UTC' });
          expect(r.rowsRead).toBe(features.length);
          expect(r.incidents.length + r.rejected.length).toBe(features.length);
        },
      ),
      { numRuns: 300, seed: 23 },
    );
  });
});
