/**
 * The rolling-origin backtest: replay shift after shift, let every model forecast each shift from
 * what was known before it started, and score the forecasts on what happened in it.
 *
 * Leakage rule (see timing.ts): a model forecasting the window [s, e) sees an incident only when
 * the incident's whole time period ended at or before s. ETAS is refitted on a schedule (default
 * every day, warm-started from the previous fit) on the incidents known at the refit instant,
 * which is itself a shift start; between refits its forecasts still use every incident known
 * before each shift (the triggering part), with the parameters of the last fit.
 *
 * The backtest is the composition of the evaluation's phases, each callable on its own:
 * prepare.ts `prepareEvaluation` (windows, known-from instants, history, study cells,
 * districts, actuals), runners.ts (one runner per model), score.ts `scoreWindows` (the replay)
 * and summarise.ts `summarise` (intervals, paired differences, the report).
 *
 * Cost: O(N log N) to prepare (N incidents), then per shift O(C log C) per ranking model
 * (C study cells) plus the events entering the baselines' windows; ETAS adds its fits and an
 * O(recent events + C) forecast per shift.
 */
import type { EtasFitOptions } from '../types.ts';
import type { EtasConfig } from '../model/index.ts';
import { EvaluateError } from './errors.ts';
import { EVALUATION_DEFAULTS, prepareEvaluation, type EvaluationInput } from './prepare.ts';
import type { BacktestReport } from './report.ts';
import {
  BACKTEST_MODELS,
  builtInRunner,
  etasRunners,
  pluginRunner,
  type BacktestModelName,
  type BacktestModelPlugin,
  type ModelRunner,
} from './runners.ts';
import { scoreWindows, type ScoreHooks } from './score.ts';
import { summarise } from './summarise.ts';

export { BACKTEST_MODELS, type BacktestModelName, type BacktestModelPlugin } from './runners.ts';
export { ETAS_HISTORY_MEAN_DELAYS } from './rolling.ts';
export { MAX_STUDY_CELLS } from './area.ts';

/** Defaults of {@link backtest}. */
export const BACKTEST_DEFAULTS = {
  ...EVALUATION_DEFAULTS,
  refitEveryDays: 1,
  seed: 1,
  bootstrapResamples: 1000,
} as const;

/** What a backtest runs on: the run's data and periods (prepare.ts EvaluationInput) and the model choices. */
export interface BacktestInput extends Omit<EvaluationInput, 'readBeforeMs' | 'wholeWindows' | 'periodName'> {
  /** ETAS refit interval in days (default 1; in month mode ETAS is refitted every month regardless). */
  readonly refitEveryDays?: number;
  /** Models to run (default all of {@link BACKTEST_MODELS}). */
  readonly models?: readonly string[];
  /** Overrides of the `etas-2015` preset (engine/model ETAS_2015): bounds, fixed values, EM limits. */
  readonly fitOptions?: EtasFitOptions;
  /**
   * Configuration of `etas` (engine/model: recency, shift-type profiles, triggering); default
   * ETAS_DEFAULTS. In month mode its profile is switched off.
   */
  readonly etasConfig?: EtasConfig;
  /** Seed of the random baseline and of the bootstrap (default 1). */
  readonly seed?: number;
  /** Bootstrap resamples (default 1000). */
  readonly bootstrapResamples?: number;
  /** Extra models, run after the built-in ones named in `models`. */
  readonly plugins?: readonly BacktestModelPlugin[];
  /** The model the paired differences are taken against (default 'etas' when run, else none). */
  readonly reference?: string;
}

export interface BacktestHooks extends ScoreHooks {
  /** A clock in milliseconds (e.g. performance.now), only to report wallSeconds. */
  now?(): number;
}

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/** The backtest's own checks (the run's are prepareEvaluation's). @throws {EvaluateError} E_ARGUMENT */
function checkInput(input: BacktestInput): void {
  if (input.refitEveryDays !== undefined && !(input.refitEveryDays > 0))
    fail(`refit interval must be a positive number of days, got ${String(input.refitEveryDays)}`);
  if (input.top !== undefined && !(Number.isInteger(input.top) && input.top >= 1))
    fail(`top must be a whole number ≥ 1, got ${String(input.top)}`);
  for (const m of input.models ?? []) {
    if (!(BACKTEST_MODELS as readonly string[]).includes(m)) fail(`unknown model "${m}" (known: ${BACKTEST_MODELS.join(', ')})`, m);
  }
  const pluginNames = (input.plugins ?? []).map((p) => p.name);
  for (const name of pluginNames) {
    if ((BACKTEST_MODELS as readonly string[]).includes(name)) fail(`plugin model "${name}" clashes with a built-in model`, name);
    if (pluginNames.indexOf(name) !== pluginNames.lastIndexOf(name)) fail(`two plugin models are named "${name}"`, name);
  }
  if (input.models && input.models.length === 0 && pluginNames.length === 0) fail('no models to run');
  if (
    input.reference !== undefined &&
    !(input.models ?? BACKTEST_MODELS).includes(input.reference) &&
    !pluginNames.includes(input.reference)
  ) {
    fail(`reference model "${input.reference}" is not among the models run`, input.reference);
  }
}

/**
 * Replays the test period window by window and scores every model; see the module comment and
 * {@link BacktestReport} for what is measured.
 *
 * @throws {EvaluateError} E_ARGUMENT (bad options), E_PRECISION (month-precision data without
 *   month mode), E_NO_HISTORY (nothing known before the first window), E_NO_SHIFTS (empty test
 *   period), E_AREA (unusable study polygon or area), E_FIT (an ETAS refit failed, naming its
 *   date), E_CANCELLED (hooks.shouldCancel); {TimeZoneError} E_TIMEZONE (unknown tz)
 */
export function backtest(input: BacktestInput, hooks: BacktestHooks = {}): BacktestReport {
  checkInput(input);
  const t0 = hooks.now?.();
  const run = prepareEvaluation(input);
  const seed = input.seed ?? BACKTEST_DEFAULTS.seed;
  const refitEveryDays = input.refitEveryDays ?? BACKTEST_DEFAULTS.refitEveryDays;
  const options = {
    refitEveryDays,
    seed,
    ...(input.etasConfig ? { etasConfig: input.etasConfig } : {}),
    ...(input.fitOptions ? { fitOptions: input.fitOptions } : {}),
    ...(hooks.shouldCancel ? { shouldCancel: () => hooks.shouldCancel!() } : {}),
  };
  const names = input.models ?? BACKTEST_MODELS;
  const shared = etasRunners(run, names, options);
  const runners: ModelRunner[] = [
    ...names.map((name) => shared.find((r) => r.name === name) ?? builtInRunner(run, name as BacktestModelName, options)),
    ...(input.plugins ?? []).map((plugin) => pluginRunner(run, plugin)),
  ];
  const scores = scoreWindows(run, runners, hooks);
  const runNames = runners.map((r) => r.name);
  const reference = input.reference ?? (runNames.includes('etas') ? 'etas' : null);
  const report = summarise(run, scores, {
    seed,
    bootstrapResamples: input.bootstrapResamples ?? BACKTEST_DEFAULTS.bootstrapResamples,
    reference,
    refitEveryDays,
  });
  const t1 = hooks.now?.();
  return t0 !== undefined && t1 !== undefined ? { ...report, wallSeconds: (t1 - t0) / 1000 } : report;
}
