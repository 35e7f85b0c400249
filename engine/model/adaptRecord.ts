/**
 * The record of the adaptive selection (docs/model.md#adaptive-default; made by
 * engine/evaluate/choose.ts selectVariant): which variant of the model a fit forecasts with and
 * why. Written to fit files (so `forecast --fit-in` reproduces the forecast) and listed in the
 * backtest report.
 */
import { ModelError } from './errors.ts';

/** A variant of the model: all-history counts, or a fit's rates with a recency setting, the profile and triggering on or off. */
export type AdaptVariant =
  | { readonly kind: 'counts' }
  | {
      readonly kind: 'model';
      /** Half-life of the background rate, days; null = all history. */
      readonly halfLifeDays: number | null;
      readonly allHistoryWeight: number;
      readonly profile: boolean;
      readonly triggering: boolean;
    };

/** A variant's score on the holdout, against counts. */
export interface VariantScore {
  readonly label: string;
  /** Mean over the flagged areas of hit rate / counts' − 1. */
  readonly gain: number;
  /** gain / its standard error (paired per-window differences); 0 when undefined. */
  readonly z: number;
  /** Mean log score per incident minus counts', nats. */
  readonly logScoreDiff: number;
  /** Its standard error (paired per-window differences). */
  readonly logScoreSE: number;
}

/** The selection's record. */
export interface AdaptRecord {
  readonly variant: AdaptVariant;
  readonly label: string;
  /** One line for the user: what was chosen and why. */
  readonly reason: string;
  readonly holdout: { readonly fromMs: number; readonly toMs: number; readonly windows: number; readonly events: number };
  /** Variants scored (counts included). */
  readonly candidates: number;
  /** The chosen variant's score (all 0 for counts). */
  readonly chosen: VariantScore;
  /** The variant with the largest gain, chosen or not (null when none was scored). */
  readonly best: VariantScore | null;
  /** Counts' hit rate per flagged area on the holdout (keys String(km²)). */
  readonly countsHitRate: Readonly<Record<string, number>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks the `adapt` field of a fit file: an object whose variant is counts or a model variant
 * with a half-life (> 0 or null), a blend weight in [0, 1) and profile/triggering flags, and
 * whose label and reason are strings; the scores are kept as written (they are for reading).
 * @throws {ModelError} E_FIT naming the field
 */
export function checkAdaptRecord(v: unknown): AdaptRecord {
  const bad = (field: string, x: unknown, why: string): never => {
    throw new ModelError('E_FIT', `fit field "adapt.${field}" ${why} (got ${JSON.stringify(x)?.slice(0, 80) ?? String(x)})`, x);
  };
  if (!isObject(v)) return bad('(root)', v, 'must be an object');
  const variant = v.variant;
  if (!isObject(variant) || (variant.kind !== 'counts' && variant.kind !== 'model'))
    bad('variant', variant, 'must be {"kind": "counts"} or a model variant');
  const m = variant as Record<string, unknown>;
  if (m.kind === 'model') {
    const hl = m.halfLifeDays;
    if (!(hl === null || (typeof hl === 'number' && Number.isFinite(hl) && hl > 0)))
      bad('variant.halfLifeDays', hl, 'must be a positive number of days or null');
    const a = m.allHistoryWeight;
    if (!(typeof a === 'number' && a >= 0 && a < 1)) bad('variant.allHistoryWeight', a, 'must lie in [0, 1)');
    if (typeof m.profile !== 'boolean' || typeof m.triggering !== 'boolean')
      bad('variant', variant, 'must say "profile" and "triggering" as true or false');
  }
  if (typeof v.label !== 'string' || typeof v.reason !== 'string') bad('reason', v.reason, 'and "label" must be strings');
  return v as unknown as AdaptRecord;
}
