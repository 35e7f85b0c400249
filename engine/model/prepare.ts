/**
 * Events laid out for the O(N) EM: each cell's events collapsed into groups of equal time ("tie
 * groups"), stored contiguously by cell, with each group's profile bin and how many of its
 * events have a known and an unknown time of day.
 */
import type { EventSet } from '../types.ts';
import { ModelError } from './errors.ts';
import { binExposureHours, binIndex, type BinCalendar } from './calendar.ts';

const HOUR_MS = 3_600_000;

export interface Prepared {
  readonly events: number;
  readonly cellCount: number;
  /** T: training window length in hours. */
  readonly windowHours: number;
  /** Cell c's groups are groupStart[c] .. groupStart[c+1] − 1, in time order. */
  readonly groupStart: Int32Array;
  /** Group time, hours since the window's start. */
  readonly groupT: Float64Array;
  /** Time since the previous group of the same cell (0 for a cell's first group). */
  readonly groupDelta: Float64Array;
  readonly groupCell: Int32Array;
  /** Events of the group whose time of day is known (they carry the profile) / unknown (profile mean 1). */
  readonly groupKnown: Float64Array;
  readonly groupUnknown: Float64Array;
  /** Profile bin of the group's instant (0 when there is no profile). */
  readonly groupBin: Int32Array;
  /** T − t_i of every event, in event order (for the edge-correction sums, edge.ts). */
  readonly remaining: Float64Array;
  readonly bins: number;
  /** Exposure (hours) of each bin inside the window; Σ = T. */
  readonly exposureHours: Float64Array;
  /** Time-known events per cell and per (cell, bin) (raw counts, for the priors). */
  readonly cellKnown: Float64Array;
  readonly cellBinKnown: Float64Array;
  readonly cellEvents: Float64Array;
  readonly cellsWithEvents: number;
  /** Events that share their exact time with another event of their cell (every member of a tie group). */
  readonly tiedEvents: number;
  /** Tie groups: groups of more than one event. */
  readonly tieGroups: number;
  /** Smallest positive gap between consecutive events of one cell, hours (Infinity if none). */
  readonly minGapHours: number;
  readonly unknownEvents: number;
  /** Events with an earlier event at a strictly earlier time in the same cell (they can be triggered). */
  readonly triggerableEvents: number;
}

/** What {@link prepareEvents} needs besides the events. */
export interface PrepareOptions {
  /** Profile bins (null: one bin, no profile); must cover the window. */
  readonly calendar: BinCalendar | null;
  /** Per event (aligned with the events): 1 when its time of day is unknown. */
  readonly timeUnknown: Uint8Array | null;
  /** Per event: its bin in `calendar`, when the caller has it already (saves the search). */
  readonly eventBin?: Int32Array | null;
}

/**
 * Validates the events against the window [startMs, endMs) and builds {@link Prepared}: times
 * are re-based so the window starts at 0 (t = tHours − (startMs − originMs)/3.6e6).
 *
 * Cost O(N + hours of the window) (the bin of each group from an hour-indexed table, unless
 * `eventBin` is given).
 * @throws {ModelError} E_EVENTS (arrays disagree, a cell index out of range, a time not finite,
 *   unsorted, outside the window), E_WINDOW (empty window, calendar not covering an event)
 */
export function prepareEvents(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  options: PrepareOptions,
): Prepared {
  const n = events.cell.length;
  const { calendar, timeUnknown } = options;
  const eventBin = calendar !== null ? (options.eventBin ?? null) : null;
  if (events.tHours.length !== n)
    throw new ModelError('E_EVENTS', `event set arrays differ in length: cell ${n}, tHours ${events.tHours.length}`, n);
  if (eventBin !== null && eventBin.length !== n)
    throw new ModelError('E_EVENTS', `eventBin has ${eventBin.length} entries for ${n} events`, eventBin.length);
  if (timeUnknown !== null && timeUnknown.length !== n)
    throw new ModelError('E_EVENTS', `timeUnknown has ${timeUnknown.length} entries for ${n} events`, timeUnknown.length);
  const windowHours = (window.endMs - window.startMs) / HOUR_MS;
  if (!(windowHours > 0) || !Number.isFinite(windowHours))
    throw new ModelError(
      'E_WINDOW',
      `the training window must have finite startMs < endMs, got [${window.startMs}, ${window.endMs})`,
      window,
    );
  const groups = groupEvents(events, window.startMs, windowHours, calendar, timeUnknown, eventBin);
  const { G, gT, gCell } = groups;
  const nCells = events.cells.length;
  const groupStart = new Int32Array(nCells + 1);
  let cellsWithEvents = 0;
  for (let c = 0; c < nCells; c++) {
    groupStart[c + 1] = groupStart[c]! + groups.groupCount[c]!;
    if (groups.cellEvents[c]! > 0) cellsWithEvents++;
  }
  const groupDelta = new Float64Array(G);
  for (let g = 1; g < G; g++) if (gCell[g] === gCell[g - 1]) groupDelta[g] = gT[g]! - gT[g - 1]!;
  return {
    events: n,
    cellCount: nCells,
    windowHours,
    groupStart,
    groupT: gT.subarray(0, G),
    groupDelta,
    groupCell: gCell.subarray(0, G),
    groupKnown: groups.gKnown.subarray(0, G),
    groupUnknown: groups.gUnknown.subarray(0, G),
    groupBin: groups.gBin.subarray(0, G),
    remaining: groups.remaining,
    bins: calendar === null ? 1 : calendar.bins,
    exposureHours: calendar === null ? Float64Array.of(windowHours) : binExposureHours(calendar, window.startMs, window.endMs),
    cellKnown: groups.cellKnown,
    cellBinKnown: groups.cellBinKnown,
    cellEvents: groups.cellEvents,
    cellsWithEvents,
    tiedEvents: groups.tiedEvents,
    tieGroups: groups.tieGroups,
    minGapHours: groups.minGapHours,
    unknownEvents: groups.unknownEvents,
    triggerableEvents: groups.triggerableEvents,
  };
}

/**
 * The one pass over the events (the O(N) part of {@link prepareEvents}): checks each event,
 * opens a group at every new (cell, time), and counts what the report and the priors need.
 * Group arrays are preallocated at N entries; the caller keeps views of their first G (no copy). Kept as one loop: it
 * runs once per fit over every event.
 */
// eslint-disable-next-line max-lines-per-function -- the per-event pass of every fit (see above)
function groupEvents(
  events: EventSet,
  startMs: number,
  windowHours: number,
  calendar: BinCalendar | null,
  timeUnknown: Uint8Array | null,
  eventBin: Int32Array | null,
) {
  const n = events.cell.length;
  const nCells = events.cells.length;
  const B = calendar === null ? 1 : calendar.bins;
  const offsetHours = (startMs - events.originMs) / HOUR_MS;
  const cellEvents = new Float64Array(nCells);
  const cellKnown = new Float64Array(nCells);
  const cellBinKnown = new Float64Array(nCells * B);
  const groupCount = new Int32Array(nCells);
  const remaining = new Float64Array(n);
  const gT = new Float64Array(n);
  const gCell = new Int32Array(n);
  const gKnown = new Float64Array(n);
  const gUnknown = new Float64Array(n);
  const gBin = new Int32Array(n);
  let G = 0;
  let tiedEvents = 0;
  let tieGroups = 0;
  let minGapHours = Infinity;
  let unknownEvents = 0;
  let triggerableEvents = 0;
  let prevCell = -1;
  let prevT = 0;
  let cellHasEarlier = false;
  const binOfMs = calendar === null || eventBin !== null ? null : binIndex(calendar, startMs, startMs + windowHours * HOUR_MS);
  for (let k = 0; k < n; k++) {
    const c = events.cell[k]!;
    let t = events.tHours[k]! - offsetHours;
    if (!(c >= 0 && c < nCells) || !Number.isInteger(c))
      throw new ModelError('E_EVENTS', `event ${k}: cell index ${c} is outside 0..${nCells - 1}`, c);
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
    const unknown = timeUnknown !== null && timeUnknown[k] === 1;
    if (unknown) unknownEvents++;
    if (c !== prevCell || t !== prevT) {
      if (c === prevCell) {
        if (t < prevT) throw new ModelError('E_EVENTS', `events are not sorted by time within cell ${events.cells[c]} at event ${k}`, k);
        if (t - prevT < minGapHours) minGapHours = t - prevT;
        cellHasEarlier = true;
      } else {
        if (c < prevCell) throw new ModelError('E_EVENTS', `events are not sorted by cell at event ${k}`, k);
        cellHasEarlier = false;
      }
      gT[G] = t;
      gCell[G] = c;
      gBin[G] = calendar === null ? 0 : binOf(calendar, eventBin, binOfMs, k, startMs + t * HOUR_MS);
      G++;
      groupCount[c]!++;
    } else {
      // A second (or later) event at the same instant in the same cell.
      tiedEvents += gKnown[G - 1]! + gUnknown[G - 1]! === 1 ? 2 : 1;
      if (gKnown[G - 1]! + gUnknown[G - 1]! === 1) tieGroups++;
    }
    if (cellHasEarlier) triggerableEvents++;
    const g = G - 1;
    if (unknown) gUnknown[g]!++;
    else {
      gKnown[g]!++;
      cellKnown[c]!++;
      cellBinKnown[c * B + gBin[g]!]!++;
    }
    cellEvents[c]!++;
    prevCell = c;
    prevT = t;
  }
  return {
    G,
    gT,
    gCell,
    gKnown,
    gUnknown,
    gBin,
    groupCount,
    remaining,
    cellEvents,
    cellKnown,
    cellBinKnown,
    tiedEvents,
    tieGroups,
    minGapHours,
    unknownEvents,
    triggerableEvents,
  };
}

/** The bin of event k at instant `ms`: the caller's, checked, or the calendar's (binIndex). O(1). */
function binOf(
  calendar: BinCalendar,
  eventBin: Int32Array | null,
  binOfMs: ((ms: number) => number) | null,
  k: number,
  ms: number,
): number {
  const B = calendar.bins;
  if (eventBin !== null) {
    const b = eventBin[k]!;
    if (!(b >= 0 && b < B)) throw new ModelError('E_EVENTS', `event ${k}: bin ${b} is outside 0..${B - 1}`, b);
    return b;
  }
  const b = binOfMs!(ms);
  if (b < 0) throw new ModelError('E_WINDOW', `the bin calendar does not cover event ${k}`, k);
  return b;
}
