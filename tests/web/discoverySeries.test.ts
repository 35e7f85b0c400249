/**
 * The evaluation view's stress-test series and the reading of a report's `discovery` block
 * (web/views/discoverySeries.ts), on a tiny hand-made block of two replays of two weeks.
 */
import { describe, expect, it } from 'vitest';
import type { DiscoveryWeek } from '../../engine/index.ts';
import { readDiscovery, runLabel, weeklySeries } from '../../web/views/discoverySeries.ts';

function week(n: number, places: number, hits: number, events: number): DiscoveryWeek {
  const hitRate = events > 0 ? hits / events : NaN;
  return {
    week: n,
    from: `2023-10-0${2 + 7 * n}`,
    shifts: 21,
    events,
    hits,
    hitRate,
    picks: 40,
    places,
    top10Share: 0.25,
    everyShift: 2,
    found: 3,
    backgroundShare: 0.5,
  };
}

const block = {
  p: 0.5,
  rotateAfter: 2,
  seed: 1,
  refitEveryDays: 1,
  top: 2,
  shiftsPerWeek: 21,
  flaggedKm2: [1],
  wallSeconds: 1.5,
  runs: [
    {
      p: 0,
      rotateAfter: null,
      total: week(0, 12, 5, 20),
      weeks: [week(1, 10, 4, 16), week(2, 6, 1, 4)],
      topKHitRate: 0.25,
      hitRate: { '1': 0.2 },
      rested: 0,
      wallSeconds: 0.5,
    },
    // week 2 scored no crime: its hit rate is NaN (null once saved as JSON)
    {
      p: 0.5,
      rotateAfter: 2,
      total: week(0, 14, 3, 16),
      weeks: [week(1, 9, 3, 16), week(2, 7, 0, 0)],
      topKHitRate: 0.1875,
      hitRate: { '1': 0.1 },
      rested: 4,
      wallSeconds: 0.5,
    },
  ],
};

describe('the stress test in the evaluation view', () => {
  it('names the replays as the CLI does', () => {
    expect(runLabel({ p: 0, rotateAfter: null })).toBe('p = 0');
    expect(runLabel({ p: 0.5, rotateAfter: 2 })).toBe('p = 0.5, rotate after 2 d');
  });

  it('reads a block saved as JSON (NaN written as null) and draws a line per replay, week by week', () => {
    const report = readDiscovery(JSON.parse(JSON.stringify({ models: {}, discovery: block })))!;
    expect(report.runs).toHaveLength(2);
    expect(report.runs[1]!.weeks[1]!.hitRate).toBeNaN();
    expect(report.runs[0]!.rotateAfter).toBeNull();
    expect(weeklySeries(report, 'places')).toEqual([
      {
        name: 'p = 0',
        emphasis: false,
        points: [
          [1, 10],
          [2, 6],
        ],
      },
      {
        name: 'p = 0.5, rotate after 2 d',
        emphasis: false,
        points: [
          [1, 9],
          [2, 7],
        ],
      },
    ]);
    const hits = weeklySeries(report, 'hitRate');
    expect(hits.map((s) => s.points[0])).toEqual([
      [1, 0.25],
      [1, 3 / 16],
    ]);
    expect(hits[1]!.points[1]![1]).toBeNaN(); // a gap in the line, not a zero
  });

  it('emphasises the replay at p without rotation', () => {
    const plainAtP = { ...block.runs[1]!, rotateAfter: null };
    const report = readDiscovery({ discovery: { ...block, runs: [block.runs[0], plainAtP] } })!;
    expect(weeklySeries(report, 'places').map((s) => s.emphasis)).toEqual([false, true]);
  });

  it('is null without a block, and names the field of a block that is not a stress-test report', () => {
    expect(readDiscovery({ models: {} })).toBeNull();
    expect(readDiscovery({ models: {}, discovery: null })).toBeNull();
    expect(() => readDiscovery({ discovery: { ...block, runs: [] } })).toThrow(/discovery\.runs is not a list of replays/);
    const bad = { ...block, runs: [block.runs[0], { ...block.runs[1], weeks: [week(1, 9, 3, 16), { ...week(2, 7, 0, 0), places: '7' }] }] };
    expect(() => readDiscovery({ discovery: bad })).toThrow(/discovery\.runs\[1\]\.weeks\[1\]\.places is not a number/);
  });
});
