/**
 * A date and a time of day in two columns (`--columns date=NAME,time=NAME`, or columns named
 * `date` and `time` or `hour`), joined into one value the plain reader's parsers read
 * (engine/ingest/plain.ts): the forms records systems and portals use for the time of day.
 */

/**
 * Joins a date and a time of day: "2230", "930" (HHMM, as Los Angeles writes it) → "22:30",
 * "09:30"; "10:30 PM" → "22:30"; an hour column's "22" → "22" after an ISO date (hour precision)
 * or "22:00" after a slash date; anything else as written. A blank time gives the date alone (a
 * day). A time of day written in the date column is dropped: the time column gives it. O(1).
 * @example
 * joinDateTime('2020-01-08', '2230', false) // => '2020-01-08 22:30'
 */
export function joinDateTime(date: string, time: string, hourColumn: boolean): string {
  // a date column may carry a placeholder time ("01/08/2020 12:00:00 AM" in Los Angeles' DATE OCC): the time column wins
  const d = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})(?:[Tt ]|$)/.exec(date.trim())?.[1] ?? date.trim();
  const t = time.trim();
  if (d === '' || t === '') return d;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(d);
  if (hourColumn && /^\d{1,2}$/.test(t)) return iso ? `${d} ${t.padStart(2, '0')}` : `${d} ${t}:00`;
  const hhmm = /^(\d{1,2})(\d{2})$/.exec(t);
  if (hhmm !== null) return `${d} ${hhmm[1]!.padStart(2, '0')}:${hhmm[2]}`;
  const ampm = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?$/.exec(t);
  if (ampm !== null && iso) {
    const h = Number(ampm[1]);
    if (h >= 1 && h <= 12) {
      const h24 = (h % 12) + (ampm[4]!.toLowerCase() === 'p' ? 12 : 0);
      return `${d} ${String(h24).padStart(2, '0')}:${ampm[2]}${ampm[3] !== undefined ? `:${ampm[3]}` : ''}`;
    }
  }
  const hms = /^(\d{1,2})(:\d{2}(?::\d{2})?)$/.exec(t);
  if (hms !== null && iso) return `${d} ${hms[1]!.padStart(2, '0')}${hms[2]}`;
  return `${d} ${t}`;
}
