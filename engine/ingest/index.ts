/**
 * engine/ingest: published incident files → validated Incidents, with every rejected row kept.
 * Pure (no fs/zlib/streams): the CLI streams files into `createCsvIngestor`; the web app calls
 * `ingestCsvText` / `ingestGeoJson`.
 */
export { createCsvIngestor, ingestCsvText, ingestCsvChunks, csvTokenizerFor, checkIngestOptions } from './csv.ts';
export { createCsvTokenizer } from './tokenizer.ts';
export type { CsvTokenizer } from './tokenizer.ts';
export type { IngestOptions, CsvIngestor } from './csv.ts';
export { ingestGeoJson } from './geojson.ts';
export { mergeIngestResults, summarizeIngest, NO_CATEGORY } from './summary.ts';
export { IngestError } from './errors.ts';
export type { IngestErrorCode } from './errors.ts';
export { CATEGORY_PRESETS, resolveCategories } from './presets.ts';
export {
  LEFT_OUT_BY_DEFAULT,
  victimReportedDefault,
  CLI_TYPE_CONTROLS,
  type TypeControls,
  type LeftOutReason,
  type LeftOutType,
  type LeftOutTypes,
  type VictimReportedDefault,
} from './victimReported.ts';
export { ADDRESS_NAMES, COLUMN_KEYS, MAX_SPAN_HOURS } from './plain.ts';
export type { ColumnKey } from './plain.ts';
export { HOUR_DATA_MIN_ROWS } from './collector.ts';
export { ZoneClock, parseIsoTime } from './time.ts';
export { utm10nToLatLng, VANCOUVER_HEADER } from './vancouver.ts';
export { lsoaDistrict, POLICE_UK_HEADER } from './policeUk.ts';
export { dropDuplicates, resultFingerprint } from './duplicates.ts';
export type { DuplicateReport } from './duplicates.ts';
export { checkRejections, describeRejections, rejectionsByFile, MOSTLY_REJECTED_SHARE } from './quality.ts';
export type { FileRejections } from './quality.ts';
export { MAX_RECORD_LINES } from './tokenizer.ts';
