/**
 * The accumulator every reader writes into: accepted incidents, rejected rows, the row count,
 * and string interning (categories and districts repeat, so a million rows share a few hundred
 * strings instead of holding a million copies; location texts repeat per street block too).
 */
import type { Incident, IngestFormat, IngestResult, RejectReason, RejectedRow, SourceRef, TimePrecision } from '../types.ts';

/** Incident as built here: writable until `finish` hands it out as readonly. */
export interface MutableIncident {
  id: string | null;
  timeMs: number;
  precision: TimePrecision;
  timeOfDayUnknown: boolean;
  lat: number;
  lng: number;
  category: string | null;
  district: string | null;
  location?: string | null;
  source: SourceRef;
}

const MAX_VALUE_IN_MESSAGE = 80;

/** Quotes a raw value for a message, shortened when long. */
export function quoteValue(value: string): string {
  const shown = value.length > MAX_VALUE_IN_MESSAGE ? `${value.slice(0, MAX_VALUE_IN_MESSAGE)}…` : value;
  return JSON.stringify(shown);
}

export class Collector {
  readonly file: string;
  readonly incidents: MutableIncident[] = [];
  readonly rejected: RejectedRow[] = [];
  /** File-level notes (IngestResult.notes). */
  readonly notes: string[] = [];
  /** The order of dates written with slashes (IngestOptions.dateOrder). */
  dateOrder: 'mdy' | 'dmy' = 'mdy';
  /** Dates written with slashes seen by the plain reader: how many, the first, the first day-first one (engine/ingest/plain.ts checkSlashDates). */
  slashDates?: {
    rows: number;
    ok: number;
    line: number | null;
    value: string | null;
    dayFirstLine: number | null;
    dayFirstValue: string | null;
  };
  rowsRead = 0;
  /** Incidents (indices) whose minute precision came from one written date-time value. */
  readonly minuteIdx: number[] = [];
  /** How many of those had a non-zero minute or second. */
  minuteWithMinutes = 0;
  private readonly strings = new Map<string, string>();

  constructor(file: string) {
    this.file = file;
  }

  /** Returns one shared copy of `s` (trimmed), or null for a blank value. */
  intern(s: string | undefined): string | null {
    if (s === undefined) return null;
    const t = s.trim();
    if (t === '') return null;
    const known = this.strings.get(t);
    if (known !== undefined) return known;
    this.strings.set(t, t);
    return t;
  }

  /** Records a rejected row; `explanation` completes a sentence naming file, line, field, value. */
  reject(line: number, reason: RejectReason, field: string | null, value: string | null, explanation: string): void {
    const where = `${this.file} line ${line}`;
    const what = field === null ? '' : value === null ? ` field "${field}"` : ` field "${field}" = ${quoteValue(value)}`;
    this.rejected.push({
      source: { file: this.file, line },
      reason,
      field,
      value,
      message: `${where}${what}: ${explanation}`,
    });
  }

  accept(incident: MutableIncident): void {
    this.incidents.push(incident);
  }

  result(format: IngestFormat): IngestResult {
    return {
      format,
      rowsRead: this.rowsRead,
      incidents: this.incidents as readonly Incident[],
      rejected: this.rejected,
      ...(this.notes.length > 0 ? { notes: this.notes } : {}),
    };
  }
}

/** Fewest minute-stamped rows before "every time is on the hour" is taken to mean hour data. */
export const HOUR_DATA_MIN_ROWS = 10;

/**
 * File-level precision: when at least HOUR_DATA_MIN_ROWS rows carry a written time and every one
 * is on the hour (hh:00:00), the file is hour data (e.g. the Houston extract): those rows become
 * precision 'hour', and 00:00 is then an ordinary hour bucket, not an unknown time of day.
 * Returns true when it relabelled.
 */
export function applyHourPrecision(c: Collector): boolean {
  if (c.minuteIdx.length < HOUR_DATA_MIN_ROWS || c.minuteWithMinutes > 0) return false;
  for (const i of c.minuteIdx) {
    const inc = c.incidents[i];
    if (inc === undefined) continue;
    inc.precision = 'hour';
    inc.timeOfDayUnknown = false;
  }
  return true;
}

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number, or null when `raw` is not one (hex, "NaN", "1,5" and blanks are not). */
export function parseDecimal(raw: string): number | null {
  const t = raw.trim();
  if (!NUMBER_RE.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * Validates WGS84 coordinates given as text. Rejects (and returns null) when either is blank
 * (missing_coords), not a number (bad_coords), outside ±90/±180 (coords_out_of_range) or both
 * exactly 0 (coords_zero: "null island" is a placeholder, never a place).
 */
export function checkLatLng(
  c: Collector,
  line: number,
  latField: string,
  latRaw: string | undefined,
  lngField: string,
  lngRaw: string | undefined,
): { lat: number; lng: number } | null {
  const latT = (latRaw ?? '').trim();
  const lngT = (lngRaw ?? '').trim();
  if (latT === '' || lngT === '') {
    const field = latT === '' ? latField : lngField;
    c.reject(line, 'missing_coords', field, latT === '' ? latT : lngT, 'no coordinates');
    return null;
  }
  const lat = parseDecimal(latT);
  if (lat === null) {
    c.reject(line, 'bad_coords', latField, latT, 'latitude is not a number');
    return null;
  }
  const lng = parseDecimal(lngT);
  if (lng === null) {
    c.reject(line, 'bad_coords', lngField, lngT, 'longitude is not a number');
    return null;
  }
  return checkLatLngNumbers(c, line, latField, lat, lngField, lng);
}

/** As checkLatLng, for coordinates that are already numbers. */
export function checkLatLngNumbers(
  c: Collector,
  line: number,
  latField: string,
  lat: number,
  lngField: string,
  lng: number,
): { lat: number; lng: number } | null {
  if (!(lat >= -90 && lat <= 90)) {
    c.reject(line, 'coords_out_of_range', latField, String(lat), 'latitude outside -90..90');
    return null;
  }
  if (!(lng >= -180 && lng <= 180)) {
    c.reject(line, 'coords_out_of_range', lngField, String(lng), 'longitude outside -180..180');
    return null;
  }
  if (lat === 0 && lng === 0) {
    c.reject(line, 'coords_zero', latField, '0', 'coordinates are 0,0 (a placeholder, not a place)');
    return null;
  }
  return { lat, lng };
}
