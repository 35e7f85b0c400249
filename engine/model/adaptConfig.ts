/**
 * The `adapt` field of a model configuration (docs/model.md#adaptive-default): the settings of
 * the adaptive selection (engine/evaluate select.ts) and their check.
 */
import { ModelError } from './errors.ts';

/**
 * Settings of the adaptive selection (docs/model.md#adaptive-default): one extra fit on the
 * data known `holdoutDays` before the fit's end scores every variant (half-life, all-history
 * blend, profile on/off, triggering on/off, and all-history counts) on the 8-hour shifts of
 * the holdout (in month mode the last `holdoutMonths` calendar months); counts stay unless a
 * variant's gain in hit rate over counts is at least `minZ` standard errors and its log score
 * gain over counts is at least `minLogZ` of its standard errors.
 */
export interface AdaptConfig {
  /** Days of holdout before the fit's end (> 0). */
  readonly holdoutDays: number;
  /** Calendar months of holdout for month-precision data (month mode). */
  readonly holdoutMonths: number;
  /** Gain over counts, in standard errors of the paired per-shift differences, a variant needs (≥ 0). */
  readonly minZ: number;
  /** Gain in mean log score per event over counts, in its standard errors, a variant also needs (≥ 0). */
  readonly minLogZ: number;
  /** Smallest gain in mean log score per event over counts a variant needs, nats (≥ 0). */
  readonly minLogGain: number;
  /**
   * Days between selection anchors (every this many days from 2001-01-01 00:00 UTC; 0: the fit's
   * end itself): every fit between two anchors selects at the earlier one, so the backtest
   * reselects at its first refit in each new period and the service can reuse a choice.
   */
  readonly reselectEveryDays: number;
}

/**
 * The default settings, and why: 56 days of holdout (168 eight-hour shifts: about 4,400 incidents
 * on Vancouver property crime, enough to tell a 2% gain from noise there, while the fit it is made
 * from is at most eight weeks staler than the forecast's); three calendar months in month mode;
 * a variant must beat counts by 2 standard errors in hit rate (one of about 30 variants clearing 2
 * by chance on data without structure is rare: tests/evaluate/select.test.ts) and by one in log
 * score and by at least 0.005 nats per event (variants within a hair of counts have a tiny
 * standard error, yet lost 0.006 afterwards on Houston burglary: docs/model.md#adaptive-default);
 * anchors every 28 days (each selection costs one cold fit and the replay).
 */
export const ADAPT_DEFAULTS: AdaptConfig = {
  holdoutDays: 56,
  holdoutMonths: 3,
  minZ: 2,
  minLogZ: 1,
  minLogGain: 0.005,
  reselectEveryDays: 28,
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function bad(path: string, value: unknown, why: string): never {
  throw new ModelError('E_OPTIONS', `config field "${path}" ${why} (got ${JSON.stringify(value) ?? String(value)})`, value);
}

/**
 * Checks `adapt` as read from JSON; fields left out take {@link ADAPT_DEFAULTS}.
 * @throws {ModelError} E_OPTIONS naming the field, its value and what it must be
 */
export function checkAdapt(a0: unknown): AdaptConfig {
  if (!isObject(a0)) bad('adapt', a0, 'must be an object or null');
  const a = a0 as Record<string, unknown>;
  const keys = Object.keys(ADAPT_DEFAULTS);
  for (const k of Object.keys(a)) if (!keys.includes(k)) bad(`adapt.${k}`, a[k], `is not a known field (known: ${keys.join(', ')})`);
  const field = (key: keyof AdaptConfig, ok: (x: number) => boolean, why: string): number => {
    const v = a[key];
    if (v === undefined) return ADAPT_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(`adapt.${key}`, v, why);
    return v as number;
  };
  return {
    holdoutDays: field('holdoutDays', (x) => x > 0, 'must be a positive number of days'),
    holdoutMonths: field('holdoutMonths', (x) => Number.isInteger(x) && x >= 1, 'must be a whole number of months ≥ 1'),
    minZ: field('minZ', (x) => x >= 0, 'must be a number ≥ 0 (standard errors)'),
    minLogZ: field('minLogZ', (x) => x >= 0, 'must be a number ≥ 0 (standard errors)'),
    minLogGain: field('minLogGain', (x) => x >= 0, 'must be a number ≥ 0 (nats per event)'),
    reselectEveryDays: field('reselectEveryDays', (x) => x >= 0, 'must be a number of days ≥ 0'),
  };
}
