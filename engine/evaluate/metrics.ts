/**
 * Per-shift measures of a ranked forecast against what happened (docs/model.md#measures).
 *
 * Vocabulary used throughout engine/evaluate:
 * - the *study cells* are C H3 cells at one resolution, indexed 0..C−1 in ascending H3 id order,
 *   so "ties broken by H3 id" is "ties broken by index";
 * - a *ranking* lists cell indices best first; the top k cells are the *flagged* cells;
 * - the *events* of a shift are the cell indices of the incidents that happened inside it
 *   (−1 for an incident outside the study cells: it counts in N and can never be caught).
 *
 * H3 cells of one resolution vary in area by a few per cent inside a city. Every model therefore
 * flags the same *number* of cells for a given area (k = ⌊areaKm2 / mean cell area⌋, at least 1),
 * which makes PAI = (n/N)/(k/C) and lets n* (the best any k cells could catch) be the k largest
 * actual counts.
 */
import { EvaluateError } from './errors.ts';

/**
 * Orders cell indices by score, highest first, ties by index ascending (= H3 id ascending).
 * Only cells with a positive score are sorted; zero-score cells follow in index order.
 *
 * Complexity: O(C + P log P) for P positive scores.
 *
 * @param scores one finite, non-negative score per study cell
 * @returns a permutation of 0..C−1
 * @throws {EvaluateError} E_ARGUMENT on a negative or non-finite score
 * @example
 * Array.from(rankIndices([0, 2, 5, 2])) // => [2, 1, 3, 0]
 */
export function rankIndices(scores: ArrayLike<number>): Int32Array {
  const c = scores.length;
  const positive: number[] = [];
  for (let i = 0; i < c; i++) {
    const s = scores[i]!;
    if (!(s >= 0) || s === Infinity)
      throw new EvaluateError('E_ARGUMENT', `rankIndices: score ${s} at cell index ${i} is not a finite non-negative number`, s);
    if (s > 0) positive.push(i);
  }
  positive.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const order = new Int32Array(c);
  let p = 0;
  for (const i of positive) order[p++] = i;
  for (let i = 0; i < c; i++) if (!(scores[i]! > 0)) order[p++] = i;
  return order;
}

/**
 * The first m entries of {@link rankIndices}, without sorting every cell: finds the m-th largest
 * score by selection (O(C)), keeps the cells above it plus the lowest-indexed cells equal to it,
 * and sorts only those. Complexity O(C + m log m).
 *
 * @param scores one finite, non-negative score per study cell (not modified)
 * @param m how many cells (clamped to C)
 * @example
 * Array.from(topIndices([0, 2, 5, 2], 2)) // => [2, 1]
 */
export function topIndices(scores: ArrayLike<number>, m: number): Int32Array {
  const c = scores.length;
  const k = Math.max(0, Math.min(c, Math.floor(m)));
  if (k === 0) return new Int32Array(0);
  const values = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    const s = scores[i]!;
    if (!(s >= 0) || s === Infinity)
      throw new EvaluateError('E_ARGUMENT', `topIndices: score ${s} at cell index ${i} is not a finite non-negative number`, s);
    values[i] = s;
  }
  const threshold = kthLargest(values, k);
  const above: number[] = [];
  for (let i = 0; i < c; i++) if (scores[i]! > threshold) above.push(i);
  above.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const out = new Int32Array(k);
  let p = 0;
  for (const i of above) out[p++] = i;
  for (let i = 0; i < c && p < k; i++) if (scores[i] === threshold) out[p++] = i;
  return out;
}

/** The k-th largest value (1-based) by Hoare selection; reorders `a`. O(n) expected. */
export function kthLargest(a: Float64Array, k: number): number {
  // k-th largest = element at ascending position n − k
  const target = a.length - k;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/**
 * The same cells as {@link topKPerDistrict} applied to {@link rankIndices}(scores), found in one
 * pass with a small sorted list per district. Complexity O(C · K) worst case, O(C) typical.
 *
 * @returns the kept cell indices (grouped by district, best first within each)
 * @example
 * Array.from(topKPerDistrictFromScores([3, 0, 5, 1], Int32Array.from([0, 0, 1, 1]), 2, 1)) // => [0, 2]
 */
export function topKPerDistrictFromScores(
  scores: ArrayLike<number>,
  districtOfCell: Int32Array,
  districtCount: number,
  perDistrict: number,
): Int32Array {
  const lists: number[][] = Array.from({ length: districtCount }, () => []);
  // "a ranks before b": higher score, or equal score and lower index
  const before = (a: number, b: number): boolean => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  for (let i = 0; i < scores.length; i++) {
    const d = districtOfCell[i]!;
    if (d < 0) continue;
    const list = lists[d]!;
    if (list.length === perDistrict && !before(i, list[list.length - 1]!)) continue;
    // insertion keeping best first
    let pos = list.length;
    while (pos > 0 && before(i, list[pos - 1]!)) pos--;
    list.splice(pos, 0, i);
    if (list.length > perDistrict) list.pop();
  }
  const out: number[] = [];
  for (const list of lists) for (const i of list) out.push(i);
  return Int32Array.from(out);
}

/**
 * Number of cells flagged for an area: ⌊areaKm2 / meanCellAreaKm2⌋ (at least 1, at most C).
 * @throws {EvaluateError} E_ARGUMENT when the area or the cell area is not positive
 * @example
 * cellsForArea(1, 0.015, 10000) // => 66
 */
export function cellsForArea(areaKm2: number, meanCellAreaKm2: number, cellCount: number): number {
  if (!(areaKm2 > 0) || !(meanCellAreaKm2 > 0))
    throw new EvaluateError('E_ARGUMENT', `cellsForArea: area ${areaKm2} km² and cell area ${meanCellAreaKm2} km² must be positive`, [
      areaKm2,
      meanCellAreaKm2,
    ]);
  return Math.max(1, Math.min(cellCount, Math.floor(areaKm2 / meanCellAreaKm2 + 1e-9)));
}

/**
 * Number of cells flagged for a coverage fraction of the study area: ⌊fraction·C⌋ (at least 1).
 * @throws {EvaluateError} E_ARGUMENT unless 0 < fraction ≤ 1
 * @example
 * cellsForCoverage(0.05, 1000) // => 50
 */
export function cellsForCoverage(fraction: number, cellCount: number): number {
  if (!(fraction > 0 && fraction <= 1))
    throw new EvaluateError('E_ARGUMENT', `cellsForCoverage: coverage ${fraction} must be in (0, 1]`, fraction);
  return Math.max(1, Math.min(cellCount, Math.floor(fraction * cellCount + 1e-9)));
}

/**
 * For each k in `ks`, how many of the events fall in the top k cells of `order`.
 *
 * Complexity: O(max k + events). `scratch` (length C, filled with −1) is used and restored.
 *
 * @param order ranking (cell indices, best first)
 * @param eventCells one cell index per event (−1 = outside the study cells)
 * @param ks flag sizes (cells), any order
 * @example
 * hitsAtK(Int32Array.from([2, 1, 0, 3]), [2, 2, 0, -1], [1, 2, 4]) // => [2, 2, 3]
 */
export function hitsAtK(order: Int32Array, eventCells: ArrayLike<number>, ks: readonly number[], scratch?: Int32Array): number[] {
  const rankOf = scratch ?? new Int32Array(order.length).fill(-1);
  let maxK = 0;
  for (const k of ks) maxK = Math.max(maxK, Math.min(k, order.length));
  for (let r = 0; r < maxK; r++) rankOf[order[r]!] = r;
  const out = ks.map(() => 0);
  for (let e = 0; e < eventCells.length; e++) {
    const c = eventCells[e]!;
    if (c < 0) continue;
    const r = rankOf[c]!;
    if (r < 0) continue;
    for (let j = 0; j < ks.length; j++) if (r < ks[j]!) out[j]!++;
  }
  for (let r = 0; r < maxK; r++) rankOf[order[r]!] = -1;
  return out;
}

/**
 * n*: for each k, the most events any k cells could have caught (the sum of the k largest
 * per-cell counts). With equal-area cells this is the PEI denominator (Hunt 2016).
 *
 * Complexity: O(events log events).
 * @example
 * bestPossibleHits([5, 5, 5, 7, 9, -1], [1, 2, 3]) // => [3, 4, 5]
 */
export function bestPossibleHits(eventCells: ArrayLike<number>, ks: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (let e = 0; e < eventCells.length; e++) {
    const c = eventCells[e]!;
    if (c >= 0) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const sorted = [...counts.values()].sort((a, b) => b - a);
  const prefix = [0];
  for (const v of sorted) prefix.push(prefix[prefix.length - 1]! + v);
  return ks.map((k) => prefix[Math.min(k, sorted.length)]!);
}

/**
 * Top-K per district: walking the ranking, keep a cell while its district has fewer than K
 * kept cells (PredPol's "K boxes per division"). Cells with district −1 (no district) are skipped.
 *
 * Complexity: O(C) worst case; stops when every district is full.
 *
 * @param order ranking (cell indices, best first)
 * @param districtOfCell district index per cell (0..D−1), or −1
 * @param districtCount D
 * @param perDistrict K
 * @returns the kept cell indices, in ranking order
 * @example
 * Array.from(topKPerDistrict(Int32Array.from([0, 1, 2, 3]), Int32Array.from([0, 0, 1, 0]), 2, 1)) // => [0, 2]
 */
export function topKPerDistrict(order: Int32Array, districtOfCell: Int32Array, districtCount: number, perDistrict: number): Int32Array {
  const taken = new Int32Array(districtCount);
  const out: number[] = [];
  let full = 0;
  const target = districtCount;
  for (let r = 0; r < order.length && full < target; r++) {
    const c = order[r]!;
    const d = districtOfCell[c]!;
    if (d < 0 || taken[d]! >= perDistrict) continue;
    taken[d]!++;
    out.push(c);
    if (taken[d] === perDistrict) full++;
  }
  return Int32Array.from(out);
}

/** Mixture weight of the uniform forecast in the log score (see {@link logScoreVsUniform}). */
export const LOG_SCORE_UNIFORM_WEIGHT = 0.01;

/**
 * Log score of a forecast against the uniform forecast, summed over a shift's events.
 *
 * The forecast's spatial density is its normalised score: p_c = s_c / Σ s. So that a cell the
 * model gave zero never yields log 0 = −∞, the density scored is the mixture
 * q_c = (1 − ε)·p_c + ε·a_c/A (ε = {@link LOG_SCORE_UNIFORM_WEIGHT} unless given, a_c the cell's
 * area, A the study area): a forecast that is always used alongside a 1% uniform patrol. A forecast
 * whose scores are all zero is the uniform one. Per event in cell c the contribution is
 * log(q_c/a_c) − log(1/A) = log(q_c·A/a_c) (0 for the uniform forecast; natural log).
 * Events outside the study cells (index −1) are skipped: neither forecast covers them.
 *
 * @param scores one non-negative score per study cell
 * @param scoreSum Σ scores (passed in so callers summing once can reuse it)
 * @param cellAreaKm2 area of each study cell
 * @param studyAreaKm2 A = Σ cell areas
 * @returns {sum, events}: the summed log score and the number of events scored
 * @example
 * // two equal cells, all mass on cell 0, ε = 0: an event in cell 0 scores log 2
 * logScoreVsUniform([1, 0], 1, [1, 1], 2, [0], 0).sum // => Math.log(2)
 */
export function logScoreVsUniform(
  scores: ArrayLike<number>,
  scoreSum: number,
  cellAreaKm2: ArrayLike<number>,
  studyAreaKm2: number,
  eventCells: ArrayLike<number>,
  uniformWeight: number = LOG_SCORE_UNIFORM_WEIGHT,
): { sum: number; events: number } {
  let sum = 0;
  let events = 0;
  for (let e = 0; e < eventCells.length; e++) {
    const c = eventCells[e]!;
    if (c < 0) continue;
    const a = cellAreaKm2[c]!;
    const uniform = a / studyAreaKm2;
    const p = scoreSum > 0 ? scores[c]! / scoreSum : uniform;
    const q = (1 - uniformWeight) * p + uniformWeight * uniform;
    sum += Math.log(q / uniform);
    events++;
  }
  return { sum, events };
}
