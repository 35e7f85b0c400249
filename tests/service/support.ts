/** The bundled Vancouver fixture and the shift the service tests forecast (not a test file itself). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ingestCsvText, shiftAt, type Incident } from '../../engine/index.ts';

export const FIXTURE = 'fixtures/vancouver/property_2023.csv.gz';
export const TZ = 'America/Vancouver';
/** The night shift 2023-12-15 22:00 PST (06:00Z on the 16th), 8 hours. */
export const AT = '2023-12-15T22:00';
export const SHIFT = shiftAt(AT, TZ, 8);

let cached: readonly Incident[] | null = null;

/** The fixture's incidents (31,485 rows, every one located and timed), read once per test file. */
export function vancouver(): readonly Incident[] {
  if (cached === null) cached = ingestCsvText(gunzipSync(readFileSync(FIXTURE)).toString('utf8'), { file: FIXTURE }).incidents;
  return cached;
}
