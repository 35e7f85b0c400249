/**
 * The configuration of the "etas" model beyond Mohler et al. 2015 (docs/model.md#presets): which
 * ingredients are on and their settings. Plain JSON, so `patrolcast tune` can write it and
 * `forecast --config` / `backtest --config` can read it.
 *
 * Ingredients (each switchable: `null` turns it off):
 * - `recency`: a background that forgets: each cell's background rate is an exponentially
 *   weighted average of its past background events with half-life `halfLifeDays`
 *   (`null` = never forgets: all history weighs the same, the 2015 model's μ_n). Optional
 *   `allHistoryWeight` a in [0, 1) blends it with the all-history rate:
 *   r_n = (1 − a)·(recency-weighted rate) + a·(Σ p_jj / T), so a cell whose crime is old is not
 *   starved by a short half-life. Left out (or 0) = the recency-weighted rate alone, exactly as
 *   before the field existed (it is then not written back either).
 * - `profile`: per-cell shift-type (and optionally weekday/weekend) profiles of the background,
 *   μ_n(t) = μ_n h_n(b(t)), shrunk towards the cell's district (or the city) profile.
 * - `triggering`: the self-exciting near-repeat term, in the same cell (`ringDepth` 0) or spread
 *   to the H3 rings around it (`ringDepth` 1..3, weights fitted by EM). `null` = background only.
 */
import { ModelError } from '../errors.ts';

/** Shift-type profile of the background (docs/model.md#profile). */
export interface ProfileConfig {
  /** Local wall-clock starts 'HH:MM' of the shift types; time t belongs to the last start at or before it. */
  readonly shiftStarts: readonly string[];
  /** Split each shift type into weekday and weekend (Saturday, Sunday: the local date the shift starts on). */
  readonly weekend: boolean;
  /**
   * κ ≥ 0, in pseudo-events: the weight of the prior profile in a cell's estimate. A cell with
   * c background events gets (c_b + κ π_b) / (c + κ) of its background in bin b (π = prior).
   */
  readonly priorStrength: number;
  /**
   * β in [0, 1): a share of the prior that no amount of evidence removes. The prior strength of
   * a cell with m time-known events becomes κ + m·β/(1 − β), so a busy cell's profile tends to
   * (1 − β)·own + β·prior (the "blended 9:1" of the issue is β = 0.1 with the city's profile).
   */
  readonly blend: number;
  /** What the cell's profile is shrunk towards: its district's profile (itself shrunk to the city's), or the city's. */
  readonly prior: 'district' | 'city';
}

/** The background that forgets (see the module comment). */
export interface RecencyConfig {
  /** Half-life of a background event's weight, days (> 0). */
  readonly halfLifeDays: number;
  /**
   * a in [0, 1): share of the all-history rate Σ p_jj / T in the background rate,
   * r_n = (1 − a)·recency-weighted + a·all-history. Absent = 0 (recency-weighted only).
   */
  readonly allHistoryWeight?: number;
}

/** The self-exciting (near-repeat) term. */
export interface TriggeringConfig {
  /** 0: an event excites only its own cell (Mohler 2015); d > 0: also the H3 rings 1..d around it. */
  readonly ringDepth: number;
  /** Upper bound on the branching ratio θ. */
  readonly thetaMax: number;
  /** Floor on the mean trigger delay 1/ω in hours (guards against the tie runaway). */
  readonly minMeanDelayHours: number;
  /** Ceiling on the mean trigger delay in hours; null = the 2015 fit's default (window/10, at most a year). */
  readonly maxMeanDelayHours: number | null;
}

export interface PlusConfig {
  readonly kind: 'patrolcast-etas-config';
  readonly version: 1;
  readonly recency: RecencyConfig | null;
  readonly profile: ProfileConfig | null;
  readonly triggering: TriggeringConfig | null;
  /** EM stopping rule. */
  readonly em: { readonly maxIterations: number; readonly relTolerance: number };
  /** Written by `patrolcast tune`: the period and data the configuration was chosen on (never read by the model). */
  readonly tuning?: TuningRecord;
}

/** What `tune` records in the configuration it writes. */
export interface TuningRecord {
  /** ISO instants: the tuning shifts started at or after `from` and ended at or before `to`; no incident at or after `to` was read. */
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly tz: string;
  readonly shifts: number;
  readonly objective: string;
  /** The chosen configuration's objective value and naive-all's hit rates on the tuning shifts. */
  readonly score: number;
  readonly hitRate: Readonly<Record<string, number>>;
  readonly naiveAllHitRate: Readonly<Record<string, number>>;
  /** With the tuner's log-score guard on: the chosen configuration's and naive-all's mean log score per event, and the margin. */
  readonly logScore?: number;
  readonly naiveAllLogScore?: number;
  readonly logScoreMargin?: number;
  readonly candidates: number;
  readonly command?: string;
}

/**
 * Defaults, and why: they are what `patrolcast tune` chose on Vancouver property crime from the
 * first half of 2023 (docs/etas/vancouver-property-2023h1.json; docs/evaluation.md "Beyond the
 * 2015 model"):
 * - recency half-life 180 days (the issue reports 3-12 months helping);
 * - profile by the three 8-hour shift types, no weekday/weekend split (the split did not pay
 *   for its thinner counts on either Vancouver tuning period), κ = 10 pseudo-events, β = 0.1,
 *   towards the district's profile;
 * - same-cell triggering (ring 0) with the 2015 fit's bounds: θ ≤ 0.95, mean delay ≥ 1 hour.
 * EM: at most 200 iterations, relative tolerance 1e-7 (warm-started daily refits take ~5).
 */
export const PLUS_DEFAULTS: PlusConfig = {
  kind: 'patrolcast-etas-config',
  version: 1,
  recency: { halfLifeDays: 180 },
  profile: { shiftStarts: ['06:00', '14:00', '22:00'], weekend: false, priorStrength: 10, blend: 0.1, prior: 'district' },
  triggering: { ringDepth: 0, thetaMax: 0.95, minMeanDelayHours: 1, maxMeanDelayHours: null },
  em: { maxIterations: 200, relTolerance: 1e-7 },
};

/** Largest ring depth accepted (the E-step costs O(N · (1 + 3K(K+1)))). */
export const MAX_RING_DEPTH = 3;

function bad(path: string, value: unknown, why: string): never {
  throw new ModelError('E_OPTIONS', `config field "${path}" ${why} (got ${JSON.stringify(value) ?? String(value)})`, value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(path: string, v: unknown, ok: (x: number) => boolean, why: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(path, v, why);
  return v as number;
}

function known(path: string, o: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) bad(`${path}${path ? '.' : ''}${k}`, o[k], `is not a known field (known: ${keys.join(', ')})`);
}

const HHMM = /^([01]?\d|2[0-3]):[0-5]\d$/;

/**
 * Checks a configuration read from JSON (or built in code) and returns it with every field
 * filled: fields left out take {@link PLUS_DEFAULTS}; an ingredient given as `null` is off.
 * `recency.halfLifeDays` may be a positive number of days, or `null`/"Infinity" for "never
 * forgets" (stored as `recency: null`); `recency.allHistoryWeight` in [0, 1), stored only when
 * above 0 (so a configuration without it, or with 0, is the same object as before the field).
 *
 * Cost O(size of the object).
 * @throws {ModelError} E_OPTIONS naming the field, its value and what it must be
 * @example
 * checkPlusConfig({ recency: null }).recency // => null
 */
export function checkPlusConfig(value: unknown): PlusConfig {
  if (!isObject(value)) bad('(root)', value, 'must be a JSON object: not a patrolcast model configuration');
  const v = value as Record<string, unknown>;
  known('', v, ['kind', 'version', 'recency', 'profile', 'triggering', 'em', 'tuning']);
  if (v.kind !== undefined && v.kind !== 'patrolcast-etas-config') bad('kind', v.kind, 'must be "patrolcast-etas-config"');
  if (v.version !== undefined && v.version !== 1) bad('version', v.version, 'must be 1');
  const d = PLUS_DEFAULTS;

  let recency: PlusConfig['recency'] = d.recency;
  if (v.recency === null) recency = null;
  else if (v.recency !== undefined) {
    if (!isObject(v.recency)) bad('recency', v.recency, 'must be {"halfLifeDays": number, "allHistoryWeight"?: number} or null');
    const r = v.recency as Record<string, unknown>;
    known('recency', r, ['halfLifeDays', 'allHistoryWeight']);
    const hl = r.halfLifeDays;
    const a = r.allHistoryWeight === undefined ? 0 : num('recency.allHistoryWeight', r.allHistoryWeight, (x) => x >= 0 && x < 1, 'must lie in [0, 1) (1 = all history: use "recency": null)');
    if (hl === null || hl === 'Infinity' || hl === Infinity) recency = null;
    else {
      const halfLifeDays = num('recency.halfLifeDays', hl, (x) => x > 0, 'must be a positive number of days, or null for "never forgets"');
      recency = a > 0 ? { halfLifeDays, allHistoryWeight: a } : { halfLifeDays };
    }
  }

  let profile: PlusConfig['profile'] = d.profile;
  if (v.profile === null) profile = null;
  else if (v.profile !== undefined) {
    if (!isObject(v.profile)) bad('profile', v.profile, 'must be an object or null');
    const p = v.profile as Record<string, unknown>;
    known('profile', p, ['shiftStarts', 'weekend', 'priorStrength', 'blend', 'prior']);
    const base = d.profile!;
    let shiftStarts = base.shiftStarts;
    if (p.shiftStarts !== undefined) {
      if (!Array.isArray(p.shiftStarts) || p.shiftStarts.length === 0 || !p.shiftStarts.every((s) => typeof s === 'string' && HHMM.test(s.trim()))) {
        bad('profile.shiftStarts', p.shiftStarts, 'must be a non-empty list of local times "HH:MM"');
      }
      shiftStarts = (p.shiftStarts as string[]).map((s) => s.trim());
      if (new Set(shiftStarts).size !== shiftStarts.length) bad('profile.shiftStarts', p.shiftStarts, 'must not repeat a time');
    }
    if (p.weekend !== undefined && typeof p.weekend !== 'boolean') bad('profile.weekend', p.weekend, 'must be true or false');
    if (p.prior !== undefined && p.prior !== 'district' && p.prior !== 'city') bad('profile.prior', p.prior, 'must be "district" or "city"');
    profile = {
      shiftStarts,
      weekend: (p.weekend as boolean | undefined) ?? base.weekend,
      priorStrength: p.priorStrength === undefined ? base.priorStrength : num('profile.priorStrength', p.priorStrength, (x) => x >= 0, 'must be a number ≥ 0 (pseudo-events)'),
      blend: p.blend === undefined ? base.blend : num('profile.blend', p.blend, (x) => x >= 0 && x < 1, 'must lie in [0, 1)'),
      prior: (p.prior as 'district' | 'city' | undefined) ?? base.prior,
    };
  }

  let triggering: PlusConfig['triggering'] = d.triggering;
  if (v.triggering === null) triggering = null;
  else if (v.triggering !== undefined) {
    if (!isObject(v.triggering)) bad('triggering', v.triggering, 'must be an object or null');
    const t = v.triggering as Record<string, unknown>;
    known('triggering', t, ['ringDepth', 'thetaMax', 'minMeanDelayHours', 'maxMeanDelayHours']);
    const base = d.triggering!;
    const minMeanDelayHours = t.minMeanDelayHours === undefined ? base.minMeanDelayHours : num('triggering.minMeanDelayHours', t.minMeanDelayHours, (x) => x > 0, 'must be a positive number of hours');
    const maxMeanDelayHours =
      t.maxMeanDelayHours === undefined || t.maxMeanDelayHours === null
        ? null
        : num('triggering.maxMeanDelayHours', t.maxMeanDelayHours, (x) => x >= minMeanDelayHours, `must be a number of hours ≥ minMeanDelayHours (${minMeanDelayHours}), or null`);
    triggering = {
      ringDepth: t.ringDepth === undefined ? base.ringDepth : num('triggering.ringDepth', t.ringDepth, (x) => Number.isInteger(x) && x >= 0 && x <= MAX_RING_DEPTH, `must be a whole number 0..${MAX_RING_DEPTH}`),
      thetaMax: t.thetaMax === undefined ? base.thetaMax : num('triggering.thetaMax', t.thetaMax, (x) => x > 0 && x < 1, 'must lie in (0, 1)'),
      minMeanDelayHours,
      maxMeanDelayHours,
    };
  }

  let em = d.em;
  if (v.em !== undefined) {
    if (!isObject(v.em)) bad('em', v.em, 'must be {"maxIterations": n, "relTolerance": x}');
    const e = v.em as Record<string, unknown>;
    known('em', e, ['maxIterations', 'relTolerance']);
    em = {
      maxIterations: e.maxIterations === undefined ? d.em.maxIterations : num('em.maxIterations', e.maxIterations, (x) => Number.isInteger(x) && x >= 0, 'must be a whole number ≥ 0'),
      relTolerance: e.relTolerance === undefined ? d.em.relTolerance : num('em.relTolerance', e.relTolerance, (x) => x >= 0, 'must be a number ≥ 0'),
    };
  }
  const out: PlusConfig = { kind: 'patrolcast-etas-config', version: 1, recency, profile, triggering, em };
  if (v.tuning !== undefined) {
    if (!isObject(v.tuning)) bad('tuning', v.tuning, 'must be an object');
    return { ...out, tuning: v.tuning as unknown as TuningRecord };
  }
  return out;
}

/** A short one-line description of a configuration, e.g. "recency 180 d; profile 3×2 κ=10 β=0.1 district; triggering ring 0, delay ≥ 1 h". */
export function describePlusConfig(c: PlusConfig): string {
  const parts: string[] = [];
  const a = c.recency?.allHistoryWeight ?? 0;
  parts.push(c.recency ? `recency half-life ${c.recency.halfLifeDays} d${a > 0 ? ` blended ${a} with all history` : ''}` : 'no recency (all history)');
  parts.push(
    c.profile
      ? `profile ${c.profile.shiftStarts.length} shift types${c.profile.weekend ? ' × weekday/weekend' : ''}, κ=${c.profile.priorStrength}, β=${c.profile.blend}, towards the ${c.profile.prior}`
      : 'no profile',
  );
  parts.push(
    c.triggering
      ? `triggering ${c.triggering.ringDepth === 0 ? 'same cell' : `rings 0..${c.triggering.ringDepth}`}, mean delay ≥ ${c.triggering.minMeanDelayHours} h${c.triggering.maxMeanDelayHours === null ? '' : ` and ≤ ${c.triggering.maxMeanDelayHours} h`}`
      : 'no triggering',
  );
  return parts.join('; ');
}

/** The configuration as JSON text (2-space indent; never-forgetting recency written as null). */
export function plusConfigToJson(c: PlusConfig): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}
