/**
 * The models an evaluation replays, as interchangeable runners: each gives, for one window, a
 * score per study cell from what was known before the window started (the oracle excepted: it
 * is the ceiling, scored on the actuals by design). The scoring (score.ts) knows nothing else
 * about them.
 *
 * Runners are stateful (incremental scorers, rolling fits): call `forecast` for every window of
 * the run, in order.
 */
import type { EtasFitOptions, EventSet, H3Cell } from '../types.ts';
import { gridDistance, neighboursWithinKm } from '../grid/index.ts';
import { checkEtasConfig, describeEtasConfig, ETAS_2015, ETAS_DEFAULTS, withFitOptions, type EtasConfig } from '../model/index.ts';
import { seededRandom } from '../random.ts';
import {
  KernelScorer,
  naiveKernel,
  prospectiveKernel,
  randomOrder,
  retroKernel,
  selfNeighbourhood,
  PROSPECTIVE_RADIUS_KM,
  type KernelSpec,
  type Neighbourhood,
} from './baselines.ts';
import { EvaluateError } from './errors.ts';
import type { EvaluationRun } from './prepare.ts';
import type { FitRecord } from './report.ts';
import { EtasRollingModel, type RecencyVariant } from './rolling.ts';
import type { EvalWindow } from './timing.ts';

const HOUR_MS = 3_600_000;

/** Every built-in model, in report order. */
export const BACKTEST_MODELS = [
  'etas',
  'etas-grid',
  'etas-2015',
  'naive-28',
  'naive-365',
  'naive-all',
  'naive-all-placed',
  'retro',
  'prospective',
  'random',
  'oracle',
] as const;
export type BacktestModelName = (typeof BACKTEST_MODELS)[number];

/** What a model hands back for one window. */
export interface ModelForecast {
  /** A score per study cell (by index); may be reused by the runner for the next window. */
  readonly scores: Float64Array;
  /** An explicit ranking (the random baseline); otherwise the scores are ranked. */
  readonly order?: Int32Array;
  /** Multiply scores by this to get expected events in the window (null: scores are not counts). */
  readonly countScale: number | null;
}

/** The fits a self-exciting runner made, and which one served each window (−1: none yet). */
export interface FitLog {
  readonly fits: readonly FitRecord[];
  readonly windowFit: readonly number[];
}

/** A model replayed window by window. */
export interface ModelRunner {
  readonly name: string;
  /** Scores for window `windowIndex` of the run; call for every window, in order. */
  forecast(window: EvalWindow, windowIndex: number): ModelForecast;
  /** For the rolling ETAS runners: their fits so far. */
  readonly fitLog?: FitLog;
  /** A note for the report (e.g. the configuration run). */
  readonly note?: string;
  /** True: scored as placed boxes on the finer lattice (placed.ts); else as grid cells. */
  readonly placed?: boolean;
}

/**
 * A model from outside engine/evaluate (e.g. a tuned ETAS variant) run beside the built-in ones.
 * Per window it receives only what was known before the window started, so the leakage rule
 * holds for it too.
 */
export interface BacktestModelPlugin {
  /** Report name; must not clash with a built-in model. */
  readonly name: string;
  /** True when the scores are expected counts in the window (the report then gives its RRI). */
  readonly countsForecast: boolean;
  /**
   * Scores for one window. `history` holds the incidents known at or before the window start
   * (periodEnd ≤ startMs), binned at the run's resolution, times in hours since its originMs.
   * Cells absent from `cells` score 0; cells outside the study area are ignored.
   */
  forecast(
    window: EvalWindow,
    history: EventSet,
    context: { readonly res: number; readonly tz: string; readonly windowIndex: number },
  ): {
    readonly cells: readonly H3Cell[];
    readonly scores: ArrayLike<number>;
  };
}

/** Options of the built-in runners. */
export interface RunnerOptions {
  /** ETAS refit interval in days (month mode: every month regardless). */
  readonly refitEveryDays: number;
  /** Configuration of 'etas' (default ETAS_DEFAULTS; month mode switches its profile off). */
  readonly etasConfig?: EtasConfig;
  /** Overrides of the 'etas-2015' preset (bounds, fixed values, EM limits). */
  readonly fitOptions?: EtasFitOptions;
  /** Seed of the random baseline. */
  readonly seed: number;
  /** Polled by the ETAS fits. */
  readonly shouldCancel?: () => boolean;
}

/** The runner of a built-in model. O(setup) as described by each factory. */
export function builtInRunner(run: EvaluationRun, name: BacktestModelName, options: RunnerOptions): ModelRunner {
  switch (name) {
    case 'naive-28':
      return naiveRunner(run, 28);
    case 'naive-365':
      return naiveRunner(run, 365);
    case 'naive-all':
      return naiveRunner(run, Infinity);
    case 'naive-all-placed':
      return { ...naiveRunner(run, Infinity), name, placed: true };
    case 'retro':
      return kernelRunner(run, name, retroKernel(), wideNeighbourhood(run), () => null);
    case 'prospective':
      return kernelRunner(run, name, prospectiveKernel(), wideNeighbourhood(run), () => null);
    case 'random':
      return randomRunner(run, options.seed);
    case 'oracle':
      return oracleRunner(run);
    case 'etas':
    case 'etas-grid':
      return etasRunners(run, [name], options)[0]!;
    case 'etas-2015':
      return rollingEtasRunner(run, 'etas-2015', forRun(run, withFitOptions(ETAS_2015, options.fitOptions ?? {})), options);
  }
}

/**
 * The runners of 'etas' (placed boxes) and 'etas-grid' (the same forecasts on the grid) among
 * `names`, sharing one rolling model: whichever is called first in a window forecasts it, the
 * other hands back the same scores. Empty when neither is named.
 */
export function etasRunners(run: EvaluationRun, names: readonly string[], options: RunnerOptions): ModelRunner[] {
  const wanted = (['etas', 'etas-grid'] as const).filter((n) => names.includes(n));
  if (wanted.length === 0) return [];
  const config = forRun(run, checkEtasConfig(options.etasConfig ?? ETAS_DEFAULTS));
  const base = rollingEtasRunner(run, 'etas', config, options);
  const note = `etas: ${describeEtasConfig(config)}${run.months ? ' (month mode: no shift profile)' : ''}.`;
  let lastWindow = -1;
  let last: ModelForecast | null = null;
  const forecast = (w: EvalWindow, windowIndex: number): ModelForecast => {
    if (windowIndex !== lastWindow || last === null) {
      last = base.forecast(w, windowIndex);
      lastWindow = windowIndex;
    }
    return last;
  };
  return wanted.map((name, i) => ({
    name,
    forecast,
    ...(i === 0 && base.fitLog ? { fitLog: base.fitLog } : {}),
    ...(i === 0 ? { note } : {}),
    ...(name === 'etas' ? { placed: true } : {}),
  }));
}

/** A kernel baseline (baselines.ts): incremental scores, O(C) per window plus the events entering or leaving. */
export function kernelRunner(
  run: EvaluationRun,
  name: string,
  spec: KernelSpec,
  hood: Neighbourhood,
  countScale: (w: EvalWindow) => number | null,
): ModelRunner {
  const scorer = new KernelScorer(run.stream, hood, run.study.cells.length, spec);
  return { name, forecast: (w) => ({ scores: scorer.scoresAt(w.startMs), countScale: countScale(w) }) };
}

/**
 * Counts of the incidents known in the last `days` days (Infinity: all history), as
 * 'naive-28', 'naive-365' and 'naive-all'; as counts, expected events in the window are
 * count × window hours / hours counted over.
 */
export function naiveRunner(run: EvaluationRun, days: number): ModelRunner {
  const hood = selfNeighbourhood(run.studyOfSource);
  const name = days === Infinity ? 'naive-all' : `naive-${days}`;
  if (days !== Infinity) return kernelRunner(run, name, naiveKernel(days), hood, (w) => w.hours / (days * 24));
  const firstKnownMs = run.stream.knownMs[0]!;
  return kernelRunner(run, name, naiveKernel(Infinity), hood, (w) => w.hours / Math.max(1, (w.startMs - firstKnownMs) / HOUR_MS));
}

const wideHoods = new WeakMap<EvaluationRun, Neighbourhood>();

/**
 * The study cells within {@link PROSPECTIVE_RADIUS_KM} of every source cell (the hotspot
 * baselines' neighbourhood), built once per run. O(sources · neighbours).
 */
export function wideNeighbourhood(run: EvaluationRun): Neighbourhood {
  const known = wideHoods.get(run);
  if (known) return known;
  const sources = run.events.cells;
  const offsets = new Int32Array(sources.length + 1);
  const target: number[] = [];
  const distanceKm: number[] = [];
  const grid: number[] = [];
  for (let s = 0; s < sources.length; s++) {
    const src = sources[s]!;
    for (const nb of neighboursWithinKm(src, PROSPECTIVE_RADIUS_KM)) {
      const t = run.study.index.get(nb.cell);
      if (t === undefined) continue;
      target.push(t);
      distanceKm.push(nb.distanceKm);
      grid.push(nb.cell === src ? 0 : gridDistance(src, nb.cell));
    }
    offsets[s + 1] = target.length;
  }
  const hood = { offsets, target: Int32Array.from(target), distanceKm: Float64Array.from(distanceKm), gridDistance: Int32Array.from(grid) };
  wideHoods.set(run, hood);
  return hood;
}

/**
 * The floor: as a density the uniform one (score ∝ cell area: log score 0); as a ranking a
 * fresh seeded random order every window. O(C) per window.
 */
export function randomRunner(run: EvaluationRun, seed: number): ModelRunner {
  const rand = seededRandom(seed);
  const uniform = Float64Array.from(run.study.cellAreaKm2);
  const C = run.study.cells.length;
  return { name: 'random', forecast: () => ({ scores: uniform, order: randomOrder(C, rand), countScale: null }) };
}

/** The ceiling: each window's actual counts per study cell. O(C + events) per window. */
export function oracleRunner(run: EvaluationRun): ModelRunner {
  const actual = new Float64Array(run.study.cells.length);
  return {
    name: 'oracle',
    forecast(_w, windowIndex) {
      actual.fill(0);
      for (const c of run.actuals.byWindow[windowIndex]!) if (c >= 0) actual[c]! += 1;
      return { scores: actual, countScale: 1 };
    },
  };
}

/**
 * The events of the run known at or before `limitMs` (same order, same cells). O(N).
 */
export function knownEvents(run: EvaluationRun, limitMs: number): EventSet {
  const set = run.events;
  const known = run.eventKnownMs;
  const n = set.cell.length;
  let m = 0;
  for (let k = 0; k < n; k++) if (known[k]! <= limitMs) m++;
  const cell = new Int32Array(m);
  const tHours = new Float64Array(m);
  const incidentIndex = new Int32Array(m);
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (!(known[k]! <= limitMs)) continue;
    cell[j] = set.cell[k]!;
    tHours[j] = set.tHours[k]!;
    incidentIndex[j] = set.incidentIndex[k]!;
    j++;
  }
  return {
    originMs: set.originMs,
    cells: set.cells,
    cell,
    tHours,
    incidentIndex,
    ...(set.monthPlacement ? { monthPlacement: set.monthPlacement } : {}),
  };
}

/**
 * A plug-in model: per window, the events known at its start, its scores moved onto the study
 * cells. O(N) per window for the history it is handed.
 * @throws {EvaluateError} E_ARGUMENT when the plug-in gives a negative or non-finite score
 */
export function pluginRunner(run: EvaluationRun, plugin: BacktestModelPlugin): ModelRunner {
  const C = run.study.cells.length;
  return {
    name: plugin.name,
    forecast(w, windowIndex) {
      const out = plugin.forecast(w, knownEvents(run, w.startMs), { res: run.res, tz: run.tz, windowIndex });
      const scores = new Float64Array(C);
      for (let k = 0; k < out.cells.length; k++) {
        const idx = run.study.index.get(out.cells[k]!);
        const v = out.scores[k]!;
        if (!(v >= 0) || v === Infinity) {
          throw new EvaluateError(
            'E_ARGUMENT',
            `model "${plugin.name}" gave cell ${out.cells[k]} the score ${v} in window ${w.label}: scores must be finite and ≥ 0`,
            v,
          );
        }
        if (idx !== undefined) scores[idx] = v;
      }
      return { scores, countScale: plugin.countsForecast ? 1 : null };
    },
  };
}

/** The configuration as a run uses it: month mode switches the shift profile off (month-precise times have no time of day). */
function forRun(run: EvaluationRun, config: EtasConfig): EtasConfig {
  return run.months && config.profile !== null ? { ...config, profile: null } : config;
}

/** Options of {@link rollingModelFor}. */
export interface RollingOptions {
  /** Refit interval in days (month mode: every month regardless). */
  readonly refitEveryDays: number;
  readonly shouldCancel?: () => boolean;
  /** Recency settings scored on every fit (default the configuration's own). */
  readonly recencyVariants?: readonly RecencyVariant[];
  /** H3 rings shared between models (ring spread). */
  readonly ringCache?: Map<H3Cell, H3Cell[][]>;
}

/** The rolling ETAS model (rolling.ts) of a run under `config`. */
export function rollingModelFor(run: EvaluationRun, name: string, config: EtasConfig, options: RollingOptions): EtasRollingModel {
  return new EtasRollingModel({
    events: run.events,
    eventKnownMs: run.eventKnownMs,
    timeUnknown: run.timeUnknown,
    res: run.res,
    tz: run.tz,
    studyOfCell: run.studyOfSource,
    studyCells: run.study.cells,
    districtOf: run.districts.byCell,
    config,
    refitEveryDays: run.months ? 0 : options.refitEveryDays,
    months: run.months,
    name,
    ...(options.shouldCancel ? { shouldCancel: options.shouldCancel } : {}),
    ...(options.recencyVariants ? { recencyVariants: options.recencyVariants } : {}),
    ...(options.ringCache ? { ringCache: options.ringCache } : {}),
  });
}

/**
 * The ETAS model under `config`, refitted on a schedule and forecasting every window
 * (rolling.ts): 'etas' (its configuration) and 'etas-2015' (the preset with the analyst's fit
 * options) are both this runner. Cost: the fits, then O(C · bins + recent events) per window.
 */
export function rollingEtasRunner(
  run: EvaluationRun,
  name: string,
  config: EtasConfig,
  options: Pick<RunnerOptions, 'refitEveryDays' | 'shouldCancel'>,
): ModelRunner {
  const model = rollingModelFor(run, name, config, options);
  const windowFit = new Array<number>(run.windows.length).fill(-1);
  return {
    name,
    fitLog: { fits: model.fits, windowFit },
    forecast(w, windowIndex) {
      const [scores] = model.forecast(w, windowIndex);
      windowFit[windowIndex] = model.fits.length - 1;
      return { scores: scores!, countScale: 1 };
    },
  };
}

/**
 * One runner per recency variant of one rolling model (tuning): the first runner's forecast
 * forecasts every variant at once, the others hand back theirs. Run them together, first first.
 */
export function recencyVariantRunners(model: EtasRollingModel): ModelRunner[] {
  let latest: Float64Array[] = [];
  return model.recencyVariants.map((v, h) => ({
    name: `half-life ${v.halfLifeDays} d, all-history weight ${v.allHistoryWeight}`,
    forecast(w, windowIndex) {
      if (h === 0) latest = model.forecast(w, windowIndex);
      return { scores: latest[h]!, countScale: 1 };
    },
  }));
}
