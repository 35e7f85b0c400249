/**
 * The reasons of the Vancouver fixture's boxes through the service (issue 12 item 3), checked
 * against an independent count: a naive loop over every incident of the fixture, its fine (or
 * working) cell by H3 and its local hour by luxon, with no code shared with engine/forecast/reason.ts.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { incidentCell, shiftBoxes, type ExplainedBox, type Incident } from '../../engine/index.ts';
import { SHIFT, TZ, vancouver } from './support.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The counts of `box`, by hand: incidents before the shift in its cells (at resolution `res`). */
function naiveCounts(incidents: readonly Incident[], box: ExplainedBox, res: number) {
  const cells = new Set(box.cells ?? [box.h3]);
  let year = 0;
  let night = 0;
  let recent = 0;
  let unknown = 0;
  let latestMs = -Infinity;
  const perCategory = new Map<string | null, number>();
  for (const inc of incidents) {
    if (!(inc.timeMs < SHIFT.startMs) || inc.timeMs < SHIFT.startMs - 365 * DAY_MS) continue;
    if (!cells.has(incidentCell(inc.lat, inc.lng, res))) continue;
    year++;
    perCategory.set(inc.category, (perCategory.get(inc.category) ?? 0) + 1);
    if (inc.timeMs >= SHIFT.startMs - 14 * DAY_MS) recent++;
    if (inc.timeMs > latestMs) latestMs = inc.timeMs;
    if (inc.timeOfDayUnknown) unknown++;
    else {
      const hour = DateTime.fromMillis(inc.timeMs, { zone: TZ }).hour;
      if (hour >= 22 || hour < 6) night++;
    }
  }
  let top = 0;
  for (const n of perCategory.values()) if (n > top) top = n;
  return { year, night, recent, unknown, latestAgeHours: (SHIFT.startMs - latestMs) / HOUR_MS, top, categories: perCategory.size };
}

describe('shiftBoxes on the Vancouver fixture: the reasons count what a naive loop counts', () => {
  const incidents = vancouver();
  const result = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, top: 2 });

  it('every box has a reason in words and its counts', () => {
    expect(result.boxes.length).toBeGreaterThan(40);
    for (const b of result.boxes) {
      expect(b.reason).toMatch(/here in the past year/);
      expect(b.reasonCounts!.shift).toBe('night');
    }
  });

  it('Central Business District box 1 (placed, 7 fine cells): year, night shifts, 14 days, latest as counted by hand', () => {
    const box = result.boxes.find((b) => b.district === 'Central Business District' && b.rank === 1)!;
    const c = box.reasonCounts!;
    const hand = naiveCounts(incidents, box, 11);
    expect(hand.year).toBeGreaterThan(100); // a busy box: the check means something
    expect(hand.night).toBeGreaterThan(10);
    expect(c).toMatchObject({ year: hand.year, sameShift: hand.night, recent: hand.recent, timeUnknown: hand.unknown, monthOnly: 0 });
    expect(c.latestAgeHours).toBeCloseTo(hand.latestAgeHours, 9);
    expect(c.categories[0]!.count).toBe(hand.top);
    expect(c.categories).toHaveLength(hand.categories);
    expect(box.reason).toContain(`${hand.year} incidents here in the past year`);
    expect(box.reason).toContain(`${hand.night} of them on night shifts (time of day unknown for ${hand.unknown})`);
    expect(box.reason).toContain(`${hand.recent} in the last 14 days`);
  });

  it('grid placement, a quieter district’s box 1 (one res-10 cell): the same agreement', () => {
    const grid = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, top: 1, placement: 'grid', fit: result.fit });
    const box = grid.boxes.find((b) => b.district === 'Kitsilano')!;
    const hand = naiveCounts(incidents, box, 10);
    expect(hand.year).toBeGreaterThan(5);
    expect(box.reasonCounts).toMatchObject({ year: hand.year, sameShift: hand.night, recent: hand.recent, timeUnknown: hand.unknown });
    expect(box.reasonCounts!.latestAgeHours).toBeCloseTo(hand.latestAgeHours, 9);
  });
});
