/**
 * GeoJSON FeatureCollection of Points with the plain format's properties (`datetime` or
 * `start`/`end`, optional `id`, `category`, `district`, `address` (or a common name for it:
 * plain.ts ADDRESS_NAMES); renamed through `columns`). The place
 * comes from the geometry (`[lng, lat]`), not from properties. `source.line` is the 1-based
 * feature number.
 */
import type { IngestResult } from '../types.ts';
import { applyHourPrecision, checkLatLngNumbers, Collector } from './collector.ts';
import { checkIngestOptions, type IngestOptions } from './csv.ts';
import { IngestError } from './errors.ts';
import {
  acceptPlain,
  checkSlashDates,
  COLUMN_SYNONYMS,
  readPlainTime,
  requireZoneIfAllLocal,
  resolvePlainColumns,
  synonymNote,
} from './plain.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A property as text: strings as they are, numbers written out, anything else absent. */
function propText(props: Record<string, unknown>, name: string): string | undefined {
  const v = props[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The interned text of each named property (null: no such column, or blank). */
function internProps(
  c: Collector,
  props: Record<string, unknown>,
  names: readonly (string | null)[],
): [string | null, string | null, string | null] {
  const [a, b, d] = names.map((n) => (n === null ? null : c.intern(propText(props, n))));
  return [a ?? null, b ?? null, d ?? null];
}

/**
 * Reads a parsed GeoJSON value.
 * Complexity O(features).
 * @throws IngestError E_NOT_GEOJSON when `json` is not a FeatureCollection, E_NEED_TZ, E_BAD_OPTION; TimeZoneError E_TIMEZONE for an unknown tz.
 */
export function ingestGeoJson(json: unknown, options: IngestOptions): IngestResult {
  const clock = checkIngestOptions(options);
  const { file } = options;
  if (options.format !== undefined && options.format !== 'auto' && options.format !== 'geojson') {
    throw new IngestError('E_WRONG_FORMAT', file, `${file}: is GeoJSON, not the ${options.format} format`, null, null, options.format);
  }
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    const got = isObject(json) ? `type ${JSON.stringify(json.type)}` : Array.isArray(json) ? 'an array' : typeof json;
    throw new IngestError(
      'E_NOT_GEOJSON',
      file,
      `${file}: not a GeoJSON FeatureCollection (found ${got}); expected {"type": "FeatureCollection", "features": [...]}`,
      null,
      null,
      got,
    );
  }
  const features = json.features as unknown[];
  const cols = propertyColumns(file, features, options);
  const c = new Collector(file);
  if (options.dateOrder !== undefined) c.dateOrder = options.dateOrder;
  const note = synonymNote(file, cols, 'property');
  if (note !== null) c.notes.push(note);
  features.forEach((f, k) => {
    const line = k + 1;
    c.rowsRead++;
    if (!isObject(f) || f.type !== 'Feature') {
      c.reject(line, 'not_a_point', null, null, 'not a GeoJSON Feature');
      return;
    }
    const props = isObject(f.properties) ? f.properties : {};
    const t = readPlainTime(c, line, cols, (n) => propText(props, n), clock);
    if (t === null) return;
    const g = f.geometry;
    if (g === null || g === undefined) {
      c.reject(line, 'missing_coords', 'geometry', null, 'no geometry');
      return;
    }
    if (!isObject(g) || g.type !== 'Point') {
      c.reject(line, 'not_a_point', 'geometry', isObject(g) ? String(g.type) : null, 'geometry is not a Point');
      return;
    }
    const xy = g.coordinates;
    if (
      !Array.isArray(xy) ||
      xy.length < 2 ||
      typeof xy[0] !== 'number' ||
      typeof xy[1] !== 'number' ||
      !Number.isFinite(xy[0]) ||
      !Number.isFinite(xy[1])
    ) {
      c.reject(line, 'bad_coords', 'geometry', JSON.stringify(xy) ?? null, 'Point coordinates are not [lng, lat] numbers');
      return;
    }
    const ll = checkLatLngNumbers(c, line, 'latitude', xy[1], 'longitude', xy[0]);
    if (ll === null) return;
    const id = cols.id === null ? undefined : propText(props, cols.id)?.trim();
    acceptPlain(
      c,
      line,
      t,
      ll.lat,
      ll.lng,
      id === undefined || id === '' ? null : id,
      ...internProps(c, props, [cols.category, cols.district, cols.address]),
    );
  });
  checkSlashDates(c);
  requireZoneIfAllLocal(c);
  applyHourPrecision(c);
  return c.result('geojson');
}

/** The plain columns of a FeatureCollection's properties: the names seen on any feature decide. */
function propertyColumns(file: string, features: readonly unknown[], options: IngestOptions): ReturnType<typeof resolvePlainColumns> {
  // Property names seen anywhere decide the columns (features may omit optional properties).
  const names = new Set<string>();
  for (const f of features) {
    if (isObject(f) && isObject(f.properties)) for (const k of Object.keys(f.properties)) names.add(k);
  }
  // With no time property anywhere (or no features), rows are rejected one by one as
  // missing_time rather than failing the file: a GeoJSON feature carries its own properties.
  const noTimeAnywhere =
    !names.has('datetime') && !(names.has('start') && names.has('end')) && !(COLUMN_SYNONYMS.datetime ?? []).some((n) => names.has(n));
  return resolvePlainColumns(
    file,
    // the place comes from the geometry, never from lat/lon properties
    (n) => features.length === 0 || names.has(n) || n === 'lat' || n === 'lon' || (n === 'datetime' && noTimeAnywhere),
    { ...options.columns, lat: 'lat', lon: 'lon' },
    [...names].slice(0, 20).join(','),
    'property',
  );
}
