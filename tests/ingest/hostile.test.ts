/**
 * Hostile CSV files (issue 10): quotes in odd places, an unclosed quote, CRLF/CR/LF mixed, a
 * UTF-8 BOM, Latin-1 text read as UTF-8, blank lines, wrong field counts, outliers, duplicate
 * rows and a file given twice, in the plain and Vancouver formats, fed in chunks of any size.
 * Nothing may be lost: rows read = accepted + rejected = the records the generator wrote,
 * counted by a rule independent of the tokenizer (one record per generated row; a valid quoted
 * field may hold line breaks, in rows of the header's field count (a multi-line row of the wrong
 * count is re-read line by line: tests/ingest/tokenizer.test.ts); a stray quote opening a field
 * rejects that row only, so the generator writes no other quote in such a file), and csv-parse
 * (relaxed) agrees on the files
 * with one line-ending style and no stray quote. Nothing throws except the documented coded
 * file-level errors.
 */
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRejections, dropDuplicates, IngestError, ingestCsvChunks } from '../../engine/ingest/index.ts';

const FILE_ERRORS = ['E_EMPTY', 'E_UNKNOWN_FORMAT', 'E_WRONG_FORMAT', 'E_MISSING_COLUMN', 'E_BAD_CSV', 'E_NEED_TZ', 'E_MOSTLY_REJECTED'];

const HEADERS = {
  plain: ['id', 'datetime', 'lat', 'lon', 'category'],
  vancouver: ['TYPE', 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'HUNDRED_BLOCK', 'NEIGHBOURHOOD', 'X', 'Y'],
} as const;
type Format = keyof typeof HEADERS;

// Field values: ordinary, outliers (a 1923 year, 0,0, out-of-range), encodings (Latin-1 read as
// UTF-8 gives U+FFFD or mojibake), control characters and spaces. No quote: quotes are placed below.
const text = fc.constantFrom('Theft', 'Mischief', 'Café', 'Caf\uFFFD', 'CafÃ©', '', ' ', 'x\u001b[31m', 'Other Theft', '10XX MAIN ST');
const plainValues = {
  id: fc.constantFrom('r1', 'r2', 'r3', 'r4', '', 'ID\u00e9'),
  datetime: fc.constantFrom(
    '2023-05-01T10:00Z',
    '2023-05-02T23:59:00+01:00',
    '1923-05-01T10:00Z',
    '2023-02-30T10:00Z',
    '2023-05-01 10:00',
    'soon',
    '',
  ),
  lat: fc.constantFrom('49.28', '0', '91', '-49.2', 'x', ''),
  lon: fc.constantFrom('-123.12', '0', '181', '1e2', ''),
  category: text,
};
const vancouverValues = {
  TYPE: text,
  YEAR: fc.constantFrom('2023', '1923', '20x3', ''),
  MONTH: fc.constantFrom('1', '12', '13', ''),
  DAY: fc.constantFrom('1', '31', '30'),
  HOUR: fc.constantFrom('0', '23', '24'),
  MINUTE: fc.constantFrom('0', '59', '60'),
  HUNDRED_BLOCK: text,
  NEIGHBOURHOOD: text,
  X: fc.constantFrom('490284.2663', '0', '', 'abc'),
  Y: fc.constantFrom('5458343.1703', '0', '-1'),
};

/** A generated row: its fields (a quoted one may hold a line break), or a blank line. */
type Row = { kind: 'blank' } | { kind: 'fields'; fields: string[] };

function rowArb(format: Format): fc.Arbitrary<Row> {
  const values = format === 'plain' ? plainValues : vancouverValues;
  const record = fc.tuple(...Object.values(values)) as fc.Arbitrary<string[]>;
  return fc.oneof(
    { weight: 8, arbitrary: record.map((fields) => ({ kind: 'fields' as const, fields })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
    // Wrong field counts: one missing, one extra.
    { weight: 1, arbitrary: record.map((f) => ({ kind: 'fields' as const, fields: f.slice(1) })) },
    { weight: 1, arbitrary: record.map((f) => ({ kind: 'fields' as const, fields: [...f, 'extra'] })) },
  );
}

const EOLS = ['\n', '\r\n', '\r'] as const;

interface Hostile {
  format: Format;
  text: string;
  rows: number;
  uniformEol: boolean;
  stray: boolean;
}

/** Writes a file. `quoted`: field indices written quoted (valid, doubling quotes; some with a line break). */
function hostileArb(format: Format): fc.Arbitrary<Hostile> {
  return fc
    .record({
      rows: fc.array(rowArb(format), { minLength: 0, maxLength: 40 }),
      repeat: fc.array(fc.nat(), { maxLength: 4 }), // duplicate rows: copies of earlier rows
      eols: fc.array(fc.constantFrom(...EOLS), { minLength: 1, maxLength: 3 }),
      bom: fc.boolean(),
      finalEol: fc.boolean(),
      quoting: fc.constantFrom('none', 'valid', 'stray'),
      quoteSeed: fc.nat(),
    })
    .map(({ rows, repeat, eols, bom, finalEol, quoting, quoteSeed }) => {
      const all = [...rows];
      for (const r of repeat) if (rows.length > 0) all.push(rows[r % rows.length]!);
      let seed = quoteSeed;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
      const candidates = all.flatMap((row, k) => (row.kind === 'fields' ? [k] : []));
      const strayAt = quoting === 'stray' && candidates.length > 0 ? candidates[next() % candidates.length]! : -1;
      const strayField = next();
      const lines = all.map((row, k) => {
        if (row.kind === 'blank') return '';
        return row.fields
          .map((f, j) => {
            if (k === strayAt && j === strayField % row.fields.length) return `"${f}`; // opens, never closed
            if (quoting === 'valid' && row.fields.length === HEADERS[format].length && next() % 3 === 0) {
              const inner = next() % 2 === 0 ? `${f}${EOLS[next() % 3]}more, "q"` : `${f},"x"`;
              return `"${inner.replace(/"/g, '""')}"`;
            }
            return f;
          })
          .join(',');
      });
      let out = (bom ? '\uFEFF' : '') + HEADERS[format].join(',');
      // A CR then an LF (around a blank row) would read as one CRLF: write CR CRLF there.
      const eol = (e: string) => (out.endsWith('\r') && e === '\n' ? '\r\n' : e);
      lines.forEach((line, k) => (out += eol(eols[k % eols.length]!) + line));
      // A last blank row needs its line break to exist.
      if (finalEol || (all.length > 0 && all[all.length - 1]!.kind === 'blank')) out += eol(eols[0]!);
      return { format, text: out, rows: all.length, uniformEol: new Set(eols).size === 1, stray: strayAt >= 0 };
    });
}

async function* chunked(s: string, sizes: readonly number[]): AsyncIterable<string> {
  let i = 0;
  let k = 0;
  while (i < s.length) {
    const n = sizes[k++ % sizes.length]!;
    yield s.slice(i, i + n);
    i += n;
  }
}

async function check(h: Hostile, sizes: readonly number[]): Promise<void> {
  const opts = { file: 'h.csv', format: h.format, tz: 'America/Vancouver' } as const;
  let r;
  try {
    r = await ingestCsvChunks(chunked(h.text, sizes), opts);
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    expect(FILE_ERRORS).toContain((err as IngestError).code);
    return;
  }
  expect(r.rowsRead).toBe(h.rows);
  expect(r.incidents.length + r.rejected.length).toBe(r.rowsRead);
  expect(r.rejected.filter((x) => x.reason === 'unclosed_quote')).toHaveLength(h.stray ? 1 : 0);
  if (h.uniformEol && !h.stray) {
    const records = parse(h.text, { bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    expect(records.length - 1).toBe(h.rows);
  }
  // The same file twice, and duplicate rows: still nothing lost.
  const twice = await ingestCsvChunks(chunked(h.text, [h.text.length || 1]), { ...opts, file: 'h2.csv' });
  const { result, report } = dropDuplicates([r, twice]);
  expect(result.rowsRead).toBe(2 * h.rows);
  expect(result.incidents.length + result.rejected.length).toBe(result.rowsRead);
  if (h.rows > 0) expect(report.files).toEqual([{ file: 'h2.csv', sameAs: 'h.csv', rows: h.rows }]);
  expect(result.incidents.length).toBeLessThanOrEqual(r.incidents.length);
  try {
    checkRejections(result);
  } catch (err) {
    expect((err as IngestError).code).toBe('E_MOSTLY_REJECTED');
  }
}

describe('hostile CSV files (property)', () => {
  for (const format of ['plain', 'vancouver'] as const) {
    it(`${format}: every generated row is read and accounted for, whatever the quoting, line ends and chunking`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileArb(format), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 4 }), check),
        { numRuns: 1000, seed: format === 'plain' ? 1010 : 2020 },
      );
    });
  }
});
