/** Hand-made fits and event sets for the forecast tests (no fitting involved). */
import { ETAS_2015, type EtasFit } from '../../engine/model/index.ts';
import type { EventSet, H3Cell, Incident } from '../../engine/types.ts';

export const HOUR_MS = 3_600_000;

/**
 * A fit of the 2015 preset (no profile, same-cell triggering) with just the fields a forecast
 * reads: θ, ω and the background rate μ = r per cell; the rest are plausible placeholders.
 */
export function makeFit(theta: number, omegaPerHour: number, muPerHour: Record<H3Cell, number>, res = 10): EtasFit {
  return {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config: ETAS_2015,
    tz: null,
    res,
    theta,
    omegaPerHour,
    ringWeights: [1],
    muPerHour,
    ratePerHour: muPerHour,
    profile: null,
    window: { startMs: 0, endMs: 1000 * HOUR_MS },
    events: 0,
    iterations: 0,
    objectiveTrace: [0],
    logLikelihood: 0,
    stopReason: 'tolerance',
    triggeredShare: 0,
    notes: [],
    warnings: [],
    fingerprint: 'test',
  };
}

/**
 * An EventSet from (cell, tHours) pairs, laid out like engine/grid buildEventSet: cells sorted,
 * events sorted by (cell, time); incidentIndex = position in the input list.
 */
export function makeEvents(originMs: number, events: readonly (readonly [H3Cell, number])[]): EventSet {
  const cells = [...new Set(events.map((e) => e[0]))].sort();
  const order = events
    .map((_, i) => i)
    .sort((a, b) => {
      const ca = cells.indexOf(events[a]![0]);
      const cb = cells.indexOf(events[b]![0]);
      return ca - cb || events[a]![1] - events[b]![1] || a - b;
    });
  return {
    originMs,
    cells,
    cell: Int32Array.from(order, (i) => cells.indexOf(events[i]![0])),
    tHours: Float64Array.from(order, (i) => events[i]![1]),
    incidentIndex: Int32Array.from(order),
  };
}

/** A minimal incident (only id and category matter to the boxes). */
export function makeIncident(id: string | null, category: string | null, timeMs = 0): Incident {
  return {
    id,
    timeMs,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat: 49.28,
    lng: -123.12,
    category,
    district: null,
    source: { file: 'test.csv', line: 2 },
  };
}
