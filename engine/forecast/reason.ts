/**
 * A patrol box's reason in plain words, from counts a sergeant can check (issue 12): "9 thefts
 * from vehicles here in the past year, 4 of them on night shifts; 2 in the last 14 days, the
 * latest 3 days ago". The model's own breakdown (background rate, recent incidents and their
 * contributions: boxes.ts explainBox) stays beside it; this says what happened in the box, not
 * what the model made of it.
 *
 * Counting rules (docs/forecast.md#the-reason-of-a-box). The incidents are the box's history
 * incidents (the training incidents whose cell is one of the box's cells, found as the place is:
 * place.ts boxIncidentFinder), and the shift start is "now" (no clock is read):
 * - the past year is the 365 × 24 hours before the shift start; the last 14 days the 14 × 24
 *   hours before it;
 * - "on night shifts" (or day, evening: shifts.ts shiftName) counts the incidents of the past
 *   year whose local time (the shift's zone) falls in one of the past year's shifts starting at
 *   the same local time and lasting as many wall-clock hours, so 02:00 is on the 22:00-06:00
 *   shift, across daylight-saving changes too;
 * - an incident whose time of day is unknown (day precision, or 00:00 read as unknown) is in
 *   the year, the 14 days and the latest, but never on a shift; its age is said in calendar days;
 * - a month-precision incident (data.police.uk) is counted only in the year total, when its month
 *   starts in the past year: it has no day to put in the 14 days, the latest, or a shift.
 */
import { DateTime } from 'luxon';
import type { EventSet, H3Cell, Incident, ReasonCounts } from '../types.ts';
import type { EventsByCell } from './contributors.ts';
import { boxIncidentFinder } from './place.ts';
import { shiftName, shiftWindows } from './shifts.ts';
import { upperBound } from '../search.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The past year of a reason, in days. */
export const REASON_YEAR_DAYS = 365;
/** The recent period of a reason, in days. */
export const REASON_RECENT_DAYS = 14;

/**
 * Singular and plural words of the categories the bundled readers and presets know (lower-case
 * key). A category not listed is said "incidents of <category>", which is always grammatical.
 */
const CATEGORY_WORDS: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['theft from vehicle', ['theft from a vehicle', 'thefts from vehicles']],
  ['theft of vehicle', ['theft of a vehicle', 'thefts of vehicles']],
  ['theft of bicycle', ['theft of a bicycle', 'thefts of bicycles']],
  ['other theft', ['other theft', 'other thefts']],
  ['break and enter commercial', ['commercial break-in', 'commercial break-ins']],
  ['break and enter residential/other', ['residential or other break-in', 'residential or other break-ins']],
  ['offence against a person', ['offence against a person', 'offences against a person']],
  ['homicide', ['homicide', 'homicides']],
  ['burglary', ['burglary', 'burglaries']],
  ['robbery', ['robbery', 'robberies']],
  ['bicycle theft', ['bicycle theft', 'bicycle thefts']],
  ['vehicle crime', ['vehicle crime', 'vehicle crimes']],
  ['theft from the person', ['theft from the person', 'thefts from the person']],
  ['other crime', ['other crime', 'other crimes']],
  ['public order', ['public order offence', 'public order offences']],
  ['drugs', ['drugs offence', 'drugs offences']],
  ['theft', ['theft', 'thefts']],
  ['motor vehicle theft', ['motor vehicle theft', 'motor vehicle thefts']],
  ['auto theft', ['auto theft', 'auto thefts']],
  ['aggravated assault', ['aggravated assault', 'aggravated assaults']],
  ['assault', ['assault', 'assaults']],
  ['murder', ['murder', 'murders']],
]);

/**
 * A count of a category in words: "9 thefts from vehicles", "1 theft from a vehicle",
 * "3 incidents of mischief" (a category without known plural), "2 incidents" (no category).
 * @example
 * categoryWords('Theft from Vehicle', 9) // => '9 thefts from vehicles'
 * categoryWords('Mischief', 1) // => '1 incident of mischief'
 */
export function categoryWords(category: string | null, count: number): string {
  const key = category === null ? '' : category.trim().toLowerCase().replace(/\s+/g, ' ');
  const words = CATEGORY_WORDS.get(key);
  if (words !== undefined) return `${count} ${count === 1 ? words[0] : words[1]}`;
  const noun = count === 1 ? 'incident' : 'incidents';
  return key === '' ? `${count} ${noun}` : `${count} ${noun} of ${key}`;
}

/** What the counts of one shift need: its periods and the same shift on each day of the past year. */
export interface ReasonWindow {
  readonly startMs: number;
  readonly yearStartMs: number;
  readonly recentStartMs: number;
  /** The shift's name by its local start and wall-clock length: 'day', 'evening' or 'night'. */
  readonly shift: 'day' | 'evening' | 'night';
  /** The past year's shifts at the same local start and wall-clock length, [start, end) epoch ms, by start. */
  readonly shiftStartsMs: Float64Array;
  readonly shiftEndsMs: Float64Array;
  /** The shift start's local calendar day (as UTC ms of its midnight), for ages in days. */
  readonly startDayMs: number;
  readonly tz: string;
}

/** A local instant's calendar day as the UTC ms of its midnight. */
function localDayMs(ms: number, tz: string): number {
  const d = DateTime.fromMillis(ms, { zone: tz });
  return Date.UTC(d.year, d.month - 1, d.day);
}

/**
 * The window of the reasons of the shift [startMs, startMs + hours·3.6e6) in `tz`. O(days):
 * one shift per day of the past year (shifts.ts shiftWindows).
 * @throws {TimeZoneError} E_TIMEZONE; {ForecastError} E_ARGUMENT (bad hours)
 */
export function reasonWindow(startMs: number, hours: number, tz: string): ReasonWindow {
  const start = DateTime.fromMillis(startMs, { zone: tz });
  const end = DateTime.fromMillis(startMs + hours * HOUR_MS, { zone: tz });
  // wall-clock length: 7 real hours on the spring-forward night are 8 on the clock
  const wallHours = (end.toMillis() + end.offset * 60_000 - (startMs + start.offset * 60_000)) / HOUR_MS;
  const hhmm = `${String(start.hour).padStart(2, '0')}:${String(start.minute).padStart(2, '0')}`;
  const yearStartMs = startMs - REASON_YEAR_DAYS * DAY_MS;
  // from a day earlier (plus the shift's length): the year's first hours lie in a shift started before it
  const windows = shiftWindows(yearStartMs - DAY_MS - wallHours * HOUR_MS, startMs, tz, { starts: [hhmm], hours: wallHours });
  return {
    startMs,
    yearStartMs,
    recentStartMs: startMs - REASON_RECENT_DAYS * DAY_MS,
    shift: shiftName(start.hour + start.minute / 60, wallHours),
    shiftStartsMs: Float64Array.from(windows, (w) => w.startMs),
    shiftEndsMs: Float64Array.from(windows, (w) => w.startMs + w.hours * HOUR_MS),
    startDayMs: localDayMs(startMs, tz),
    tz,
  };
}

/** Whether instant `ms` lies in one of the window's same shifts (binary search on the starts). */
function onShift(w: ReasonWindow, ms: number): boolean {
  const after = upperBound(w.shiftStartsMs, ms);
  return after > 0 && ms < w.shiftEndsMs[after - 1]!;
}

/**
 * The counts of a box's incidents for the shift of `w` (module comment for the rules). Incidents
 * at or after the shift start are ignored (a forecast's history has none). O(n log d) for n
 * incidents and d shifts in the year, plus one time-zone lookup for the latest.
 */
export function reasonCounts(incidents: Iterable<Incident>, w: ReasonWindow): ReasonCounts {
  const byCategory = new Map<string | null, number>();
  let year = 0;
  let older = 0;
  let sameShift = 0;
  let recent = 0;
  let monthOnly = 0;
  let timeUnknown = 0;
  let latest: Incident | null = null;
  for (const inc of incidents) {
    const t = inc.timeMs;
    if (!(t < w.startMs)) continue;
    if (t < w.yearStartMs) {
      older++;
      continue;
    }
    year++;
    byCategory.set(inc.category, (byCategory.get(inc.category) ?? 0) + 1);
    if (inc.precision === 'month') {
      monthOnly++;
      continue;
    }
    if (t >= w.recentStartMs) recent++;
    if (latest === null || t > latest.timeMs) latest = inc;
    if (inc.timeOfDayUnknown) timeUnknown++;
    else if (onShift(w, t)) sameShift++;
  }
  const categories = [...byCategory]
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || categoryOrder(a.category, b.category));
  const latestTimeKnown = latest === null ? null : !latest.timeOfDayUnknown;
  return {
    yearDays: REASON_YEAR_DAYS,
    recentDays: REASON_RECENT_DAYS,
    shift: w.shift,
    year,
    categories,
    sameShift,
    timeUnknown,
    monthOnly,
    recent,
    latestAgeHours: latest === null ? null : (w.startMs - latest.timeMs) / HOUR_MS,
    latestTimeKnown,
    latestDaysAgo: latest === null ? null : Math.round((w.startDayMs - localDayMs(latest.timeMs, w.tz)) / DAY_MS),
    older,
  };
}

/** Categories by name (code units), the unnamed last: a stable tie-break. */
function categoryOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The latest incident's age in words: "40 minutes ago", "5 hours ago", "3 days ago" (whole units,
 * rounded down); with an unknown time of day by calendar days: "today", "yesterday", "3 days ago".
 */
export function latestAgeWords(c: ReasonCounts): string | null {
  if (c.latestAgeHours === null) return null;
  if (c.latestTimeKnown !== true) {
    const days = c.latestDaysAgo ?? Math.floor(c.latestAgeHours / 24);
    return days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
  }
  const h = c.latestAgeHours;
  if (h < 1) return `${plural(Math.max(1, Math.floor(h * 60)), 'minute', 'minutes')} ago`;
  if (h < 48) return `${plural(Math.floor(h), 'hour', 'hours')} ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** ", 4 of them on night shifts (time of day unknown for 2)" and its variants; "" when nothing is timed. */
function shiftClause(c: ReasonCounts): string {
  const untimed = c.timeUnknown + c.monthOnly;
  const timed = c.year - untimed;
  const shifts = `${c.shift} shifts`;
  if (timed === 0) return c.monthOnly === c.year ? '' : ', time of day not recorded';
  if (c.year === 1) return c.sameShift === 1 ? `, on a ${c.shift} shift` : `, not on a ${c.shift} shift`;
  const them =
    c.sameShift === 0
      ? `, none of them on ${shifts}`
      : c.sameShift === 1
        ? `, 1 of them on a ${c.shift} shift`
        : `, ${c.sameShift} of them on ${shifts}`;
  return untimed === 0 ? them : `${them} (time of day unknown for ${untimed})`;
}

/**
 * The most common of several categories: "most common: 9 thefts from vehicles", two tied
 * "most common: 4 other thefts and 4 incidents of mischief", more tied "4 categories, 1 each".
 */
function mostCommon(categories: ReasonCounts['categories']): string {
  const top = categories[0]!.count;
  const tied = categories.filter((x) => x.count === top);
  if (tied.length > 2) return `${tied.length} categories${tied.length < categories.length ? ' most common' : ''}, ${top} each`;
  return `most common: ${tied.map((x) => categoryWords(x.category, x.count)).join(' and ')}`;
}

/**
 * A box's reason in words from its counts, e.g.
 * "9 thefts from vehicles here in the past year, 4 of them on night shifts; 2 in the last 14 days, the latest 3 days ago",
 * "14 incidents here in the past year (most common: 9 thefts from vehicles), 5 of them on night shifts; none in the last 14 days, the latest 40 days ago",
 * "1 burglary here in the past year, on a night shift, 3 days ago",
 * "12 burglaries here in the past year, dated by month only",
 * or "no recorded crime here in the past year; the box is here because of crime around it".
 */
export function reasonText(c: ReasonCounts): string {
  if (c.year === 0) {
    return c.older === 0
      ? 'no recorded crime here in the past year; the box is here because of crime around it'
      : `no recorded crime here in the past year (${c.older} before it); the box is here because of that older crime and crime around it`;
  }
  const top = c.categories[0]!;
  const head =
    c.categories.length === 1
      ? `${categoryWords(top.category, c.year)} here in the past year`
      : `${plural(c.year, 'incident', 'incidents')} here in the past year (${mostCommon(c.categories)})`;
  const age = latestAgeWords(c);
  if (age === null) return `${head}, dated by month only`;
  if (c.year === 1) return `${head}${shiftClause(c)}, ${age}`;
  const recent = c.recent === 0 ? `none in the last ${c.recentDays} days` : `${c.recent} in the last ${c.recentDays} days`;
  return `${head}${shiftClause(c)}; ${recent}, the latest ${age}`;
}

/**
 * The reason finder of a shift's boxes: for a box of `cells`, its reason and counts over its
 * history incidents, found as its place is (place.ts boxIncidentFinder). O(e log d) per box.
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function reasonFinder(
  history: EventSet,
  incidents: readonly Incident[],
  byCell: EventsByCell,
  w: ReasonWindow,
): (cells: readonly H3Cell[]) => { reason: string; reasonCounts: ReasonCounts } {
  const incidentsOf = boxIncidentFinder(history, incidents, byCell);
  return (cells) => {
    const counts = reasonCounts(incidentsOf(cells), w);
    return { reason: reasonText(counts), reasonCounts: counts };
  };
}
