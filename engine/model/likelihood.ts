import type { EventSet, H3Cell } from '../types.ts';
import { ModelError } from './errors.ts';
import { edgeSumsOf, edgeTable } from './edge.ts';
import { eStepSameCell, newSums } from './estep.ts';
import { prepareEvents } from './prepare.ts';

const HOUR_MS = 3_600_000;

/** Model parameters: μ per cell (by the event set's cell index, or keyed by H3 cell; absent = 0), θ and ω. */
export interface EtasParams {
  readonly muPerHour: Float64Array | Readonly<Record<H3Cell, number>>;
  readonly theta: number;
  readonly omegaPerHour: number;
}

/**
 * The log-likelihood of the grid ETAS model (docs/model.md#log-likelihood) on the window [startHours, endHours)
 * of the event set's clock (hours since `events.originMs`), with the tie rule (events at the
 * same instant in the same cell do not trigger each other):
 *
 *     ℓ = Σ_j log λ_n(t_j) − T Σ_n μ_n − θ Σ_i (1 − exp(−ω (T − t_i)))
 *
 * T = endHours − startHours; the μ sum runs over every cell of `events.cells` (or every key of
 * a record). −Infinity when an event's intensity is 0 (a cell with events and μ = 0).
 * The 2015 model's ℓ (no profile, same-cell triggering); the fit's `logLikelihood` generalises it.
 * Cost O(N).
 *
 * @throws {ModelError} E_PARAMS (θ, ω or μ out of domain, or a Float64Array of the wrong
 *   length), and those of the event checks (E_EVENTS, E_WINDOW)
 * @example
 * // One event at t = 0 in a window of 10 h, μ = 0.1/h, no triggering: log 0.1 − 0.1·10
 * const events = { originMs: 0, cells: ['8a28de8d8c77fff'], cell: Int32Array.of(0), tHours: Float64Array.of(0), incidentIndex: Int32Array.of(0) };
 * etasLogLikelihood(events, 10, { muPerHour: new Float64Array([0.1]), theta: 0, omegaPerHour: 1 }) // => Math.log(0.1) - 1
 */
export function etasLogLikelihood(events: EventSet, endHours: number, params: EtasParams, startHours = 0): number {
  const { theta, omegaPerHour } = params;
  if (!(theta >= 0) || !Number.isFinite(theta)) throw new ModelError('E_PARAMS', `θ must be a finite number ≥ 0, got ${theta}`, theta);
  if (!(omegaPerHour > 0) || !Number.isFinite(omegaPerHour))
    throw new ModelError('E_PARAMS', `ω must be a positive finite rate per hour, got ${omegaPerHour}`, omegaPerHour);
  const mu = new Float64Array(events.cells.length);
  let extraMu = 0;
  if (params.muPerHour instanceof Float64Array) {
    if (params.muPerHour.length !== events.cells.length) {
      throw new ModelError(
        'E_PARAMS',
        `muPerHour has ${params.muPerHour.length} entries for ${events.cells.length} cells`,
        params.muPerHour.length,
      );
    }
    mu.set(params.muPerHour);
  } else {
    const index = new Map(events.cells.map((c, k) => [c, k] as const));
    for (const [cell, value] of Object.entries(params.muPerHour)) {
      const k = index.get(cell);
      if (k === undefined) extraMu += value;
      else mu[k] = value;
    }
  }
  for (const v of mu)
    if (!(v >= 0) || !Number.isFinite(v)) throw new ModelError('E_PARAMS', `every μ must be a finite rate ≥ 0, got ${v}`, v);
  if (!(extraMu >= 0) || !Number.isFinite(extraMu)) throw new ModelError('E_PARAMS', 'every μ must be a finite rate ≥ 0', extraMu);
  const o = events.originMs;
  const prep = prepareEvents(
    events,
    { startMs: o + startHours * HOUR_MS, endMs: o + endHours * HOUR_MS },
    { calendar: null, timeUnknown: null },
  );
  const sums = newSums(prep, 0);
  eStepSameCell(
    prep,
    { mu, h: new Float64Array(mu.length).fill(1), theta, omega: omegaPerHour, ringWeightPerCell: Float64Array.of(1) },
    sums,
    null,
  );
  let muSum = extraMu;
  for (let c = 0; c < mu.length; c++) muSum += mu[c]!;
  const offspring = theta === 0 ? 0 : prep.events - edgeSumsOf(edgeTable(prep.remaining), omegaPerHour).e0;
  return sums.sumLog - prep.windowHours * muSum - theta * offspring;
}
