/**
 * Small rules shared by every caller of the model (CLI, web worker, backtest, tune), so they
 * cannot drift apart: which events carry no time of day, what month-precision data does to the
 * profile, how the fit flags map onto a configuration, and which θ and ω explain a box.
 */
import type { EtasFitOptions, EventSet, Incident } from '../types.ts';
import { checkEtasConfig, type EtasConfig } from './config.ts';
import { ModelError } from './errors.ts';
import type { EtasFit } from './fitfile.ts';

/** True when the incident's time of day is unknown (00:00 in minute data, or day precision): it counts in μ_n but not in the profile. */
export function hasUnknownTimeOfDay(incident: Incident): boolean {
  return incident.timeOfDayUnknown || incident.precision === 'day';
}

/**
 * Per event of `events` (aligned with its arrays): 1 when its incident's time of day is unknown.
 * O(N).
 */
export function timeUnknownFlags(events: EventSet, incidents: readonly Incident[]): Uint8Array {
  const n = events.incidentIndex.length;
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) if (hasUnknownTimeOfDay(incidents[events.incidentIndex[k]!]!)) out[k] = 1;
  return out;
}

/** Month-precision data carries no time of day: the shift profile is switched off for it. */
export function configForData(config: EtasConfig, events: EventSet): EtasConfig {
  return (events.precisionCounts?.month ?? 0) > 0 && config.profile !== null ? { ...config, profile: null } : config;
}

/**
 * The fit flags (θ bound, delay bounds, fixed θ or delay, EM limits) applied over a
 * configuration; a flag left out keeps the configuration's value. Bounds are ignored when the
 * configuration has no triggering. A fixed θ or delay switches the adaptive selection off.
 * @throws {ModelError} E_OPTIONS when a fixed value is given for a configuration without
 *   triggering, or the result is not a valid configuration (naming the field)
 */
export function withFitOptions(config: EtasConfig, o: EtasFitOptions): EtasConfig {
  let c = config;
  if (o.maxIterations !== undefined || o.relTolerance !== undefined) {
    c = {
      ...c,
      em: {
        ...c.em,
        ...(o.maxIterations !== undefined ? { maxIterations: o.maxIterations } : {}),
        ...(o.relTolerance !== undefined ? { relTolerance: o.relTolerance } : {}),
      },
    };
  }
  const fixed = o.fixedTheta !== undefined || o.fixedMeanDelayHours !== undefined;
  // a fixed θ or delay is the analyst choosing the model: no adaptive selection (docs/model.md#adaptive-default)
  if (fixed && c.adapt) c = { ...c, adapt: null };
  if (c.triggering === null) {
    if (fixed)
      throw new ModelError(
        'E_OPTIONS',
        'a fixed θ or mean delay needs a model with triggering (this configuration has "triggering": null)',
        o.fixedTheta ?? o.fixedMeanDelayHours,
      );
    return checkEtasConfig(c);
  }
  const t: Record<string, unknown> = { ...c.triggering };
  for (const key of ['thetaMax', 'minMeanDelayHours', 'maxMeanDelayHours', 'fixedTheta', 'fixedMeanDelayHours'] as const) {
    if (o[key] !== undefined) t[key] = o[key];
  }
  return checkEtasConfig({ ...c, triggering: t });
}

/** θ and ω that explain a box's recent incidents: the same-cell part of the triggering, θ·w_0 (0 without triggering). */
export function contributorParams(fit: EtasFit): { theta: number; omegaPerHour: number } {
  return { theta: fit.theta * (fit.ringWeights[0] ?? 0), omegaPerHour: fit.omegaPerHour };
}
