/**
 * The fit file: a fitted model as plain JSON (kind 'patrolcast-etas-fit', version 2), and its
 * reader, which also converts the two kinds the release before it wrote ('etas-2015' and
 * 'etas-plus', version 1).
 */
import type { H3Cell, StopReason } from '../types.ts';
import { checkEtasConfig, ETAS_2015, type EtasConfig } from './config.ts';
import { checkAdaptRecord, type AdaptRecord } from './adaptRecord.ts';
import { ModelError } from './errors.ts';
import { readPlacementField, type BoxPlacement } from './placement.ts';

const HOUR_MS = 3_600_000;
/**
 * Largest rate per hour a cell may carry, and largest profile multiplier: far above any real
 * value (a cell with a crime a second is 3,600 an hour), low enough that sums over millions of
 * cells and a shift of 744 hours stay finite (no Infinity in a forecast from a hand-edited fit).
 */
const MAX_RATE_PER_HOUR = 1e6;
const MAX_MULTIPLIER = 1e6;
/** ω per hour between one per century and one per millisecond: 1/ω, the mean delay, stays finite and positive. */
const MIN_OMEGA_PER_HOUR = 1 / (100 * 8766);
const MAX_OMEGA_PER_HOUR = 3.6e6;
/** An H3 cell id: 15 lowercase hex digits starting with 8 (mode 1, a cell). */
const H3_CELL = /^8[0-9a-f]{14}$/;
/** The cell's resolution, from its H3 id (bits 52-55). */
const cellRes = (cell: string): number => parseInt(cell[1]!, 16);

/** A fitted model: plain JSON, so it can be saved, loaded and audited. */
export interface EtasFit {
  readonly kind: 'patrolcast-etas-fit';
  readonly version: 2;
  /** The configuration it was fitted with (without the tuning record). */
  readonly config: EtasConfig;
  /** The zone of the profile's wall clock (null without a profile). */
  readonly tz: string | null;
  readonly res: number;
  /** Branching ratio θ: expected direct offspring per event (0 without triggering). */
  readonly theta: number;
  /** Decay ω per hour (1/ω the mean trigger delay); unused without triggering. */
  readonly omegaPerHour: number;
  /** w_d, d = 0..ringDepth: share of offspring at ring distance d (Σ = 1); [] without triggering. */
  readonly ringWeights: readonly number[];
  /** EM background rate μ_n per hour (its mean over the training window), keyed by cell; absent = 0. */
  readonly muPerHour: Readonly<Record<H3Cell, number>>;
  /**
   * The background rate per hour the forecast uses: the recency-weighted rate of background
   * events at the window's end (post-EM), blended with Σ p_jj / T by `recency.allHistoryWeight`
   * when that is above 0; without recency, Σ p_jj / T at the final E-step.
   */
  readonly ratePerHour: Readonly<Record<H3Cell, number>>;
  /** The profiles: bin labels, each bin's exposure in the window, and h_n(b) per cell (multipliers, mean 1). */
  readonly profile: {
    readonly labels: readonly string[];
    readonly exposureHours: readonly number[];
    readonly cells: Readonly<Record<H3Cell, readonly number[]>>;
  } | null;
  readonly window: { readonly startMs: number; readonly endMs: number };
  readonly events: number;
  readonly iterations: number;
  /** The EM objective after each E-step: ℓ plus the log prior of the profiles (ℓ itself without a profile); never decreases. */
  readonly objectiveTrace: readonly number[];
  /** ℓ (without the prior) at the final parameters. */
  readonly logLikelihood: number;
  readonly stopReason: StopReason;
  /** Share of events attributed to triggering at the final E-step (Σ p_ij / N). */
  readonly triggeredShare: number;
  /** What the fit did to cope with the data (tie rule, bounds hit, month placement...). */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  /** Hash of the training events (cells and times), for audit. */
  readonly fingerprint: string;
  /** The box placement the fit was made for (placement.ts): absent in files written before it. */
  readonly placement?: BoxPlacement;
  /**
   * The adaptive selection (docs/model.md#adaptive-default), when the configuration has `adapt`:
   * the variant the rates, profile and θ above forecast with (a flat profile leaves
   * `profile.cells` empty, no triggering sets θ to 0). Absent in fits without it.
   */
  readonly adapt?: AdaptRecord;
}

type Json = Record<string, unknown>;

function bad(field: string, v: unknown, why: string): never {
  throw new ModelError('E_FIT', `fit field "${field}" ${why} (got ${JSON.stringify(v)?.slice(0, 80) ?? String(v)})`, v);
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function finite(f: Json, field: string, ok: (x: number) => boolean, why: string): number {
  const v = f[field];
  if (!isFiniteNumber(v) || !ok(v)) bad(field, v, why);
  return v as number;
}

/** Refuses a key that is not an H3 cell at the fit's resolution. */
function checkCell(field: string, cell: string, res: number): void {
  if (!H3_CELL.test(cell) || cellRes(cell) !== res) bad(field, cell, `must be keyed by H3 cells at the fit's resolution ${res}`);
}

function rates(f: Json, field: string, res: number): Record<H3Cell, number> {
  const r = f[field];
  if (!isObject(r)) bad(field, r, 'must be an object of cell → rate');
  for (const [cell, x] of Object.entries(r as Json)) {
    checkCell(`${field}.${cell}`, cell, res);
    if (!isFiniteNumber(x) || x < 0 || x > MAX_RATE_PER_HOUR)
      bad(`${field}.${cell}`, x, `must be a rate per hour in [0, ${MAX_RATE_PER_HOUR}]`);
  }
  return r as Record<H3Cell, number>;
}

function strings(f: Json, field: string): string[] {
  const v = f[field];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) bad(field, v, 'must be a list of strings');
  return v as string[];
}

/**
 * Reads a fit from parsed JSON: checks every field of {@link EtasFit} and returns a new object
 * with exactly those fields. Fit files of the previous release are converted on read:
 * - 'etas-2015' version 1 (the plain 2015 model): config = {@link ETAS_2015} with its stored
 *   options (θ bound, delay bounds, fixed θ or delay, EM limits) mapped onto it; ratePerHour =
 *   muPerHour (its forecast used μ); ringWeights [1]; no profile; objectiveTrace = its
 *   logLikelihoodTrace and logLikelihood its last entry; triggeredShare θ when it was not saved;
 * - 'etas-plus' version 1: the same fields under the old kind.
 *
 * Cost O(cells · bins).
 * @throws {ModelError} E_FIT naming the offending field, its value and what it must be
 */
export function readEtasFit(value: unknown): EtasFit {
  if (!isObject(value)) bad('(root)', value, 'must be an object: not a patrolcast fit');
  let f = value as Json;
  if (f.kind === 'etas-2015' && f.version === 1) f = from2015(f);
  else if (f.kind === 'etas-plus' && f.version === 1) f = { ...f, kind: 'patrolcast-etas-fit', version: 2 };
  if (f.kind !== 'patrolcast-etas-fit')
    bad('kind', f.kind, 'must be "patrolcast-etas-fit" (or a version 1 "etas-2015" / "etas-plus" fit): not a patrolcast fit');
  if (f.version !== 2) bad('version', f.version, 'must be 2');
  let config: EtasConfig;
  try {
    config = checkEtasConfig(f.config);
  } catch (err) {
    bad('config', f.config, `is not a valid configuration: ${(err as Error).message}`);
  }
  const w = f.window;
  if (!isObject(w) || !isFiniteNumber(w.startMs) || !isFiniteNumber(w.endMs) || !(w.endMs > w.startMs))
    bad('window', w, 'must be {startMs, endMs} with finite epoch ms, startMs < endMs');
  const trace = f.objectiveTrace;
  if (!Array.isArray(trace) || !trace.every(isFiniteNumber)) bad('objectiveTrace', trace, 'must be a list of finite numbers');
  if (f.stopReason !== 'tolerance' && f.stopReason !== 'max-iterations')
    bad('stopReason', f.stopReason, 'must be "tolerance" or "max-iterations"');
  if (typeof f.fingerprint !== 'string' || !/^fnv1a64:[0-9a-f]{16}$/.test(f.fingerprint))
    bad('fingerprint', f.fingerprint, 'must be "fnv1a64:" and 16 hex digits');
  const win = w as { startMs: number; endMs: number };
  const res = finite(f, 'res', (x) => Number.isInteger(x) && x >= 0 && x <= 15, 'must be an H3 resolution 0..15');
  const triggering = config.triggering !== null;
  return {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config,
    tz: checkZone(f, config),
    res,
    theta: finite(
      f,
      'theta',
      (x) => x >= 0 && x < 1 && (triggering || x === 0),
      triggering ? 'must lie in [0, 1)' : 'must be 0 without triggering',
    ),
    omegaPerHour: finite(
      f,
      'omegaPerHour',
      (x) => x >= MIN_OMEGA_PER_HOUR && x <= MAX_OMEGA_PER_HOUR,
      `must lie in [${MIN_OMEGA_PER_HOUR.toPrecision(3)}, ${MAX_OMEGA_PER_HOUR}] per hour (a mean delay from a millisecond to a century)`,
    ),
    ringWeights: checkRingWeights(f, config),
    muPerHour: rates(f, 'muPerHour', res),
    ratePerHour: rates(f, 'ratePerHour', res),
    profile: checkProfile(f, config, res),
    window: { startMs: win.startMs, endMs: win.endMs },
    events: finite(f, 'events', (x) => Number.isInteger(x) && x >= 0, 'must be a whole number ≥ 0'),
    iterations: finite(f, 'iterations', (x) => Number.isInteger(x) && x >= 0, 'must be a whole number ≥ 0'),
    objectiveTrace: trace as number[],
    logLikelihood: finite(f, 'logLikelihood', () => true, 'must be a finite number'),
    stopReason: f.stopReason as StopReason,
    triggeredShare: finite(f, 'triggeredShare', (x) => x >= 0 && x <= 1, 'must lie in [0, 1]'),
    notes: strings(f, 'notes'),
    warnings: strings(f, 'warnings'),
    fingerprint: f.fingerprint as string,
    ...placementOf(f.placement),
    ...(f.adapt === undefined ? {} : { adapt: checkAdaptRecord(f.adapt) }),
  };
}

/** The optional placement field, as a spread. */
function placementOf(p: unknown): { placement?: BoxPlacement } {
  const placement = readPlacementField(p, (why) => bad('placement', p, why));
  return placement === undefined ? {} : { placement };
}

function checkZone(f: Json, config: EtasConfig): string | null {
  if (config.profile === null) {
    if (f.tz !== null && typeof f.tz !== 'string') bad('tz', f.tz, 'must be a zone name or null');
    return (f.tz as string | null) ?? null;
  }
  if (typeof f.tz !== 'string' || f.tz === '') bad('tz', f.tz, 'must name the zone of the profile');
  return f.tz as string;
}

function checkRingWeights(f: Json, config: EtasConfig): number[] {
  const w = f.ringWeights;
  const n = config.triggering === null ? 0 : config.triggering.ringDepth + 1;
  if (!Array.isArray(w) || !w.every((x) => isFiniteNumber(x) && x >= 0)) bad('ringWeights', w, 'must be a list of weights ≥ 0');
  if (config.triggering !== null && (w as number[]).length !== n) bad('ringWeights', w, `must hold ${n} weights (ring depth ${n - 1})`);
  let sum = 0;
  for (const x of w as number[]) sum += x;
  if (config.triggering !== null && !(Math.abs(sum - 1) <= 1e-6)) bad('ringWeights', w, 'must sum to 1 (shares of the offspring by ring)');
  return w as number[];
}

function checkProfile(f: Json, config: EtasConfig, res: number): EtasFit['profile'] {
  const p = f.profile;
  if (config.profile === null) {
    if (p !== null && p !== undefined) bad('profile', p, 'must be null when the configuration has no profile');
    return null;
  }
  if (!isObject(p) || !Array.isArray(p.labels) || !p.labels.every((l) => typeof l === 'string'))
    bad('profile', p, 'must hold labels, exposureHours and cells');
  const q = p as Json;
  const B = (q.labels as string[]).length;
  if (B === 0) bad('profile.labels', q.labels, 'must name at least one bin');
  const exposure = q.exposureHours;
  if (!Array.isArray(exposure) || exposure.length !== B || !exposure.every((x) => isFiniteNumber(x) && x >= 0))
    bad('profile.exposureHours', exposure, `must be ${B} numbers of hours ≥ 0`);
  if (!isObject(q.cells)) bad('profile.cells', q.cells, 'must be an object of cell → multipliers');
  for (const [cell, row] of Object.entries(q.cells as Json)) {
    checkCell(`profile.cells.${cell}`, cell, res);
    if (!Array.isArray(row) || row.length !== B || !row.every((x) => isFiniteNumber(x) && x >= 0 && x <= MAX_MULTIPLIER))
      bad(`profile.cells.${cell}`, row, `must be ${B} multipliers in [0, ${MAX_MULTIPLIER}]`);
  }
  return { labels: q.labels as string[], exposureHours: exposure as number[], cells: q.cells as Record<H3Cell, number[]> };
}

/**
 * A version 1 'etas-2015' fit as a version 2 one (see {@link readEtasFit}); fields it does not
 * map are left for the v2 checks to report.
 */
function from2015(f: Json): Json {
  const o = isObject(f.options) ? f.options : {};
  const w = isObject(f.window) ? f.window : {};
  const windowHours = ((w.endMs as number) - (w.startMs as number)) / HOUR_MS;
  const base = ETAS_2015.triggering!;
  const minDelay = (o.minMeanDelayHours as number | undefined) ?? base.minMeanDelayHours;
  // The release stored its resolved ceiling; the window's default (one tenth, at most a year) is null here.
  const defaultMax = Math.max(minDelay, Math.min(8760, 0.1 * windowHours));
  const maxDelay = o.maxMeanDelayHours === undefined || o.maxMeanDelayHours === defaultMax ? null : o.maxMeanDelayHours;
  const config = {
    ...ETAS_2015,
    triggering: {
      ...base,
      thetaMax: o.thetaMax ?? base.thetaMax,
      minMeanDelayHours: minDelay,
      maxMeanDelayHours: maxDelay,
      ...(o.fixedTheta !== undefined ? { fixedTheta: o.fixedTheta } : {}),
      ...(o.fixedMeanDelayHours !== undefined ? { fixedMeanDelayHours: o.fixedMeanDelayHours } : {}),
    },
    em: { maxIterations: o.maxIterations ?? ETAS_2015.em.maxIterations, relTolerance: o.relTolerance ?? ETAS_2015.em.relTolerance },
  };
  const trace = f.logLikelihoodTrace;
  if (!Array.isArray(trace) || trace.length === 0 || !trace.every(isFiniteNumber))
    bad('logLikelihoodTrace', trace, 'must be a non-empty list of finite numbers');
  if (f.options !== undefined && !isObject(f.options)) bad('options', f.options, 'must be an object');
  return {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config,
    tz: null,
    res: f.res,
    theta: f.theta,
    omegaPerHour: f.omegaPerHour,
    ringWeights: [1],
    muPerHour: f.muPerHour,
    ratePerHour: f.muPerHour,
    profile: null,
    window: f.window,
    events: f.events,
    iterations: f.iterations,
    objectiveTrace: trace,
    logLikelihood: trace[trace.length - 1],
    stopReason: f.stopReason,
    triggeredShare: f.triggeredShare ?? f.theta,
    notes: f.notes,
    warnings: f.warnings,
    fingerprint: f.fingerprint,
  };
}
