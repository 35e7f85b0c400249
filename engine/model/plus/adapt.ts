/**
 * Small rules shared by every caller of the "etas" model (CLI, web worker, backtest, tune), so
 * they cannot drift apart: which events carry no time of day, what month-precision data does to
 * the profile, how the 2015 fit flags map onto a configuration, and which θ and ω explain a box.
 */
import type { EtasFitOptions, EventSet, Incident } from '../../types.ts';
import { ModelError } from '../errors.ts';
import { checkPlusConfig, type PlusConfig } from './config.ts';
import type { EtasPlusFit } from './fit.ts';

/** True when the incident's time of day is unknown (00:00 in minute data, or day precision): it counts in μ_n but not in the profile. */
export function hasUnknownTimeOfDay(incident: Incident): boolean {
  return incident.timeOfDayUnknown || incident.precision === 'day';
}

/**
 * Per event of `events` (aligned with its arrays): 1 when its incident's time of day is unknown.
 * O(N).
 */
export function timeUnknownFlags(events: EventSet, incidents: readonly Incident[]): Uint8Array {
  return Uint8Array.from(events.incidentIndex, (i) => (hasUnknownTimeOfDay(incidents[i]!) ? 1 : 0));
}

/** Month-precision data carries no time of day: the shift profile is switched off for it. */
export function plusConfigForData(config: PlusConfig, events: EventSet): PlusConfig {
  return (events.precisionCounts?.month ?? 0) > 0 && config.profile !== null ? { ...config, profile: null } : config;
}

/**
 * The fit options shared with the 2015 model (θ bound, delay floor, EM iteration limit) applied
 * to an etas configuration. Fixed θ or delay exist only in the 2015 model.
 * @throws {ModelError} E_OPTIONS when `o` fixes θ or the delay, or the result is not a valid configuration
 */
export function withFitOptions(config: PlusConfig, o: EtasFitOptions): PlusConfig {
  if (o.fixedTheta !== undefined || o.fixedMeanDelayHours !== undefined) {
    throw new ModelError('E_OPTIONS', 'a fixed θ or mean delay applies to the etas-2015 model only (bound the etas model with a θ maximum and a delay floor instead)', o);
  }
  let c = config;
  if (o.maxIterations !== undefined) c = { ...c, em: { ...c.em, maxIterations: o.maxIterations } };
  if (c.triggering !== null && (o.thetaMax !== undefined || o.minMeanDelayHours !== undefined)) {
    c = {
      ...c,
      triggering: {
        ...c.triggering,
        ...(o.thetaMax !== undefined ? { thetaMax: o.thetaMax } : {}),
        ...(o.minMeanDelayHours !== undefined ? { minMeanDelayHours: o.minMeanDelayHours } : {}),
      },
    };
  }
  return checkPlusConfig(c);
}

/** θ and ω that explain a box's recent incidents: the same-cell part of the triggering, θ·w_0. */
export function contributorParams(fit: EtasPlusFit): { theta: number; omegaPerHour: number } {
  return { theta: fit.theta * (fit.ringWeights[0] ?? 0), omegaPerHour: fit.omegaPerHour };
}
