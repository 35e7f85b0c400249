/**
 * The incidents the feedback-loop stress test's boxes "find" (discovery.ts): how many a box finds
 * in a shift (a seeded Poisson draw), where and when (a cell of the box, a time in the shift), and
 * the run's event set with them appended, as the rolling model trains on it.
 *
 * Found incidents are training data only: they never enter the run's actuals (built once, from
 * the real incidents, by prepare.ts), so no score can count them.
 */
import { BOX, type FineLattice } from '../forecast/index.ts';
import { cellCenter, incidentCell } from '../grid/index.ts';
import type { EventSet, H3Cell, Incident } from '../types.ts';
import { EvaluateError } from './errors.ts';
import type { EvaluationRun } from './prepare.ts';

/** Largest mean drawn in one piece: e^−500 is still a normal double (e^−745 underflows). */
const MAX_PIECE_MEAN = 500;

/**
 * A Poisson draw of mean `mean` from uniform draws `rand` (Knuth's product of uniforms: the
 * count of uniforms whose running product stays above e^−mean), split into pieces of mean
 * ≤ 500 (a sum of independent Poissons is Poisson). O(mean + 1) uniforms.
 * @throws {EvaluateError} E_ARGUMENT for a negative or non-finite mean
 * @example
 * poissonDraw(0, () => 0.5) // => 0
 */
export function poissonDraw(mean: number, rand: () => number): number {
  if (!(mean >= 0) || !Number.isFinite(mean))
    throw new EvaluateError('E_ARGUMENT', `a Poisson mean must be finite and ≥ 0, got ${mean}`, mean);
  let n = 0;
  for (let left = mean; left > 0; left -= MAX_PIECE_MEAN) {
    const limit = Math.exp(-Math.min(left, MAX_PIECE_MEAN));
    let product = rand();
    while (product > limit) {
      n++;
      product *= rand();
    }
  }
  return n;
}

/** An incident a box found, with its place on the run's grid. */
export interface FoundIncident {
  readonly incident: Incident;
  /** Known from the end of the shift it was found in (epoch ms). */
  readonly knownMs: number;
  /** Its cell at the run's resolution, and its fine cell's lattice id. */
  readonly cell: H3Cell;
  readonly fineId: number;
}

/** Category of found incidents (never a publisher's category). */
export const FOUND_CATEGORY = '(found by a patrol box)';

/**
 * `count` incidents found in the box centred on inside fine id `centre` during [startMs, endMs):
 * each at the centre point of one of the box's cells (uniform among its cells) at a uniform
 * minute-precise instant of the shift. O(count) h3 calls.
 */
export function foundInBox(
  lat: FineLattice,
  centre: number,
  count: number,
  shift: { readonly startMs: number; readonly endMs: number; readonly district: string; readonly res: number },
  rand: () => number,
): FoundIncident[] {
  const at = lat.boxAt(centre);
  const ids: number[] = [];
  for (let j = at; j < at + BOX; j++) if (lat.box[j]! >= 0) ids.push(lat.box[j]!);
  const out: FoundIncident[] = [];
  for (let i = 0; i < count; i++) {
    const fineId = ids[Math.min(ids.length - 1, Math.floor(rand() * ids.length))]!;
    const { lat: y, lng: x } = cellCenter(lat.cells[fineId]!);
    const span = shift.endMs - shift.startMs;
    const timeMs = shift.startMs + Math.min(span - 1, Math.floor(rand() * span));
    const incident: Incident = {
      id: null,
      timeMs,
      precision: 'minute',
      timeOfDayUnknown: false,
      lat: y,
      lng: x,
      category: FOUND_CATEGORY,
      district: shift.district,
      location: null,
      source: { file: '(stress test)', line: 0 },
    };
    out.push({ incident, knownMs: shift.endMs, cell: incidentCell(y, x, shift.res), fineId });
  }
  return out;
}

/** The run's events with found incidents appended, in the rolling model's terms. */
export interface MergedEvents {
  readonly events: EventSet;
  readonly eventKnownMs: Float64Array;
  readonly timeUnknown: Uint8Array;
  readonly studyOfCell: Int32Array;
}

/**
 * The run's events plus `found` (incident indices from run.incidents.length on, in `found`
 * order), sorted as buildEventSet sorts them: cells in ascending id (new cells merged in),
 * events by (cell, time, incident index), so a real event precedes a found one at the same
 * instant. Found events have a known time of day. O(N + F log F) for N events and F found.
 */
export function mergeFound(run: EvaluationRun, found: readonly FoundIncident[]): MergedEvents {
  const base = run.events;
  const N = run.incidents.length;
  const baseIndex = new Map<H3Cell, number>();
  base.cells.forEach((c, i) => baseIndex.set(c, i));
  const extra = [...new Set(found.map((f) => f.cell).filter((c) => !baseIndex.has(c)))].sort();
  const cells: H3Cell[] = [];
  const remap = new Int32Array(base.cells.length);
  const indexOf = new Map<H3Cell, number>();
  for (let i = 0, j = 0; i < base.cells.length || j < extra.length;) {
    const takeBase = j >= extra.length || (i < base.cells.length && base.cells[i]! < extra[j]!);
    const c = takeBase ? base.cells[i]! : extra[j]!;
    if (takeBase) remap[i++] = cells.length;
    else j++;
    indexOf.set(c, cells.length);
    cells.push(c);
  }
  const foundCell = Int32Array.from(found, (f) => indexOf.get(f.cell)!);
  const foundHours = Float64Array.from(found, (f) => (f.incident.timeMs - base.originMs) / 3_600_000);
  const order = Array.from(found.keys()).sort((a, b) => foundCell[a]! - foundCell[b]! || foundHours[a]! - foundHours[b]! || a - b);
  return mergeSorted(run, { cells, remap, foundCell, foundHours, order, N, found });
}

/** The merge of the two sorted event lists (mergeFound). O(N + F). */
function mergeSorted(
  run: EvaluationRun,
  m: {
    cells: H3Cell[];
    remap: Int32Array;
    foundCell: Int32Array;
    foundHours: Float64Array;
    order: number[];
    N: number;
    found: readonly FoundIncident[];
  },
): MergedEvents {
  const base = run.events;
  const n = base.cell.length;
  const total = n + m.order.length;
  const cell = new Int32Array(total);
  const tHours = new Float64Array(total);
  const incidentIndex = new Int32Array(total);
  const eventKnownMs = new Float64Array(total);
  const timeUnknown = new Uint8Array(total);
  let i = 0;
  let j = 0;
  for (let k = 0; k < total; k++) {
    const fj = j < m.order.length ? m.order[j]! : -1;
    const bc = i < n ? m.remap[base.cell[i]!]! : Infinity;
    const takeBase = fj < 0 || bc < m.foundCell[fj]! || (bc === m.foundCell[fj]! && base.tHours[i]! <= m.foundHours[fj]!);
    if (takeBase) {
      cell[k] = bc;
      tHours[k] = base.tHours[i]!;
      incidentIndex[k] = base.incidentIndex[i]!;
      eventKnownMs[k] = run.eventKnownMs[i]!;
      timeUnknown[k] = run.timeUnknown[i]!;
      i++;
    } else {
      cell[k] = m.foundCell[fj]!;
      tHours[k] = m.foundHours[fj]!;
      incidentIndex[k] = m.N + fj;
      eventKnownMs[k] = m.found[fj]!.knownMs;
      j++;
    }
  }
  const studyOfCell = Int32Array.from(m.cells, (c) => run.study.index.get(c) ?? -1);
  return { events: { originMs: base.originMs, cells: m.cells, cell, tHours, incidentIndex }, eventKnownMs, timeUnknown, studyOfCell };
}
