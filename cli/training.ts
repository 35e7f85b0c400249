/**
 * Fitting for the commands: the model named by --model and its configuration, the training
 * events before a time, the fit of a forecast with a progress bar, the fit flags applied to a
 * configuration, the guard against a configuration tuned on the period being forecast, and the
 * fit's description.
 */
import { buildEventSet, configForData, describeEtasConfig, describeFit, ETAS_PRESETS, fitEtas, modelName, timeUnknownFlags, withFitOptions } from '../engine/index.ts';
import type { EtasConfig, EtasFit, EtasFitOptions, EventSet, H3Cell, Incident, ModelName } from '../engine/index.ts';
import { CliError } from './errors.ts';
import { readConfigFile } from './files.ts';
import type { Progress } from './progress.ts';

/**
 * The model named by --model (default etas) and its starting configuration: --config for etas,
 * else the preset. @throws CliError for an unknown name, or --config with etas-2015
 */
export async function modelConfig(model: string | undefined, configPath: string | undefined): Promise<{ name: ModelName; config: EtasConfig }> {
  const name = model ?? 'etas';
  if (name !== 'etas' && name !== 'etas-2015') throw new CliError(`--model must be etas or etas-2015, got "${name}"`, 'E_BAD_OPTION');
  if (name === 'etas-2015' && configPath !== undefined) throw new CliError('--config sets up the etas model; it has no effect with --model etas-2015', 'E_BAD_OPTION');
  return { name, config: configPath === undefined ? ETAS_PRESETS[name] : await readConfigFile(configPath) };
}

/** Events before `endMs` (kept by `include`), with t = 0 at the earliest of them. @throws CliError when none */
export function trainingEvents(
  incidents: readonly Incident[],
  res: number,
  endMs: number,
  include: ((inc: Incident) => boolean) | null,
  what: string,
): { events: EventSet; startMs: number } {
  let startMs = Number.POSITIVE_INFINITY;
  for (const inc of incidents) if (inc.timeMs < endMs && inc.timeMs < startMs && (include === null || include(inc))) startMs = inc.timeMs;
  if (startMs === Number.POSITIVE_INFINITY) {
    throw new CliError(`no incident${include ? ' of the chosen categories' : ''} before ${what} (${new Date(endMs).toISOString()}): nothing to fit`, 'E_NO_EVENTS');
  }
  const events = buildEventSet(incidents, res, startMs, { endMs, ...(include ? { include } : {}) });
  return { events, startMs };
}

/** A sentence warning that month-precision data cannot support shift forecasts, or null. */
export function monthPrecisionWarning(events: EventSet): string | null {
  const month = events.precisionCounts?.month ?? 0;
  if (month === 0) return null;
  const n = events.tHours.length;
  return `${month} of ${n} training incidents (${Math.round((100 * month) / n)}%) are known only to the month: the fit can support month-ahead forecasts, but shift-level (8-hour) forecasts need times to the hour or minute.`;
}

/**
 * Refuses a configuration tuned on a period reaching past `fromMs` (the start of a backtest's
 * test period, or a forecast's shift): its choices could have seen the incidents being scored.
 * @throws CliError E_CONFIG_OVERLAP
 */
export function checkTunedBefore(config: EtasConfig, fromMs: number, path: string, what: string): void {
  const t = config.tuning;
  if (t !== undefined && typeof t.toMs === 'number' && t.toMs > fromMs) {
    throw new CliError(
      `${path} was tuned on ${t.from} to ${t.to}, which reaches past the start of ${what} (${new Date(fromMs).toISOString()}): tune on a period that ends before it (--tune-to)`,
      'E_CONFIG_OVERLAP',
    );
  }
}

/** A fit in words for the terminal: its model and configuration, the parameters in words, its warnings. */
export function describeFitForTerminal(fit: EtasFit): string {
  const name = modelName(fit.config) === 'etas' ? 'etas (beyond 2015)' : 'etas-2015 (Mohler et al. 2015)';
  const lines = [`Model ${name}: ${describeEtasConfig(fit.config)}.`, describeFit(fit)];
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/**
 * Fits the model on the training events of a forecast (or of `patrolcast fit`), marking the
 * incidents whose time of day is unknown (they carry no profile information), with a progress
 * bar over the EM iterations.
 * @throws CliError E_FIT when the fit fails
 */
export function fitForForecast(
  history: EventSet,
  incidents: readonly Incident[],
  window: { startMs: number; endMs: number },
  res: number,
  tz: string,
  config: EtasConfig,
  districtOf: ReadonlyMap<H3Cell, string>,
  progress: Progress,
): EtasFit {
  const timeUnknown = timeUnknownFlags(history, incidents);
  const total = config.em.maxIterations;
  progress.start(total, 'fitting (EM iterations)');
  try {
    return fitEtas(history, window, res, configForData(config, history), { tz, timeUnknown, districtOf }, { onIteration: (i) => progress.update(Math.min(i, total)) });
  } catch (err) {
    throw new CliError(`the ${modelName(config)} fit failed: ${(err as Error).message}`, 'E_FIT');
  } finally {
    progress.stop();
  }
}

/** The fit flags (--theta-max, --min-delay-hours, --fixed-theta, --fixed-delay-hours, --max-iterations) applied over a configuration. @throws CliError */
export function withFitFlags(config: EtasConfig, o: EtasFitOptions): EtasConfig {
  try {
    return withFitOptions(config, o);
  } catch (err) {
    throw new CliError((err as Error).message, 'E_CONFIG');
  }
}
