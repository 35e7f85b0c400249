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

/** Lat/lng → cell with a cache keyed by the exact coordinates (real data repeats points a lot). */
export function makeCellLookup(res: number): (lat: number, lng: number) => H3Cell {
  checkRes(res);
  const cache = new Map<string, H3Cell>();
  return (lat, lng) => {
    const key = `${lat},${lng}`;
    let cell = cache.get(key);
    if (cell === undefined) {
      if (!Number.isFinite(lat) || lat < -90 || lat > 90 || !Number.isFinite(lng) || lng < -180 || lng > 180) {
        throw new GridError('E_LATLNG_DOMAIN', `coordinates out of range: lat ${String(lat)}, lng ${String(lng)}`, [lat, lng]);
      }
      cell = h3.latLngToCell(lat, lng, res);
      cache.set(key, cell);
    }
    return cell;
  };
}

/** Days in the calendar month containing a month-start instant (any zone within ±12 h of UTC). */
function monthLengthMs(monthStartMs: number): number {
  const d = new Date(monthStartMs + 12 * HOUR_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return (Date.UTC(y, m + 1, 1) - Date.UTC(y, m, 1));
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
 * const ev = buildEventSet(incidents, 10, Date.UTC(2023, 0, 1));
 * ev.cells.length <= incidents.length // => true
 */
export function buildEventSet(
  incidents: readonly Incident[],
  res: number,
  originMs: number,
  options: BuildEventSetOptions = {},
): EventSet {
  checkRes(res);
  if (!Number.isFinite(originMs)) throw new GridError('E_ARGUMENT', `originMs must be a finite epoch ms, got ${String(originMs)}`, originMs);
  const { endMs, include } = options;
  const monthPlacement = options.monthPlacement ?? 'start';
  if (monthPlacement !== 'start' && monthPlacement !== 'spread') {
    throw new GridError('E_ARGUMENT', `monthPlacement must be 'start' or 'spread', got ${String(monthPlacement)}`, monthPlacement);
  }
  const lookup = makeCellLookup(res);

  const kept: number[] = [];
  const cellOf: H3Cell[] = [];
  for (let i = 0; i < incidents.length; i++) {
    const inc = incidents[i]!;
    if (!Number.isFinite(inc.timeMs)) {
      throw new GridError('E_ARGUMENT', `${where(inc)}: incident time is not a finite epoch ms (${String(inc.timeMs)})`, inc.timeMs);
    }
    if (endMs !== undefined && !(inc.timeMs < endMs)) continue;
    if (include && !include(inc, i)) continue;
    let cell: H3Cell;
    try {
      cell = lookup(inc.lat, inc.lng);
    } catch (err) {
      if (err instanceof GridError) throw new GridError(err.code, `${where(inc)}: ${err.message}`, err.value);
      throw err;
    }
    kept.push(i);
    cellOf.push(cell);
  }

  const cells = [...new Set(cellOf)].sort();
  const cellIndex = new Map<H3Cell, number>();
  cells.forEach((c, k) => cellIndex.set(c, k));

  const n = kept.length;
  const cellK = new Int32Array(n);
  const timeMs = new Float64Array(n);
  const precisionCounts: Partial<Record<TimePrecision, number>> = {};
  let timeOfDayUnknown = 0;
  for (let k = 0; k < n; k++) {
    const inc = incidents[kept[k]!]!;
    cellK[k] = cellIndex.get(cellOf[k]!)!;
    timeMs[k] = inc.timeMs;
    precisionCounts[inc.precision] = (precisionCounts[inc.precision] ?? 0) + 1;
    if (inc.timeOfDayUnknown) timeOfDayUnknown++;
  }

  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  // `kept` is increasing, so ordering by position k is ordering by incident index.
  const byCellTime = (a: number, b: number): number => cellK[a]! - cellK[b]! || timeMs[a]! - timeMs[b]! || a - b;
  order.sort(byCellTime);

  if (monthPlacement === 'spread' && (precisionCounts.month ?? 0) > 0) {
    // Runs of month-precision events sharing (cell, month start) are contiguous in `order`
    // except for other-precision events at the very same instant, which we skip over.
    const placed = new Float64Array(timeMs);
    let g = 0;
    while (g < n) {
      const a = order[g]!;
      let h = g + 1;
      while (h < n && cellK[order[h]!] === cellK[a] && timeMs[order[h]!] === timeMs[a]) h++;
      const group: number[] = [];
      for (let q = g; q < h; q++) if (incidents[kept[order[q]!]!]!.precision === 'month') group.push(order[q]!);
      if (group.length > 0) {
        // Spread over the month, or over the part of it before endMs, so no event leaves the window.
        const monthEnd = timeMs[a]! + monthLengthMs(timeMs[a]!);
        const lengthMs = (endMs !== undefined && endMs < monthEnd ? endMs : monthEnd) - timeMs[a]!;
        group.forEach((pos, i) => {
          placed[pos] = timeMs[a]! + ((i + 0.5) / group.length) * lengthMs;
        });
      }
      g = h;
    }
    timeMs.set(placed);
    order.sort(byCellTime);
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
  return { originMs, cells, cell, tHours, incidentIndex, precisionCounts, timeOfDayUnknown, monthPlacement };
}
