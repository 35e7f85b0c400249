/**
 * The actuals of an evaluation: which incidents happened in which window, and in which study
 * cell (timing.ts gives the rule: an incident counts in a window only if its whole period lies
 * inside it).
 */
import type { Incident } from '../types.ts';
import { upperBound } from '../search.ts';
import type { EvalWindow } from './timing.ts';

/** What happened in each window. */
export interface Actuals {
  /** Per window, the study cell of each incident placed in it (−1: outside the study cells). */
  readonly byWindow: readonly (readonly number[])[];
  /** Placements counted (an incident in two overlapping windows counts twice). */
  readonly events: number;
  /** Placements outside the study cells (no model can catch them). */
  readonly outsideArea: number;
  /** Incidents of the test period whose period straddles windows: too vague to place, left out. */
  readonly unplaced: number;
}

/** One incident to place: its time, the end of its period (its known-from instant) and its study cell (−1 outside). */
export interface Placeable {
  readonly timeMs: number;
  readonly endMs: number;
  readonly cell: number;
}

/**
 * Places every incident in each window containing its whole period [timeMs, endMs): one window
 * unless windows overlap (e.g. 10-hour shifts starting every 8 hours), when it counts in each.
 * An incident in no window either straddles windows (its time is too vague: "unplaced") or
 * falls in a gap between windows or outside the test period (not part of the test).
 *
 * Cost O(n log W + placements), windows sorted by start.
 * @example
 * // two 8-hour windows from 0; an instant at 1 h, an incident over [7 h, 9 h) (unplaced: it
 * // straddles both), one at 20 h (after the test period)
 * const H = 3.6e6; // one hour in ms
 * const wins = [{ startMs: 0, endMs: 8 * H, hours: 8, label: 'a' }, { startMs: 8 * H, endMs: 16 * H, hours: 8, label: 'b' }];
 * placeActuals(wins, [{ timeMs: H, endMs: H + 1, cell: 4 }, { timeMs: 7 * H, endMs: 9 * H, cell: 2 }, { timeMs: 20 * H, endMs: 20 * H + 1, cell: 1 }])
 * // => { byWindow: [[4], []], events: 1, outsideArea: 0, unplaced: 1 }
 */
export function placeActuals(windows: readonly EvalWindow[], incidents: Iterable<Placeable>): Actuals {
  const starts = Float64Array.from(windows, (w) => w.startMs);
  const firstStart = starts[0] ?? Infinity;
  const lastEnd = windows.length > 0 ? windows[windows.length - 1]!.endMs : -Infinity;
  let longestMs = 0;
  for (const w of windows) longestMs = Math.max(longestMs, w.endMs - w.startMs);
  const byWindow: number[][] = windows.map(() => []);
  let events = 0;
  let outsideArea = 0;
  let unplaced = 0;
  for (const { timeMs, endMs, cell } of incidents) {
    if (endMs <= firstStart || timeMs >= lastEnd) continue; // wholly outside the test period
    let placed = false;
    let overlaps = false;
    // windows that start at or before the incident and could still be running
    for (let v = upperBound(starts, timeMs) - 1; v >= 0 && starts[v]! > timeMs - longestMs; v--) {
      const win = windows[v]!;
      if (endMs <= win.endMs) {
        byWindow[v]!.push(cell);
        events++;
        if (cell < 0) outsideArea++;
        placed = true;
      } else if (timeMs < win.endMs) overlaps = true;
    }
    // windows starting inside the incident's period
    if (!placed && upperBound(starts, endMs - 1) > upperBound(starts, timeMs)) overlaps = true;
    if (!placed && overlaps) unplaced++;
  }
  return { byWindow, events, outsideArea, unplaced };
}

/** The incidents as {@link Placeable}s, lazily: `cellOf(i)` gives incident i's study cell. */
export function* placeables(
  incidents: readonly Incident[],
  knownMs: ArrayLike<number>,
  cellOf: (i: number) => number,
): Generator<Placeable> {
  for (let i = 0; i < incidents.length; i++) yield { timeMs: incidents[i]!.timeMs, endMs: knownMs[i]!, cell: cellOf(i) };
}
