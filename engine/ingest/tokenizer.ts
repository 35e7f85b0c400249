/**
 * An incremental CSV tokenizer (RFC 4180, relaxed the way csv-parse's `relax_quotes` is), fed
 * text in chunks of any size, reporting each record with the 1-based line it starts on.
 *
 * Why not csv-parse here: csv-parse costs about 10 µs a record on this machine (measured in
 * bench/README.md), which alone would spend the whole 10 s budget for a million rows; this
 * state machine costs well under 1 µs. csv-parse stays in the tests as the oracle this
 * tokenizer must agree with.
 *
 * Rules: fields split on `,`; records end at LF, CRLF or CR; a field starting with `"` is quoted
 * (`""` is a literal quote; commas and line breaks inside are data); a quote inside an unquoted
 * field is a literal character; text after a closing quote is kept literally with the quotes
 * (`"ab"c` → `"ab"c`, as csv-parse does); a blank line is the record `['']`; a UTF-8 BOM at the
 * start is dropped. A quote never closed makes the rest of the input one bad record.
 * Complexity O(characters), memory O(longest record).
 */
import { IngestError } from './errors.ts';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

const START = 0; // at the start of a field
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // saw `"` inside a quoted field: an escape or the closing quote

export interface CsvTokenizer {
  /** Feeds the next piece of text. @throws IngestError E_FINISHED after end() */
  write(chunk: string): void;
  /** Ends the input: flushes a last record without a line break, reports an unclosed quote. */
  end(): void;
}

/**
 * @param onRecord receives each record's fields and the line it starts on
 * @param onBadRecord receives the start line of a record that cannot be split, and why
 */
// The per-character state machine is the hot path of every read (bench/ingest.ts: a million
// rows in about 4 s): kept as one closure and one loop, the exception the style allows.
// eslint-disable-next-line max-lines-per-function
export function createCsvTokenizer(
  onRecord: (fields: string[], line: number) => void,
  onBadRecord: (line: number, why: string) => void,
): CsvTokenizer {
  let fields: string[] = [];
  let field = '';
  let state = START;
  let line = 1; // the line the next character is on
  let recordLine = 1;
  let skipLF = false; // a record just ended with CR: a LF right after belongs to it
  let quotedCRCarry = false; // a chunk ended inside quotes with CR
  let started = false;
  let ended = false;

  const endRecord = () => {
    fields.push(field);
    field = '';
    const rec = fields;
    fields = [];
    state = START;
    const at = recordLine;
    recordLine = line;
    onRecord(rec, at);
  };

  return {
    // eslint-disable-next-line max-lines-per-function -- the hot loop (see above)
    write(s: string) {
      if (ended) throw new IngestError('E_FINISHED', '', 'write after end');
      const n = s.length;
      let i = 0;
      if (!started && n > 0) {
        started = true;
        if (s.charCodeAt(0) === 0xfeff) i = 1;
      }
      while (i < n) {
        let c = s.charCodeAt(i);
        if (skipLF) {
          skipLF = false;
          if (c === LF) {
            i++;
            continue;
          }
        }
        if (state === START) {
          if (c === QUOTE) {
            state = QUOTED;
            i++;
            continue;
          }
          if (c === COMMA) {
            fields.push(field);
            field = '';
            i++;
            continue;
          }
          if (c === LF || c === CR) {
            line++;
            skipLF = c === CR;
            i++;
            endRecord();
            continue;
          }
          state = UNQUOTED;
        }
        if (state === UNQUOTED) {
          let j = i;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === COMMA || c === LF || c === CR) break;
            j++;
          }
          field += s.slice(i, j);
          if (j === n) {
            i = n;
            continue;
          }
          i = j + 1;
          if (c === COMMA) {
            fields.push(field);
            field = '';
            state = START;
          } else {
            line++;
            skipLF = c === CR;
            endRecord();
          }
          continue;
        }
        if (state === QUOTED) {
          const j = s.indexOf('"', i);
          const stop = j < 0 ? n : j;
          // Line breaks inside quoted text: CRLF counts once, also when split across chunks.
          let prevCR = i === 0 ? quotedCRCarry : false;
          quotedCRCarry = false;
          for (let k = i; k < stop; k++) {
            const d = s.charCodeAt(k);
            if (d === LF) {
              if (!prevCR) line++;
              prevCR = false;
            } else if (d === CR) {
              line++;
              prevCR = true;
            } else prevCR = false;
          }
          field += s.slice(i, stop);
          if (j < 0) {
            quotedCRCarry = prevCR;
            i = n;
            continue;
          }
          state = QUOTE_IN_QUOTED;
          i = j + 1;
          continue;
        }
        // QUOTE_IN_QUOTED
        if (c === QUOTE) {
          field += '"';
          state = QUOTED;
          i++;
        } else if (c === COMMA) {
          fields.push(field);
          field = '';
          state = START;
          i++;
        } else if (c === LF || c === CR) {
          line++;
          skipLF = c === CR;
          i++;
          endRecord();
        } else {
          // Text after a closing quote: kept literally, quotes included (as csv-parse does).
          field = `"${field}"`;
          state = UNQUOTED;
        }
      }
    },
    end() {
      if (ended) return;
      ended = true;
      if (state === QUOTED) {
        onBadRecord(recordLine, 'a quote opened in this record is never closed, so the rest of the file is one unreadable record');
        return;
      }
      if (state !== START || fields.length > 0) endRecord();
    },
  };
}
