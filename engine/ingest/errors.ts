/**
 * A file-level ingest failure: the file is not what it claims to be (unknown header, a mapped
 * column missing, every time local without a zone...). Row-level problems are not errors: they
 * become RejectedRow entries in the result.
 *
 * Codes: E_EMPTY (no header), E_UNKNOWN_FORMAT (auto detection failed), E_WRONG_FORMAT (header
 * does not match the requested format), E_MISSING_COLUMN (a required or mapped column is absent),
 * E_BAD_OPTION (bad columns/tz/format option), E_NEED_TZ (every row is a local time without a
 * zone), E_NOT_GEOJSON (not a FeatureCollection).
 */
export class IngestError extends Error {
  readonly code: string;
  /** The file name as given by the caller. */
  readonly file: string;
  /** 1-based line of the first problem, or null when it is not about one line. */
  readonly line: number | null;
  /** The column or property at fault, or null. */
  readonly field: string | null;

  constructor(code: string, file: string, message: string, line: number | null = null, field: string | null = null) {
    super(message);
    this.name = 'IngestError';
    this.code = code;
    this.file = file;
    this.line = line;
    this.field = field;
  }
}
