/**
 * A box's reason in words from counts (issue 12 item 3): the counting rules on a small incident
 * set counted by hand (the year, the same shift across a daylight-saving change, the 14 days, the
 * latest, month-precision and no-time incidents), the wording, and grid boxes through patrolBoxes.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import {
  boxesToCsv,
  boxesToGeoJSON,
  categoryWords,
  forecastShift,
  latestAgeWords,
  patrolBoxes,
  reasonCounts,
  reasonText,
  reasonWindow,
  shiftAt,
} from '../../engine/forecast/index.ts';
import { gridDisk, incidentCell } from '../../engine/grid/index.ts';
import { contributorParams } from '../../engine/model/index.ts';
import type { Incident, ReasonCounts, TimePrecision } from '../../engine/types.ts';
import { HOUR_MS, makeEvents, makeFit } from './helpers.ts';

const TZ = 'America/Vancouver';
/** The night shift 2023-12-15 22:00 PST = 2023-12-16T06:00Z, 8 hours. */
const NIGHT = shiftAt('2023-12-15T22:00', TZ);

/** An incident at a UTC instant (written as UTC below: PST = UTC−8, PDT = UTC−7). */
function inc(
  id: string,
  utcIso: string,
  category: string | null = 'Theft from Vehicle',
  precision: TimePrecision = 'minute',
  timeOfDayUnknown = precision === 'day' || precision === 'month',
): Incident {
  return {
    id,
    timeMs: Date.parse(utcIso),
    precision,
    timeOfDayUnknown,
    lat: 49.28,
    lng: -123.12,
    category,
    district: null,
    source: { file: 'synthetic.csv', line: 2 },
  };
}

// The year is [2022-12-15 22:00 PST, 2023-12-15 22:00 PST) = [2022-12-16T06:00Z, 2023-12-16T06:00Z);
// the 14 days [2023-12-01 22:00 PST, the shift start) = [2023-12-02T06:00Z, ...).
const SET: Incident[] = [
  // a: 2023-12-12 21:00 PST, 73 h before: year, 14 days, not on the night shift (21:00), the latest
  inc('a', '2023-12-13T05:00Z'),
  // b: 2023-12-05 02:00 PST: on the shift of the 4th (22:00-06:00), in the 14 days
  inc('b', '2023-12-05T10:00Z'),
  // c: 2023-07-04 23:15 PDT (summer time): night shift
  inc('c', '2023-07-05T06:15Z'),
  // d: 2023-03-12 03:30 PDT, the spring-forward night (22:00 PST → 06:00 PDT, 7 real hours): night shift
  inc('d', '2023-03-12T10:30Z'),
  // e: 2023-06-10 06:00 PDT, the minute the night shift ends: not on it
  inc('e', '2023-06-10T13:00Z'),
  // f: the day 2023-11-20 (local midnight), no time of day: year only, never on a shift
  inc('f', '2023-11-20T08:00Z', 'Theft from Vehicle', 'day'),
  // g: 2023-02-01 00:00 PST read as unknown time of day: year only, although 00:00 is in the night shift
  inc('g', '2023-02-01T08:00Z', 'Mischief', 'minute', true),
  // h: the month 2023-11 (first instant 2023-11-01 00:00 PDT): the year total only
  inc('h', '2023-11-01T07:00Z', 'Theft from Vehicle', 'month'),
  // i: the month 2022-12, starting before the year: older
  inc('i', '2022-12-01T08:00Z', 'Theft from Vehicle', 'month'),
  // j: 2022-12-15 21:59 PST, a minute before the year: older
  inc('j', '2022-12-16T05:59Z'),
  // k: 2022-12-15 22:00 PST, the year's first instant and the start of that night's shift: both
  inc('k', '2022-12-16T06:00Z'),
  // l: at the shift start: not before it, ignored
  inc('l', '2023-12-16T06:00Z'),
];

describe('reasonCounts (hand-counted)', () => {
  const w = reasonWindow(NIGHT.startMs, NIGHT.hours, TZ);

  it('the window: 365 and 14 days before the start, the night shift', () => {
    expect(w.yearStartMs).toBe(Date.UTC(2022, 11, 16, 6));
    expect(w.recentStartMs).toBe(Date.UTC(2023, 11, 2, 6));
    expect(w.shift).toBe('night');
  });

  it('year 9 (a-h, k), same shift 4 (b, c, d, k), unknown time 2 (f, g), month 1 (h), 14 days 2 (a, b), latest a 73 h ago, older 2 (i, j)', () => {
    const c = reasonCounts(SET, w);
    expect(c).toEqual({
      yearDays: 365,
      recentDays: 14,
      shift: 'night',
      year: 9,
      categories: [
        { category: 'Theft from Vehicle', count: 8 },
        { category: 'Mischief', count: 1 },
      ],
      sameShift: 4,
      timeUnknown: 2,
      monthOnly: 1,
      recent: 2,
      latestAgeHours: 73,
      latestTimeKnown: true,
      latestDaysAgo: 3,
      older: 2,
    } satisfies ReasonCounts);
    expect(reasonText(c)).toBe(
      '9 incidents here in the past year (most common: 8 thefts from vehicles), 4 of them on night shifts (time of day unknown for 3); 2 in the last 14 days, the latest 3 days ago',
    );
    // the order of the incidents does not matter
    expect(reasonCounts([...SET].reverse(), w)).toEqual(c);
  });

  it('one category: named with its plural; without the untimed ones no "unknown" note', () => {
    const timed = SET.filter((x) => !['f', 'g', 'h'].includes(x.id!));
    expect(reasonText(reasonCounts(timed, w))).toBe(
      '6 thefts from vehicles here in the past year, 4 of them on night shifts; 2 in the last 14 days, the latest 3 days ago',
    );
  });

  it('the day shift of the same day counts other incidents: 14:00 and 21:00 are not on it, 06:00 and 13:59 are', () => {
    const day = reasonWindow(shiftAt('2023-12-15T06:00', TZ).startMs, 8, TZ);
    expect(day.shift).toBe('day');
    const xs = [
      inc('p', '2023-12-10T14:00Z'), // 06:00 PST
      inc('q', '2023-12-10T21:59Z'), // 13:59 PST
      inc('r', '2023-12-10T22:00Z'), // 14:00 PST
      inc('s', '2023-12-11T05:00Z'), // 21:00 PST
    ];
    const c = reasonCounts(xs, day);
    expect([c.year, c.sameShift, c.recent]).toEqual([4, 2, 4]);
    expect(reasonText(c)).toBe(
      '4 thefts from vehicles here in the past year, 2 of them on day shifts; 4 in the last 14 days, the latest 4 days ago',
    );
  });

  it('one incident: said once, with its shift and age', () => {
    expect(reasonText(reasonCounts([inc('b', '2023-12-15T23:30Z')], w))).toBe(
      '1 theft from a vehicle here in the past year, not on a night shift, 6 hours ago',
    );
    // 02:00 PST on the 15th, 20 h before
    expect(reasonText(reasonCounts([inc('b', '2023-12-15T10:00Z', 'Burglary')], w))).toBe(
      '1 burglary here in the past year, on a night shift, 20 hours ago',
    );
    expect(reasonText(reasonCounts([inc('b', '2023-12-11T08:00Z', 'Burglary', 'day')], w))).toBe(
      '1 burglary here in the past year, time of day not recorded, 4 days ago',
    );
  });

  it('categories tied for most common: both named (by name) when two, counted when more', () => {
    const two = [inc('a', '2023-12-13T05:00Z', 'Mischief'), inc('b', '2023-12-05T10:00Z'), inc('c', '2023-07-05T06:15Z', 'Burglary')];
    expect(reasonText(reasonCounts(two.slice(0, 2), w))).toMatch(
      /^2 incidents here in the past year \(most common: 1 incident of mischief and 1 theft from a vehicle\), 1 of them on a night shift; /,
    );
    expect(reasonText(reasonCounts(two, w))).toMatch(
      /^3 incidents here in the past year \(3 categories, 1 each\), 2 of them on night shifts; /,
    );
    const more = [
      ...two,
      inc('d', '2023-03-12T10:30Z', 'Burglary'),
      inc('e', '2023-06-10T13:00Z', 'Mischief'),
      inc('f', '2023-06-11T13:00Z'),
    ];
    expect(reasonText(reasonCounts([...more, inc('g', '2023-06-12T13:00Z', 'Robbery')], w))).toMatch(
      /^7 incidents here in the past year \(3 categories most common, 2 each\), /,
    );
  });

  it('month precision only: the year total, dated by month', () => {
    const c = reasonCounts([inc('m1', '2023-11-01T07:00Z', 'Burglary', 'month'), inc('m2', '2023-06-01T07:00Z', 'Burglary', 'month')], w);
    expect([c.year, c.monthOnly, c.sameShift, c.recent, c.latestAgeHours]).toEqual([2, 2, 0, 0, null]);
    expect(reasonText(c)).toBe('2 burglaries here in the past year, dated by month only');
  });

  it('nothing in the past year: says so, and why the box is here', () => {
    expect(reasonText(reasonCounts([], w))).toBe('no recorded crime here in the past year; the box is here because of crime around it');
    expect(reasonText(reasonCounts([SET[9]!, SET[8]!], w))).toBe(
      'no recorded crime here in the past year (2 before it); the box is here because of that older crime and crime around it',
    );
  });
});

describe('latestAgeWords', () => {
  const base: ReasonCounts = reasonCounts([inc('a', '2023-12-13T05:00Z')], reasonWindow(NIGHT.startMs, NIGHT.hours, TZ));
  it('whole minutes, hours, days, rounded down; an unknown time of day in calendar days', () => {
    const at = (latestAgeHours: number, latestTimeKnown = true, latestDaysAgo = 0): string | null =>
      latestAgeWords({ ...base, latestAgeHours, latestTimeKnown, latestDaysAgo });
    expect(at(0.001)).toBe('1 minute ago');
    expect(at(0.75)).toBe('45 minutes ago');
    expect(at(1)).toBe('1 hour ago');
    expect(at(47.9)).toBe('47 hours ago');
    expect(at(48)).toBe('2 days ago');
    expect(at(95.9)).toBe('3 days ago');
    expect(at(46, false, 1)).toBe('yesterday');
    expect(at(22, false, 0)).toBe('today');
    expect(at(70, false, 3)).toBe('3 days ago');
  });

  it('the calendar day of an undated-time incident: the 14th for a shift on the 15th is yesterday', () => {
    const c = reasonCounts([inc('f', '2023-12-14T08:00Z', 'Theft from Vehicle', 'day')], reasonWindow(NIGHT.startMs, NIGHT.hours, TZ));
    expect([c.latestAgeHours, c.latestTimeKnown, c.latestDaysAgo]).toEqual([46, false, 1]);
    expect(latestAgeWords(c)).toBe('yesterday');
  });
});

describe('categoryWords', () => {
  it('known categories in plural and singular; others "incidents of ..."; no category "incidents"', () => {
    expect(categoryWords('Theft from Vehicle', 9)).toBe('9 thefts from vehicles');
    expect(categoryWords('Theft from Vehicle', 1)).toBe('1 theft from a vehicle');
    expect(categoryWords('Break and Enter Residential/Other', 2)).toBe('2 residential or other break-ins');
    expect(categoryWords('Other Theft', 3)).toBe('3 other thefts');
    expect(categoryWords('Burglary', 3)).toBe('3 burglaries');
    expect(categoryWords('Mischief', 3)).toBe('3 incidents of mischief');
    expect(categoryWords('Anti-social behaviour', 1)).toBe('1 incident of anti-social behaviour');
    expect(categoryWords('  THEFT ', 2)).toBe('2 thefts');
    expect(categoryWords(null, 2)).toBe('2 incidents');
  });
});

describe('patrolBoxes: each grid box with its reason when given the zone', () => {
  const a = incidentCell(49.2827, -123.1207, 10);
  const [b] = gridDisk(a, 1).filter((c) => c !== a);
  const s = NIGHT.startMs;
  const origin = s - 400 * 24 * HOUR_MS;
  // cell a: incidents a, b, c of SET (73 h, the 5th 02:00, July 23:15); cell b: j (older)
  const incidents = [SET[0]!, SET[1]!, SET[2]!, SET[9]!];
  const history = makeEvents(
    origin,
    incidents.map((x, i) => [i < 3 ? a : b!, (x.timeMs - origin) / HOUR_MS] as const),
  );
  const fit = makeFit(0.2, 1 / 16, { [a]: 0.01, [b!]: 0.005 });
  const options = {
    districtOf: () => 'Downtown',
    contributorParams: contributorParams(fit),
    history,
    incidents,
    startMs: s,
    hours: NIGHT.hours,
  };
  const boxes = patrolBoxes(forecastShift(fit, history, s, NIGHT.hours), { ...options, tz: TZ });

  it('a: its own three incidents; b: only older crime', () => {
    expect(boxes.map((x) => x.h3)).toEqual([a, b]);
    expect(boxes[0]!.reason).toBe(
      '3 thefts from vehicles here in the past year, 2 of them on night shifts; 2 in the last 14 days, the latest 3 days ago',
    );
    expect(boxes[0]!.reasonCounts).toMatchObject({ year: 3, sameShift: 2, recent: 2, older: 0 });
    expect(boxes[1]!.reason).toBe(
      'no recorded crime here in the past year (1 before it); the box is here because of that older crime and crime around it',
    );
  });

  it('without the zone: no reason (nothing made up)', () => {
    const plain = patrolBoxes(forecastShift(fit, history, s, NIGHT.hours), options);
    expect(plain.every((x) => x.reason === undefined && x.reasonCounts === undefined)).toBe(true);
  });

  it('GeoJSON properties reason and reasonCounts, CSV column reason after place', () => {
    const gj = boxesToGeoJSON(boxes);
    expect(gj.features.map((f) => f.properties.reason)).toEqual(boxes.map((x) => x.reason));
    expect(gj.features[0]!.properties.reasonCounts).toEqual(boxes[0]!.reasonCounts);
    const rows = parse(boxesToCsv(boxes), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.reason)).toEqual(boxes.map((x) => x.reason));
    expect(Object.keys(rows[0]!).slice(2, 5)).toEqual(['place', 'reason', 'h3']);
  });
});
