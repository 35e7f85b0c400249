/**
 * CSV ingest: an incremental ingestor fed one tokenised record at a time (the CLI streams
 * .csv.gz files through it), and `ingestCsvText` for text already in memory (web app, tests).
 */
import type { IngestFormat, IngestResult } from '../types.ts';
import { applyHourPrecision, Collector } from './collector.ts';
import { IngestError } from './errors.ts';
import { HeaderIndex } from './header.ts';
import {
  acceptPlain,
  type ColumnKey,
  COLUMN_KEYS,
  readPlainTime,
  requireZoneIfAllLocal,
  checkSlashDates,
  type PlainColumns,
  resolvePlainColumns,
  synonymNote,
} from './plain.ts';
import { checkLatLng } from './collector.ts';
import { isPoliceUkHeader, POLICE_UK_HEADER, policeUkReader } from './policeUk.ts';
import { ZoneClock } from './time.ts';
import { createCsvTokenizer, type CsvTokenizer, UNCLOSED_QUOTE } from './tokenizer.ts';
import { isVancouverHeader, VANCOUVER_HEADER, vancouverReader } from './vancouver.ts';

/** Options for every reader. */
export interface IngestOptions {
  /** The file's name as the caller wants it in messages and `source.file`. */
  file: string;
  /** Default 'auto': police-uk and vancouver by header, else plain when its columns exist. */
  format?: IngestFormat | 'auto';
  /** Plain format: the file's column (or GeoJSON property) name for each field. */
  columns?: Partial<Record<ColumnKey, string>>;
  /** Plain format: IANA zone of local times (values without an offset). */
  tz?: string;
  /** Plain format: the order of dates written with slashes: 'mdy' (default, US: 01/08/2020 is 8 January) or 'dmy' (08/01/2020). */
  dateOrder?: 'mdy' | 'dmy';
}

/** The incremental CSV ingestor. */
export interface CsvIngestor {
  /**
   * Feeds one record. The first call is the header row (format detection happens there and may
   * throw IngestError); later calls are data rows. `line` is the 1-based line the record starts on.
   * Returns false, without counting it, for a record that spans several lines (`multiLine`) and
   * has not the header's field count: the tokenizer then takes it for a stray quote's (see
   * tokenizer.ts) and feeds its lines again.
   */
  push(fields: readonly string[], line: number, multiLine?: boolean): boolean;
  /**
   * Feeds a record the CSV tokenizer could not split: its first line when a quote opened there is
   * never closed (`reason` unclosed_quote), counted and rejected with that reason.
   */
  pushUnparsable(line: number, reason: string, why?: string): void;
  /** Ends the file. @throws IngestError E_EMPTY (no header) or E_NEED_TZ. */
  finish(): IngestResult;
}

const FORMATS: readonly (IngestFormat | 'auto')[] = ['auto', 'police-uk', 'vancouver', 'plain', 'geojson'];

/**
 * Checks the option values that do not depend on the file.
 * @throws IngestError E_BAD_OPTION (format, column keys); TimeZoneError E_TIMEZONE (tz)
 */
export function checkIngestOptions(options: IngestOptions): ZoneClock | null {
  const { file } = options;
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw new IngestError(
      'E_BAD_OPTION',
      file,
      `unknown format "${options.format}"; expected one of ${FORMATS.join(', ')}`,
      null,
      null,
      options.format,
    );
  }
  for (const key of Object.keys(options.columns ?? {})) {
    if (!COLUMN_KEYS.includes(key as ColumnKey)) {
      throw new IngestError(
        'E_BAD_OPTION',
        file,
        `unknown column key "${key}"; expected one of ${COLUMN_KEYS.join(', ')}`,
        null,
        null,
        key,
      );
    }
  }
  if (options.dateOrder !== undefined && options.dateOrder !== 'mdy' && options.dateOrder !== 'dmy')
    throw new IngestError(
      'E_BAD_OPTION',
      file,
      `unknown date order "${String(options.dateOrder)}"; expected mdy or dmy`,
      null,
      null,
      options.dateOrder,
    );
  return options.tz === undefined ? null : new ZoneClock(options.tz);
}

const PLAIN_EXPECTED =
  'a plain CSV with columns datetime (or start and end), lat and lon (map other names with --columns, e.g. --columns datetime=date,lat=latitude,lon=longitude)';

const NON_BLANK = /\S/;

function isBlankRecord(fields: readonly string[]): boolean {
  for (const v of fields) if (NON_BLANK.test(v)) return false;
  return true;
}

type RowReader = (fields: readonly string[], line: number) => void;

/**
 * The reader of a file's rows, chosen from its header: data.police.uk, Vancouver GeoDASH or a
 * plain CSV (with the columns mapped by `options.columns`).
 * @throws IngestError E_UNKNOWN_FORMAT / E_WRONG_FORMAT (header does not fit), E_MISSING_COLUMN
 */
function readerForHeader(
  c: Collector,
  fields: readonly string[],
  line: number,
  options: IngestOptions,
  clock: ZoneClock | null,
): { format: IngestFormat; row: RowReader } {
  const { file } = options;
  const requested = options.format ?? 'auto';
  const h = new HeaderIndex(fields);
  const wrong = (expected: string): never => {
    throw new IngestError(
      requested === 'auto' ? 'E_UNKNOWN_FORMAT' : 'E_WRONG_FORMAT',
      file,
      `${file}: unrecognised header "${h.describe()}" (line ${line}); expected ${expected}`,
      line,
      null,
      fields,
    );
  };
  if (requested === 'police-uk' || (requested === 'auto' && isPoliceUkHeader(h))) {
    if (!isPoliceUkHeader(h)) wrong(`a data.police.uk street CSV header (${POLICE_UK_HEADER})`);
    return { format: 'police-uk', row: policeUkReader(c, h) };
  }
  if (requested === 'vancouver' || (requested === 'auto' && isVancouverHeader(h))) {
    if (!isVancouverHeader(h)) wrong(`a Vancouver GeoDASH header (${VANCOUVER_HEADER})`);
    return { format: 'vancouver', row: vancouverReader(c, h) };
  }
  let cols;
  try {
    cols = resolvePlainColumns(file, (n) => h.indexOf(n) >= 0, options.columns, h.describe());
  } catch (err) {
    if (requested === 'auto' && err instanceof IngestError && options.columns === undefined) {
      wrong(`a data.police.uk street CSV (${POLICE_UK_HEADER}), a Vancouver GeoDASH CSV (${VANCOUVER_HEADER}), or ${PLAIN_EXPECTED}`);
    }
    throw err;
  }
  const note = synonymNote(file, cols, 'column', (n) => h.names[h.indexOf(n)] ?? n); // as the header writes it
  if (note !== null) c.notes.push(note);
  return { format: 'plain', row: plainRowReader(c, h, cols, clock) };
}

/** The columns a plain time is read from. */
function timeColumns(t: PlainColumns['time']): string[] {
  return t.kind === 'single' ? [t.datetime] : t.kind === 'span' ? [t.start, t.end] : [t.date, t.time];
}

/** The row reader of a plain CSV whose columns are `cols`. */
function plainRowReader(c: Collector, h: HeaderIndex, cols: ReturnType<typeof resolvePlainColumns>, clock: ZoneClock | null): RowReader {
  const idx = (name: string | null) => (name === null ? -1 : h.indexOf(name));
  const iId = idx(cols.id);
  const iCat = idx(cols.category);
  const iDist = idx(cols.district);
  const iAddress = idx(cols.address);
  const pos = new Map<string, number>();
  for (const name of [cols.lat, cols.lon, ...timeColumns(cols.time)]) {
    pos.set(name, h.indexOf(name));
  }
  let current: readonly string[] = [];
  const get = (name: string) => current[pos.get(name) ?? -1];
  return (f, ln) => {
    current = f;
    const t = readPlainTime(c, ln, cols, get, clock);
    if (t === null) return;
    const ll = checkLatLng(c, ln, cols.lat, get(cols.lat), cols.lon, get(cols.lon));
    if (ll === null) return;
    const rawId = iId >= 0 ? (f[iId] ?? '').trim() : '';
    acceptPlain(
      c,
      ln,
      t,
      ll.lat,
      ll.lng,
      rawId === '' ? null : rawId,
      iCat >= 0 ? c.intern(f[iCat]) : null,
      iDist >= 0 ? c.intern(f[iDist]) : null,
      iAddress >= 0 ? c.intern(f[iAddress]) : null,
    );
  };
}

/** Creates an incremental CSV ingestor. @throws IngestError E_BAD_OPTION, TimeZoneError E_TIMEZONE for bad options. */
export function createCsvIngestor(options: IngestOptions): CsvIngestor {
  const clock = checkIngestOptions(options);
  const { file } = options;
  const requested = options.format ?? 'auto';
  if (requested === 'geojson') {
    throw new IngestError(
      'E_BAD_OPTION',
      file,
      `${file}: format geojson is not a CSV format; read it with ingestGeoJson`,
      null,
      null,
      requested,
    );
  }
  const c = new Collector(file);
  if (options.dateOrder !== undefined) c.dateOrder = options.dateOrder;
  let format: IngestFormat | null = null;
  let headerLength = 0;
  let row: RowReader | null = null;
  let finished = false;

  const setup = (fields: readonly string[], line: number): void => {
    headerLength = fields.length;
    ({ format, row } = readerForHeader(c, fields, line, options, clock));
  };

  return {
    push(fields, line, multiLine = false) {
      if (finished) throw new IngestError('E_FINISHED', file, `${file}: push after finish`, line);
      if (row === null) {
        setup(fields, line);
        return true;
      }
      if (multiLine && fields.length !== headerLength) return false;
      c.rowsRead++;
      if (isBlankRecord(fields)) {
        c.reject(line, 'empty_row', null, null, 'empty row');
        return true;
      }
      if (fields.length !== headerLength) {
        c.reject(line, 'wrong_field_count', null, String(fields.length), `${fields.length} fields where the header has ${headerLength}`);
        return true;
      }
      row(fields, line);
      return true;
    },
    pushUnparsable(line, reason, why = reason) {
      if (row === null) {
        throw new IngestError('E_BAD_CSV', file, `${file} line ${line}: the header is not valid CSV (${why})`, line, null, why);
      }
      c.rowsRead++;
      if (reason === UNCLOSED_QUOTE) {
        c.reject(line, 'unclosed_quote', null, null, `${why}: this line is rejected and reading goes on at line ${line + 1}`);
      } else c.reject(line, 'bad_csv', null, null, `not valid CSV (${why})`);
    },
    finish() {
      finished = true;
      if (format === null) throw new IngestError('E_EMPTY', file, `${file}: empty file (no header row)`, null);
      if (format === 'plain') {
        checkSlashDates(c);
        requireZoneIfAllLocal(c);
        applyHourPrecision(c);
      }
      return c.result(format);
    },
  };
}

/**
 * A tokenizer that feeds `ingestor` record by record (the CLI writes decoded chunks of a
 * streamed file into it; ingestCsvText writes the whole text at once).
 */
export function csvTokenizerFor(ingestor: CsvIngestor): CsvTokenizer {
  return createCsvTokenizer(
    (fields, line, multiLine) => ingestor.push(fields, line, multiLine),
    (line, reason, why) => ingestor.pushUnparsable(line, reason, why),
  );
}

/**
 * Reads a whole CSV text (any of the CSV formats).
 * Complexity O(n) in the text length.
 * @throws IngestError for file-level problems (unknown header, missing column, E_NEED_TZ...).
 */
export function ingestCsvText(text: string, options: IngestOptions): IngestResult {
  const ingestor = createCsvIngestor(options);
  const tokenizer = csvTokenizerFor(ingestor);
  tokenizer.write(text);
  tokenizer.end();
  return ingestor.finish();
}

/**
 * Reads CSV text arriving in chunks (any split, e.g. a browser `File.stream()` piped through
 * `TextDecoderStream`, or a decoded Node stream), never holding the whole text.
 * Complexity O(n); memory O(accepted + rejected rows).
 * @throws IngestError as ingestCsvText.
 */
export async function ingestCsvChunks(chunks: AsyncIterable<string>, options: IngestOptions): Promise<IngestResult> {
  const ingestor = createCsvIngestor(options);
  const tokenizer = csvTokenizerFor(ingestor);
  for await (const chunk of chunks) tokenizer.write(chunk);
  tokenizer.end();
  return ingestor.finish();
}
