/**
 * The data screen (engine/evaluate/screen.ts): far-away incidents and time outliers, its rules
 * on hand-built data at their thresholds, and nothing flagged on the clean real fixtures.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestCsvText, screenIncidents, screeningWarnings, type Incident } from '../../engine/index.ts';
import { incident, LOCATIONS } from './synthetic.ts';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);

/** n incidents a day apart at the lattice's locations, from T0. */
function daily(n: number): Incident[] {
  return Array.from({ length: n }, (_, i) => incident(i + 1, T0 + i * DAY_MS, LOCATIONS[i % 30]!));
}

function read(file: string, options: object = {}): readonly Incident[] {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return ingestCsvText(text, { file, ...options }).incidents;
}

describe('time outliers', () => {
  it('flags an incident beyond a gap of more than 60 days from the bulk, not one at exactly 60 days', () => {
    const base = daily(400); // median gap 1 day: the 60-day floor applies
    const before = incident(1001, T0 - 61 * DAY_MS, LOCATIONS[0]!);
    const atLimit = incident(1002, T0 + 399 * DAY_MS + 60 * DAY_MS, LOCATIONS[0]!);
    const s = screenIncidents([...base, before, atLimit], null);
    expect([s.early, s.late, s.gapMs]).toEqual([1, 0, 60 * DAY_MS]);
    expect(s.keep[400]).toBe(0);
    expect(s.keep[401]).toBe(1);
    expect(screeningWarnings(s)).toEqual([
      '1 of 402 incidents are isolated in time (1 before and 0 after the bulk of the data, separated from it by more than 60 days: probably a mistyped year): left out (--keep-outliers keeps them).',
    ]);
  });

  it('scales the gap with sparse data (20 × the median gap) and keeps outliers when asked', () => {
    const sparse = Array.from({ length: 100 }, (_, i) => incident(i + 1, T0 + i * 5 * DAY_MS, LOCATIONS[i % 30]!));
    const late = incident(999, T0 + 99 * 5 * DAY_MS + 99 * DAY_MS, LOCATIONS[1]!); // 99 days < 20 × 5 days
    expect(screenIncidents([...sparse, late], null).late).toBe(0);
    const later = incident(999, T0 + 99 * 5 * DAY_MS + 101 * DAY_MS, LOCATIONS[1]!);
    const s = screenIncidents([...sparse, later], null, { keepTimeOutliers: true });
    expect([s.late, s.keep[100], s.outliersKept]).toEqual([1, 1, true]);
  });

  it('lists a gap of months inside the bulk without leaving anything out', () => {
    const a = daily(200);
    const b = daily(200).map((inc, i) => ({ ...inc, timeMs: inc.timeMs + 300 * DAY_MS, id: `b${i}` }));
    const s = screenIncidents([...a, ...b], null);
    expect([s.early, s.late]).toEqual([0, 0]);
    expect(s.gaps).toEqual([{ fromMs: T0 + 199 * DAY_MS, toMs: T0 + 300 * DAY_MS }]);
    expect(screeningWarnings(s)[0]).toBe(
      'the data has no incident from 2023-07-19 to 2023-10-28 (101 days): missing data there lowers the fitted rates; consider a training window after the gap.',
    );
  });
});

describe('far-away incidents', () => {
  it('flags swapped coordinates and a point near 0,0, but no point of a spread-out bulk', () => {
    const base = daily(300);
    const swapped = incident(901, T0, { lat: -123.12 + 100, lng: 49.25 }); // lat -23.12, lng 49.25
    const nearZero = incident(902, T0, { lat: 0.001, lng: 0.001 });
    const s = screenIncidents([...base, swapped, nearZero], null);
    expect([s.farAway, s.farKm, s.keep[300], s.keep[301]]).toEqual([2, 200, 0, 0]);
    // 150 km from the lattice: inside max(200 km, 10 × the bulk radius), kept.
    const near = incident(903, T0, { lat: 49.25 + 150 / 111.32, lng: -123.12 });
    expect(screenIncidents([...base, near], null).farAway).toBe(0);
  });

  it('counts only the candidates given', () => {
    const all = [...daily(50), incident(99, T0, { lat: 0.001, lng: 0.001 })];
    const candidate = new Uint8Array(all.length).fill(1);
    candidate[50] = 0;
    const s = screenIncidents(all, candidate);
    expect([s.candidates, s.farAway, s.keep[50]]).toEqual([50, 0, 0]);
  });
});

describe('the clean real fixtures', () => {
  // Checked also on the full shared files: Vancouver 2020-23 (125,173), Kent (147,024 after the duplicate rule),
  // Cheshire (96,548), Chicago (102,853): nothing flagged; Houston 2010 (86,309): 4 points over
  // 800 km away (the known far geocodes), far beyond the 407 km limit.
  const cases: [string, object, number][] = [
    ['fixtures/vancouver/property_2023.csv.gz', {}, 31_485],
    ['fixtures/vancouver/property_2022.csv.gz', {}, 29_353],
    ['fixtures/kent/ashford_2014.csv.gz', {}, 7855],
    [
      'fixtures/chicago/district1_2010_2016.csv.gz',
      { columns: { datetime: 'date', lat: 'latitude', lon: 'longitude' }, tz: 'America/Chicago' },
      1720,
    ],
    ['fixtures/houston/houston_2010_slice.csv', { tz: 'America/Chicago' }, 1727],
  ];
  it.each(cases)('%s: no far-away incident, no time outlier, no gap', (file, options, rows) => {
    const incidents = read(file, options);
    expect(incidents).toHaveLength(rows);
    const s = screenIncidents(incidents, null);
    expect([s.farAway, s.early, s.late, s.gaps.length]).toEqual([0, 0, 0, 0]);
    expect(screeningWarnings(s)).toEqual([]);
  });
});
