import { CodedError } from '../errors.ts';

/**
 * Stable codes for ingest errors. Row-level problems are not errors: they become RejectedRow
 * entries in the result. These are file-level failures and misuse of the readers:
 * - E_EMPTY: the file has no header row;
 * - E_UNKNOWN_FORMAT: format 'auto' recognised no header (value: the header fields);
 * - E_WRONG_FORMAT: the header or file does not match the requested format (value: the header
 *   fields, or the requested format for GeoJSON);
 * - E_MISSING_COLUMN: a required or mapped column is absent (field and value: the column name);
 * - E_BAD_CSV: the header line is not valid CSV (value: why);
 * - E_BAD_OPTION: an option value is wrong: unknown format or column key (value: it). An unknown
 *   `tz` is not this code but the engine-wide TimeZoneError E_TIMEZONE (engine/timezone.ts);
 * - E_NEED_TZ: every row is a local time without a zone (line, field, value: the first one);
 * - E_DATE_ORDER: dates with slashes written day first (dd/mm/yyyy), which cannot be told from month
 *   first row by row (line, value: the first that cannot be month first);
 * - E_NOT_GEOJSON: the JSON is not a FeatureCollection (value: what was found);
 * - E_FINISHED: data pushed into a reader or tokenizer after it was finished (a caller's bug);
 * - E_ARGUMENT: a bad argument to a helper (mergeIngestResults of nothing);
 * - E_MOSTLY_REJECTED: more than half of a file's rows were rejected (quality.ts; value: the counts).
 */
export type IngestErrorCode =
  | 'E_EMPTY'
  | 'E_UNKNOWN_FORMAT'
  | 'E_WRONG_FORMAT'
  | 'E_MISSING_COLUMN'
  | 'E_BAD_CSV'
  | 'E_BAD_OPTION'
  | 'E_NEED_TZ'
  | 'E_DATE_ORDER'
  | 'E_DATE_ORDER'
  | 'E_NOT_GEOJSON'
  | 'E_FINISHED'
  | 'E_ARGUMENT'
  | 'E_MOSTLY_REJECTED';

/**
 * A file-level ingest failure: the file is not what it claims to be (unknown header, a mapped
 * column missing, every time local without a zone...), with the file, line and field at fault
 * and the offending `value` (CodedError).
 */
export class IngestError extends CodedError<IngestErrorCode> {
  /** The file name as given by the caller ('' when the error is not about a file). */
  readonly file: string;
  /** 1-based line of the first problem, or null when it is not about one line. */
  readonly line: number | null;
  /** The column or property at fault, or null. */
  readonly field: string | null;

  constructor(
    code: IngestErrorCode,
    file: string,
    message: string,
    line: number | null = null,
    field: string | null = null,
    value?: unknown,
  ) {
    super(code, message, value);
    this.file = file;
    this.line = line;
    this.field = field;
  }
}
