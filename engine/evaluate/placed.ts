/**
 * Placed scoring: a model's coarse scores per study cell are split to the finer lattice
 * (resolution r + 1) by the smoothed shares of the history known at the window start (each
 * study cell's share going to the fine cells where its own incidents lie, which may be children
 * of a neighbour: engine/forecast lattice.ts FineCounts), and
 * non-overlapping boxes of seven fine cells (the area of one study cell, H3 aperture 7) are
 * placed greedily by the expected count they cover: city-wide for the flagged areas (N boxes
 * where the grid flags N cells, so the areas match) and per district for the top-K patrol
 * boxes. A box catches the incidents whose fine cell is one of its cells (centres are children of
 * study cells, but a box may cover, and catch in, a fine cell outside them).
 *
 * The lattice, the split and the greedy are the service's own (engine/forecast lattice.ts and
 * greedy.ts): the same candidate rule, the same order, the same sums, so the boxes scored for
 * a shift are the boxes `shiftBoxes(..., placement 'fine')` gives for it (tests/service).
 *
 * Leakage: the fine history counts are advanced along the training stream to each window's
 * start (incidents known at or before it), and rewound when a replay starts again.
 */
import { incidentCell } from '../grid/index.ts';
import { DEFAULT_SHARE_ALPHA, FineCounts, FineLattice, placeGreedy } from '../forecast/index.ts';
import { placeActuals, placeables } from './actuals.ts';
import { EvaluateError } from './errors.ts';
import type { EvaluationRun } from './prepare.ts';

/**
 * Most study cells a placed run takes: its fine lattice holds every study cell's 7 children in a
 * Map, whose size JavaScript caps at 2^24 entries. A history spanning more (Houston's shared file
 * with points 40-400 km out: 3.7 million res-10 cells) is refused with what to do instead.
 */
export const MAX_PLACED_STUDY_CELLS = 2_000_000;

/** The fine lattice of a run's study cells, the history on it, and each window's actual fine cells. */
export class PlacedRun {
  readonly lattice: FineLattice;
  /** History: incidents per inside fine cell and per study cell, as of `historyMs`. */
  readonly counts: FineCounts;
  /** Per window: the fine id of each scored incident (any fine cell: one outside the study cells may be covered by a box). */
  readonly actualByWindow: readonly (readonly number[])[];
  private readonly streamFine: Int32Array;
  /** Study cell index of each history incident in the stream (−1 outside the study cells). */
  private readonly streamCoarse: Int32Array;
  private readonly streamKnownMs: Float64Array;
  private cursor = 0;
  private historyMs = -Infinity;
  /** Scratch: one window's expected count per fine id. */
  private expected = new Float64Array(0);

  /** O(C) h3 calls for the lattice, O(N log N) for the incidents' cells (two h3 calls each) and their order. */
  constructor(run: EvaluationRun, alpha: number = DEFAULT_SHARE_ALPHA) {
    const C = run.study.cells.length;
    if (C > MAX_PLACED_STUDY_CELLS)
      throw new EvaluateError(
        'E_AREA',
        `the study area holds ${C.toLocaleString('en-US')} cells at res ${run.res} (${Math.round(run.study.areaKm2).toLocaleString('en-US')} km²), more than the ${MAX_PLACED_STUDY_CELLS.toLocaleString('en-US')} placed boxes can be scored on: a few incidents probably lie far from the city; keep only the area of interest (the CLI's --bbox W,S,E,N) or use a coarser resolution.`,
        C,
      );
    const lat = (this.lattice = new FineLattice(run.study.cells));
    this.counts = new FineCounts(lat, alpha);
    // every fine cell an incident lies in gets an id (foreign ones from `inside` on): a box may cover it
    const fineOf = Int32Array.from(run.incidents, (inc) => lat.idOf(incidentCell(inc.lat, inc.lng, run.res + 1)));
    const coarseOf = Int32Array.from(run.incidents, (inc) => lat.coarseId(incidentCell(inc.lat, inc.lng, run.res)));
    const byKnown = Array.from(fineOf.keys()).sort((a, b) => run.knownMs[a]! - run.knownMs[b]! || a - b);
    this.streamFine = Int32Array.from(byKnown, (i) => fineOf[i]!);
    this.streamCoarse = Int32Array.from(byKnown, (i) => coarseOf[i]!);
    this.streamKnownMs = Float64Array.from(byKnown, (i) => run.knownMs[i]!);
    this.actualByWindow = placeActuals(
      run.windows,
      placeables(run.incidents, run.knownMs, (i) => fineOf[i]!),
    ).byWindow;
  }

  /** Moves the history to the incidents known at or before `ms` (rewinds when `ms` goes back). O(new incidents). */
  advanceTo(ms: number): void {
    if (ms < this.historyMs) {
      this.counts.clear();
      this.cursor = 0;
    }
    this.historyMs = ms;
    const n = this.streamFine.length;
    while (this.cursor < n && this.streamKnownMs[this.cursor]! <= ms) {
      this.counts.add(this.streamCoarse[this.cursor]!, this.streamFine[this.cursor]!);
      this.cursor++;
    }
  }

  /** One forecast's expected count per fine id under coarse `scores` (valid until the next call). O(fine cells). */
  split(scores: Float64Array): Float64Array {
    if (this.expected.length < this.lattice.cells.length) this.expected = new Float64Array(this.lattice.cells.length * 2);
    this.counts.split(scores, this.expected);
    return this.expected;
  }
}

const placedRuns = new WeakMap<EvaluationRun, PlacedRun>();

/** The run's placed-scoring state, built once per run. */
export function placedRunOf(run: EvaluationRun): PlacedRun {
  let placed = placedRuns.get(run);
  if (!placed) placedRuns.set(run, (placed = new PlacedRun(run)));
  return placed;
}

/** The boxes of one forecast: centres (inside fine ids) in placement order and the expected count each covers. */
export interface PlacedWindow {
  /** City-wide boxes, in greedy order (at most the largest box count). */
  readonly city: number[];
  readonly cityExpected: number[];
  /** Patrol boxes (up to K per district), in greedy order. */
  readonly district: number[];
  readonly districtExpected: number[];
}

/**
 * Places one forecast's boxes (module comment): `maxBoxes` city-wide and `top` per district
 * (study cells without a district hold no patrol box's centre). Cost: engine/forecast
 * placeGreedy, O(F) plus O(log F) per candidate looked at, F ≈ 7 × the positive study cells.
 */
export function placeWindow(placed: PlacedRun, run: EvaluationRun, scores: Float64Array, maxBoxes: number, top: number): PlacedWindow {
  const expected = placed.split(scores);
  const { ofCell, names } = run.districts;
  return placeGreedy(placed.lattice, expected, { cityBoxes: maxBoxes, top, districtOfCoarse: ofCell, districts: names.length });
}
