/**
 * Placed patrol boxes on H3 strings (issue 11): the public helpers over the index-based core
 * (lattice.ts, greedy.ts) that the service and the backtest use. A box has the area of one cell
 * of the working resolution r but may be centred on any cell of resolution r + 1: that fine cell
 * and its ring-1 neighbours (seven fine cells, six at a pentagon; engine/grid boxCells). Crime
 * sits on addresses and hundred blocks, so a box centred on a hot address catches what a grid
 * cell splitting it in two does not.
 *
 * Two steps: {@link splitToFine} shares each coarse cell's expected count among the fine cells
 * where its history lies by smoothed shares ({@link fineShares}); {@link placeBoxes} then picks
 * non-overlapping boxes greedily by the expected count they cover.
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
 * The smoothed shares of history by which each coarse cell's expected count is split (lattice.ts
 * FineCounts, the rule the service and the backtest split with). H3 children are not their
 * parent hexagon, so a coarse cell c's incidents may lie in a child of a neighbour; c shares
 * among the fine cells where its own incidents lie plus its children (7, or 6 at a pentagon):
 *
 *     share_{c,f} = (n_{c,f} + α · [f is a child of c]) / (N_c + (number of children) · α)
 *
 * with n_{c,f} the past incidents whose coarse cell is c and fine cell f, N_c = Σ_f n_{c,f};
 * Σ_f share_{c,f} = 1. Without history, equal shares of c's children (also when α = 0).
 * History of coarse cells not given is ignored. Cost O(coarse cells + counts).
 * @param history past incidents per coarse cell (the res r cell each lies in) and fine cell (its
 *   res r + 1 cell, latLngToCell; missing = 0)
 * @param alpha additive smoothing ≥ 0 (default {@link DEFAULT_SHARE_ALPHA})
 * @returns per coarse cell, the share of each fine cell it shares into (its children always listed)
 * @throws {ForecastError} E_ARGUMENT for a count or α that is negative or not finite, a fine cell
 *   not of the next finer resolution
 * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
 */
export function fineShares(
  history: ReadonlyMap<H3Cell, ReadonlyMap<H3Cell, number>>,
  coarseCells: readonly H3Cell[],
  alpha: number = DEFAULT_SHARE_ALPHA,
): Map<H3Cell, Map<H3Cell, number>> {
  checkExpected('smoothing α', alpha);
  const lattice = new FineLattice(sortedUnique(coarseCells));
  const counts = new FineCounts(lattice, alpha);
  for (const [coarse, byFine] of history) {
    const c = lattice.coarseId(coarse);
    for (const [cell, n] of byFine) {
      checkExpected(`history count of ${coarse} in ${cell}`, n);
      if (cellResolution(cell) !== cellResolution(coarse) + 1)
        throw argError(`history of ${coarse} in ${cell}: not a cell of the next finer resolution`, cell);
      if (c >= 0) counts.add(c, lattice.idOf(cell), n);
    }
  }
  const shares = new Map<H3Cell, Map<H3Cell, number>>();
  lattice.coarse.forEach((coarse, c) => {
    const own = new Map<H3Cell, number>();
    for (let f = lattice.childStart[c]!; f < lattice.childStart[c + 1]!; f++) own.set(lattice.cells[f]!, counts.share(c, f));
    shares.set(coarse, own);
  });
  for (const p of counts.foreignPairs()) shares.get(lattice.coarse[p.coarse]!)!.set(lattice.cells[p.fine]!, counts.share(p.coarse, p.fine));
  return shares;
}

/**
 * Fine expected counts from coarse ones: each coarse cell's expected count E is shared among the
 * fine cells of its `shares` entry (normalised over them; equal shares of its children when it
 * has none or they sum to 0), and a fine cell gets the sum of what every coarse cell shares into
 * it (Σ_c E_c · share_{c,f}; the total is preserved to rounding), as the service and the
 * backtest split. Output sorted by fine cell id: every child of every forecast cell (zero when
 * nothing is shared into it) and every other fine cell shared into. Cost O(cells log cells).
 * @param forecast coarse cells and their expected counts (e.g. a CellForecast)
 * @param shares per coarse cell, the share of each fine cell, e.g. from {@link fineShares}
 * @throws {ForecastError} E_ARGUMENT for mismatched lengths, a repeated coarse cell, a
 *   negative or non-finite expected count or share
 * @throws {GridError} E_CELL_INVALID for a cell that is not a valid H3 cell
 */
export function splitToFine(
  forecast: { readonly cells: readonly H3Cell[]; readonly expected: ArrayLike<number> },
  shares: ReadonlyMap<H3Cell, ReadonlyMap<H3Cell, number>>,
): FineExpected {
  if (forecast.cells.length !== forecast.expected.length)
    throw argError(`forecast has ${forecast.cells.length} cells but ${forecast.expected.length} expected counts`, forecast.expected.length);
  const seen = new Set<H3Cell>();
  const values = new Map<H3Cell, number>();
  for (let i = 0; i < forecast.cells.length; i++) {
    const coarse = forecast.cells[i]!;
    if (seen.has(coarse)) throw argError(`coarse cell ${coarse} appears twice in the forecast`, coarse);
    seen.add(coarse);
    const e = checkExpected(`expected count of ${coarse}`, forecast.expected[i]);
    const kids = fineChildren(coarse);
    for (const k of kids) if (!values.has(k)) values.set(k, 0);
    const own = shares.get(coarse) ?? new Map<H3Cell, number>();
    let shareSum = 0;
    for (const [f, s] of own) shareSum += checkExpected(`share of ${f} in ${coarse}`, s);
    if (shareSum > 0) for (const [f, s] of own) values.set(f, (values.get(f) ?? 0) + e * (s / shareSum));
    else for (const k of kids) values.set(k, values.get(k)! + e / kids.length);
  }
  const cells = [...values.keys()].sort(compareCells);
  return { cells, expected: Float64Array.from(cells, (c) => values.get(c)!) };
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
