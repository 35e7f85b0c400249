/**
 * The adaptive default through the service (engine/service/adaptive.ts; docs/model.md#adaptive-default):
 * the fit records its choice, a saved fit forecasts exactly as the fit made on the spot (so
 * `forecast --fit-in` reproduces), nothing after the fit's end changes the choice, and the
 * configuration and the fit file check the new fields.
 */
import { describe, expect, it } from 'vitest';
import {
  checkEtasConfig,
  describeFit,
  ETAS_DEFAULTS,
  ModelError,
  readEtasFit,
  shiftBoxes,
  trainModel,
  type EtasFit,
} from '../../engine/index.ts';
import { expectCoded } from '../support/coded.ts';
import { SHIFT, TZ, vancouver } from './support.ts';

/** The default adapt settings, written out (docs/model.md#adaptive-default). */
const ADAPT_DEFAULTS_FOR_TESTS = { holdoutDays: 56, holdoutMonths: 3, minZ: 2, minLogZ: 1, minLogGain: 0.005, reselectEveryDays: 28 };

describe('the adaptive default in the service', () => {
  const incidents = vancouver();
  const trained = trainModel({ incidents, tz: TZ, res: 10, untilMs: SHIFT.startMs });

  it('records the variant chosen on the last 56 days before the fit end, with its reason', () => {
    const a = trained.fit.adapt!;
    expect(a.holdout.toMs).toBe(SHIFT.startMs);
    expect(a.holdout.fromMs).toBe(SHIFT.startMs - 56 * 86_400_000);
    expect(a.holdout.windows).toBe(168);
    expect(a.candidates).toBe(29);
    expect(a.reason.startsWith(a.label)).toBe(true);
    // the rates the fit forecasts with are the chosen variant's: a flat profile has no cells, no triggering θ = 0
    const v = a.variant;
    if (v.kind === 'model' && !v.triggering) expect(trained.fit.theta).toBe(0);
    if (v.kind !== 'model' || !v.profile) expect(trained.fit.profile?.cells ?? {}).toEqual({});
  });

  it('a saved fit (written as JSON and read back) forecasts the shift exactly as the fit made on the spot', () => {
    const saved: EtasFit = readEtasFit(JSON.parse(JSON.stringify(trained.fit)));
    expect(saved.adapt).toEqual(trained.fit.adapt);
    const onTheSpot = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, placement: 'grid' });
    const fromSaved = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, fit: saved, placement: 'grid' });
    expect(fromSaved.forecast.cells).toEqual(onTheSpot.forecast.cells);
    expect(Array.from(fromSaved.forecast.expected)).toEqual(Array.from(onTheSpot.forecast.expected));
  });

  it('incidents after the fit end do not change the choice', () => {
    // a month before the shift: the fixture's last month is then all after the fit end
    const untilMs = SHIFT.startMs - 30 * 86_400_000;
    const withLater = trainModel({ incidents, tz: TZ, res: 10, untilMs });
    const before = incidents.filter((inc) => inc.timeMs < untilMs);
    expect(before.length).toBeLessThan(incidents.length - 1000);
    const without = trainModel({ incidents: before, tz: TZ, res: 10, untilMs });
    expect(withLater.fit.adapt).toEqual(without.fit.adapt);
    expect(withLater.fit.adapt!.holdout.toMs).toBe(untilMs);
  });

  it('the fit in words says what the forecast uses: the chosen variant, not the configuration', () => {
    const a = trained.fit.adapt!;
    const counts = describeFit({ ...trained.fit, theta: 0, adapt: { ...a, variant: { kind: 'counts' } } });
    expect(counts).toContain('leaves out near-repeat triggering');
    expect(counts).toContain("each box's count of past crime (all-history counts");
    const v = { kind: 'model', halfLifeDays: 90, allHistoryWeight: 0.5, profile: false, triggering: true } as const;
    const words = describeFit({ ...trained.fit, adapt: { ...a, variant: v } });
    expect(words).toContain('(half-life 90 days, blended 0.5 with all history)');
    expect(words).not.toContain('shaped per box by shift type');
  });

  it('etas-2015 and configurations without "adapt" do not adapt', () => {
    expect(trainModel({ incidents, tz: TZ, res: 10, untilMs: SHIFT.startMs, model: 'etas-2015' }).fit.adapt).toBeUndefined();
    expect(checkEtasConfig({}).adapt).toBeUndefined();
    expect(checkEtasConfig({ adapt: null }).adapt).toBeUndefined();
  });
}, 120_000);

describe('the configuration field "adapt"', () => {
  it('is on in the defaults, filled from them when given in part, and checked field by field', () => {
    expect(checkEtasConfig(ETAS_DEFAULTS).adapt).toEqual(ADAPT_DEFAULTS_FOR_TESTS);
    expect(checkEtasConfig({ adapt: { minZ: 3 } }).adapt).toEqual({ ...ADAPT_DEFAULTS_FOR_TESTS, minZ: 3 });
    const err = expectCoded(() => checkEtasConfig({ adapt: { minZ: -1 } }), ModelError, 'E_OPTIONS');
    expect(err.message).toMatch(/"adapt\.minZ" must be a number ≥ 0/);
    expect(err.value).toBe(-1);
    expectCoded(() => checkEtasConfig({ adapt: { holdoutMonths: 1.5 } }), ModelError, 'E_OPTIONS');
    expect(expectCoded(() => checkEtasConfig({ adapt: { days: 5 } }), ModelError, 'E_OPTIONS').message).toMatch(
      /"adapt\.days" is not a known field/,
    );
    expect(expectCoded(() => checkEtasConfig({ adapt: 5 }), ModelError, 'E_OPTIONS').message).toMatch(/"adapt" must be an object or null/);
  });
});

describe('the fit file field "adapt"', () => {
  const incidents = vancouver();
  const fit = trainModel({ incidents, tz: TZ, res: 10, untilMs: SHIFT.startMs }).fit;
  const json = JSON.parse(JSON.stringify(fit)) as Record<string, unknown>;

  it('is absent from fits without it and refused when malformed, naming the field', () => {
    const { adapt: _a, ...without } = json;
    void _a;
    expect('adapt' in readEtasFit(without)).toBe(false);
    const bad = {
      ...json,
      adapt: {
        ...(json.adapt as object),
        variant: { kind: 'model', halfLifeDays: -3, allHistoryWeight: 0, profile: true, triggering: true },
      },
    };
    const err = expectCoded(() => readEtasFit(bad), ModelError, 'E_FIT');
    expect(err.message).toMatch(/"adapt\.variant\.halfLifeDays" must be a positive number of days or null/);
    expectCoded(() => readEtasFit({ ...json, adapt: { ...(json.adapt as object), variant: { kind: 'other' } } }), ModelError, 'E_FIT');
  });
}, 120_000);
