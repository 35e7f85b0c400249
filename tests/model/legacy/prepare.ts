import type { EventSet } from './types.ts';
import { ModelError } from '../../../engine/model/errors.ts';

/**
 * Events laid out for the O(N) EM: each cell's events collapsed into groups of equal time
 * ("tie groups"), stored contiguously by cell.
 *
 * - `groupStart[c] .. groupStart[c+1]` are cell c's groups, in time order;
 * - `groupDeltaHours[g]` = time of group g minus time of the previous group in the same cell
 *   (0 for a cell's first group, where it is never used);
 * - `groupSize[g]` = number of events at that instant;
 * - `remainingSorted` = T − t_i for every event, ascending (for the edge-correction sums,
 *   which only need the events near the window's end).
 */
export interface Prepared {
  readonly events: number;
  readonly cellCount: number;
  readonly windowHours: number;
  readonly groupStart: Int32Array;
  readonly groupDeltaHours: Float64Array;
  readonly groupSize: Float64Array;
  readonly remainingSorted: Float64Array;
  /** Events per cell. */
  readonly cellEvents: Float64Array;
  readonly cellsWithEvents: number;
  /** Events that share their exact time with another event of their cell. */
  readonly tiedEvents: number;
  /** Groups of size > 1. */
  readonly tieGroups: number;
  /** Smallest positive gap between consecutive events of one cell, hours (Infinity if none). */
  readonly minGapHours: number;
  /** Events with an earlier event at a strictly earlier time in the same cell (they can be triggered). */
  readonly triggerableEvents: number;
}

/**
 * Validates an EventSet against a window and builds the {@link Prepared} layout.
 * Times are shifted so the window starts at 0: t = tHours − offsetHours.
 *
 * Cost O(N) plus one O(N log N) sort of the remaining times.
 * @throws {ModelError} E_EVENTS when the arrays disagree in length, a cell index is out of
 *   range, a time is not finite or lies outside [0, T), or the events are not sorted by (cell, time)
 */
export function prepare(events: EventSet, offsetHours: number, windowHours: number): Prepared {
  const n = events.cell.length;
  if (events.tHours.length !== n) {
    throw new ModelError('E_EVENTS', `event set arrays differ in length: cell ${n}, tHours ${events.tHours.length}`, n);
  }
  if (!(windowHours > 0) || !Number.isFinite(windowHours)) {
    throw new ModelError('E_WINDOW', `the training window must have a positive, finite length, got ${windowHours} hours`, windowHours);
  }
  const nCells = events.cells.length;
  const cellEvents = new Float64Array(nCells);
  const groupCount = new Int32Array(nCells);
  const remaining = new Float64Array(n);
  let tiedEvents = 0;
  let tieGroups = 0;
  let minGapHours = Infinity;
  let triggerableEvents = 0;
  let totalGroups = 0;
  let prevCell = -1;
  let prevT = 0;
  let runSize = 0;
  let cellHasEarlier = false;
  const closeRun = (): void => {
    if (runSize > 1) {
      tiedEvents += runSize;
      tieGroups++;
    }
  };
  for (let k = 0; k < n; k++) {
    const c = events.cell[k]!;
    let t = events.tHours[k]! - offsetHours;
    if (!(c >= 0 && c < nCells) || !Number.isInteger(c)) {
      throw new ModelError('E_EVENTS', `event ${k}: cell index ${c} is outside 0..${nCells - 1}`, c);
    }
    if (!Number.isFinite(t)) throw new ModelError('E_EVENTS', `event ${k}: time is not finite (${events.tHours[k]})`, events.tHours[k]);
    // Allow rounding noise from re-basing the origin at the very start of the window.
    if (t < 0 && t > -1e-9) t = 0;
    if (t < 0 || t >= windowHours) {
      throw new ModelError(
        'E_EVENTS',
        `event ${k} lies outside the training window [0, ${windowHours}) hours (t = ${t}); train on events strictly before the window's end`,
        t,
      );
    }
    remaining[k] = windowHours - t;
    if (c !== prevCell) {
      if (c < prevCell) throw new ModelError('E_EVENTS', `events are not sorted by cell at event ${k}`, k);
      closeRun();
      runSize = 1;
      groupCount[c] = 1;
      totalGroups++;
      cellHasEarlier = false;
    } else if (t < prevT) {
      throw new ModelError('E_EVENTS', `events are not sorted by time within cell ${events.cells[c]} at event ${k}`, k);
    } else if (t === prevT) {
      runSize++;
      if (cellHasEarlier) triggerableEvents++;
    } else {
      closeRun();
      runSize = 1;
      groupCount[c]!++;
      totalGroups++;
      minGapHours = Math.min(minGapHours, t - prevT);
      cellHasEarlier = true;
      triggerableEvents++;
    }
    cellEvents[c]!++;
    prevCell = c;
    prevT = t;
  }
  closeRun();

  const groupStart = new Int32Array(nCells + 1);
  let cellsWithEvents = 0;
  for (let c = 0; c < nCells; c++) {
    groupStart[c + 1] = groupStart[c]! + groupCount[c]!;
    if (cellEvents[c]! > 0) cellsWithEvents++;
  }
  const groupDeltaHours = new Float64Array(totalGroups);
  const groupSize = new Float64Array(totalGroups);
  let g = -1;
  prevCell = -1;
  for (let k = 0; k < n; k++) {
    const c = events.cell[k]!;
    const t = Math.max(0, events.tHours[k]! - offsetHours);
    if (c !== prevCell) {
      g++;
      groupDeltaHours[g] = 0;
      groupSize[g] = 1;
    } else if (t === prevT) {
      groupSize[g]!++;
    } else {
      g++;
      groupDeltaHours[g] = t - prevT;
      groupSize[g] = 1;
    }
    prevCell = c;
    prevT = t;
  }
  remaining.sort();
  return {
    events: n,
    cellCount: nCells,
    windowHours,
    groupStart,
    groupDeltaHours,
    groupSize,
    remainingSorted: remaining,
    cellEvents,
    cellsWithEvents,
    tiedEvents,
    tieGroups,
    minGapHours,
    triggerableEvents,
  };
}

/** exp(−40) ≈ 4e-18: past this, the rest of an edge sum cannot change G = N − E0 in double precision. */
const EDGE_CUTOFF = 40;

/** The edge sums at one ω (see {@link edgeSums}). */
export interface EdgeSums {
  /** E0 = Σ_i exp(−ω u_i), u_i = T − t_i */
  readonly e0: number;
  /** E1 = Σ_i u_i exp(−ω u_i) = G'(ω) */
  readonly e1: number;
  /** E2 = Σ_i u_i² exp(−ω u_i) = −G''(ω) */
  readonly e2: number;
}

/**
 * The edge sums E0, E1, E2 over the events, visiting only those within 40/ω hours of the
 * window's end (each of the others contributes under 4e-18). G(ω) = N − E0 is the expected
 * number of offspring inside the window per unit θ. Cost O(events within 40/ω of T).
 */
export function edgeSums(remainingSorted: Float64Array, omegaPerHour: number): EdgeSums {
  let e0 = 0;
  let e1 = 0;
  let e2 = 0;
  const limit = EDGE_CUTOFF / omegaPerHour;
  for (let k = 0; k < remainingSorted.length; k++) {
    const u = remainingSorted[k]!;
    if (u > limit) break;
    const e = Math.exp(-omegaPerHour * u);
    e0 += e;
    const ue = u * e;
    e1 += ue;
    e2 += u * ue;
  }
  return { e0, e1, e2 };
}

/**
 * {@link edgeSums} remembering the last few ω it was asked about: the E-step's log-likelihood
 * and the next M-step's safeguard both need the sums at the current ω, computed once.
 */
export function edgeSumsMemo(remainingSorted: Float64Array): (omegaPerHour: number) => EdgeSums {
  const keys: number[] = [];
  const values: EdgeSums[] = [];
  return (omega) => {
    const k = keys.indexOf(omega);
    if (k >= 0) return values[k]!;
    const v = edgeSums(remainingSorted, omega);
    keys.push(omega);
    values.push(v);
    if (keys.length > 4) {
      keys.shift();
      values.shift();
    }
    return v;
  };
}
