/**
 * Events laid out for the profile EM ("etas" beyond 2015): each cell's events collapsed into
 * groups of equal time, as in engine/model/prepare.ts, with each group's profile bin and how
 * many of its events have a known and an unknown time of day.
 */
import type { EventSet, H3Cell } from '../../types.ts';
import { ModelError } from '../errors.ts';
import { binAt, binExposureHours, type BinCalendar } from './calendar.ts';

const HOUR_MS = 3_600_000;

export interface PlusPrepared {
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
  /** T − t_i of every event, ascending (edge-correction sums). */
  readonly remainingSorted: Float64Array;
  readonly bins: number;
  /** Exposure (hours) of each bin inside the window; Σ = T. */
  readonly exposureHours: Float64Array;
  /** Time-known events per cell and per (cell, bin) (raw counts, for the priors). */
  readonly cellKnown: Float64Array;
  readonly cellBinKnown: Float64Array;
  readonly cellEvents: Float64Array;
  readonly cellsWithEvents: number;
  readonly tiedEvents: number;
  readonly unknownEvents: number;
  readonly triggerableEvents: number;
}

/**
 * Validates the events against the window and builds {@link PlusPrepared}.
 *
 * @param calendar profile bins (null: one bin, no profile); must cover the window
 * @param timeUnknown per event (aligned with `events`): 1 when its time of day is unknown
 * @param eventBin per event: its bin in `calendar`, when the caller has it already (saves the search)
 * @param timeOrder the events' indices sorted by time, when the caller has it (saves the sort of T − t)
 * Cost O(N log segments) plus one O(N log N) sort.
 * @throws {ModelError} E_EVENTS (arrays disagree, unsorted, outside the window), E_WINDOW
 */
export function preparePlus(
  events: EventSet,
  window: { readonly startMs: number; readonly endMs: number },
  calendar: BinCalendar | null,
  timeUnknown: Uint8Array | null,
  eventBin: Int32Array | null = null,
  timeOrder: Int32Array | null = null,
): PlusPrepared {
  const n = events.cell.length;
  if (events.tHours.length !== n) throw new ModelError('E_EVENTS', `event set arrays differ in length: cell ${n}, tHours ${events.tHours.length}`, n);
  if (eventBin !== null && eventBin.length !== n) throw new ModelError('E_EVENTS', `eventBin has ${eventBin.length} entries for ${n} events`, eventBin.length);
  if (timeUnknown !== null && timeUnknown.length !== n) {
    throw new ModelError('E_EVENTS', `timeUnknown has ${timeUnknown.length} entries for ${n} events`, timeUnknown.length);
  }
  const windowHours = (window.endMs - window.startMs) / HOUR_MS;
  if (!(windowHours > 0) || !Number.isFinite(windowHours)) throw new ModelError('E_WINDOW', `the training window must have finite startMs < endMs, got [${window.startMs}, ${window.endMs})`, window);
  const offsetHours = (window.startMs - events.originMs) / HOUR_MS;
  const nCells = events.cells.length;
  const B = calendar === null ? 1 : calendar.bins;
  const exposureHours = calendar === null ? Float64Array.of(windowHours) : binExposureHours(calendar, window.startMs, window.endMs);

  const cellEvents = new Float64Array(nCells);
  const cellKnown = new Float64Array(nCells);
  const cellBinKnown = new Float64Array(nCells * B);
  const remaining = new Float64Array(n);
  // Groups ≤ events: fill preallocated arrays, trim at the end.
  const gT = new Float64Array(n);
  const gCell = new Int32Array(n);
  const gKnown = new Float64Array(n);
  const gUnknown = new Float64Array(n);
  const gBin = new Int32Array(n);
  let G = 0;
  const groupCount = new Int32Array(nCells);
  let tiedEvents = 0;
  let unknownEvents = 0;
  let triggerableEvents = 0;
  let prevCell = -1;
  let prevT = 0;
  let cellHasEarlier = false;
  // Calendar segments are visited in time order within a cell: search from the last position.
  const starts = calendar?.startsMs;
  for (let k = 0; k < n; k++) {
    const c = events.cell[k]!;
    let t = events.tHours[k]! - offsetHours;
    if (!(c >= 0 && c < nCells) || !Number.isInteger(c)) throw new ModelError('E_EVENTS', `event ${k}: cell index ${c} is outside 0..${nCells - 1}`, c);
    if (!Number.isFinite(t)) throw new ModelError('E_EVENTS', `event ${k}: time is not finite (${events.tHours[k]})`, events.tHours[k]);
    if (t < 0 && t > -1e-9) t = 0;
    if (t < 0 || t >= windowHours) {
      throw new ModelError('E_EVENTS', `event ${k} lies outside the training window [0, ${windowHours}) hours (t = ${t}); train on events strictly before the window's end`, t);
    }
    remaining[k] = windowHours - t;
    const unknown = timeUnknown !== null && timeUnknown[k] === 1;
    if (unknown) unknownEvents++;
    if (c !== prevCell || t !== prevT) {
      if (c === prevCell) {
        if (t < prevT) throw new ModelError('E_EVENTS', `events are not sorted by time within cell ${events.cells[c]} at event ${k}`, k);
        cellHasEarlier = true;
      } else {
        if (c < prevCell) throw new ModelError('E_EVENTS', `events are not sorted by cell at event ${k}`, k);
        cellHasEarlier = false;
      }
      gT[G] = t;
      gCell[G] = c;
      let b = 0;
      if (calendar !== null && eventBin !== null) {
        b = eventBin[k]!;
        if (!(b >= 0 && b < B)) throw new ModelError('E_EVENTS', `event ${k}: bin ${b} is outside 0..${B - 1}`, b);
      } else if (calendar !== null) {
        const ms = window.startMs + t * HOUR_MS;
        b = starts!.length > 0 && starts![0]! <= ms ? binAt(calendar, ms) : -1;
        if (b < 0) throw new ModelError('E_WINDOW', `the bin calendar does not cover event ${k}`, k);
      }
      gBin[G] = b;
      G++;
      groupCount[c]!++;
    } else {
      tiedEvents++;
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
  const groupStart = new Int32Array(nCells + 1);
  let cellsWithEvents = 0;
  for (let c = 0; c < nCells; c++) {
    groupStart[c + 1] = groupStart[c]! + groupCount[c]!;
    if (cellEvents[c]! > 0) cellsWithEvents++;
  }
  const groupDelta = new Float64Array(G);
  for (let g = 1; g < G; g++) if (gCell[g] === gCell[g - 1]) groupDelta[g] = gT[g]! - gT[g - 1]!;
  if (timeOrder !== null && timeOrder.length === n) {
    // T − t ascending = events by time descending: read the caller's order backwards.
    const sorted = new Float64Array(n);
    for (let q = 0; q < n; q++) sorted[q] = remaining[timeOrder[n - 1 - q]!]!;
    for (let q = 1; q < n; q++) if (sorted[q]! < sorted[q - 1]!) throw new ModelError('E_EVENTS', 'timeOrder does not sort the events by time', q);
    remaining.set(sorted);
  } else remaining.sort();
  return {
    events: n,
    cellCount: nCells,
    windowHours,
    groupStart,
    groupT: gT.slice(0, G),
    groupDelta,
    groupCell: gCell.slice(0, G),
    groupKnown: gKnown.slice(0, G),
    groupUnknown: gUnknown.slice(0, G),
    groupBin: gBin.slice(0, G),
    remainingSorted: remaining,
    bins: B,
    exposureHours,
    cellKnown,
    cellBinKnown,
    cellEvents,
    cellsWithEvents,
    tiedEvents,
    unknownEvents,
    triggerableEvents,
  };
}

/**
 * For each cell of `cells`, the other cells of `cells` within H3 grid distance 1..depth, with
 * their distance, in CSR form (`offsets`, `neighbour`, `distance`). Cells outside the list
 * never hold events, so their decayed sums are always 0 and they are left out.
 *
 * Cost O(cells · depth²) H3 look-ups (through the `ringsOf` function, which may cache).
 */
export function ringNeighbours(
  cells: readonly H3Cell[],
  depth: number,
  ringsOf: (cell: H3Cell, depth: number) => readonly (readonly H3Cell[])[],
): { offsets: Int32Array; neighbour: Int32Array; distance: Int32Array } {
  const index = new Map<H3Cell, number>();
  cells.forEach((c, i) => index.set(c, i));
  const offsets = new Int32Array(cells.length + 1);
  const nb: number[] = [];
  const dist: number[] = [];
  for (let c = 0; c < cells.length; c++) {
    const rings = ringsOf(cells[c]!, depth);
    for (let d = 1; d <= depth; d++) {
      for (const other of rings[d] ?? []) {
        const j = index.get(other);
        if (j !== undefined) {
          nb.push(j);
          dist.push(d);
        }
      }
    }
    offsets[c + 1] = nb.length;
  }
  return { offsets, neighbour: Int32Array.from(nb), distance: Int32Array.from(dist) };
}
