/**
 * Vancouver Police Department GeoDASH CSV (`TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,
 * NEIGHBOURHOOD,X,Y`).
 *
 * - place: X/Y are UTM zone 10N metres (EPSG:32610), converted to WGS84 with proj4; X=Y=0 (the
 *   "OFFSET TO PROTECT PRIVACY" rows) → privacy_offset; a blank X or Y → missing_coords;
 * - time: YEAR..MINUTE are local America/Vancouver wall-clock (DST rules in time.ts), minute
 *   precision; exactly 00:00 → timeOfDayUnknown (2.5-7% of property crimes sit there: unknown
 *   times, not midnight);
 * - category: TYPE; district: NEIGHBOURHOOD (null when blank); location: HUNDRED_BLOCK as
 *   published ("8XX W GEORGIA ST"), null when blank or a placeholder ("OFFSET TO PROTECT
 *   PRIVACY", "X NK_LOC ST": location not known), or when the column is absent;
 * - id: null. GeoDASH publishes no incident id; the row is identified by `source` (file, line).
 */
import proj4, { type Converter } from 'proj4';
import type { Collector } from './collector.ts';
import { checkLatLngNumbers, parseDecimal } from './collector.ts';
import type { HeaderIndex } from './header.ts';
import { isValidWallClock, ZoneClock } from './time.ts';

export const VANCOUVER_HEADER = 'TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y';
const REQUIRED = ['TYPE', 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'NEIGHBOURHOOD', 'X', 'Y'] as const;
export const VANCOUVER_ZONE = 'America/Vancouver';
/** EPSG:32610, WGS 84 / UTM zone 10N. */
export const UTM_10N = '+proj=utm +zone=10 +datum=WGS84 +units=m +no_defs';

let utmToWgs84: Converter | null = null;

/**
 * UTM zone 10N easting/northing (metres) to `{lat, lng}` (WGS84 degrees) with proj4.
 * @example
 * // 8.59 km west of the zone's central meridian (123° W), about 0.118° of longitude at 49.3° N
 * const p = utm10nToLatLng(491409.222, 5458870.3802);
 * [p.lat.toFixed(4), p.lng.toFixed(4)] // => ['49.2825', '-123.1181']
 */
export function utm10nToLatLng(xM: number, yM: number): { lat: number; lng: number } {
  utmToWgs84 ??= proj4(UTM_10N, 'WGS84');
  const [lng, lat] = utmToWgs84.forward([xM, yM]) as [number, number];
  return { lat, lng };
}

/** HUNDRED_BLOCK values that name no place: withheld for privacy, or not known ("NK_LOC"). */
const NO_PLACE_BLOCKS: ReadonlySet<string> = new Set(['OFFSET TO PROTECT PRIVACY', 'X NK_LOC ST']);

/**
 * The location text of a HUNDRED_BLOCK value: trimmed and shared (`intern`), or null for a blank
 * or a placeholder naming no place.
 * @example vancouverLocation(' 8XX W GEORGIA ST ', (s) => s?.trim() ?? null) // => '8XX W GEORGIA ST'
 */
export function vancouverLocation(raw: string | undefined, intern: (s: string | undefined) => string | null): string | null {
  const t = intern(raw);
  return t === null || NO_PLACE_BLOCKS.has(t.toUpperCase()) ? null : t;
}

export function isVancouverHeader(h: HeaderIndex): boolean {
  return h.hasAll(REQUIRED);
}

const INT_RE = /^\d{1,4}$/;

export function vancouverReader(c: Collector, h: HeaderIndex): (fields: readonly string[], line: number) => void {
  const iType = h.indexOf('TYPE');
  const iHood = h.indexOf('NEIGHBOURHOOD');
  const iBlock = h.indexOf('HUNDRED_BLOCK');
  const iX = h.indexOf('X');
  const iY = h.indexOf('Y');
  const timeCols = (['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE'] as const).map((n) => ({ name: n, i: h.indexOf(n) }));
  const clock = new ZoneClock(VANCOUVER_ZONE);
  const projected = new Map<string, { lat: number; lng: number }>();
  const parts = [0, 0, 0, 0, 0];

  return (f, line) => {
    for (let k = 0; k < 5; k++) {
      const col = timeCols[k]!;
      const raw = (f[col.i] ?? '').trim();
      if (raw === '') {
        c.reject(line, 'missing_time', col.name, raw, 'no value');
        return;
      }
      if (!INT_RE.test(raw)) {
        c.reject(line, 'bad_time', col.name, raw, 'not a whole number');
        return;
      }
      parts[k] = Number(raw);
    }
    const [year, month, day, hour, minute] = parts as [number, number, number, number, number];
    if (!isValidWallClock(year, month, day, hour, minute, 0)) {
      const value = `${year}-${month}-${day} ${hour}:${minute}`;
      c.reject(line, 'bad_time', 'YEAR..MINUTE', value, 'not a real date and time');
      return;
    }
    const xRaw = (f[iX] ?? '').trim();
    const yRaw = (f[iY] ?? '').trim();
    if (xRaw === '' || yRaw === '') {
      c.reject(line, 'missing_coords', xRaw === '' ? 'X' : 'Y', '', 'no coordinates');
      return;
    }
    const key = `${xRaw},${yRaw}`;
    let ll = projected.get(key);
    if (ll === undefined) {
      const x = parseDecimal(xRaw);
      const y = parseDecimal(yRaw);
      if (x === null || y === null) {
        c.reject(line, 'bad_coords', x === null ? 'X' : 'Y', x === null ? xRaw : yRaw, 'not a number (UTM metres expected)');
        return;
      }
      if (x === 0 && y === 0) {
        c.reject(line, 'privacy_offset', 'X', key, 'X=Y=0: location withheld to protect privacy ("OFFSET TO PROTECT PRIVACY")');
        return;
      }
      // A UTM easting lies within 100..900 km of the false origin; northing 0..10,000 km.
      if (!(x >= 100_000 && x <= 900_000 && y >= 0 && y <= 10_000_000)) {
        c.reject(
          line,
          'coords_out_of_range',
          !(x >= 100_000 && x <= 900_000) ? 'X' : 'Y',
          key,
          'not a UTM zone 10N position (easting 100000..900000 m, northing 0..10000000 m)',
        );
        return;
      }
      const p = utm10nToLatLng(x, y);
      const ok = checkLatLngNumbers(c, line, 'Y', p.lat, 'X', p.lng);
      if (ok === null) return;
      ll = ok;
      projected.set(key, ll);
    }
    const midnight = hour === 0 && minute === 0;
    c.accept({
      id: null,
      timeMs: clock.toEpochMs(year, month, day, hour, minute),
      precision: 'minute',
      timeOfDayUnknown: midnight,
      lat: ll.lat,
      lng: ll.lng,
      category: c.intern(f[iType]),
      district: c.intern(f[iHood]),
      location: iBlock >= 0 ? vancouverLocation(f[iBlock], (v) => c.intern(v)) : null,
      source: { file: c.file, line },
    });
  };
}
