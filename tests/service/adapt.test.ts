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
import { selectionAnchorMs } from '../../engine/evaluate/choose.ts';
import { expectCoded } from '../support/coded.ts';
import { SHIFT, TZ, vancouver } from './support.ts';

/** The default adapt settings, written out (docs/model.md#adaptive-default). */
const ADAPT_DEFAULTS_FOR_TESTS = { holdoutDays: 56, holdoutMonths: 3, minZ: 2, minLogZ: 1, minLogGain: 0.005, reselectEveryDays: 28 };

describe('the adaptive default in the service', () => {
  const incidents = vancouver();
  const trained = trainModel({ incidents, tz: TZ, res: 10, untilMs: SHIFT.startMs });

  it('records the variant chosen on the 56 days before the selection anchor, with its reason', () => {
    const a = trained.fit.adapt!;
    // anchors every 28 days from 2001-01-01T00:00Z: the last one before the shift (2023-12-15 22:00 PST) is 2023-12-04T00:00Z,
    // (worked out by hand: 8,372 days from 2001-01-01 to 2023-12-04 = 299 × 28, and the next anchor, 2024-01-01, is after the shift)
    expect(a.holdout.toMs).toBe(Date.parse('2023-12-04T00:00:00Z'));
    expect(a.holdout.fromMs).toBe(Date.parse('2023-12-04T00:00:00Z') - 56 * 86_400_000);
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
    expect(withLater.fit.adapt!.holdout.toMs).toBe(selectionAnchorMs(untilMs, 28, false));
    expect(withLater.fit.adapt!.holdout.toMs).toBeLessThanOrEqual(untilMs);
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

describe('the selection anchor', () => {
  const DAY = 86_400_000;
  it('is the last anchor every 28 days from 2001-01-01T00:00Z at or before the fit end; month mode and 0 days use the end', () => {
    expect(selectionAnchorMs(Date.parse('2001-01-01T00:00:00Z'), 28, false)).toBe(Date.parse('2001-01-01T00:00:00Z'));
    expect(selectionAnchorMs(Date.parse('2001-01-28T23:59:59Z'), 28, false)).toBe(Date.parse('2001-01-01T00:00:00Z'));
    expect(selectionAnchorMs(Date.parse('2001-01-29T00:00:00Z'), 28, false)).toBe(Date.parse('2001-01-29T00:00:00Z'));
    expect(selectionAnchorMs(Date.parse('2000-12-31T12:00:00Z'), 28, false)).toBe(Date.parse('2000-12-04T00:00:00Z'));
    expect(selectionAnchorMs(Date.parse('2001-01-10T00:00:00Z'), 7, false)).toBe(Date.parse('2001-01-08T00:00:00Z'));
    expect(selectionAnchorMs(12345 * DAY + 7, 28, true)).toBe(12345 * DAY + 7);
    expect(selectionAnchorMs(12345 * DAY + 7, 0, false)).toBe(12345 * DAY + 7);
  });

  it('shifts between two anchors make the same choice, and a reused choice gives the boxes of a fresh one', () => {
    const incidents = vancouver();
    // 2023-12-15 22:00 and 2023-12-05 06:00 (PST) share the anchor 2023-12-04T00:00Z
    const later = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, placement: 'grid' });
    const earlierShift = { ...SHIFT, startMs: Date.parse('2023-12-05T06:00:00-08:00'), endMs: Date.parse('2023-12-05T14:00:00-08:00') };
    const earlier = shiftBoxes({ incidents, tz: TZ, res: 10, shift: earlierShift, placement: 'grid' });
    expect(earlier.fit.adapt).toEqual(later.fit.adapt);
    const reused = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, placement: 'grid', adaptChoice: earlier.fit.adapt! });
    expect(reused.fit).toEqual(later.fit);
    expect(Array.from(reused.forecast.expected)).toEqual(Array.from(later.forecast.expected));
    // a choice made at another anchor is not reused: a doctored one (counts, at the previous anchor) changes nothing
    const other = {
      ...later.fit.adapt!,
      variant: { kind: 'counts' as const },
      holdout: { ...later.fit.adapt!.holdout, toMs: later.fit.adapt!.holdout.toMs - 28 * DAY },
    };
    const ignored = shiftBoxes({ incidents, tz: TZ, res: 10, shift: SHIFT, placement: 'grid', adaptChoice: other });
    expect(ignored.fit).toEqual(later.fit);
    // and a doctored one at the right anchor is taken (the caller vouches for it): the proof that reuse skips the selection
    const taken = shiftBoxes({
      incidents,
      tz: TZ,
      res: 10,
      shift: SHIFT,
      placement: 'grid',
      adaptChoice: { ...other, holdout: later.fit.adapt!.holdout },
    });
    expect(taken.fit.adapt!.variant).toEqual({ kind: 'counts' });
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
