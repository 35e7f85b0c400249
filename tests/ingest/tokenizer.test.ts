import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsvTokenizer } from '../../engine/ingest/index.ts';
import { MAX_RECORD_LINES } from '../../engine/ingest/tokenizer.ts';

interface Out {
  records: [string[], number][];
  bad: [number, string][];
}

/** Tokenizes `text` fed in the given chunk sizes (cycled). */
function tokenize(text: string, chunkSizes: readonly number[] = [text.length || 1]): Out {
  const out: Out = { records: [], bad: [] };
  const t = createCsvTokenizer(
    (f, line) => void out.records.push([f, line]),
    (line, _reason, why) => void out.bad.push([line, why]),
  );
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]!);
    t.write(text.slice(i, i + size));
    i += size;
  }
  t.end();
  return out;
}

/** csv-parse with the options the relaxed rules correspond to: the oracle. */
function csvParse(text: string): string[][] {
  return parse(text, { bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
}

describe('createCsvTokenizer', () => {
  it('splits plain records and numbers their lines', () => {
    expect(tokenize('a,b\n1,2\n').records).toEqual([
      [['a', 'b'], 1],
      [['1', '2'], 2],
    ]);
  });

  it('reads quoted fields with commas, escaped quotes and CRLF inside, counting each CRLF once', () => {
    expect(tokenize('h\r\n"x,""y""\r\nz",2\r\nlast\r\n').records).toEqual([
      [['h'], 1],
      [['x,"y"\r\nz', '2'], 2],
      [['last'], 4],
    ]);
  });

  it('treats LF, CRLF and lone CR as record ends, a blank line as [""], and drops a BOM', () => {
    expect(tokenize('\uFEFFa\rb\r\n\nc').records).toEqual([
      [['a'], 1],
      [['b'], 2],
      [[''], 3],
      [['c'], 4],
    ]);
  });

  it('keeps stray quotes literally like csv-parse with relax_quotes', () => {
    const text = 'a"b,"q"x,c\n';
    expect(tokenize(text).records.map((r) => r[0])).toEqual(csvParse(text));
    expect(tokenize(text).records[0]![0]).toEqual(['a"b', '"q"x', 'c']);
  });

  it('reports a quote never closed as one bad line and reads the lines after it again', () => {
    const out = tokenize('h\nok\n"open,\nmore\nrows\n', [2, 5]);
    expect(out.records).toEqual([
      [['h'], 1],
      [['ok'], 2],
      [['more'], 4],
      [['rows'], 5],
    ]);
    expect(out.bad).toEqual([[3, 'a quote opened in the record on line 3 is never closed']]);
  });

  it('gives up on a quote still open after MAX_RECORD_LINES lines, and on a multi-line record of the wrong shape', () => {
    const lines = ['a,b', 'x,"stray', ...Array.from({ length: 150 }, (_, k) => `${k},v`)];
    const seen: [number, number][] = [];
    const bad: number[] = [];
    const t = createCsvTokenizer(
      (f, line, multi) => (multi && f.length !== 2 ? false : void seen.push([line, f.length])),
      (line) => void bad.push(line),
    );
    for (let i = 0; i < lines.length; i++) t.write(`${lines[i]}\r\n`);
    t.end();
    expect(bad).toEqual([2]);
    expect(seen.map((s) => s[0])).toEqual([1, ...Array.from({ length: 150 }, (_, k) => k + 3)]);
    expect(MAX_RECORD_LINES).toBe(100);
    // Closed 3 lines later into 3 fields: the shape is wrong, so line 2 is rejected and 3-6 read
    // again, where line 5's own quote is never closed (line 5 rejected, 6 read again).
    const out: number[] = [];
    const t2 = createCsvTokenizer(
      (f, line, multi) => (multi && f.length !== 2 ? false : void out.push(line)),
      (line) => void out.push(-line),
    );
    t2.write('a,b\nx,"stray\n1,2\n3,4\n5,"6,9\n7,8\n');
    t2.end();
    expect(out).toEqual([1, -2, 3, 4, -5, 6]);
  });

  it('gives the same records as csv-parse, and the generator’s line numbers, however the text is chunked (property)', () => {
    const fieldArb = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('', ' ', ',', '"', '""', '\n', '\r\n', 'a"b', 'x,y', 'é', '😀', '0.0'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(fieldArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 15 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (records, eol, chunks, quoteAll) => {
          // Serialise: quote a field when needed (or always), doubling its quotes.
          const lines: string[] = [];
          const starts: number[] = [];
          let line = 1;
          for (const rec of records) {
            starts.push(line);
            const text = rec.map((f) => (quoteAll || /[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
            lines.push(text);
            // Line breaks inside fields: CRLF once, lone CR or LF once.
            for (const f of rec) line += (f.match(/\r\n|\r|\n/g) ?? []).length;
            line++;
          }
          const text = lines.join(eol) + eol;
          const got = tokenize(text, chunks);
          expect(got.bad).toEqual([]);
          expect(got.records.map((r) => r[0])).toEqual(records);
          expect(got.records.map((r) => r[1])).toEqual(starts);
          expect(got.records.map((r) => r[0])).toEqual(csvParse(text));
        },
      ),
      { numRuns: 500, seed: 29 },
    );
  });

  it('agrees with csv-parse on arbitrary unquoted text with stray quotes, one line-ending style (property)', () => {
    // csv-parse locks onto the first line ending it meets and reads the other kind as data; this
    // tokenizer ends a record at any of LF, CRLF, CR. So the oracle is asked about one style.
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(',', 'EOL', 'a"b', 'c""')), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        (bits, eol) => {
          const text = bits.join('').replace(/EOL/g, eol);
          if (/(^|[,\r\n])"/.test(text)) return; // fields opening with a quote are covered above
          expect(tokenize(text, [3, 7]).records.map((r) => r[0])).toEqual(csvParse(text));
        },
      ),
      { numRuns: 500, seed: 31 },
    );
  });

  it('ends a record at a lone LF inside a CRLF file too (where csv-parse would keep it as data)', () => {
    expect(tokenize('a\r\nb\nc\r\n').records).toEqual([
      [['a'], 1],
      [['b'], 2],
      [['c'], 3],
    ]);
  });
});
