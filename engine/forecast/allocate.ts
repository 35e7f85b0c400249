/**
 * Boxes by need and a warning for rankings that are noise (issue 12 item 4).
 *
 * - {@link allocateBoxes}: a total number of boxes shared across districts in proportion to each
 *   district's expected crime in the shift, instead of a fixed number each.
 * - {@link rankingWarnings}: districts whose boxes should not be read as a confident ranking.
 */
import type { CellForecast, H3Cell, PatrolBox } from '../types.ts';
import { NO_DISTRICT } from './boxes.ts';
import { ForecastError } from './errors.ts';

/**
 * Below this many expected crimes per box per shift a box's number is too small to act on: one
 * crime in 20 shifts (about a week of three shifts a day). When every box of a district is below
 * it, the district is quiet whatever the order of its boxes.
 */
export const QUIET_FLOOR_PER_SHIFT = 0.05;

/**
 * The expected crime of each district in the shift: the sum of its cells' expected counts
 * (cells of no district under "(none)" for 'group', left out for 'drop'). O(cells).
 */
export function districtNeeds(
  forecast: CellForecast,
  districtOf: (cell: H3Cell) => string | null,
  unassigned: 'group' | 'drop',
): Map<string, number> {
  const needs = new Map<string, number>();
  forecast.cells.forEach((cell, k) => {
    const d = districtOf(cell) ?? (unassigned === 'group' ? NO_DISTRICT : null);
    if (d !== null) needs.set(d, (needs.get(d) ?? 0) + forecast.expected[k]!);
  });
  return needs;
}

/**
 * Shares `total` boxes across districts by need, by the Sainte-Laguë (Webster) divisor method:
 * each box in turn goes to the district with the largest need / (boxes so far + 1/2), among
 * those below their cap (the boxes the district can have: its positive cells or placed boxes).
 * Why this rule: it is the standard proportional rule with no bias towards large or small
 * districts (D'Hondt favours large ones), it respects the caps by construction, and a district
 * whose need is under half a box's worth of the total may get none: by need, a quiet district
 * yields its boxes to busy ones. Ties go to the district first in name order (code units).
 * A total above the caps' sum gives every district its cap. O(total · districts).
 * @throws {ForecastError} E_ARGUMENT for a total that is not an integer ≥ 1, or a need that is
 *   negative or not finite
 */
export function allocateBoxes(needs: ReadonlyMap<string, number>, caps: ReadonlyMap<string, number>, total: number): Map<string, number> {
  if (!Number.isInteger(total) || total < 1)
    throw new ForecastError('E_ARGUMENT', `the total number of boxes must be an integer ≥ 1, got ${String(total)}`, total);
  const names = [...needs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const d of names) {
    const need = needs.get(d)!;
    if (!Number.isFinite(need) || need < 0)
      throw new ForecastError('E_ARGUMENT', `the expected crime of district ${d} must be finite and ≥ 0, got ${String(need)}`, need);
  }
  const given = new Map(names.map((d) => [d, 0]));
  for (let box = 0; box < total; box++) {
    let best: string | null = null;
    let bestQuotient = 0;
    for (const d of names) {
      const has = given.get(d)!;
      if (has >= (caps.get(d) ?? 0)) continue;
      const quotient = needs.get(d)! / (has + 0.5);
      if (quotient > bestQuotient) {
        best = d;
        bestQuotient = quotient;
      }
    }
    if (best === null) break; // every district is at its cap (or has no need)
    given.set(best, given.get(best)! + 1);
  }
  return given;
}

/** A district whose boxes are not a confident ranking, and why in words. */
export interface RankingWarning {
  readonly district: string;
  /** 'floor': every box below {@link QUIET_FLOOR_PER_SHIFT}; 'noise': box 1 and the last box within noise. */
  readonly reason: 'floor' | 'noise';
  readonly words: string;
}

/**
 * The districts whose boxes should not be presented as a confident ranking (boxes by district
 * and rank, as shiftBoxes gives them):
 * - 'floor': every box expects fewer than {@link QUIET_FLOOR_PER_SHIFT} crimes in the shift;
 * - 'noise': box 1 and the district's last box are indistinguishable given the data behind them.
 *   A box's expected count e per shift rests on about E = e · (training hours / shift hours)
 *   incidents of the training window; two such Poisson counts differ by chance with standard
 *   deviation √(E₁ + E_K), so when E₁ − E_K < 2√(E₁ + E_K) (a two-sigma test) the data cannot tell
 *   box 1 from the last box, and the order between them is noise. This is the estimate's noise,
 *   not the shift's: in one shift every box's count is mostly 0 or 1, and the ranking is a claim
 *   about rates, which the training data either supports or does not. It is approximate (the
 *   model smooths over neighbours and weights recent incidents more), and errs towards warning.
 * Districts with one box are never flagged for noise. O(boxes).
 */
export function rankingWarnings(boxes: readonly PatrolBox[], trainingHours: number, shiftHours: number): RankingWarning[] {
  if (!(trainingHours > 0) || !(shiftHours > 0))
    throw new ForecastError('E_ARGUMENT', `training and shift hours must be > 0, got ${String(trainingHours)}, ${String(shiftHours)}`, [
      trainingHours,
      shiftHours,
    ]);
  const scale = trainingHours / shiftHours;
  const byDistrict = new Map<string, PatrolBox[]>();
  for (const b of boxes) {
    const list = byDistrict.get(b.district);
    if (list === undefined) byDistrict.set(b.district, [b]);
    else list.push(b);
  }
  const warnings: RankingWarning[] = [];
  for (const [district, mine] of byDistrict) {
    let first = mine[0]!;
    let last = mine[0]!;
    for (const b of mine) {
      if (b.rank < first.rank) first = b;
      if (b.rank > last.rank) last = b;
    }
    if (first.expected < QUIET_FLOOR_PER_SHIFT) {
      warnings.push({
        district,
        reason: 'floor',
        words: `${district}: every box expects fewer than ${QUIET_FLOOR_PER_SHIFT} crimes this shift (box 1: ${first.expected.toPrecision(2)}, under one crime in ${Math.floor(1 / first.expected)} shifts); the order of these boxes is not a confident ranking`,
      });
      continue;
    }
    const e1 = first.expected * scale;
    const eK = last.expected * scale;
    if (mine.length > 1 && e1 - eK < 2 * Math.sqrt(e1 + eK)) {
      warnings.push({
        district,
        reason: 'noise',
        words: `${district}: box 1 and box ${last.rank} are within the noise of the data behind them (about ${Math.round(e1)} against ${Math.round(eK)} incidents over the training window, less than 2 standard deviations apart); treat these boxes as equally important, not as a ranking`,
      });
    }
  }
  return warnings;
}
