/**
 * The commands' side of the engine's service (engine/service: the training set, the fit, the
 * boxes): the model named by --model and its configuration, the fit flags applied to it, the
 * guard against a configuration tuned on the period being forecast (in the commands' words),
 * the fit's progress bar, the service's errors in the commands' words, and the fit's
 * description for the terminal.
 */
import {
  checkTunedBefore as checkTunedBeforeEngine,
  describeEtasConfig,
  describeFit,
  ETAS_PRESETS,
  formatLocalInstant,
  modelName,
  ServiceError,
  withFitOptions,
} from '../engine/index.ts';
import type { EtasConfig, EtasFit, EtasFitOptions, ModelName, ServiceHooks } from '../engine/index.ts';
import { CliError } from './errors.ts';
import { readConfigFile } from './files.ts';
import type { Progress } from './progress.ts';

/**
 * The model named by --model (default etas) and its starting configuration: --config for etas,
 * else the preset. @throws CliError for an unknown name, or --config with etas-2015
 */
export async function modelConfig(
  model: string | undefined,
  configPath: string | undefined,
): Promise<{ name: ModelName; config: EtasConfig }> {
  const name = model ?? 'etas';
  if (name !== 'etas' && name !== 'etas-2015') throw new CliError(`--model must be etas or etas-2015, got "${name}"`, 'E_BAD_OPTION');
  if (name === 'etas-2015' && configPath !== undefined)
    throw new CliError('--config sets up the etas model; it has no effect with --model etas-2015', 'E_BAD_OPTION');
  return { name, config: configPath === undefined ? ETAS_PRESETS[name] : await readConfigFile(configPath) };
}

/**
 * Refuses a configuration tuned on a period reaching past `fromMs` (the start of a backtest's
 * test period, or a forecast's shift): the engine's rule (engine/service checkTunedBefore),
 * in the commands' words. @throws CliError E_CONFIG_OVERLAP
 */
export function checkTunedBefore(config: EtasConfig, fromMs: number, path: string, what: string, tz?: string): void {
  try {
    checkTunedBeforeEngine(config, fromMs);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    const t = config.tuning!;
    throw new CliError(
      `${path} was tuned on ${t.from} to ${t.to}, which reaches past the start of ${what} (${tz === undefined ? new Date(fromMs).toISOString() : formatLocalInstant(fromMs, tz)}): tune on a period that ends before it (--tune-to)`,
      'E_CONFIG_OVERLAP',
    );
  }
}

/** A fit in words for the terminal: its model and configuration, the parameters in words, its warnings. */
export function describeFitForTerminal(fit: EtasFit): string {
  const name = modelName(fit.config) === 'etas' ? 'etas (beyond 2015)' : 'etas-2015 (Mohler et al. 2015)';
  const lines = [`Model ${name}: ${describeEtasConfig(fit.config)}.`, describeFit(fit)];
  // the adaptive default's choice and why, in one line (docs/model.md#adaptive-default)
  if (fit.adapt) lines.push(`Adaptive: forecasts with ${fit.adapt.reason}.`);
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** The fit flags (--theta-max, --min-delay-hours, --fixed-theta, --fixed-delay-hours, --max-iterations) applied over a configuration. @throws CliError */
export function withFitFlags(config: EtasConfig, o: EtasFitOptions): EtasConfig {
  try {
    return withFitOptions(config, o);
  } catch (err) {
    throw new CliError((err as Error).message, 'E_CONFIG');
  }
}

/** The service's hooks drawing a progress bar over the EM iterations (stopped by `done`, also on failure). */
export function fitProgress(progress: Progress): { hooks: ServiceHooks; done: () => void } {
  let total = 0;
  const hooks: ServiceHooks = {
    onStage: (stage, detail) => {
      if (stage === 'fit') progress.start((total = detail.maxIterations ?? 0), 'fitting (EM iterations)');
      else progress.stop();
    },
    onIteration: (i) => progress.update(Math.min(i, total)),
  };
  return { hooks, done: () => progress.stop() };
}

/** What the command was asked, to word the service's errors as the command's. */
export interface ServiceErrorContext {
  /** The training end in words: 'the shift start --at' or '--until'. */
  readonly what: string;
  /** True when a category filter is on. */
  readonly filtered: boolean;
  /** --fit-in's file and --at's text, for a saved fit trained past the shift. */
  readonly fitIn?: string;
  readonly at?: string;
  readonly shiftStartMs?: number;
  /** The data files, named in an E_FIT_DATA refusal. */
  readonly files?: readonly string[];
  /** The zone the instants are printed in (local time with the zone). */
  readonly tz: string;
}

/**
 * The engine service's errors in the command's words (flags and files named): no training
 * incident (E_NO_EVENTS), a saved fit trained past the shift (E_FIT_LEAK); anything else as it is.
 */
export function serviceErrorForCli(err: unknown, ctx: ServiceErrorContext): unknown {
  if (!(err instanceof ServiceError)) return err;
  const iso = (ms: unknown): string => formatLocalInstant(ms as number, ctx.tz);
  if (err.code === 'E_NO_EVENTS') {
    return new CliError(
      `no incident${ctx.filtered ? ' of the chosen categories' : ''} before ${ctx.what} (${iso(err.value)}): nothing to fit`,
      'E_NO_EVENTS',
    );
  }
  if (err.code === 'E_FIT_LEAK' && ctx.fitIn !== undefined) {
    return new CliError(
      `${ctx.fitIn} was trained on data up to ${iso(err.value)}, after the shift start ${iso(ctx.shiftStartMs)}: a forecast may only use what was known before the shift; refit with --until ${ctx.at} or earlier`,
      'E_FIT_LEAK',
    );
  }
  if (err.code === 'E_FIT_DATA' && ctx.fitIn !== undefined) {
    return new CliError(
      `${ctx.fitIn} does not fit ${(ctx.files ?? []).join(', ')}: ${err.message}; refit on this data (patrolcast fit)`,
      'E_FIT_DATA',
    );
  }
  return err;
}
