/**
 * Fitting for the commands: the training events before a time, the 2015 fit with a progress
 * bar, the etas fit of a forecast, the fit flags applied to an etas configuration, the guard
 * against a configuration tuned on the period being forecast, and the fit's description.
 */
import { buildEventSet, describePlusConfig, ETAS_FIT_DEFAULTS, fitEtas, fitEtasPlus, plusConfigForData, timeUnknownFlags, withFitOptions } from '../engine/index.ts';
import type { EtasFit, EtasFitOptions, EtasPlusFit, EventSet, H3Cell, Incident, PlusConfig } from '../engine/index.ts';
import { CliError } from './errors.ts';
import type { Progress } from './progress.ts';

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

/** Fits with a progress bar over the EM iterations. */
export function fitWithProgress(events: EventSet, window: { startMs: number; endMs: number }, res: number, options: EtasFitOptions, progress: Progress): EtasFit {
  const total = options.maxIterations ?? ETAS_FIT_DEFAULTS.maxIterations;
  progress.start(total, 'fitting (EM iterations)');
  try {
    return fitEtas(events, window, res, options, { onIteration: (i) => progress.update(Math.min(i, total)) });
  } finally {
    progress.stop();
  }
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
export function checkTunedBefore(config: PlusConfig, fromMs: number, path: string, what: string): void {
  const t = config.tuning;
  if (t !== undefined && typeof t.toMs === 'number' && t.toMs > fromMs) {
    throw new CliError(
      `${path} was tuned on ${t.from} to ${t.to}, which reaches past the start of ${what} (${new Date(fromMs).toISOString()}): tune on a period that ends before it (--tune-to)`,
      'E_CONFIG_OVERLAP',
    );
  }
}

/** A one-paragraph description of a fitted "etas" model, for the forecast command's stderr. */
export function describePlusFit(fit: EtasPlusFit): string {
  const lines = [`Model etas (beyond 2015): ${describePlusConfig(fit.config)}.`];
  if (fit.config.triggering !== null) {
    const share = (100 * fit.triggeredShare).toFixed(1);
    lines.push(`Each crime raises the chance of another in the same box${fit.ringWeights.length > 1 ? ' (and, with weights ' + fit.ringWeights.map((w) => w.toFixed(2)).join('/') + ', in the rings around it)' : ''}, decaying with a mean delay of ${(1 / fit.omegaPerHour).toPrecision(3)} hours; ${share}% of crime is put down to triggering (θ = ${fit.theta.toPrecision(3)}).`);
  }
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/**
 * Fits the "etas" model on the training events of a forecast, marking the incidents whose time
 * of day is unknown (they carry no profile information).
 */
export function fitPlusForForecast(
  history: EventSet,
  incidents: readonly Incident[],
  window: { startMs: number; endMs: number },
  res: number,
  tz: string,
  config: PlusConfig,
  districtOf: ReadonlyMap<H3Cell, string>,
): EtasPlusFit {
  const timeUnknown = timeUnknownFlags(history, incidents);
  try {
    return fitEtasPlus(history, window, res, plusConfigForData(config, history), { tz, timeUnknown, districtOf });
  } catch (err) {
    throw new CliError(`the etas fit failed: ${(err as Error).message}`, 'E_FIT');
  }
}

/** The fit flags shared with the 2015 model (--theta-max, --min-delay-hours, --max-iterations) applied to an etas configuration. @throws CliError */
export function withFitFlags(config: PlusConfig, o: EtasFitOptions): PlusConfig {
  try {
    return withFitOptions(config, o);
  } catch (err) {
    throw new CliError((err as Error).message, 'E_CONFIG');
  }
}
