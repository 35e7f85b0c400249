/**
 * The plain incident format, shared by the plain CSV and GeoJSON readers: `id,datetime,lat,lon,
 * category[,district]` by default, any names through a column mapping; or a `start`/`end` pair
 * instead of `datetime`.
 *
 * - datetime: ISO 8601 with an offset, or a local time read in `tz` (IANA); a local time without
 *   `tz` → local_time_without_zone. Date-only → 'day' precision (local midnight, time of day
 *   unknown); `THH` → 'hour'; otherwise 'minute'. Exactly 00:00 in minute data →
 *   timeOfDayUnknown. A file whose written times are all on the hour (≥ 10 rows) is hour data
 *   (see applyHourPrecision).
 * - start/end: the midpoint; end before start → bad_span; span over 72 h → span_too_long (as
 *   PredPol did); precision is the coarser of the two values'.
 * - id, category and district are optional; blank → null.
 * - address (the incident's location text, naming patrol boxes' places) is optional too: the
 *   mapped column, else the first of {@link ADDRESS_NAMES} present; blank → null.
 */
import type { TimePrecision } from '../types.ts';
import type { Collector } from './collector.ts';
import { IngestError } from './errors.ts';
import { joinDateTime } from './splitTime.ts';
import { ACCEPTED_TIME_FORMS, isSlashTime, parseIsoTime, parseSlashTime, PRECISION_RANK, type ZoneClock } from './time.ts';

/** The columns (or GeoJSON properties) the plain format knows. */
export type ColumnKey = 'id' | 'datetime' | 'date' | 'time' | 'start' | 'end' | 'lat' | 'lon' | 'category' | 'district' | 'address';
export const COLUMN_KEYS: readonly ColumnKey[] = [
  'id',
  'datetime',
  'date',
  'time',
  'start',
  'end',
  'lat',
  'lon',
  'category',
  'district',
  'address',
];

/**
 * Column names taken for `address` when it is not mapped, in this order of preference (compared
 * case-insensitively for CSV): street-level names before the vaguer "location", which some
 * publishers use for the premise type (Houston's "apartment parking lot").
 */
export const ADDRESS_NAMES: readonly string[] = [
  'address',
  'hundred_block',
  'block',
  'block_address',
  'street_address',
  'street',
  'location',
  'location_description',
];

/**
 * Other names taken for a column when it is not mapped and its own name is absent, in this order
 * (compared case-insensitively for CSV): the names open-data portals and records systems commonly
 * use (with spaces for underscores too: "Case Number"). A `date` beside a `time` or `hour` column
 * is never read alone (the time of day would be lost): resolvePlainColumns joins the two first
 * (engine/ingest/splitTime.ts). A district is taken
 * only under a district-sized name (not `beat`, often ten times finer: map it with
 * `--columns district=beat` when that is the unit boxes are shared by).
 */
export const COLUMN_SYNONYMS: Readonly<Partial<Record<ColumnKey, readonly string[]>>> = {
  id: ['incident_id', 'case_number', 'case_id', 'report_number', 'incident_number'],
  datetime: ['date_time', 'timestamp', 'occurred_at', 'occurred', 'occurrence_date', 'date'],
  lat: ['latitude', 'y_lat'],
  lon: ['lng', 'long', 'longitude', 'x_lon'],
  category: ['type', 'crime_type', 'offense', 'offence', 'offense_type', 'primary_type'],
  district: ['precinct', 'division', 'police_district'],
};

/** Longest accepted start→end span, hours (PredPol's rule). */
export const MAX_SPAN_HOURS = 72;

/** Resolved column names (as written in the file); null when the optional column is absent. */
export interface PlainColumns {
  readonly id: string | null;
  readonly time:
    | { readonly kind: 'single'; readonly datetime: string }
    | { readonly kind: 'span'; readonly start: string; readonly end: string }
    /** A date and a time of day in two columns (engine/ingest/splitTime.ts); `hour`: the time column holds hours only. */
    | { readonly kind: 'split'; readonly date: string; readonly time: string; readonly hour: boolean };
  readonly lat: string;
  readonly lon: string;
  readonly category: string | null;
  readonly district: string | null;
  /** The location text column (mapped, or the first of ADDRESS_NAMES found), or null. */
  readonly address: string | null;
  /** The columns found under another name (COLUMN_SYNONYMS), by key: for a note naming them. */
  readonly synonyms: Readonly<Partial<Record<ColumnKey, string>>>;
}

/** The note of a file whose columns were found under other names, or null when none was. */
export function synonymNote(
  file: string,
  cols: PlainColumns,
  what = 'column',
  spelled: (name: string) => string = (n) => n,
): string | null {
  const found = COLUMN_KEYS.filter((k) => cols.synonyms[k] !== undefined);
  if (found.length === 0) return null;
  const words = found.map((key) => `${key} from the ${what} "${spelled(cols.synonyms[key]!)}"`);
  return `${file}: read ${words.join(', ')}`;
}

/** A key's column when it is not mapped: its own name, else the first synonym present (see COLUMN_SYNONYMS). */
function unmappedName(key: ColumnKey, has: (name: string) => boolean): string | null {
  if (has(key)) return key;
  for (const name of COLUMN_SYNONYMS[key] ?? []) {
    if (has(name)) return name;
    const spaced = name.replace(/_/g, ' '); // "Case Number", "Primary Type" as portals write them
    if (spaced !== name && has(spaced)) return spaced;
  }
  return null;
}

/**
 * Decides which names the plain reader uses. `has(name)` says whether a column exists
 * (case-insensitive for CSV). Explicitly mapped columns must exist; default optional ones may be
 * absent. When neither datetime nor start/end is mapped, `datetime` is used if present, else a
 * `start`+`end` pair.
 * @throws IngestError E_MISSING_COLUMN naming the missing column and the header.
 */
export function resolvePlainColumns(
  file: string,
  has: (name: string) => boolean,
  mapping: Partial<Record<ColumnKey, string>> | undefined,
  headerText: string,
  what = 'column',
): PlainColumns {
  const map = mapping ?? {};
  const synonyms: Partial<Record<ColumnKey, string>> = {};
  const need = (key: ColumnKey): string => {
    const found = map[key] === undefined ? unmappedName(key, has) : null;
    if (found !== null && found !== key) synonyms[key] = found;
    const name = map[key] ?? found ?? key;
    if (!has(name)) {
      const hint = map[key] === undefined ? `; map yours with --columns ${key}=NAME` : '';
      throw new IngestError(
        'E_MISSING_COLUMN',
        file,
        `${file}: no ${what} "${name}" for ${key} in the header (${headerText})${hint}`,
        1,
        name,
        name,
      );
    }
    return name;
  };
  const optional = (key: ColumnKey): string | null => {
    if (map[key] !== undefined) return need(key);
    const found = unmappedName(key, has);
    if (found !== null && found !== key) synonyms[key] = found;
    return found;
  };
  let time: PlainColumns['time'];
  const timeOfDay = has('time') ? 'time' : has('hour') ? 'hour' : null;
  if (map.datetime !== undefined) time = { kind: 'single', datetime: need('datetime') };
  else if (map.date !== undefined || map.time !== undefined) {
    const date = need('date');
    const tod = map.time !== undefined ? need('time') : (timeOfDay ?? need('time'));
    time = { kind: 'split', date, time: tod, hour: map.time === undefined && tod === 'hour' };
  } else if (map.start !== undefined || map.end !== undefined) time = { kind: 'span', start: need('start'), end: need('end') };
  else if (has('datetime')) time = { kind: 'single', datetime: 'datetime' };
  else if (has('start') && has('end')) time = { kind: 'span', start: 'start', end: 'end' };
  else if (has('date') && timeOfDay !== null) time = { kind: 'split', date: 'date', time: timeOfDay, hour: timeOfDay === 'hour' };
  else if (unmappedName('datetime', has) !== null) time = { kind: 'single', datetime: need('datetime') };
  else {
    throw new IngestError(
      'E_MISSING_COLUMN',
      file,
      `${file}: no ${what} "datetime" (or "start" and "end") in the header (${headerText}); map yours with --columns datetime=NAME`,
      1,
      'datetime',
      'datetime',
    );
  }
  return {
    id: optional('id'),
    time,
    lat: need('lat'),
    lon: need('lon'),
    category: optional('category'),
    district: optional('district'),
    address: map.address !== undefined ? need('address') : (ADDRESS_NAMES.find(has) ?? null),
    synonyms,
  };
}

export interface PlainTime {
  readonly timeMs: number;
  readonly precision: TimePrecision;
  readonly timeOfDayUnknown: boolean;
  /** True when this is one written minute-precision value (eligible for hour relabelling). */
  readonly single: boolean;
  readonly hasMinutes: boolean;
}

function parseOne(c: Collector, line: number, field: string, raw: string | undefined, clock: ZoneClock | null) {
  const value = raw ?? '';
  let p: ReturnType<typeof parseSlashTime> = parseIsoTime(value, clock);
  if (p.kind === 'bad' && isSlashTime(value)) {
    p = parseSlashTime(value, clock, c.dateOrder);
    const s = (c.slashDates ??= { rows: 0, ok: 0, line: null, value: null, dayFirstLine: null, dayFirstValue: null });
    s.rows++;
    if (p.kind === 'ok' && s.ok++ === 0) Object.assign(s, { line, value });
    if (p.kind === 'wrong_order') {
      if (c.slashDates.dayFirstLine === null) Object.assign(c.slashDates, { dayFirstLine: line, dayFirstValue: value });
      const why =
        c.dateOrder === 'mdy'
          ? 'the first number is not a month: a day-first date (dd/mm/yyyy)? write dates as YYYY-MM-DD'
          : 'the second number is not a month: a month-first date (mm/dd/yyyy)? write dates as YYYY-MM-DD';
      c.reject(line, 'bad_time', field, value, why);
      return null;
    }
  }
  switch (p.kind) {
    case 'ok':
      return p;
    case 'missing':
      c.reject(line, 'missing_time', field, value, 'no time');
      return null;
    case 'bad':
      c.reject(
        line,
        'bad_time',
        field,
        value,
        p.unreadable === true ? `${p.why}, or month first MM/DD/YYYY [H:MM[:SS] [AM|PM]]` : p.why, // the data's forms: ISO and slashes
      );
      return null;
    case 'no_zone':
      c.reject(
        line,
        'local_time_without_zone',
        field,
        value,
        'a local time without a UTC offset, and no time zone was given (pass --tz with an IANA zone, e.g. --tz America/Chicago)',
      );
      return null;
  }
}

/** Reads the time of one plain record; rejects the row and returns null on failure. */
export function readPlainTime(
  c: Collector,
  line: number,
  cols: PlainColumns,
  get: (name: string) => string | undefined,
  clock: ZoneClock | null,
): PlainTime | null {
  const t = cols.time;
  if (t.kind === 'single' || t.kind === 'split') {
    const field = t.kind === 'single' ? t.datetime : t.date;
    const raw = t.kind === 'single' ? get(t.datetime) : joinDateTime(get(t.date) ?? '', get(t.time) ?? '', t.hour);
    const p = parseOne(c, line, field, raw, clock);
    if (p === null) return null;
    return {
      timeMs: p.timeMs,
      precision: p.precision,
      timeOfDayUnknown: p.precision === 'day' || (p.precision === 'minute' && p.midnight),
      single: p.precision === 'minute',
      hasMinutes: p.hasMinutes,
    };
  }
  const s = parseOne(c, line, t.start, get(t.start), clock);
  if (s === null) return null;
  const e = parseOne(c, line, t.end, get(t.end), clock);
  if (e === null) return null;
  if (e.timeMs < s.timeMs) {
    c.reject(line, 'bad_span', t.end, get(t.end) ?? '', `end is before start (${get(t.start) ?? ''})`);
    return null;
  }
  const spanHours = (e.timeMs - s.timeMs) / 3_600_000;
  if (spanHours > MAX_SPAN_HOURS) {
    c.reject(
      line,
      'span_too_long',
      t.end,
      get(t.end) ?? '',
      `span from start ${get(t.start) ?? ''} is ${spanHours.toFixed(1)} h, over ${MAX_SPAN_HOURS} h`,
    );
    return null;
  }
  const precision = PRECISION_RANK[s.precision] >= PRECISION_RANK[e.precision] ? s.precision : e.precision;
  return {
    timeMs: Math.round((s.timeMs + e.timeMs) / 2),
    precision,
    timeOfDayUnknown: precision === 'day' || precision === 'month',
    single: false,
    hasMinutes: false,
  };
}

/** Records an accepted plain incident, keeping the hour-data bookkeeping. */
export function acceptPlain(
  c: Collector,
  line: number,
  t: PlainTime,
  lat: number,
  lng: number,
  id: string | null,
  category: string | null,
  district: string | null,
  location: string | null = null,
): void {
  if (t.single) {
    // One written minute rules out hour data (applyHourPrecision): from then on the indices are
    // not needed, and not kept (5 million of them held 40 MB).
    if (t.hasMinutes && c.minuteWithMinutes++ === 0) c.minuteIdx.length = 0;
    else if (c.minuteWithMinutes === 0) c.minuteIdx.push(c.incidents.length);
  }
  c.accept({
    id,
    timeMs: t.timeMs,
    precision: t.precision,
    timeOfDayUnknown: t.timeOfDayUnknown,
    lat,
    lng,
    category,
    district,
    location,
    source: { file: c.file, line },
  });
}

/**
 * File-level check: when nothing was accepted and rows were rejected for local times without a
 * zone, the whole file needs a zone; say so instead of returning an empty result.
 * @throws IngestError E_NEED_TZ
 */
/**
 * After a plain file's rows: dates written with slashes are read month first (MM/DD/YYYY, as US
 * portals publish them), said in a note; a file whose dates are mostly written with slashes and
 * one of which cannot be month first (13/01/2016) is written day first, and is refused whole
 * rather than have its other rows (01/02/2016: 2 January, not 1 February) misread. (In a file of
 * other dates, such a row is only a bad row, rejected.)
 * @throws IngestError E_DATE_ORDER naming the file, the line and the value
 */
export function checkSlashDates(c: Collector): void {
  const s = c.slashDates;
  if (s === undefined) return;
  if (s.dayFirstLine !== null && 2 * s.rows > c.rowsRead)
    throw new IngestError(
      'E_DATE_ORDER',
      c.file,
      c.dateOrder === 'mdy'
        ? `${c.file}: dates are written day first (line ${s.dayFirstLine}: ${JSON.stringify(s.dayFirstValue)}): patrolcast reads dates with slashes month first (MM/DD/YYYY, as US portals write them) unless told they are day first (--date-order dmy), so it cannot tell this file's 01/02 from 02/01 by itself; give --date-order dmy, or write the dates as YYYY-MM-DD`
        : `${c.file}: dates are written month first (line ${s.dayFirstLine}: ${JSON.stringify(s.dayFirstValue)}), not day first as --date-order dmy says: leave --date-order out (month first is the default), or write the dates as YYYY-MM-DD`,
      s.dayFirstLine,
      null,
      s.dayFirstValue,
    );
  if (s.ok > 0)
    c.notes.push(
      `${c.file}: read ${s.ok.toLocaleString('en-US')} date${s.ok === 1 ? '' : 's'} written with slashes ${c.dateOrder === 'mdy' ? 'month first, MM/DD/YYYY' : 'day first, DD/MM/YYYY'} (line ${s.line}: ${JSON.stringify(s.value)})`,
    );
}

export function requireZoneIfAllLocal(c: Collector): void {
  if (c.incidents.length > 0) return;
  const first = c.rejected.find((r) => r.reason === 'local_time_without_zone');
  if (first === undefined) return;
  throw new IngestError(
    'E_NEED_TZ',
    c.file,
    `${c.file}: every time is a local time without a UTC offset (line ${first.source.line}: ${first.field ?? ''} = ${JSON.stringify(first.value)}); pass --tz with the IANA zone they were recorded in, e.g. --tz America/Chicago`,
    first.source.line,
    first.field,
    first.value,
  );
}

export { ACCEPTED_TIME_FORMS };
