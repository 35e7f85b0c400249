/**
 * Placed patrol boxes with their explanations (issue 11): the shift's coarse forecast is shared
 * among the finer lattice where each cell's history lies (lattice.ts FineCounts), boxes of
 * seven fine cells are placed greedily per district (greedy.ts, the backtest's own code), and
 * each box gets the same fields and explanation as a grid box (boxes.ts), its contributors
 * being the recent incidents whose fine cell lies in the box.
 */
import { cellResolution, coarseParent, incidentCell } from '../grid/index.ts';
import type { CellForecast, EventSet, H3Cell, Incident, PatrolBox } from '../types.ts';
import { boxReasons, boxSettings, NO_DISTRICT, type PatrolBoxOptions } from './boxes.ts';
import { contributorFinder, eventsByCell, incidentOfEvent } from './contributors.ts';
import { placeGreedy } from './greedy.ts';
import { placeFinder } from './place.ts';
import { DEFAULT_SHARE_ALPHA, FineCounts, FineLattice } from './lattice.ts';

/**
 * What placing a shift's boxes needs that depends only on the incidents and the resolution, kept
 * between shifts (engine/service TrainedModel.placementCache): each incident's fine cell (an
 * h3 call per incident) and the lattice with its boxes (h3 calls per cell and per centre).
 * Results never depend on what the cache holds (tested): a lattice covering more cells than a
 * forecast gives the same boxes.
 */
export class PlacementCache {
  private readonly fineOfIncident: (H3Cell | undefined)[];
  private lattice: FineLattice | null = null;
  /** Lattice id of each incident's fine cell for the current lattice (−2: not looked up yet). */
  private idOfIncident: Int32Array;

  /** @param res the working resolution (boxes are made of cells of res + 1) */
  constructor(
    readonly incidents: readonly Incident[],
    readonly res: number,
  ) {
    this.fineOfIncident = new Array<H3Cell | undefined>(incidents.length);
    this.idOfIncident = new Int32Array(0);
  }

  /** Whether this cache serves these incidents at this resolution (the same array). */
  serves(incidents: readonly Incident[], res: number): boolean {
    return incidents === this.incidents && res === this.res;
  }

  /**
   * A lattice holding every given coarse cell (sorted): the cached one when it does, else one over
   * these, the cached ones and the cells of every incident (so the forecasts of later shifts,
   * whose new cells are those of newer incidents, find theirs; cells without a forecast are
   * inert). O(C) when cached; a rebuild makes an h3 call per incident (once) and per fine cell.
   */
  latticeFor(coarseCells: readonly H3Cell[]): FineLattice {
    const old = this.lattice;
    if (old !== null && coarseCells.every((c) => old.coarseId(c) >= 0)) return old;
    const cells = new Set<H3Cell>(coarseCells);
    for (const c of old?.coarse ?? []) cells.add(c);
    for (let i = 0; i < this.incidents.length; i++) cells.add(coarseParent(this.fineCellOf(i)));
    this.lattice = new FineLattice([...cells].sort());
    this.idOfIncident = new Int32Array(this.incidents.length).fill(-2);
    return this.lattice;
  }

  /** The fine cell of incident i (an h3 call the first time). */
  private fineCellOf(i: number): H3Cell {
    let cell = this.fineOfIncident[i];
    if (cell === undefined) {
      const inc = this.incidents[i]!;
      this.fineOfIncident[i] = cell = incidentCell(inc.lat, inc.lng, this.res + 1);
    }
    return cell;
  }

  /**
   * The lattice id of each history event's fine cell (cells outside the lattice's coarse cells
   * get ids from `inside` on). O(N) after the first call on these incidents.
   * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
   */
  fineIds(history: EventSet, lattice: FineLattice): Int32Array {
    const out = new Int32Array(history.tHours.length);
    for (let j = 0; j < out.length; j++) {
      incidentOfEvent(history, this.incidents, j); // checks the index
      const ii = history.incidentIndex[j]!;
      let id = lattice === this.lattice ? this.idOfIncident[ii]! : -2;
      if (id === -2) {
        id = lattice.idOf(this.fineCellOf(ii));
        if (lattice === this.lattice) this.idOfIncident[ii] = id;
      }
      out[j] = id;
    }
    return out;
  }
}

/** Options of {@link placedPatrolBoxes}: those of patrolBoxes, the smoothing of the fine shares, a cache. */
export interface PlacedPatrolBoxOptions extends PatrolBoxOptions {
  /** Additive smoothing α of the fine shares (default {@link DEFAULT_SHARE_ALPHA}). */
  readonly shareAlpha?: number;
  /** Kept between shifts of the same incidents and resolution (ignored when it serves others). */
  readonly cache?: PlacementCache;
}

/** The coarse forecast on the lattice: expected, background and triggered per coarse index, and which are forecast cells. */
function onLattice(forecast: CellForecast, lat: FineLattice): { e: Float64Array; bg: Float64Array; tr: Float64Array; has: Uint8Array } {
  const C = lat.coarse.length;
  const out = { e: new Float64Array(C), bg: new Float64Array(C), tr: new Float64Array(C), has: new Uint8Array(C) };
  forecast.cells.forEach((cell, i) => {
    const c = lat.coarseId(cell);
    out.has[c] = 1;
    out.e[c] = forecast.expected[i]!;
    out.bg[c] = forecast.background[i]!;
    out.tr[c] = forecast.triggered[i]!;
  });
  return out;
}

/**
 * District index per coarse index (names sorted, "(none)" last when grouped) for the forecast
 * cells (`has`; as the backtest's study cells, a cell with expected 0 may hold a centre that a
 * neighbour's incidents make positive); with 'drop', a cell without a district gets expected 0
 * (it shares nothing and its fine cells hold no centre).
 */
function districtIndex(
  lat: FineLattice,
  lattice: { e: Float64Array; bg: Float64Array; tr: Float64Array; has: Uint8Array },
  districtOf: (cell: H3Cell) => string | null,
  drop: boolean,
): { ofCoarse: Int32Array; names: string[] } {
  const { e, bg, tr, has } = lattice;
  const label: (string | null)[] = lat.coarse.map((c, i) => (has[i] === 1 ? (districtOf(c) ?? (drop ? null : NO_DISTRICT)) : null));
  label.forEach((d, i) => {
    if (d === null) e[i] = bg[i] = tr[i] = 0;
  });
  const names = [...new Set(label.filter((d): d is string => d !== null))].sort((a, b) =>
    a === NO_DISTRICT ? 1 : b === NO_DISTRICT ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
  const index = new Map(names.map((d, i) => [d, i]));
  return { ofCoarse: Int32Array.from(label, (d) => (d === null ? -1 : index.get(d)!)), names };
}

/**
 * The placed patrol boxes of a shift: in each district, K non-overlapping boxes of seven cells of
 * the next finer resolution, chosen greedily by the expected count they cover (greedy.ts
 * placeGreedy, as the backtest), after sharing each coarse cell's expected count among the fine
 * cells where its own history incidents lie (possibly children of a neighbour) and its own
 * children, by smoothed shares (lattice.ts FineCounts, α = `shareAlpha`). Centres are children
 * of forecast cells; a box belongs to the district of its centre's coarse parent; with
 * unassigned 'drop', coarse cells without a district share nothing and their fine cells hold no
 * centre. Each box: `h3` its centre, `cells` its seven fine cells, its expected count (the sum
 * over its cells), background and triggered parts (split as the expected counts), and the
 * recent incidents in its fine cells as contributors, its place from their location text
 * (place.ts placeFinder) and, given `tz`, its reason from their counts (reason.ts).
 * Output as patrolBoxes': districts in name order ("(none)" last), boxes by rank.
 *
 * Cost O(N + F log F) for N history events and F fine cells; the first call on a set of
 * incidents also makes an h3 call per incident and per fine cell (kept in `cache`).
 * @throws {ForecastError} E_ARGUMENT (bad top/maxContributors/shift/α), E_HISTORY (incidents do
 *   not match the EventSet)
 */
export function placedPatrolBoxes(forecast: CellForecast, options: PlacedPatrolBoxOptions): PatrolBox[] {
  const { top, maxContributors, unassigned } = boxSettings(options);
  if (forecast.cells.length === 0) return [];
  const res = cellResolution(forecast.cells[0]!);
  const cache = options.cache?.serves(options.incidents, res) ? options.cache : new PlacementCache(options.incidents, res);
  const lat = cache.latticeFor(forecast.cells);
  const counts = new FineCounts(lat, options.shareAlpha ?? DEFAULT_SHARE_ALPHA);
  const idOfEvent = cache.fineIds(options.history, lat);
  const coarseOfCell = options.history.cells.map((c) => lat.coarseId(c));
  idOfEvent.forEach((f, j) => counts.add(coarseOfCell[options.history.cell[j]!]!, f));
  const coarse = onLattice(forecast, lat);
  const { ofCoarse, names } = districtIndex(lat, coarse, (c) => options.districtOf(c) ?? null, unassigned === 'drop');
  const expected = new Float64Array(lat.cells.length);
  counts.split(coarse.e, expected);
  // the background and triggered parts of each fine cell, split as the expected counts
  const bgFine = new Float64Array(lat.cells.length);
  const trFine = new Float64Array(lat.cells.length);
  counts.split(coarse.bg, bgFine);
  counts.split(coarse.tr, trFine);
  const placed = placeGreedy(lat, expected, { cityBoxes: 0, top, districtOfCoarse: ofCoarse, districts: names.length });
  const byCell = eventsByCell(idOfEvent, lat.cells);
  const contributorsOf = contributorFinder(options, maxContributors, byCell);
  const placeOf = placeFinder(options.history, options.incidents, byCell);
  const reasonOf = boxReasons(options, byCell);
  const byDistrict = names.map((): PatrolBox[] => []);
  placed.district.forEach((f, b) => {
    const c = lat.parent[f]!;
    const list = byDistrict[ofCoarse[c]!]!;
    const cells = lat.box.subarray(lat.boxAt(f), lat.boxAt(f) + 7);
    let background = 0;
    let triggered = 0;
    const boxCellIds: H3Cell[] = [];
    for (const id of cells) {
      if (id < 0) continue;
      boxCellIds.push(lat.cells[id]!);
      if (id >= bgFine.length) continue; // met after the split: nothing expected
      background += bgFine[id]!;
      triggered += trFine[id]!;
    }
    const exp = placed.districtExpected[b]!;
    list.push({
      h3: lat.cells[f]!,
      cells: boxCellIds,
      district: names[ofCoarse[c]!]!,
      rank: list.length + 1,
      expected: exp,
      background,
      triggered,
      backgroundShare: background / exp,
      triggeredShare: triggered / exp,
      contributors: contributorsOf(boxCellIds, exp),
      ...placeOf(boxCellIds, lat.cells[f]!, names[ofCoarse[c]!]!),
      ...reasonOf(boxCellIds),
    });
  });
  return byDistrict.flat();
}
