/**
 * Placed patrol boxes (issue 11, engine core; not yet wired into patrolBoxes, the backtest, the
 * CLI or the web app). A box has the area of one cell of the working resolution r but may be
 * centred on any cell of resolution r + 1: that fine cell and its ring-1 neighbours (seven fine
 * cells, six at a pentagon; engine/grid boxCells). Crime sits on addresses and hundred blocks, so
 * a box centred on a hot address catches what a grid cell splitting it in two does not.
 *
 * Two steps: {@link splitToFine} shares each coarse cell's expected count among its fine
 * children by their smoothed shares of history ({@link fineShares}); {@link placeBoxes} then
 * picks non-overlapping boxes greedily by the expected count they cover.
 */
import { boxCells, cellResolution, coarseParent, fineChildren } from '../grid/index.ts';
import type { H3Cell } from '../types.ts';
import { NO_DISTRICT } from './boxes.ts';
import { ForecastError } from './errors.ts';
import { compareCells } from './rank.ts';

/**
 * Default additive smoothing of the fine shares: 0.5, the Jeffreys (Krichevsky–Trofimov)
 * estimator of a multinomial's probabilities, which keeps a child with no past incident at a
 * small positive share without flattening a coarse cell with a few incidents (with 2 incidents
 * in one child of seven, it keeps (2 + 0.5)/(2 + 3.5) = 45% of the cell's expected count, where
 * Laplace's α = 1 keeps 33%). To be confirmed or tuned by the backtest when this is wired in.
 */
export const DEFAULT_SHARE_ALPHA = 0.5;

/** Expected counts per fine cell (resolution r + 1), e.g. from {@link splitToFine}. */
export interface FineExpected {
  readonly cells: readonly H3Cell[];
  readonly expected: Float64Array;
}

/** One placed box. */
export interface PlacedBox {
  /** 1-based rank: within its district when placed per district, city-wide otherwise. */
  readonly rank: number;
  /** The centre fine cell. */
  readonly centre: H3Cell;
  /** The box's fine cells, sorted by id (7, or 6 when the centre is a pentagon). */
  readonly cells: readonly H3Cell[];
  /** The expected count the box covers: the sum of its cells' expected counts. */
  readonly expected: number;
  /** The district of the centre's coarse parent (null without `districtOf`, or when it has none). */
  readonly district: string | null;
}

/** Options of {@link placeBoxes}. */
export interface PlaceBoxesOptions {
  /** Boxes city-wide, or per district when `perDistrict` (an integer ≥ 1). */
  readonly count: number;
  /** The district of a coarse (working-resolution) cell, or null when it has none. */
  readonly districtOf?: (coarseCell: H3Cell) => string | null;
  /** `count` boxes in each district (needs `districtOf`; null districts form "(none)"). Default false. */
  readonly perDistrict?: boolean;
  /**
   * Which fine cells may be centres: 'all' (default), every fine cell with a positive expected
   * count within its box; 'positive', only cells with a positive expected count themselves.
   */
  readonly candidates?: 'all' | 'positive';
}

function argError(message: string, value: unknown): ForecastError {
  return new ForecastError('E_ARGUMENT', message, value);
}

function checkExpected(what: string, v: number | undefined): number {
  if (v === undefined || !Number.isFinite(v) || v < 0) throw argError(`${what} must be a finite number ≥ 0, got ${String(v)}`, v);
  return v;
}

/**
 * The smoothed share of history of each fine child of the given coarse cells: for a coarse cell
 * with children c (7, or 6 at a pentagon) and past counts n_c,
 *
 *     share_c = (n_c + α) / (Σ_c' n_c' + (number of children) · α)
 *
 * so the shares of a coarse cell's children sum to 1. Children with no history get equal
 * shares (also when α = 0). Counts of fine cells outside the given coarse cells are ignored.
 * Cost O(coarse cells + counts).
 * @param historyFineCounts past incidents per fine cell (missing = 0)
 * @param alpha additive smoothing ≥ 0 (default {@link DEFAULT_SHARE_ALPHA})
 * @returns share per fine cell
 * @throws {ForecastError} E_ARGUMENT for a count or α that is negative or not finite
 * @throws {GridError} E_CELL_INVALID for a coarse cell that is not a valid H3 cell
 */
export function fineShares(
  historyFineCounts: ReadonlyMap<H3Cell, number>,
  coarseCells: readonly H3Cell[],
  alpha: number = DEFAULT_SHARE_ALPHA,
): Map<H3Cell, number> {
  checkExpected('smoothing α', alpha);
  for (const [cell, n] of historyFineCounts) checkExpected(`history count of ${cell}`, n);
  const shares = new Map<H3Cell, number>();
  for (const coarse of coarseCells) {
    const kids = fineChildren(coarse);
    let total = 0;
    for (const k of kids) total += historyFineCounts.get(k) ?? 0;
    const denom = total + kids.length * alpha;
    for (const k of kids) shares.set(k, denom > 0 ? ((historyFineCounts.get(k) ?? 0) + alpha) / denom : 1 / kids.length);
  }
  return shares;
}

/** A coarse cell's expected count shared among its children; the largest takes the rounding remainder. */
function splitCell(kids: readonly H3Cell[], coarseExpected: number, shares: ReadonlyMap<H3Cell, number>): number[] {
  let shareSum = 0;
  let complete = true;
  for (const k of kids) {
    const s = shares.get(k);
    if (s === undefined) complete = false;
    else shareSum += checkExpected(`share of ${k}`, s);
  }
  const values = kids.map((k) => (complete && shareSum > 0 ? (coarseExpected * shares.get(k)!) / shareSum : coarseExpected / kids.length));
  let big = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[big]!) big = j;
  let others = 0;
  for (let j = 0; j < values.length; j++) if (j !== big) others += values[j]!;
  values[big] = Math.max(0, coarseExpected - others);
  return values;
}

/**
 * Fine expected counts from coarse ones: each coarse cell's expected count E is shared among its
 * fine children by `shares` (normalised over the children; equal shares when a child has none),
 * so that the children's counts sum to E (to floating rounding: the largest child takes
 * E minus the others' sum). Output sorted by fine cell id, every child of every forecast cell
 * included (zero when its share is zero). Cost O(cells log cells).
 * @param forecast coarse cells and their expected counts (e.g. a CellForecast)
 * @param shares share per fine cell, e.g. from {@link fineShares}
 * @throws {ForecastError} E_ARGUMENT for mismatched lengths, a repeated coarse cell, a
 *   negative or non-finite expected count or share
 * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
 */
export function splitToFine(
  forecast: { readonly cells: readonly H3Cell[]; readonly expected: ArrayLike<number> },
  shares: ReadonlyMap<H3Cell, number>,
): FineExpected {
  if (forecast.cells.length !== forecast.expected.length)
    throw argError(`forecast has ${forecast.cells.length} cells but ${forecast.expected.length} expected counts`, forecast.expected.length);
  const seen = new Set<H3Cell>();
  const pairs: { cell: H3Cell; value: number }[] = [];
  for (let i = 0; i < forecast.cells.length; i++) {
    const coarse = forecast.cells[i]!;
    if (seen.has(coarse)) throw argError(`coarse cell ${coarse} appears twice in the forecast`, coarse);
    seen.add(coarse);
    const e = checkExpected(`expected count of ${coarse}`, forecast.expected[i]);
    const kids = fineChildren(coarse);
    const values = splitCell(kids, e, shares);
    for (let j = 0; j < kids.length; j++) pairs.push({ cell: kids[j]!, value: values[j]! });
  }
  pairs.sort((a, b) => compareCells(a.cell, b.cell));
  return { cells: pairs.map((p) => p.cell), expected: Float64Array.from(pairs, (p) => p.value) };
}

/** Positive expected count per fine cell, after checking the input. */
function positiveValues(fine: FineExpected): Map<H3Cell, number> {
  if (fine.cells.length !== fine.expected.length)
    throw argError(`${fine.cells.length} fine cells but ${fine.expected.length} expected counts`, fine.expected.length);
  const seen = new Set<H3Cell>();
  const values = new Map<H3Cell, number>();
  let res = -1;
  for (let i = 0; i < fine.cells.length; i++) {
    const cell = fine.cells[i]!;
    if (seen.has(cell)) throw argError(`fine cell ${cell} appears twice`, cell);
    seen.add(cell);
    const r = cellResolution(cell);
    if (res >= 0 && r !== res) throw argError(`fine cells of two resolutions: ${res} and ${r} (${cell})`, cell);
    res = r;
    const v = checkExpected(`expected count of ${cell}`, fine.expected[i]);
    if (v > 0) values.set(cell, v);
  }
  return values;
}

/** The candidate boxes: flat cell indices (`start[b]..start[b+1]`), centre and covered sum, only sums > 0. */
interface Candidates {
  readonly centres: H3Cell[];
  readonly sums: number[];
  readonly start: number[];
  readonly cellIndex: number[];
  readonly cellCount: number;
}

function buildCandidates(values: ReadonlyMap<H3Cell, number>, mode: 'all' | 'positive'): Candidates {
  const centreSet = new Set<H3Cell>();
  for (const cell of values.keys()) {
    if (mode === 'positive') centreSet.add(cell);
    else for (const n of boxCells(cell)) centreSet.add(n);
  }
  const ids = new Map<H3Cell, number>();
  const out: Candidates = { centres: [], sums: [], start: [0], cellIndex: [], cellCount: 0 };
  for (const centre of centreSet) {
    const cells = boxCells(centre);
    let sum = 0;
    for (const c of cells) sum += values.get(c) ?? 0; // sorted order: the same sum whatever the input order
    if (!(sum > 0)) continue;
    for (const c of cells) {
      let id = ids.get(c);
      if (id === undefined) ids.set(c, (id = ids.size));
      out.cellIndex.push(id);
    }
    out.centres.push(centre);
    out.sums.push(sum);
    out.start.push(out.cellIndex.length);
  }
  return { ...out, cellCount: ids.size };
}

/**
 * Non-overlapping boxes chosen greedily by the expected count they cover: repeatedly the box
 * with the largest sum of its cells' expected counts, among the boxes sharing no fine cell with
 * a box already placed (rule: a box overlapping a placed one is no longer a candidate, so no
 * fine cell is ever in two boxes and a candidate's covered sum is its full sum). Ties: centre
 * H3 id ascending. Boxes covering nothing (sum 0) are never placed, so fewer than `count` may
 * come back. Per district (`perDistrict`): one greedy pass city-wide in the same order, each
 * district taking boxes until it has `count` (a box belongs to the district of its centre's
 * coarse parent); output by district name ("(none)" last), then rank. Otherwise the first
 * `count` boxes city-wide (for a flagged-area budget of N boxes), by rank.
 *
 * Because no covered sum ever changes while its box is still a candidate, the max-heap with
 * lazy re-evaluation reduces to one sort of the candidates and a scan that skips boxes found
 * overlapping when their turn comes. Cost O(F log F) time and O(F) memory for F candidate
 * centres (at most 7× the positive fine cells), no recursion; 200,000 fine cells take about
 * a second (tests/forecast/placement.test.ts).
 * @throws {ForecastError} E_ARGUMENT for a bad count, perDistrict without districtOf, mismatched
 *   lengths, a repeated cell, cells of two resolutions, a negative or non-finite expected count
 * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
 */
export function placeBoxes(fine: FineExpected, options: PlaceBoxesOptions): PlacedBox[] {
  const { count, districtOf, perDistrict = false, candidates: mode = 'all' } = options;
  if (!Number.isInteger(count) || count < 1) throw argError(`box count must be an integer ≥ 1, got ${String(count)}`, count);
  if (perDistrict && districtOf === undefined) throw argError('placing boxes per district needs districtOf', perDistrict);
  if (mode !== 'all' && mode !== 'positive') throw argError(`candidates must be 'all' or 'positive', got ${String(mode)}`, mode);
  const cand = buildCandidates(positiveValues(fine), mode);
  const order = Array.from(cand.centres.keys());
  order.sort((a, b) => cand.sums[b]! - cand.sums[a]! || compareCells(cand.centres[a]!, cand.centres[b]!));
  const covered = new Uint8Array(cand.cellCount);
  const memo = new Map<H3Cell, string | null>();
  const districtOfCentre = (centre: H3Cell): string | null => {
    const parent = coarseParent(centre);
    if (!memo.has(parent)) memo.set(parent, districtOf!(parent));
    return memo.get(parent)!;
  };
  const taken = new Map<string, PlacedBox[]>();
  let placed = 0;
  for (const b of order) {
    if (!perDistrict && placed === count) break;
    const from = cand.start[b]!;
    const to = cand.start[b + 1]!;
    let overlaps = false;
    for (let j = from; j < to && !overlaps; j++) overlaps = covered[cand.cellIndex[j]!] === 1;
    if (overlaps) continue;
    const district = districtOf === undefined ? null : districtOfCentre(cand.centres[b]!);
    const key = perDistrict ? (district ?? NO_DISTRICT) : '';
    const list = taken.get(key) ?? [];
    if (list.length === count) continue;
    for (let j = from; j < to; j++) covered[cand.cellIndex[j]!] = 1;
    const centre = cand.centres[b]!;
    list.push({ rank: list.length + 1, centre, cells: boxCells(centre), expected: cand.sums[b]!, district });
    taken.set(key, list);
    placed++;
  }
  const names = [...taken.keys()].sort((a, b) => (a === NO_DISTRICT ? 1 : b === NO_DISTRICT ? -1 : compareCells(a, b)));
  return names.flatMap((n) => taken.get(n)!);
}
