/**
 * The model of a forecast or a fit: a preset's name or a configuration, with the caller's fit
 * options (bounds, fixed values, EM limit) over it, refused when it was tuned on the period it
 * would forecast; and the fit on a training set, with progress and cancel.
 */
import {
  configForData,
  ETAS_PRESETS,
  fitEtas,
  modelName,
  withFitOptions,
  type AdaptRecord,
  type EtasConfig,
  type EtasFit,
  type ModelName,
} from '../model/index.ts';
import { CodedError } from '../errors.ts';
import type { EtasFitOptions, Incident } from '../types.ts';
import { fitAdaptive } from './adaptive.ts';
import { ServiceError } from './errors.ts';
import type { TrainingSet } from './training.ts';

/** Which model: a preset by name ('etas', the default; 'etas-2015') or a configuration (e.g. from `patrolcast tune`). */
export type ModelChoice = ModelName | EtasConfig;

/** The stages the service reports to {@link ServiceHooks.onStage}. */
export type ServiceStage = 'training-set' | 'fit' | 'forecast';

/** Progress and cancel (the CLI's progress bar, the web worker's progress messages). */
export interface ServiceHooks {
  /** A stage begins; for 'fit', `maxIterations` is the EM's iteration limit. */
  readonly onStage?: (stage: ServiceStage, detail: { readonly maxIterations?: number }) => void;
  /** Once per EM iteration: its number (0 = starting values) and the objective reached. */
  readonly onIteration?: (iteration: number, objective: number) => void;
  /** Polled between stages and by the EM; return true to stop (E_CANCELLED). */
  readonly shouldCancel?: () => boolean;
}

/**
 * The configuration to fit: the preset named, or the configuration given, with `fitOptions`
 * applied over it (engine/model withFitOptions).
 * @throws {ServiceError} E_ARGUMENT for a name that is no preset; {ModelError} E_OPTIONS for a
 *   bad option or configuration (naming the field)
 */
export function resolveModel(model: ModelChoice | undefined, fitOptions: EtasFitOptions = {}): EtasConfig {
  const choice = model ?? 'etas';
  let config: EtasConfig;
  if (typeof choice === 'string') {
    if (!Object.hasOwn(ETAS_PRESETS, choice)) {
      throw new ServiceError('E_ARGUMENT', `unknown model "${String(choice)}" (known: ${Object.keys(ETAS_PRESETS).join(', ')})`, choice);
    }
    config = ETAS_PRESETS[choice];
  } else {
    config = choice;
  }
  return withFitOptions(config, fitOptions);
}

/**
 * Refuses a configuration tuned on a period reaching past `fromMs` (a forecast's shift start, a
 * fit's end, a backtest's first window): its choices could have seen the incidents it forecasts.
 * @throws {ServiceError} E_CONFIG_OVERLAP (value: the configuration's tuning record)
 */
export function checkTunedBefore(config: EtasConfig, fromMs: number): void {
  const t = config.tuning;
  if (t !== undefined && typeof t.toMs === 'number' && t.toMs > fromMs) {
    throw new ServiceError(
      'E_CONFIG_OVERLAP',
      `the configuration was tuned on ${t.from} to ${t.to}, which reaches past ${new Date(fromMs).toISOString()}: tune on a period that ends before it`,
      t,
    );
  }
}

/** Stops with E_CANCELLED when the caller asks to. @throws {ServiceError} E_CANCELLED */
export function checkCancel(hooks: ServiceHooks, what: string): void {
  if (hooks.shouldCancel?.() === true) throw new ServiceError('E_CANCELLED', `cancelled before ${what}`);
}

/**
 * Fits the model on a training set: the configuration adapted to the data (no shift profile
 * for month-precision data), the events whose time of day is unknown marked, the training
 * incidents' district labels for the profile's prior. Cost: the fit's, O(N) per EM iteration.
 * @throws {ServiceError} E_FIT when the fit fails (value: the model's error); the model's
 *   E_CANCELLED passes through unchanged
 */
export function fitTraining(
  training: TrainingSet,
  res: number,
  tz: string,
  config: EtasConfig,
  hooks: ServiceHooks,
  incidents: readonly Incident[],
  adaptChoice: AdaptRecord | null = null,
): EtasFit {
  const adapted = configForData(config, training.events);
  hooks.onStage?.('fit', { maxIterations: adapted.em.maxIterations });
  const fitHooks = {
    ...(hooks.onIteration ? { onIteration: hooks.onIteration } : {}),
    ...(hooks.shouldCancel ? { shouldCancel: hooks.shouldCancel } : {}),
  };
  try {
    // the adaptive default (docs/model.md#adaptive-default) needs each event's known-from instant, from its incident
    if (adapted.adapt) return fitAdaptive(training, incidents, res, tz, adapted, fitHooks, adaptChoice);
    return fitEtas(
      training.events,
      training.window,
      res,
      adapted,
      { tz, timeUnknown: training.timeUnknown, districtOf: training.districtOf },
      fitHooks,
    );
  } catch (err) {
    if (err instanceof CodedError && err.code === 'E_CANCELLED') throw err;
    throw new ServiceError('E_FIT', `the ${modelName(config)} fit failed: ${(err as Error).message}`, err);
  }
}
