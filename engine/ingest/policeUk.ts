/**
 * data.police.uk street-level crime CSV (`Crime ID,Month,Reported by,Falls within,Longitude,
 * Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context`).
 *
 * - time: month precision; the first instant of the month in Europe/London; timeOfDayUnknown;
 * - id: Crime ID, null when blank (anti-social behaviour has none);
 * - category: Crime type; district: the LSOA name without its trailing code
 *   ("Ashford 001B" → "Ashford", the local authority), null when blank;
 * - location: the Location text as published ("On or near Tufton Street"), null when blank or
 *   the column is absent;
 * - rows without a location ("No Location", blank Longitude/Latitude) → missing_coords.
 */
import type { Collector } from './collector.ts';
import { checkLatLng } from './collector.ts';
import type { HeaderIndex } from './header.ts';
import { ZoneClock } from './time.ts';

export const POLICE_UK_REQUIRED = ['Crime ID', 'Month', 'Longitude', 'Latitude', 'Crime type'] as const;
export const POLICE_UK_HEADER =
  'Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context';
export const POLICE_UK_ZONE = 'Europe/London';

const MONTH_RE = /^(\d{4})-(\d{2})$/;
const LSOA_CODE_RE = /\s+\d{3}[A-Z]$/;

/** "Ashford 001B" → "Ashford"; a name without the code is kept whole. */
export function lsoaDistrict(lsoaName: string): string {
  return lsoaName.trim().replace(LSOA_CODE_RE, '');
}

export function isPoliceUkHeader(h: HeaderIndex): boolean {
  return h.hasAll(POLICE_UK_REQUIRED);
}

/** Returns the row reader for a police-uk file whose header is `h` (checked by the caller). */
export function policeUkReader(c: Collector, h: HeaderIndex): (fields: readonly string[], line: number) => void {
  const iId = h.indexOf('Crime ID');
  const iMonth = h.indexOf('Month');
  const iLng = h.indexOf('Longitude');
  const iLat = h.indexOf('Latitude');
  const iType = h.indexOf('Crime type');
  const iLsoa = h.indexOf('LSOA name');
  const iLocation = h.indexOf('Location');
  const clock = new ZoneClock(POLICE_UK_ZONE);
  const monthMs = new Map<string, number>();
  const districts = new Map<string, string | null>();

  return (f, line) => {
    const month = (f[iMonth] ?? '').trim();
    if (month === '') {
      c.reject(line, 'missing_time', 'Month', month, 'no month');
      return;
    }
    let timeMs = monthMs.get(month);
    if (timeMs === undefined) {
      const m = MONTH_RE.exec(month);
      const year = m ? Number(m[1]) : NaN;
      const mo = m ? Number(m[2]) : NaN;
      if (!m || mo < 1 || mo > 12 || year < 1000) {
        c.reject(line, 'bad_time', 'Month', month, 'not a month; expected YYYY-MM');
        return;
      }
      timeMs = clock.toEpochMs(year, mo, 1, 0, 0);
      monthMs.set(month, timeMs);
    }
    const ll = checkLatLng(c, line, 'Latitude', f[iLat], 'Longitude', f[iLng]);
    if (ll === null) return;
    const rawId = (f[iId] ?? '').trim();
    let district: string | null = null;
    if (iLsoa >= 0) {
      const lsoa = f[iLsoa] ?? '';
      const known = districts.get(lsoa);
      if (known !== undefined) district = known;
      else {
        district = c.intern(lsoaDistrict(lsoa));
        districts.set(lsoa, district);
      }
    }
    c.accept({
      id: rawId === '' ? null : rawId,
      timeMs,
      precision: 'month',
      timeOfDayUnknown: true,
      lat: ll.lat,
      lng: ll.lng,
      category: c.intern(f[iType]),
      district,
      location: iLocation >= 0 ? c.intern(f[iLocation]) : null,
      source: { file: c.file, line },
    });
  };
}
