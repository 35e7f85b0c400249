/**
 * The settings `tune` searches over (tune.ts): the grid, its checks, and one setting changed in
 * a configuration.
 */
import { ETAS_DEFAULTS, MAX_RING_DEPTH, type EtasConfig } from '../model/index.ts';
import { EvaluateError } from './errors.ts';

/** The settings tried; every list must be non-empty. Infinity in halfLifeDays = never forgets. */
export interface TuneGrid {
  readonly halfLifeDays?: readonly number[];
  /** Share a in [0, 1) of the all-history rate blended into the recency-weighted one (free, like the half-life). */
  readonly allHistoryWeight?: readonly number[];
  readonly profile?: readonly boolean[];
  readonly priorStrength?: readonly number[];
  readonly blend?: readonly number[];
  readonly weekend?: readonly boolean[];
  readonly prior?: readonly ('district' | 'city')[];
  readonly triggering?: readonly boolean[];
  readonly minMeanDelayHours?: readonly number[];
  readonly ringDepth?: readonly number[];
}

/**
 * The default grid (small: on Vancouver property crime, half a year of tuning shifts with weekly
 * refits, it runs in a few minutes on 2 cores).
 */
export const TUNE_DEFAULT_GRID: Required<TuneGrid> = {
  halfLifeDays: [Infinity, 730, 365, 180, 90, 45],
  allHistoryWeight: [0],
  profile: [true, false],
  priorStrength: [3, 10, 30],
  blend: [0, 0.1, 0.3],
  weekend: [true, false],
  prior: ['district', 'city'],
  triggering: [true, false],
  minMeanDelayHours: [1, 24],
  ringDepth: [0, 1],
};

function fail(message: string, value?: unknown): never {
  throw new EvaluateError('E_ARGUMENT', message, value);
}

/**
 * Checks a grid (e.g. parsed from the CLI's --grid JSON) and fills missing keys from the defaults.
 * "Infinity" or null in halfLifeDays mean never forgets.
 * @throws {EvaluateError} E_ARGUMENT naming the key and value
 */
export function checkTuneGrid(value: unknown): Required<TuneGrid> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail('the tuning grid must be a JSON object of setting → list of values');
  const g = value as Record<string, unknown>;
  const out: Record<string, unknown[]> = { ...TUNE_DEFAULT_GRID } as unknown as Record<string, unknown[]>;
  const keys = Object.keys(TUNE_DEFAULT_GRID);
  for (const [k, v] of Object.entries(g)) {
    if (!keys.includes(k)) fail(`grid key "${k}" is unknown (known: ${keys.join(', ')})`, k);
    if (!Array.isArray(v) || v.length === 0) fail(`grid key "${k}" must be a non-empty list`, v);
    const list = k === 'halfLifeDays' ? v.map((x) => (x === null || x === 'Infinity' ? Infinity : x)) : v;
    const ok = (x: unknown): boolean => {
      switch (k) {
        case 'halfLifeDays':
          return typeof x === 'number' && x > 0;
        case 'profile':
        case 'weekend':
        case 'triggering':
          return typeof x === 'boolean';
        case 'prior':
          return x === 'district' || x === 'city';
        case 'priorStrength':
          return typeof x === 'number' && Number.isFinite(x) && x >= 0;
        case 'blend':
        case 'allHistoryWeight':
          return typeof x === 'number' && x >= 0 && x < 1;
        case 'minMeanDelayHours':
          return typeof x === 'number' && Number.isFinite(x) && x > 0;
        case 'ringDepth':
          return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_RING_DEPTH;
        default:
          return false;
      }
    };
    for (const x of list) if (!ok(x)) fail(`grid key "${k}" has a bad value ${JSON.stringify(x)}`, x);
    out[k] = [...new Set(list)];
  }
  return out as unknown as Required<TuneGrid>;
}

export type FitKey = 'profile' | 'priorStrength' | 'blend' | 'weekend' | 'prior' | 'triggering' | 'minMeanDelayHours' | 'ringDepth';
export const FIT_KEYS: readonly FitKey[] = [
  'profile',
  'priorStrength',
  'blend',
  'weekend',
  'prior',
  'triggering',
  'minMeanDelayHours',
  'ringDepth',
];

/** The configuration with one setting changed (switching an ingredient on uses `base`'s settings for it). */
export function withSetting(c: EtasConfig, key: FitKey, value: unknown, base: EtasConfig): EtasConfig {
  const prof = c.profile ?? base.profile ?? ETAS_DEFAULTS.profile!;
  const trig = c.triggering ?? base.triggering ?? ETAS_DEFAULTS.triggering!;
  switch (key) {
    case 'profile':
      return { ...c, profile: value ? prof : null };
    case 'triggering':
      return { ...c, triggering: value ? trig : null };
    case 'priorStrength':
    case 'blend':
    case 'weekend':
    case 'prior':
      return c.profile === null ? c : { ...c, profile: { ...c.profile, [key]: value } };
    case 'minMeanDelayHours':
    case 'ringDepth':
      return c.triggering === null ? c : { ...c, triggering: { ...c.triggering, [key]: value } };
  }
}

/** The part of a configuration a fit depends on (recency is applied after the EM): the memo key of a replay. */
export function fitKeyOf(c: EtasConfig): string {
  return JSON.stringify({ p: c.profile, t: c.triggering, e: c.em });
}
