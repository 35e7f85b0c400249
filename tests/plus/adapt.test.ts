import { describe, expect, it } from 'vitest';
import { contributorParams, plusConfigForData, timeUnknownFlags, withFitOptions, PLUS_DEFAULTS, type EtasPlusFit } from '../../engine/model/plus/index.ts';
import type { EventSet, Incident } from '../../engine/types.ts';

function incident(over: Partial<Incident>): Incident {
  return { id: null, timeMs: 0, precision: 'minute', timeOfDayUnknown: false, lat: 49.28, lng: -123.12, category: null, district: null, source: { file: 'x.csv', line: 2 }, ...over };
}

function events(incidentIndex: number[], precisionCounts?: EventSet['precisionCounts']): EventSet {
  return {
    originMs: 0,
    cells: ['8a28de8d8c07fff'],
    cell: new Int32Array(incidentIndex.length),
    tHours: Float64Array.from(incidentIndex, (_, k) => k),
    incidentIndex: Int32Array.from(incidentIndex),
    ...(precisionCounts ? { precisionCounts } : {}),
  };
}

describe('etas adapters shared by the CLI, the web worker, the backtest and tune', () => {
  it('timeUnknownFlags marks 00:00-unknown and day-precision incidents, aligned with the events', () => {
    const incidents = [incident({}), incident({ timeOfDayUnknown: true }), incident({ precision: 'day' })];
    expect([...timeUnknownFlags(events([2, 0, 1]), incidents)]).toEqual([1, 0, 1]);
  });

  it('plusConfigForData switches the shift profile off for month-precision data only', () => {
    expect(PLUS_DEFAULTS.profile).not.toBeNull();
    expect(plusConfigForData(PLUS_DEFAULTS, events([0], { minute: 1 } as EventSet['precisionCounts'])).profile).toEqual(PLUS_DEFAULTS.profile);
    expect(plusConfigForData(PLUS_DEFAULTS, events([0], { month: 1 } as EventSet['precisionCounts'])).profile).toBeNull();
  });

  it('withFitOptions carries the θ bound, delay floor and iteration limit, and refuses fixed values', () => {
    const c = withFitOptions(PLUS_DEFAULTS, { thetaMax: 0.5, minMeanDelayHours: 24, maxIterations: 7 });
    expect(c.triggering?.thetaMax).toBe(0.5);
    expect(c.triggering?.minMeanDelayHours).toBe(24);
    expect(c.em.maxIterations).toBe(7);
    expect(() => withFitOptions(PLUS_DEFAULTS, { fixedTheta: 0.1 })).toThrow(/etas-2015/);
  });

  it('contributorParams gives the same-cell share of the triggering, θ·w_0', () => {
    const fit = { theta: 0.4, omegaPerHour: 0.25, ringWeights: [0.75, 0.25] } as unknown as EtasPlusFit;
    expect(contributorParams(fit)).toEqual({ theta: 0.30000000000000004, omegaPerHour: 0.25 });
  });
});
