/**
 * Placed scoring of one forecast (placed.ts places the boxes): which incidents the boxes catch,
 * and the model's measures for the window.
 */
import { BOX, type FineLattice } from '../forecast/index.ts';
import type { EvaluationRun } from './prepare.ts';
import { placeWindow, type PlacedRun } from './placed.ts';
import type { ModelScores } from './score.ts';

/** Incidents caught by a box: Σ actual over its cells (ids met after the actuals were counted hold none). */
export function boxCatch(lat: FineLattice, actualFine: Float64Array, f: number): number {
  let n = 0;
  const at = lat.boxAt(f);
  for (let j = at; j < at + BOX; j++) {
    const id = lat.box[j]!;
    if (id >= 0 && id < actualFine.length) n += actualFine[id]!;
  }
  return n;
}

/** The per-window state of placed scoring shared by the placed models. */
export interface PlacedContext {
  readonly placed: PlacedRun;
  /** The window's scored incidents per fine id (every incident's fine cell has one). */
  readonly actualFine: Float64Array;
}

/** Sets the placed context to window w: history up to its start, its actual fine counts. O(new history + events). */
export function enterWindow(ctx: PlacedContext, run: EvaluationRun, w: number, previous: number): void {
  const { placed } = ctx;
  if (previous >= 0) for (const f of placed.actualByWindow[previous]!) if (f >= 0) ctx.actualFine[f] = 0;
  placed.advanceTo(run.windows[w]!.startMs);
  for (const f of placed.actualByWindow[w]!) if (f >= 0) ctx.actualFine[f]! += 1;
}

/**
 * Scores one forecast placed (module comment) into the model's measures of window w: hit rates
 * at the flagged areas and coverage shares (the first k boxes city-wide for a grid budget of k
 * cells), the patrol boxes' hit rate, concentration by box centre, and the RRI terms from the
 * boxes' expected counts. PEI divides by the grid's best n* (see docs/evaluation.md).
 * Cost: {@link placeWindow} plus O(boxes).
 */
export function scorePlaced(
  ctx: PlacedContext,
  run: EvaluationRun,
  s: ModelScores,
  w: number,
  out: { readonly scores: Float64Array; readonly countScale: number | null },
  ks: readonly number[],
  best: readonly number[],
  N: number,
): void {
  const lat = ctx.placed.lattice;
  const { flaggedCells, top } = run.measures;
  let maxK = 0;
  for (const k of ks) if (k > maxK) maxK = k;
  const placed = placeWindow(ctx.placed, run, out.scores, maxK, top);
  const cumHits = [0];
  const cumExpected = [0];
  for (let b = 0; b < placed.city.length; b++) {
    cumHits.push(cumHits[b]! + boxCatch(lat, ctx.actualFine, placed.city[b]!));
    cumExpected.push(cumExpected[b]! + placed.cityExpected[b]!);
  }
  const at = (cum: number[], k: number): number => cum[Math.min(k, cum.length - 1)]!;
  for (const f of placed.district) s.timesPicked[f]!++;
  const A = flaggedCells.length;
  for (let a = 0; a < A; a++)
    for (let b = 0; b < Math.min(flaggedCells[a]!, placed.city.length); b++) s.flaggedEver[a]![placed.city[b]!] = 1;
  if (N > 0) {
    for (let a = 0; a < A; a++) {
      const hits = at(cumHits, flaggedCells[a]!);
      s.hitRate[a]![w] = hits / N;
      if (best[a]! > 0) s.pei[a]![w] = hits / best[a]!;
    }
    for (let f = 0; f < s.coverageHitRate.length; f++) s.coverageHitRate[f]![w] = at(cumHits, ks[A + f]!) / N;
    if (top > 0) {
      let boxHits = 0;
      for (const f of placed.district) boxHits += boxCatch(lat, ctx.actualFine, f);
      s.topKHitRate[w] = boxHits / N;
    }
  }
  if (out.countScale !== null) {
    for (let a = 0; a < A; a++) {
      s.rriPredicted[a]! += at(cumExpected, flaggedCells[a]!) * out.countScale;
      s.rriObserved[a]! += at(cumHits, flaggedCells[a]!);
    }
  }
}
