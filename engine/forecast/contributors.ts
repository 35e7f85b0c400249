/**
 * The contributors of a patrol box: the past incidents in the box whose same-cell triggering
 * adds most to the shift's expected count. One function serves grid boxes (the incidents of one
 * working-resolution cell) and placed boxes (the incidents whose finer-lattice cell lies in the
 * box); only the index of events by cell differs.
 */
import type { BoxContribution, EventSet, H3Cell, Incident } from '../types.ts';
import { ForecastError } from './errors.ts';
import { shiftIntegral } from './integral.ts';

const HOUR_MS = 3_600_000;

/**
 * A past incident is listed as a contributor only when it adds at least this share of the
 * box's expected count (0.1%): an incident from two years ago adds e^(−ω·17520) ≈ 0 and
 * naming it would explain nothing.
 */
export const MIN_CONTRIBUTOR_SHARE = 0.001;

/** What the contributors are found from (a subset of engine/forecast PatrolBoxOptions). */
export interface ContributorSource {
  readonly contributorParams: { readonly theta: number; readonly omegaPerHour: number };
  readonly history: EventSet;
  readonly incidents: readonly Incident[];
  readonly startMs: number;
  readonly hours: number;
}

/**
 * The history's events grouped by cell: `order[from..to)` are the event indices of a cell,
 * ascending in time (`order` null: the identity, for the EventSet's own cell order).
 */
export interface EventsByCell {
  readonly range: ReadonlyMap<H3Cell, readonly [number, number]>;
  readonly order: Int32Array | null;
}

/**
 * The incident of history event j, checked: an EventSet built from other incidents would name
 * the wrong incidents (or none) as contributors and put them in the wrong fine cells.
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function incidentOfEvent(history: EventSet, incidents: readonly Incident[], j: number): Incident {
  const ii = history.incidentIndex[j]!;
  const incident = incidents[ii];
  if (incident === undefined) {
    throw new ForecastError(
      'E_HISTORY',
      `EventSet event ${j} points at incident ${ii}, but only ${incidents.length} incidents were given: pass the incidents the EventSet was built from`,
      ii,
    );
  }
  return incident;
}

/** First index j in [lo, hi) with key(j) ≥ target, for a non-decreasing key. */
export function lowerBound(lo: number, hi: number, key: (j: number) => number, target: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The events of each working-resolution cell (the EventSet is sorted by cell, then time). O(N). */
export function eventsByGridCell(history: EventSet): EventsByCell {
  const range = new Map<H3Cell, readonly [number, number]>();
  const n = history.tHours.length;
  let from = 0;
  while (from < n) {
    const c = history.cell[from]!;
    const to = lowerBound(from, n, (j) => history.cell[j]!, c + 1);
    range.set(history.cells[c]!, [from, to]);
    from = to;
  }
  return { range, order: null };
}

/**
 * The events of each cell given by an id per event (e.g. fine lattice ids; −1: left out), each
 * cell's in EventSet order, which is time order (ties by event index): the EventSet is sorted
 * by working cell, then time, and a finer cell lies in one working cell. A counting sort:
 * O(N + ids), no string comparison.
 */
export function eventsByCell(idOfEvent: Int32Array, cellOfId: readonly H3Cell[]): EventsByCell {
  const K = cellOfId.length;
  const start = new Int32Array(K + 1);
  for (const id of idOfEvent) if (id >= 0) start[id + 1]!++;
  for (let k = 0; k < K; k++) start[k + 1]! += start[k]!;
  const order = new Int32Array(start[K]!);
  const next = start.slice(0, K);
  for (let j = 0; j < idOfEvent.length; j++) {
    const id = idOfEvent[j]!;
    if (id >= 0) order[next[id]!++] = j;
  }
  const range = new Map<H3Cell, readonly [number, number]>();
  for (let k = 0; k < K; k++) if (start[k + 1]! > start[k]!) range.set(cellOfId[k]!, [start[k]!, start[k + 1]!]);
  return { range, order };
}

/**
 * The contributors of a box made of `cells`: the incidents of those cells before the shift with
 * the largest shift integrals θ(e^{−ω(s−t_i)} − e^{−ω(s+H−t_i)}) (the most recent), each at least
 * MIN_CONTRIBUTOR_SHARE of the box's expected count, largest first (equal times by incident
 * index), at most `maxContributors`. O(log N + e) per cell with e events.
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function contributorFinder(
  source: ContributorSource,
  maxContributors: number,
  byCell: EventsByCell,
): (cells: readonly H3Cell[], expected: number) => BoxContribution[] {
  const { contributorParams, history, incidents, startMs, hours } = source;
  const sHours = (startMs - history.originMs) / HOUR_MS;
  const integral = shiftIntegral(contributorParams.theta, contributorParams.omegaPerHour, hours);
  const { order } = byCell;
  const eventAt = order === null ? (k: number) => k : (k: number) => order[k]!;
  return (cells, expected) => {
    if (maxContributors === 0 || !(contributorParams.theta > 0)) return [];
    const found: { j: number; ageHours: number; contribution: number; incident: Incident }[] = [];
    for (const cell of cells) {
      const r = byCell.range.get(cell);
      if (r === undefined) continue;
      const before = lowerBound(r[0], r[1], (k) => history.tHours[eventAt(k)]!, sHours); // events with t < s
      for (let k = before - 1; k >= r[0]; k--) {
        const j = eventAt(k);
        const ageHours = sHours - history.tHours[j]!;
        const contribution = integral(ageHours);
        if (contribution < MIN_CONTRIBUTOR_SHARE * expected) break; // older ones contribute even less
        found.push({ j, ageHours, contribution, incident: incidentOfEvent(history, incidents, j) });
      }
    }
    found.sort(
      (x, y) => y.contribution - x.contribution || x.ageHours - y.ageHours || history.incidentIndex[x.j]! - history.incidentIndex[y.j]!,
    );
    return found.slice(0, maxContributors).map((f) => ({
      incidentId: f.incident.id,
      category: f.incident.category,
      ageHours: f.ageHours,
      contribution: f.contribution,
    }));
  };
}
