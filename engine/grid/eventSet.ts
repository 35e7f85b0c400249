import * as h3 from 'h3-js';
import type { EventSet, H3Cell, Incident, TimePrecision } from '../types.ts';
import { checkRes } from './cells.ts';
import { GridError } from './errors.ts';

/** Options of {@link buildEventSet}. */
export interface BuildEventSetOptions {
  /** Keep only incidents strictly before this instant (epoch ms): training stops before the shift. */
  readonly endMs?: number;
  /** Keep only incidents for which this returns true (e.g. a category filter). */
  readonly include?: (inc: Incident, index: number) => boolean;
  /**
   * Where month-precision incidents go in time (default 'start').
   * - 'start': keep `timeMs` (the month's first instant). A cell's events of one month then tie
   *   exactly, and the fit's tie rule stops them triggering each other: only earlier months excite.
   * - 'spread': the k month-precision events of one cell and one month, taken in input order,
   *   are spread evenly over the calendar month: the i-th (0-based) goes to
   *   monthStart + (i + ½)/k · L, where L is the month's length (days in month · 24 h), or the
   *   part of the month before `endMs` when `endMs` falls inside it (so the events stay before
   *   `endMs`). Deterministic, no randomness; it invents within-month timing, so only
   *   month-scale conclusions are meaningful.
   */
  readonly monthPlacement?: 'start' | 'spread';
}

const HOUR_MS = 3.6e6;
/** Slots of the point cache at most (a power of two): 2^20 slots = 16 MB of keys + 4 MB of values, half full at most. */
const POINT_TABLE_MAX_CAPACITY = 1 << 20;

/**
 * An open-addressing hash table from exact (lat, lng) pairs of doubles to integers: a Map keyed
 * by doubles or by "lat,lng" strings costs about 1 µs a look-up, this about 0.05 µs.
 * Bounded: at POINT_TABLE_MAX_CAPACITY slots (20 MB) it is emptied instead of grown, so data
 * whose points never repeat (5 million distinct points would take a 16M-slot, 320 MB table, 480 MB while growing)
 * costs memory O(1) here; recent points still hit. The ids it caches are unchanged by a reset.
 */
class PointTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private size = 0;
  private readonly bits = new Float64Array(2);
  private readonly words = new Uint32Array(this.bits.buffer);

  /** @param maxCapacity slots at most (a power of two ≥ capacity); the table is emptied rather than grown past it */
  constructor(
    capacity = 1024,
    private readonly maxCapacity = POINT_TABLE_MAX_CAPACITY,
  ) {
    this.keys = new Float64Array(2 * capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  private slot(lat: number, lng: number): number {
    this.bits[0] = lat;
    this.bits[1] = lng;
    const w = this.words;
    let h = Math.imul(w[0]! ^ Math.imul(w[1]!, 0x9e3779b1), 0x85ebca6b);
    h = Math.imul(h ^ w[2]! ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ w[3]! ^ (h >>> 16), 0x27d4eb2f);
    let i = (h ^ (h >>> 15)) & this.mask;
    // Linear probing; a slot is free when its value is −1. Object.is-style equality on the
    // bit patterns is not needed: coordinates are finite, and ±0 map to the same cell anyway.
    while (this.values[i]! !== -1 && (this.keys[2 * i] !== lat || this.keys[2 * i + 1] !== lng)) i = (i + 1) & this.mask;
    return i;
  }

  get(lat: number, lng: number): number {
    return this.values[this.slot(lat, lng)]!;
  }

  set(lat: number, lng: number, value: number): void {
    if (2 * (this.size + 1) > this.values.length) {
      if (this.values.length >= this.maxCapacity) this.clear();
      else this.grow();
    }
    const i = this.slot(lat, lng);
    if (this.values[i] === -1) this.size++;
    this.keys[2 * i] = lat;
    this.keys[2 * i + 1] = lng;
    this.values[i] = value;
  }

  /** Forgets every point (keeps the capacity). */
  private clear(): void {
    this.values.fill(-1);
    this.size = 0;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = 2 * oldValues.length;
    this.keys = new Float64Array(2 * capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldValues.length; i++) if (oldValues[i] !== -1) this.set(oldKeys[2 * i]!, oldKeys[2 * i + 1]!, oldValues[i]!);
  }
}

/**
 * Lat/lng → a small integer per distinct cell, with a cache keyed by the exact coordinates
 * (real data repeats points a lot: hundred-block offsets, anonymisation points). Returns the
 * look-up and the list of cells in order of first sight.
 * @param maxCachedPoints points the cache holds at most (default 524,288; memory 40 bytes a
 *   point): past it, it starts afresh. Ids never change: they are kept per cell, not per point.
 */
export function makeCellIdLookup(
  res: number,
  maxCachedPoints = POINT_TABLE_MAX_CAPACITY / 2,
): { lookup: (lat: number, lng: number) => number; cells: H3Cell[] } {
  checkRes(res);
  const slots = Math.max(2, 2 ** Math.ceil(Math.log2(2 * maxCachedPoints)));
  const table = new PointTable(Math.min(1024, slots), slots);
  const idOf = new Map<H3Cell, number>();
  const cells: H3Cell[] = [];
  const lookup = (lat: number, lng: number): number => {
    if (!Number.isFinite(lat) || lat < -90 || lat > 90 || !Number.isFinite(lng) || lng < -180 || lng > 180) {
      throw new GridError('E_LATLNG_DOMAIN', `coordinates out of range: lat ${String(lat)}, lng ${String(lng)}`, [lat, lng]);
    }
    let id = table.get(lat, lng);
    if (id === -1) {
      const cell = h3.latLngToCell(lat, lng, res);
      id = idOf.get(cell) ?? -1;
      if (id === -1) {
        id = cells.length;
        idOf.set(cell, id);
        cells.push(cell);
      }
      table.set(lat, lng, id);
    }
    return id;
  };
  return { lookup, cells };
}

/** Lat/lng → cell, cached by the exact coordinates. */
export function makeCellLookup(res: number): (lat: number, lng: number) => H3Cell {
  const { lookup, cells } = makeCellIdLookup(res);
  return (lat, lng) => cells[lookup(lat, lng)]!;
}

/** Days in the calendar month containing a month-start instant (any zone within ±12 h of UTC). */
function monthLengthMs(monthStartMs: number): number {
  const d = new Date(monthStartMs + 12 * HOUR_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return Date.UTC(y, m + 1, 1) - Date.UTC(y, m, 1);
}

function where(inc: Incident): string {
  return `${inc.source.file}, line ${inc.source.line}`;
}

/**
 * Bins incidents into H3 cells and lays them out for the model: parallel arrays sorted by
 * (cell, time, incident index), `cells` in sorted H3 order (equal to numeric order at one
 * resolution), `tHours = (timeMs − originMs) / 3.6e6`.
 *
 * Incidents are kept when `timeMs < endMs` (if given) and `include` accepts them. The result
 * records how many events had each time precision and unknown time of day, and the month
 * placement used, so the fit can report them.
 *
 * Cost O(N log N) time, O(N) memory.
 *
 * @param incidents validated incidents (not mutated)
 * @param res H3 resolution
 * @param originMs the instant that becomes t = 0 (usually the training window's start)
 * @throws {GridError} E_RES_DOMAIN, E_ARGUMENT (non-finite originMs or incident time, naming
 *   the source file and line), E_LATLNG_DOMAIN (bad coordinates, naming file and line)
 * @example
 * // two incidents in one cell (12:00 and 06:00 UTC), one in another cell (09:00), origin midnight
 * const inc = (lat, lng, timeMs) =>
 *   ({ id: null, timeMs, precision: 'minute', timeOfDayUnknown: false, lat, lng, category: null, district: null, source: { file: 'a.csv', line: 2 } });
 * const day = Date.UTC(2023, 0, 1);
 * const ev = buildEventSet([inc(49.2827, -123.1207, day + 12 * 3.6e6), inc(49.2827, -123.1207, day + 6 * 3.6e6), inc(49.2606, -123.246, day + 9 * 3.6e6)], 10, day);
 * ev.cells // => ['8a28de8cd347fff', '8a28de8d8c77fff']
 * // sorted by (cell, time): the lone incident's cell comes first in H3 order
 * Array.from(ev.cell) // => [0, 1, 1]
 * Array.from(ev.tHours) // => [9, 6, 12]
 * Array.from(ev.incidentIndex) // => [2, 1, 0]
 */
export function buildEventSet(incidents: readonly Incident[], res: number, originMs: number, options: BuildEventSetOptions = {}): EventSet {
  checkRes(res);
  if (!Number.isFinite(originMs))
    throw new GridError('E_ARGUMENT', `originMs must be a finite epoch ms, got ${String(originMs)}`, originMs);
  const { endMs } = options;
  const monthPlacement = options.monthPlacement ?? 'start';
  if (monthPlacement !== 'start' && monthPlacement !== 'spread') {
    throw new GridError('E_ARGUMENT', `monthPlacement must be 'start' or 'spread', got ${String(monthPlacement)}`, monthPlacement);
  }
  const { kept, firstSeenId, seen } = selectIncidents(incidents, res, options);

  // Cells in sorted H3 order (at one resolution, string order is numeric order).
  const rankOf = new Int32Array(seen.length);
  const cells = seen.map((c, id) => ({ c, id })).sort((a, b) => (a.c < b.c ? -1 : a.c > b.c ? 1 : 0));
  cells.forEach(({ id }, rank) => (rankOf[id] = rank));

  const n = kept.length;
  const cellK = new Int32Array(n);
  const timeMs = new Float64Array(n);
  const precisionCounts: Partial<Record<TimePrecision, number>> = {};
  let timeOfDayUnknown = 0;
  for (let k = 0; k < n; k++) {
    const inc = incidents[kept[k]!]!;
    cellK[k] = rankOf[firstSeenId[k]!]!;
    timeMs[k] = inc.timeMs;
    precisionCounts[inc.precision] = (precisionCounts[inc.precision] ?? 0) + 1;
    if (inc.timeOfDayUnknown) timeOfDayUnknown++;
  }

  let order = orderByCellTime(cellK, timeMs, cells.length);
  if (monthPlacement === 'spread' && (precisionCounts.month ?? 0) > 0) {
    spreadMonths(order, cellK, timeMs, (k) => incidents[kept[k]!]!.precision === 'month', endMs);
    order = orderByCellTime(cellK, timeMs, cells.length);
  }

  const cell = new Int32Array(n);
  const tHours = new Float64Array(n);
  const incidentIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const pos = order[k]!;
    cell[k] = cellK[pos]!;
    tHours[k] = (timeMs[pos]! - originMs) / HOUR_MS;
    incidentIndex[k] = kept[pos]!;
  }
  return { originMs, cells: cells.map(({ c }) => c), cell, tHours, incidentIndex, precisionCounts, timeOfDayUnknown, monthPlacement };
}

/** The incidents kept (before endMs, passing `include`), with the first-seen id of each one's cell. O(N). */
function selectIncidents(
  incidents: readonly Incident[],
  res: number,
  options: BuildEventSetOptions,
): { kept: Int32Array; firstSeenId: Int32Array; seen: readonly H3Cell[] } {
  const { endMs, include } = options;
  const { lookup, cells: seen } = makeCellIdLookup(res);
  // typed arrays (8 bytes an incident, not 16-32 for growing number[]s), trimmed to the count at the end
  const kept = new Int32Array(incidents.length);
  const firstSeenId = new Int32Array(incidents.length);
  let n = 0;
  for (let i = 0; i < incidents.length; i++) {
    const inc = incidents[i]!;
    if (!Number.isFinite(inc.timeMs)) {
      throw new GridError('E_ARGUMENT', `${where(inc)}: incident time is not a finite epoch ms (${String(inc.timeMs)})`, inc.timeMs);
    }
    if (endMs !== undefined && !(inc.timeMs < endMs)) continue;
    if (include && !include(inc, i)) continue;
    let id: number;
    try {
      id = lookup(inc.lat, inc.lng);
    } catch (err) {
      if (err instanceof GridError) throw new GridError(err.code, `${where(inc)}: ${err.message}`, err.value);
      throw err;
    }
    kept[n] = i;
    firstSeenId[n++] = id;
  }
  return { kept: kept.slice(0, n), firstSeenId: firstSeenId.slice(0, n), seen };
}

/**
 * Positions 0..n−1 ordered by (cell, time, position): a counting sort by cell, then each
 * cell's events by (time, position). O(N + cells) plus the small per-cell sorts.
 */
function orderByCellTime(cellK: Int32Array, timeMs: Float64Array, nCells: number): Int32Array {
  const n = cellK.length;
  const start = new Int32Array(nCells + 1);
  for (let k = 0; k < n; k++) start[cellK[k]! + 1]!++;
  for (let c = 0; c < nCells; c++) start[c + 1]! += start[c]!;
  const order = new Int32Array(n);
  const fill = start.slice(0, nCells);
  for (let k = 0; k < n; k++) order[fill[cellK[k]!]!++] = k;
  const byTime = (a: number, b: number): number => timeMs[a]! - timeMs[b]! || a - b;
  for (let c = 0; c < nCells; c++) if (start[c + 1]! - start[c]! > 1) order.subarray(start[c]!, start[c + 1]!).sort(byTime);
  return order;
}

/**
 * Spreads each run of month-precision events sharing (cell, month start) evenly over the month
 * (or the part of it before endMs, so no event leaves the window), in place on `timeMs`. Runs
 * are contiguous in `order` except for other-precision events at the very same instant, which
 * are skipped over.
 */
function spreadMonths(
  order: Int32Array,
  cellK: Int32Array,
  timeMs: Float64Array,
  isMonth: (pos: number) => boolean,
  endMs: number | undefined,
): void {
  const n = order.length;
  const placed = new Float64Array(timeMs);
  let g = 0;
  while (g < n) {
    const a = order[g]!;
    let h = g + 1;
    while (h < n && cellK[order[h]!] === cellK[a] && timeMs[order[h]!] === timeMs[a]) h++;
    const group: number[] = [];
    for (let q = g; q < h; q++) if (isMonth(order[q]!)) group.push(order[q]!);
    if (group.length > 0) {
      const monthEnd = timeMs[a]! + monthLengthMs(timeMs[a]!);
      const lengthMs = (endMs !== undefined && endMs < monthEnd ? endMs : monthEnd) - timeMs[a]!;
      group.forEach((pos, i) => {
        placed[pos] = timeMs[a]! + ((i + 0.5) / group.length) * lengthMs;
      });
    }
    g = h;
  }
  timeMs.set(placed);
}
