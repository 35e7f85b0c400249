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
 * start is dropped.
 *
 * Recovery from a stray quote (so one `"` cannot swallow the rest of a file): a quoted field may
 * hold line breaks, but a record whose quote is still open at the end of the input, or after
 * MAX_RECORD_LINES physical lines, or that spans several lines and then has the wrong shape
 * (`onRecord` returns false: e.g. not the header's field count), is taken to have been opened by
 * a stray quote. Its first physical line is reported to `onBadRecord` (reason `unclosed_quote`)
 * and reading resumes at the next physical line: the text after that line is tokenised again
 * from a record start. So every physical line is either in a good record or re-read, and a
 * legitimate multi-line quoted field (right shape, under the bound) is kept as it is.
 * Complexity O(characters) for well-formed input; each recovery re-reads at most
 * MAX_RECORD_LINES lines. Memory O(longest record).
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

/**
 * Most physical lines one record may span. Generous for free text (a narrative field with a
 * few paragraphs); beyond it an open quote is taken for a stray one. Real files checked
 * (docs/data.md) have no record over one line.
 */
export const MAX_RECORD_LINES = 100;

/** The reason code given to onBadRecord for a record opened by a stray quote. */
export const UNCLOSED_QUOTE = 'unclosed_quote';

export interface CsvTokenizer {
  /** Feeds the next piece of text. @throws IngestError E_FINISHED after end() */
  write(chunk: string): void;
  /** Ends the input: flushes a last record without a line break, recovers from an unclosed quote. */
  end(): void;
}

/**
 * @param onRecord receives each record's fields and the line it starts on; for a record that
 *   spans several physical lines, returning false says its shape is wrong (then its first line
 *   is reported bad and the rest is read again, see above)
 * @param onBadRecord receives the first line of a record opened by a stray quote, the reason code
 *   (UNCLOSED_QUOTE) and why, in words
 */
// The per-character state machine is the hot path of every read (bench/ingest.ts: a million
// rows in about 4 s): kept as one closure and one loop, the exception the style allows.
// eslint-disable-next-line max-lines-per-function
export function createCsvTokenizer(
  onRecord: (fields: string[], line: number, multiLine: boolean) => boolean | void,
  onBadRecord: (line: number, reason: string, why: string) => void,
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
  // The text of the current record after its first physical line, kept once a quoted field
  // crosses a line break (to read it again if the record proves to be a stray quote's).
  let capturing = false;
  let captured = '';
  let captureFrom = 0; // where capturing starts in the current text
  let captureAfterCR = false; // the first break was a CR: a LF starting `captured` belongs to it

  const resetRecord = () => {
    fields = [];
    field = '';
    state = START;
    capturing = false;
    captured = '';
  };

  /** Reports the current record's first line bad and reads `rest` (the lines after it) again. */
  const recover = (why: string, rest: string) => {
    const at = recordLine;
    resetRecord();
    onBadRecord(at, UNCLOSED_QUOTE, why);
    line = at + 1;
    recordLine = line;
    skipLF = false;
    quotedCRCarry = false;
    run(captureAfterCR && rest.charCodeAt(0) === LF ? rest.slice(1) : rest);
  };

  /** Ends the record whose terminator ends just before `end` in `s`. */
  const endRecord = (s: string, end: number) => {
    fields.push(field);
    const rec = fields;
    const at = recordLine;
    const rest = capturing ? captured + s.slice(captureFrom, end) : null;
    resetRecord();
    recordLine = line;
    if (onRecord(rec, at, rest !== null) === false && rest !== null) {
      recordLine = at;
      recover(`a quote opened in the record on line ${at} runs to line ${line - 1} into a record of the wrong shape`, rest);
      // `rest` ends where this record ended: reading goes on from `end` in the state it left.
      if (capturing) captureFrom = end;
    }
  };

  // eslint-disable-next-line max-lines-per-function -- the hot loop (see above)
  function run(s: string): void {
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
          quotedCRCarry = false;
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
          endRecord(s, i);
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
          endRecord(s, i);
        }
        continue;
      }
      if (state === QUOTED) {
        const j = s.indexOf('"', i);
        const stop = j < 0 ? n : j;
        // Line breaks inside quoted text: CRLF counts once, also when split across chunks.
        let prevCR = quotedCRCarry;
        for (let k = i; k < stop; k++) {
          const d = s.charCodeAt(k);
          if (d === LF) {
            if (prevCR) {
              prevCR = false;
              continue;
            }
          } else if (d === CR) {
            prevCR = true;
          } else {
            prevCR = false;
            continue;
          }
          line++;
          if (!capturing) {
            capturing = true;
            captured = '';
            captureFrom = k + 1;
            captureAfterCR = d === CR;
          } else if (line - recordLine >= MAX_RECORD_LINES) {
            recover(
              `a quote opened in the record on line ${recordLine} is still open ${MAX_RECORD_LINES} lines later`,
              captured + s.slice(captureFrom),
            );
            return;
          }
        }
        quotedCRCarry = prevCR;
        field += s.slice(i, stop);
        if (j < 0) {
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
        quotedCRCarry = false;
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
        endRecord(s, i);
      } else {
        // Text after a closing quote: kept literally, quotes included (as csv-parse does).
        field = `"${field}"`;
        state = UNQUOTED;
      }
    }
    if (capturing) {
      captured += s.slice(captureFrom);
      captureFrom = 0;
    }
  }

  /** At the end of the input: the last record, and recovery from a quote open at the end. */
  const finish = () => {
    for (;;) {
      if (state === QUOTED) {
        const why = `a quote opened in the record on line ${recordLine} is never closed`;
        if (!capturing) {
          const at = recordLine;
          resetRecord();
          onBadRecord(at, UNCLOSED_QUOTE, why);
          return;
        }
        recover(why, captured);
      } else if (state !== START || fields.length > 0) {
        endRecord('', 0);
      } else return;
    }
  };

  return {
    write(s: string) {
      if (ended) throw new IngestError('E_FINISHED', '', 'write after end');
      run(s);
    },
    end() {
      if (ended) return;
      ended = true;
      finish();
    },
  };
}
