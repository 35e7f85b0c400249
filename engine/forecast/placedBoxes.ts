/**
 * Placed patrol boxes with their explanations (issue 11): the shift's coarse forecast is shared
 * among the finer lattice by the history's smoothed shares (placement.ts splitToFine), boxes of
 * seven fine cells are placed greedily per district (placeBoxes), and each box gets the same
 * fields and explanation as a grid box (boxes.ts), its contributors being the recent incidents
 * whose fine cell lies in the box.
 */
import { cellResolution, coarseParent, incidentCell } from '../grid/index.ts';
import type { CellForecast, EventSet, H3Cell, Incident, PatrolBox } from '../types.ts';
import { boxSettings, NO_DISTRICT, type PatrolBoxOptions } from './boxes.ts';
import { contributorFinder, eventsByCell } from './contributors.ts';
import { ForecastError } from './errors.ts';
import { DEFAULT_SHARE_ALPHA, fineShares, placeBoxes, splitToFine } from './placement.ts';

/** Options of {@link placedPatrolBoxes}: those of patrolBoxes, and the smoothing of the fine shares. */
export interface PlacedPatrolBoxOptions extends PatrolBoxOptions {
  /** Additive smoothing α of the fine shares (default {@link DEFAULT_SHARE_ALPHA}). */
  readonly shareAlpha?: number;
}

/**
 * The fine cell (resolution res + 1) of each history event, from its incident's position. O(N).
 * @throws {ForecastError} E_HISTORY when the incidents do not match the EventSet
 */
export function fineCellsOfEvents(history: EventSet, incidents: readonly Incident[], res: number): H3Cell[] {
  const out: H3Cell[] = new Array<H3Cell>(history.tHours.length);
  for (let j = 0; j < out.length; j++) {
    const ii = history.incidentIndex[j]!;
    const inc = incidents[ii];
    if (inc === undefined) {
      throw new ForecastError(
        'E_HISTORY',
        `EventSet event ${j} points at incident ${ii}, but only ${incidents.length} incidents were given: pass the incidents the EventSet was built from`,
        ii,
      );
    }
    out[j] = incidentCell(inc.lat, inc.lng, res + 1);
  }
  return out;
}

/** Each fine cell's background and triggered parts: its expected count split as its coarse parent's is. O(fine cells). */
function fineParts(forecast: CellForecast, cells: readonly H3Cell[], expected: Float64Array): Map<H3Cell, [number, number]> {
  const index = new Map<H3Cell, number>();
  forecast.cells.forEach((c, i) => index.set(c, i));
  const parts = new Map<H3Cell, [number, number]>();
  for (let f = 0; f < cells.length; f++) {
    const i = index.get(coarseParent(cells[f]!))!;
    const e = forecast.expected[i]!;
    const bg = e > 0 ? (expected[f]! * forecast.background[i]!) / e : 0;
    const tr = e > 0 ? (expected[f]! * forecast.triggered[i]!) / e : 0;
    parts.set(cells[f]!, [bg, tr]);
  }
  return parts;
}

/**
 * The placed patrol boxes of a shift: in each district, K non-overlapping boxes of seven cells of
 * the next finer resolution, chosen greedily by the expected count they cover (placeBoxes), after
 * sharing each coarse cell's expected count among its fine children by the history's smoothed
 * shares (fineShares with α = `shareAlpha`, splitToFine). A box belongs to the district of its
 * centre's coarse parent; with unassigned 'drop', fine cells whose coarse parent has no district
 * count 0 and boxes centred there are left out. Each box: `h3` its centre, `cells` its seven fine
 * cells, its expected count (the sum over its cells), background and triggered parts (each fine
 * cell's split as its coarse parent's), and the recent incidents in its fine cells as
 * contributors. Output as patrolBoxes': districts in name order ("(none)" last), boxes by rank.
 *
 * Cost O(N log N) for N history events, plus O(F log F) for F fine cells.
 * @throws {ForecastError} E_ARGUMENT (bad top/maxContributors/shift/α), E_HISTORY (incidents do
 *   not match the EventSet)
 */
export function placedPatrolBoxes(forecast: CellForecast, options: PlacedPatrolBoxOptions): PatrolBox[] {
  const { top, maxContributors, unassigned } = boxSettings(options);
  if (forecast.cells.length === 0) return [];
  const res = cellResolution(forecast.cells[0]!);
  const fineOfEvent = fineCellsOfEvents(options.history, options.incidents, res);
  const counts = new Map<H3Cell, number>();
  for (const c of fineOfEvent) counts.set(c, (counts.get(c) ?? 0) + 1);
  const fine = splitToFine(forecast, fineShares(counts, forecast.cells, options.shareAlpha ?? DEFAULT_SHARE_ALPHA));
  const districtOf = (coarse: H3Cell): string | null => options.districtOf(coarse) ?? null;
  const expected = Float64Array.from(fine.expected);
  if (unassigned === 'drop')
    for (let f = 0; f < fine.cells.length; f++) if (districtOf(coarseParent(fine.cells[f]!)) === null) expected[f] = 0;
  const parts = fineParts(forecast, fine.cells, expected);
  const placed = placeBoxes({ cells: fine.cells, expected }, { count: top, districtOf, perDistrict: true, candidates: 'positive' });
  const contributorsOf = contributorFinder(options, maxContributors, eventsByCell(options.history, fineOfEvent));
  const boxes: PatrolBox[] = [];
  for (const p of placed) {
    if (p.district === null && unassigned === 'drop') continue;
    let background = 0;
    let triggered = 0;
    for (const c of p.cells) {
      const part = parts.get(c);
      if (part === undefined) continue;
      background += part[0];
      triggered += part[1];
    }
    boxes.push({
      h3: p.centre,
      cells: p.cells,
      district: p.district ?? NO_DISTRICT,
      rank: p.rank,
      expected: p.expected,
      background,
      triggered,
      backgroundShare: background / p.expected,
      triggeredShare: triggered / p.expected,
      contributors: contributorsOf(p.cells, p.expected),
    });
  }
  return boxes;
}
