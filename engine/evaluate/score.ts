/**
 * The second phase of an evaluation: replay the windows in order, let every runner forecast
 * each one, and score the forecast on the window's actuals (metrics.ts): hit rates at each
 * flagged area and coverage share, PEI, the patrol boxes' hit rate (top K per district), the
 * log score against the uniform forecast, and the pooled RRI terms of count forecasts. The
 * values are kept per window, so that summarise.ts can resample them and `tune` can average them.
 *
 * Cost per window and runner: the runner's forecast, then O(C + max k log max k + events) to
 * rank and score (topIndices), O(C · K) worst case for the boxes.
 */
import type { H3Cell } from '../types.ts';
import { EvaluateError } from './errors.ts';
import { bestPossibleHits, hitsAtK, logScoreVsUniform, topIndices, topKPerDistrict, topKPerDistrictFromScores } from './metrics.ts';
import type { EvaluationRun } from './prepare.ts';
import type { FitLog, ModelForecast, ModelRunner } from './runners.ts';
import type { EvalWindow } from './timing.ts';
import { placedRunOf } from './placed.ts';
import { enterWindow, scorePlaced, type PlacedContext } from './scorePlaced.ts';

/** Progress, cancellation and an audit of every forecast. */
export interface ScoreHooks {
  onProgress?(done: number, total: number): void;
  shouldCancel?(): boolean;
  /**
   * Sees every forecast as it is scored: the study cells (ascending H3 ids), the window, the model
   * and its score per cell (its own ranking too, for the random baseline). For audits and tests;
   * the arrays must not be kept or modified (they may be reused).
   */
  onForecast?(info: {
    readonly windowIndex: number;
    readonly window: EvalWindow;
    readonly model: string;
    readonly cells: readonly H3Cell[];
    readonly scores: Float64Array;
    readonly order?: Int32Array;
  }): void;
}

/** One model's measures, per window (NaN where undefined: a window without events). */
export interface ModelScores {
  readonly name: string;
  /** Per flagged area (the run's order), per window: share of the window's events in the flagged cells. */
  readonly hitRate: number[][];
  /** Per flagged area, per window: hits / the most any as many cells could have caught (NaN when that is 0). */
  readonly pei: number[][];
  /** Per coverage share, per window: hit rate. */
  readonly coverageHitRate: number[][];
  /** Per window: share of the events in the patrol boxes (NaN when the run scores no boxes). */
  readonly topKHitRate: number[];
  /** Per window: the summed log score of its events in the study cells (NaN when none) ... */
  readonly logSum: number[];
  /** ... and how many events it sums over (0 when none). */
  readonly logEvents: number[];
  /** Per flagged area, pooled over the windows: expected events in the flagged cells (count forecasts only) ... */
  readonly rriPredicted: number[];
  /** ... and the events caught there. */
  readonly rriObserved: number[];
  /** True when the model's scores are expected counts (it then has an RRI). */
  countsForecast: boolean;
  /** Per study cell (placed models: per box centre of `pickCells`): windows in which it was a patrol box. */
  readonly timesPicked: Int32Array;
  /** Per flagged area, per study cell (placed: per box centre): 1 when the cell was ever flagged. */
  readonly flaggedEver: Uint8Array[];
  /** Placed models: the fine cells `timesPicked` and `flaggedEver` are indexed by (placed.ts); else absent (the study cells). */
  readonly pickCells?: readonly H3Cell[];
}

/** Everything scored: one entry per runner (in runner order), the rolling fits, the runners' notes. */
export interface WindowScores {
  readonly models: readonly ModelScores[];
  /** The fit log of each runner that has one, by model name. */
  readonly fitLogs: Readonly<Record<string, FitLog>>;
  readonly notes: readonly string[];
}

/** Per-run constants and scratch space of the scoring. */
interface ScoringContext {
  readonly run: EvaluationRun;
  readonly flaggedCells: readonly number[];
  /** Flagged then coverage cell counts: the ks of hitsAtK. */
  readonly ks: readonly number[];
  readonly maxK: number;
  readonly scratch: Int32Array;
  /** The current window's events per study cell. */
  readonly actual: Float64Array;
}

function newModelScores(name: string, run: EvaluationRun, pickCells?: readonly H3Cell[]): ModelScores {
  const W = run.windows.length;
  const C = pickCells ? pickCells.length : run.study.cells.length;
  const { flaggedCells, coverageCells } = run.measures;
  const nan = (): number[] => new Array<number>(W).fill(NaN);
  return {
    name,
    hitRate: flaggedCells.map(nan),
    pei: flaggedCells.map(nan),
    coverageHitRate: coverageCells.map(nan),
    topKHitRate: nan(),
    logSum: nan(),
    logEvents: new Array<number>(W).fill(0),
    rriPredicted: flaggedCells.map(() => 0),
    rriObserved: flaggedCells.map(() => 0),
    countsForecast: false,
    timesPicked: new Int32Array(C),
    flaggedEver: flaggedCells.map(() => new Uint8Array(C)),
    ...(pickCells ? { pickCells } : {}),
  };
}

/**
 * Replays the run's windows in order: every runner forecasts each window, and the forecast is
 * scored at once (module comment).
 * @throws {EvaluateError} E_CANCELLED (hooks.shouldCancel, checked before each window), and
 *   whatever a runner throws (E_FIT, E_ARGUMENT)
 */
export function scoreWindows(run: EvaluationRun, runners: readonly ModelRunner[], hooks: ScoreHooks = {}): WindowScores {
  const W = run.windows.length;
  const C = run.study.cells.length;
  const { flaggedCells, coverageCells } = run.measures;
  const ks = [...flaggedCells, ...coverageCells];
  let maxK = 0;
  for (const k of ks) if (k > maxK) maxK = k;
  const ctx: ScoringContext = { run, flaggedCells, ks, maxK, scratch: new Int32Array(C).fill(-1), actual: new Float64Array(C) };
  const placedRun = runners.some((r) => r.placed) ? placedRunOf(run) : null;
  const placed: PlacedContext | null = placedRun
    ? { placed: placedRun, actualFine: new Float64Array(placedRun.lattice.cells.length) }
    : null;
  const pickCells = placedRun ? placedRun.lattice.cells.slice(0, placedRun.lattice.inside) : undefined;
  const models = runners.map((r) => newModelScores(r.name, run, r.placed ? pickCells : undefined));
  hooks.onProgress?.(0, W);
  for (let w = 0; w < W; w++) {
    if (hooks.shouldCancel?.()) throw new EvaluateError('E_CANCELLED', `backtest cancelled after ${w} of ${W} windows`);
    const win = run.windows[w]!;
    const ev = run.actuals.byWindow[w]!;
    ctx.actual.fill(0);
    for (const c of ev) if (c >= 0) ctx.actual[c]! += 1;
    const best = bestPossibleHits(ev, flaggedCells);
    if (placed) enterWindow(placed, run, w, w - 1);
    for (let m = 0; m < runners.length; m++) {
      const out = runners[m]!.forecast(win, w);
      hooks.onForecast?.({
        windowIndex: w,
        window: win,
        model: runners[m]!.name,
        cells: run.study.cells,
        scores: out.scores,
        ...(out.order ? { order: out.order } : {}),
      });
      if (runners[m]!.placed) {
        scorePlaced(placed!, run, models[m]!, w, out, ks, best, ev.length);
        scoreLog(ctx, models[m]!, w, out, ev);
      } else scoreForecast(ctx, models[m]!, w, out, ev, best);
    }
    hooks.onProgress?.(w + 1, W);
  }
  const fitLogs: Record<string, FitLog> = {};
  const notes: string[] = [];
  for (const r of runners) {
    if (r.fitLog) fitLogs[r.name] = r.fitLog;
    if (r.note !== undefined) notes.push(r.note);
  }
  return { models, fitLogs, notes };
}

/**
 * Scores one forecast of window `w` into `s`. The hot path: O(C) to find the top max k cells,
 * O(max k + events) for the hits, O(C · K) worst case for the boxes, O(C) for the log score.
 */
function scoreForecast(
  ctx: ScoringContext,
  s: ModelScores,
  w: number,
  out: ModelForecast,
  ev: readonly number[],
  best: readonly number[],
): void {
  const { run, flaggedCells, ks, maxK, actual } = ctx;
  const A = flaggedCells.length;
  const order = out.order ? out.order.subarray(0, maxK) : topIndices(out.scores, maxK);
  const hits = hitsAtK(order, ev, ks, ctx.scratch);
  const boxes = run.measures.top > 0 ? patrolBoxes(run, out) : null;
  if (boxes) for (const c of boxes) s.timesPicked[c]!++;
  for (let a = 0; a < A; a++) {
    const flags = s.flaggedEver[a]!;
    for (let r = 0; r < flaggedCells[a]!; r++) flags[order[r]!] = 1;
  }
  const N = ev.length;
  if (N > 0) {
    for (let a = 0; a < A; a++) {
      s.hitRate[a]![w] = hits[a]! / N;
      if (best[a]! > 0) s.pei[a]![w] = hits[a]! / best[a]!;
    }
    for (let f = 0; f < s.coverageHitRate.length; f++) s.coverageHitRate[f]![w] = hits[A + f]! / N;
    if (boxes) {
      let boxHits = 0;
      for (const c of boxes) boxHits += actual[c]!;
      s.topKHitRate[w] = boxHits / N;
    }
  }
  scoreLog(ctx, s, w, out, ev);
  if (out.countScale !== null) {
    for (let a = 0; a < A; a++) {
      let predicted = 0;
      for (let r = 0; r < flaggedCells[a]!; r++) predicted += out.scores[order[r]!]!;
      s.rriPredicted[a]! += predicted * out.countScale;
      s.rriObserved[a]! += hits[a]!;
    }
  }
}

/** The log score of a forecast (on the study cells, placed or not) and whether it is a count forecast. O(C). */
function scoreLog(ctx: ScoringContext, s: ModelScores, w: number, out: ModelForecast, ev: readonly number[]): void {
  const { run } = ctx;
  s.countsForecast = out.countScale !== null;
  if (ev.length === 0) return;
  let sum = 0;
  for (let c = 0; c < out.scores.length; c++) sum += out.scores[c]!;
  const ls = logScoreVsUniform(out.scores, sum, run.study.cellAreaKm2, run.study.areaKm2, ev);
  if (ls.events > 0) {
    s.logSum[w] = ls.sum;
    s.logEvents[w] = ls.events;
  }
}

/** The patrol boxes of a forecast: the top K cells of each district (by its own order, else by score). */
function patrolBoxes(run: EvaluationRun, out: ModelForecast): Int32Array {
  const { ofCell, names } = run.districts;
  const top = run.measures.top;
  return out.order
    ? topKPerDistrict(out.order, ofCell, names.length, top)
    : topKPerDistrictFromScores(out.scores, ofCell, names.length, top);
}

/**
 * Mean of the defined (finite) values, in window order (`empty` when none): e.g. a model's mean
 * hit rate over the windows with events. Plain left-to-right summation, O(W).
 * @example
 * meanDefined([0.5, NaN, 0.25]) // => 0.375
 */
export function meanDefined(values: readonly number[], empty: number = NaN): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : empty;
}

/**
 * Mean log score per event over all windows: Σ window sums / Σ events (0 when no event was
 * scored). O(W).
 * @example
 * pooledLogScore({ logSum: [1, NaN, 2], logEvents: [2, 0, 1] }) // => 1
 */
export function pooledLogScore(s: Pick<ModelScores, 'logSum' | 'logEvents'>): number {
  let sum = 0;
  let events = 0;
  for (let w = 0; w < s.logSum.length; w++) {
    if (s.logEvents[w]! > 0 && Number.isFinite(s.logSum[w]!)) {
      sum += s.logSum[w]!;
      events += s.logEvents[w]!;
    }
  }
  return sum / Math.max(1, events);
}
