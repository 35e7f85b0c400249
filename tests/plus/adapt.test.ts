import { describe, expect, it } from 'vitest';
import {
  contributorParams,
  configForData,
  timeUnknownFlags,
  withFitOptions,
  ETAS_DEFAULTS,
  type EtasFit,
} from '../../engine/model/index.ts';
import type { EventSet, Incident } from '../../engine/types.ts';

function incident(over: Partial<Incident>): Incident {
  return {
    id: null,
    timeMs: 0,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat: 49.28,
    lng: -123.12,
    category: null,
    district: null,
    source: { file: 'x.csv', line: 2 },
    ...over,
  };
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

  it('configForData switches the shift profile off for month-precision data only', () => {
    expect(ETAS_DEFAULTS.profile).not.toBeNull();
    expect(configForData(ETAS_DEFAULTS, events([0], { minute: 1 } as EventSet['precisionCounts'])).profile).toEqual(ETAS_DEFAULTS.profile);
    expect(configForData(ETAS_DEFAULTS, events([0], { month: 1 } as EventSet['precisionCounts'])).profile).toBeNull();
  });

  it('withFitOptions carries the bounds, fixed values and EM limits; fixed values need triggering', () => {
    const c = withFitOptions(ETAS_DEFAULTS, { thetaMax: 0.5, minMeanDelayHours: 24, maxIterations: 7 });
    expect(c.triggering).toEqual({ ringDepth: 0, thetaMax: 0.5, minMeanDelayHours: 24, maxMeanDelayHours: null });
    expect(c.em).toEqual({ maxIterations: 7, relTolerance: ETAS_DEFAULTS.em.relTolerance });
    expect(c.recency).toEqual(ETAS_DEFAULTS.recency);
    const f = withFitOptions(ETAS_DEFAULTS, { fixedTheta: 0.1, fixedMeanDelayHours: 48, maxMeanDelayHours: 100, relTolerance: 1e-9 });
    expect(f.triggering).toEqual({
      ringDepth: 0,
      thetaMax: 0.95,
      minMeanDelayHours: 1,
      maxMeanDelayHours: 100,
      fixedTheta: 0.1,
      fixedMeanDelayHours: 48,
    });
    expect(f.em.relTolerance).toBe(1e-9);
    expect(withFitOptions(ETAS_DEFAULTS, {})).toEqual(ETAS_DEFAULTS);
    const none = { ...ETAS_DEFAULTS, triggering: null };
    expect(withFitOptions(none, { thetaMax: 0.5 }).triggering).toBeNull();
    expect(() => withFitOptions(none, { fixedTheta: 0.1 })).toThrow(expect.objectContaining({ code: 'E_OPTIONS', value: 0.1 }));
    expect(() => withFitOptions(ETAS_DEFAULTS, { fixedTheta: 1 })).toThrow(/triggering\.fixedTheta/);
    expect(() => withFitOptions(ETAS_DEFAULTS, { minMeanDelayHours: 10, maxMeanDelayHours: 5 })).toThrow(/triggering\.maxMeanDelayHours/);
  });

  it('contributorParams gives the same-cell share of the triggering, θ·w_0', () => {
    const fit = { theta: 0.4, omegaPerHour: 0.25, ringWeights: [0.75, 0.25] } as unknown as EtasFit;
    expect(contributorParams(fit)).toEqual({ theta: 0.30000000000000004, omegaPerHour: 0.25 });
  });
});
