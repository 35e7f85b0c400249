/** The stress test's verdict in words (engine/evaluate/discoveryWords.ts), on tiny hand-made reports. */
import { describe, expect, it } from 'vitest';
import { discoveryVerdict, type DiscoveryReport, type DiscoveryRunReport, type DiscoveryWeek } from '../../engine/index.ts';

/** A week (or whole period) with the fields the verdict reads set, the rest plausible. */
function week(n: number, places: number, hits: number, events: number): DiscoveryWeek {
  return {
    week: n,
    from: `2023-10-0${n + 1} 06:00`,
    shifts: 21,
    events,
    hits,
    hitRate: events > 0 ? hits / events : NaN,
    picks: 210,
    places,
    top10Share: 0.5,
    everyShift: 1,
    found: 0,
    backgroundShare: 0.25,
  };
}

function run(p: number, rotateAfter: number | null, weeks: DiscoveryWeek[], total: DiscoveryWeek, topKHitRate: number): DiscoveryRunReport {
  return {
    p,
    rotateAfter,
    total,
    weeks,
    topKHitRate,
    hitRate: { '1': topKHitRate },
    rested: rotateAfter === null ? 0 : 7,
    wallSeconds: null,
  };
}

function report(p: number, rotateAfter: number | null, runs: DiscoveryRunReport[]): DiscoveryReport {
  return { p, rotateAfter, seed: 1, refitEveryDays: 1, top: 10, shiftsPerWeek: 21, flaggedKm2: [1], runs, wallSeconds: null };
}

describe('discoveryVerdict', () => {
  // p = 0: 1,200 places, 40.0%; p = 0.5: 1,150 places, 39.5%
  const plain = run(0, null, [week(1, 700, 10, 25)], week(0, 1200, 40, 100), 0.4);
  const found = run(0.5, null, [week(1, 650, 9, 25)], week(0, 1150, 39, 100), 0.395);

  it('says which way the places moved at p against p = 0, with both counts and both hit rates', () => {
    expect(discoveryVerdict(report(0.5, null, [plain, found]))).toBe(
      'With the boxes finding 0.5 extra incidents per expected real one, they narrowed onto fewer places (1,150 distinct places flagged against 1,200 at p = 0) and caught 39.5% of real crime against 40.0%.',
    );
    const wider = run(0.5, null, [], week(0, 1300, 39, 100), 0.41);
    expect(discoveryVerdict(report(0.5, null, [plain, wider]))).toMatch(
      /they spread over more places \(1,300 distinct places flagged against 1,200 at p = 0\) and caught 41\.0% of real crime against 40\.0%\.$/,
    );
    const same = run(0.5, null, [], week(0, 1200, 39, 100), 0.4);
    expect(discoveryVerdict(report(0.5, null, [plain, same]))).toMatch(/they kept as many places \(1,200 /);
    const one = run(1, null, [], week(0, 1200, 39, 100), 0.4);
    expect(discoveryVerdict(report(1, null, [plain, one]))).toMatch(
      /^With the boxes finding 1 extra incident per expected real one, they kept/,
    );
  });

  it('adds what resting places did at p, in the same sentence', () => {
    const rotatedPlain = run(0, 1, [], week(0, 2000, 30, 100), 0.3);
    const rotated = run(0.5, 1, [], week(0, 1999, 31, 100), 0.305);
    expect(discoveryVerdict(report(0.5, 1, [plain, found, rotatedPlain, rotated]))).toBe(
      'With the boxes finding 0.5 extra incidents per expected real one, they narrowed onto fewer places (1,150 distinct places flagged against 1,200 at p = 0) and caught 39.5% of real crime against 40.0%; resting a place after 1 day in the same shift, 1,999 places were flagged and they caught 30.5% of real crime.',
    );
  });

  it('words p = 0 alone, a missing rate, and a report without a p = 0 replay', () => {
    expect(discoveryVerdict(report(0, null, [plain]))).toBe(
      'At p = 0 the boxes flagged 1,200 distinct places and caught 40.0% of real crime.',
    );
    const noCrime = run(0, null, [], week(0, 5, 0, 0), NaN);
    expect(discoveryVerdict(report(0, null, [noCrime]))).toBe(
      'At p = 0 the boxes flagged 5 distinct places and had no real crime to catch.',
    );
    expect(discoveryVerdict(report(0.5, null, [found]))).toBe('The stress test has no p = 0 replay to compare with.');
  });
});
