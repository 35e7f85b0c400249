/**
 * Placed patrol boxes on H3 strings (issue 11): the public helpers over the index-based core
 * (lattice.ts, greedy.ts) that the service and the backtest use. A box has the area of one cell
 * of the working resolution r but may be centred on any cell of resolution r + 1: that fine cell
 * and its ring-1 neighbours (seven fine cells, six at a pentagon; engine/grid boxCells). Crime
 * sits on addresses and hundred blocks, so a box centred on a hot address catches what a grid
 * cell splitting it in two does not.
 *
 * Two steps: {@link splitToFine} shares each coarse cell's expected count among its fine
 * children by their smoothed shares of history ({@link fineShares}); {@link placeBoxes} then
 * picks non-overlapping boxes greedily by the expected count they cover.
 */
import { cellResolution, coarseParent, fineChildren } from '../grid/index.ts';
import type { H3Cell } from '../types.ts';
import { NO_DISTRICT } from './boxes.ts';
import { ForecastError } from './errors.ts';
import { placeGreedy } from './greedy.ts';
import { DEFAULT_SHARE_ALPHA, FineCounts, FineLattice } from './lattice.ts';
import { compareCells } from './rank.ts';

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
}

function argError(message: string, value: unknown): ForecastError {
  return new ForecastError('E_ARGUMENT', message, value);
}

function checkExpected(what: string, v: number | undefined): number {
  if (v === undefined || !Number.isFinite(v) || v < 0) throw argError(`${what} must be a finite number ≥ 0, got ${String(v)}`, v);
  return v;
}

/** Sorted distinct cells. */
function sortedUnique(cells: Iterable<H3Cell>): H3Cell[] {
  return [...new Set(cells)].sort(compareCells);
}

/**
 * The smoothed share of history of each fine child of the given coarse cells: for a coarse cell
 * with children c (7, or 6 at a pentagon) and past counts n_c,
 *
 *     share_c = (n_c + α) / (Σ_c' n_c' + (number of children) · α)
 *
 * so the shares of a coarse cell's children sum to 1 (lattice.ts FineCounts, the rule the
 * service and the backtest split with). Children with no history get equal shares (also when
 * α = 0). Counts of fine cells outside the given coarse cells are ignored. Cost O(coarse cells + counts).
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
  const lattice = new FineLattice(sortedUnique(coarseCells));
  const counts = new FineCounts(lattice, alpha);
  for (const [cell, n] of historyFineCounts) counts.add(lattice.insideId(cell), n);
  const shares = new Map<H3Cell, number>();
  for (let f = 0; f < lattice.inside; f++) shares.set(lattice.cells[f]!, counts.share(f));
  return shares;
}

/**
 * Fine expected counts from coarse ones: each coarse cell's expected count E is shared among its
 * fine children by `shares` (normalised over the children; equal shares when a child has none):
 * the plain product E · share, as the service and the backtest split (no child takes a
 * rounding remainder: the children sum to E to rounding). Output sorted by fine cell id, every
 * child of every forecast cell included (zero when its share is zero). Cost O(cells log cells).
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
    let shareSum = 0;
    let complete = true;
    for (const k of kids) {
      const s = shares.get(k);
      if (s === undefined) complete = false;
      else shareSum += checkExpected(`share of ${k}`, s);
    }
    for (const k of kids) pairs.push({ cell: k, value: complete && shareSum > 0 ? e * (shares.get(k)! / shareSum) : e / kids.length });
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

/** District index per coarse cell of the lattice ("(none)" last), and the names. */
function districtsOnLattice(lat: FineLattice, districtOf: (c: H3Cell) => string | null): { ofCoarse: Int32Array; names: string[] } {
  const label = lat.coarse.map((c) => districtOf(c) ?? NO_DISTRICT);
  const names = [...new Set(label)].sort((a, b) => (a === NO_DISTRICT ? 1 : b === NO_DISTRICT ? -1 : compareCells(a, b)));
  const index = new Map(names.map((d, i) => [d, i]));
  return { ofCoarse: Int32Array.from(label, (d) => index.get(d)!), names };
}

/**
 * Non-overlapping boxes chosen greedily by the expected count they cover (greedy.ts, the one
 * rule of the service and the backtest): repeatedly the box with the largest sum of its cells'
 * expected counts, among the boxes sharing no fine cell with a box already placed; centres are
 * the fine cells with a positive expected count; ties by centre H3 id ascending. Fewer than
 * `count` boxes come back when the centres run out. Per district (`perDistrict`): one greedy
 * pass city-wide in the same order, each district taking boxes until it has `count` (a box
 * belongs to the district of its centre's coarse parent); output by district name ("(none)"
 * last), then rank. Otherwise the first `count` boxes city-wide (for a flagged-area budget of N
 * boxes), by rank.
 *
 * Cost O(F log F) time and O(F) memory for F fine cells (the lattice of their coarse parents),
 * no recursion; 200,467 fine cells and 1,000 boxes take 1.5-2.5 s, mostly h3 calls for the
 * lattice and the boxes (tests/forecast/placement.test.ts).
 * @throws {ForecastError} E_ARGUMENT for a bad count, perDistrict without districtOf, mismatched
 *   lengths, a repeated cell, cells of two resolutions, a negative or non-finite expected count
 * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
 */
export function placeBoxes(fine: FineExpected, options: PlaceBoxesOptions): PlacedBox[] {
  const { count, districtOf, perDistrict = false } = options;
  if (!Number.isInteger(count) || count < 1) throw argError(`box count must be an integer ≥ 1, got ${String(count)}`, count);
  if (perDistrict && districtOf === undefined) throw argError('placing boxes per district needs districtOf', perDistrict);
  const values = positiveValues(fine);
  const lat = new FineLattice(sortedUnique([...values.keys()].map(coarseParent)));
  const expected = new Float64Array(lat.inside);
  for (const [cell, v] of values) expected[lat.insideId(cell)] = v;
  const districts = districtOf === undefined ? null : districtsOnLattice(lat, districtOf);
  const placed = perDistrict
    ? placeGreedy(lat, expected, { cityBoxes: 0, top: count, districtOfCoarse: districts!.ofCoarse, districts: districts!.names.length })
    : placeGreedy(lat, expected, { cityBoxes: count, top: 0 });
  const centres = perDistrict ? placed.district : placed.city;
  const sums = perDistrict ? placed.districtExpected : placed.cityExpected;
  const byKey = new Map<number, PlacedBox[]>();
  centres.forEach((f, b) => {
    const d = districts === null ? -1 : districts.ofCoarse[lat.parent[f]!]!;
    const key = perDistrict ? d : -1;
    const list = byKey.get(key) ?? [];
    const name = d < 0 ? null : districts!.names[d]!;
    const centre = lat.cells[f]!;
    const at = lat.boxAt(f);
    const cells = Array.from(lat.box.subarray(at, at + 7))
      .filter((id) => id >= 0)
      .map((id) => lat.cells[id]!);
    list.push({ rank: list.length + 1, centre, cells, expected: sums[b]!, district: name === NO_DISTRICT ? null : name });
    byKey.set(key, list);
  });
  return [...byKey.keys()].sort((a, b) => a - b).flatMap((k) => byKey.get(k)!);
}
