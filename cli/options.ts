/**
 * Option parsing shared by the commands: the zone an --at/--until time is read in, the instant
 * it names, the category filter (--categories/--preset), --res, and the fit flags of `fit` and
 * `forecast` (bounds and fixed parameters).
 */
import type { Command } from 'commander';
import { CATEGORY_PRESETS, DEFAULT_RES, ETAS_2015, ETAS_DEFAULTS, parseLocalDateTime, resolveCategories } from '../engine/index.ts';
import type { EtasFitOptions, Incident, IngestFormat } from '../engine/index.ts';
import { CliError } from './errors.ts';

/** The zone whose wall clock a format's times are in, when the format fixes one. */
export const FORMAT_ZONES: Readonly<Partial<Record<IngestFormat, string>>> = {
  vancouver: 'America/Vancouver',
  'police-uk': 'Europe/London',
};

const OFFSET_RE = /(?:[Tt ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * The time zone for reading --at/--until and naming shifts: --tz, else the format's own zone
 * (Vancouver GeoDASH: America/Vancouver, data.police.uk: Europe/London), else UTC when the time
 * carries an explicit offset. @throws CliError when a local time has no zone to be read in.
 */
export function zoneFor(flag: string, value: string, tz: string | undefined, format: IngestFormat): string {
  if (tz !== undefined) return tz;
  const own = FORMAT_ZONES[format];
  if (own !== undefined) return own;
  if (OFFSET_RE.test(value.trim())) return 'UTC';
  throw new CliError(
    `${flag} ${value} is a local time, but ${format} data has no time zone of its own: give --tz (e.g. --tz America/Chicago) or write the time with an offset (e.g. ${value}-06:00)`,
    'E_BAD_OPTION',
  );
}

/** Reads an --at/--until value in a zone. @throws CliError naming the flag */
export function instantFrom(flag: string, value: string, tz: string): number {
  try {
    return parseLocalDateTime(value, tz);
  } catch (err) {
    throw new CliError(`${flag}: ${(err as Error).message}`, 'E_BAD_OPTION');
  }
}

/** The category filter from --categories (names or a preset) or --preset; null keeps all. */
export function categoryFilter(opts: { categories?: string; preset?: string }): ((inc: Incident) => boolean) | null {
  if (opts.categories !== undefined && opts.preset !== undefined) {
    throw new CliError('give either --categories or --preset, not both', 'E_BAD_OPTION');
  }
  let names: string[];
  if (opts.preset !== undefined) {
    if (CATEGORY_PRESETS[opts.preset] === undefined) {
      throw new CliError(
        `--preset: unknown preset "${opts.preset}"; presets are ${Object.keys(CATEGORY_PRESETS).join(', ')}`,
        'E_BAD_OPTION',
      );
    }
    names = resolveCategories(opts.preset);
  } else if (opts.categories !== undefined) {
    names = resolveCategories(opts.categories);
    if (names.length === 0) throw new CliError('--categories: no category names given', 'E_BAD_OPTION');
  } else {
    return null;
  }
  const keep = new Set(names);
  return (inc) => inc.category !== null && keep.has(inc.category);
}

/** Checks that the category filter matched something, naming the categories that exist. */
export function checkCategoriesMatched(incidents: readonly Incident[], include: ((inc: Incident) => boolean) | null): void {
  if (include === null || incidents.length === 0 || incidents.some(include)) return;
  const seen = new Map<string, number>();
  for (const inc of incidents) if (inc.category !== null) seen.set(inc.category, (seen.get(inc.category) ?? 0) + 1);
  const top = [...seen.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([c]) => `"${c}"`);
  throw new CliError(
    `no incident has one of the chosen categories; the data has ${top.join(', ')}${seen.size > 12 ? ', ...' : ''}`,
    'E_NO_EVENTS',
  );
}

export function parseResOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RES;
  const res = Number(value);
  if (!Number.isInteger(res) || res < 0 || res > 15)
    throw new CliError(`--res must be an integer H3 resolution from 0 to 15, got "${value}"`, 'E_BAD_OPTION');
  return res;
}

function positiveNumber(
  flag: string,
  value: string | undefined,
  opts: { integer?: boolean; max?: number; allowZero?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(x) &&
    (opts.allowZero ? x >= 0 : x > 0) &&
    (!opts.integer || Number.isInteger(x)) &&
    (opts.max === undefined || x <= opts.max);
  if (!ok) {
    const what = `${opts.integer ? 'an integer' : 'a number'} ${opts.allowZero ? '≥ 0' : '> 0'}${opts.max !== undefined ? ` and ≤ ${opts.max}` : ''}`;
    throw new CliError(`${flag} must be ${what}, got "${value}"`, 'E_BAD_OPTION');
  }
  return x;
}

/** The fit flags shared by `fit` and `forecast`. */
export interface FitFlags {
  thetaMax?: string;
  minDelayHours?: string;
  fixedTheta?: string;
  fixedDelayHours?: string;
  maxIterations?: string;
}

/** Adds the fit flags (bounds, fixed parameters, iteration limit: over the model's configuration) to a command. */
export function addFitOptions(cmd: Command): Command {
  return cmd
    .option('--theta-max <x>', `upper bound on θ, the expected offspring per crime (default ${ETAS_DEFAULTS.triggering!.thetaMax})`)
    .option(
      '--min-delay-hours <h>',
      `floor on the mean trigger delay 1/ω in hours (default ${ETAS_DEFAULTS.triggering!.minMeanDelayHours}; guards against exact ties)`,
    )
    .option('--fixed-theta <x>', 'fix θ instead of estimating it (0 ≤ x < 1)')
    .option('--fixed-delay-hours <h>', 'fix the mean trigger delay 1/ω in hours instead of estimating it')
    .option(
      '--max-iterations <n>',
      `maximum EM iterations (default ${ETAS_DEFAULTS.em.maxIterations} for etas, ${ETAS_2015.em.maxIterations} for etas-2015)`,
    );
}

/** Turns the fit flags into EtasFitOptions. @throws CliError on bad values */
export function fitOptionsFrom(flags: FitFlags): EtasFitOptions {
  const out: { -readonly [K in keyof EtasFitOptions]: EtasFitOptions[K] } = {};
  const thetaMax = positiveNumber('--theta-max', flags.thetaMax, { max: 0.999 });
  const minDelay = positiveNumber('--min-delay-hours', flags.minDelayHours);
  const fixedTheta = positiveNumber('--fixed-theta', flags.fixedTheta, { allowZero: true, max: 0.999 });
  const fixedDelay = positiveNumber('--fixed-delay-hours', flags.fixedDelayHours);
  const maxIterations = positiveNumber('--max-iterations', flags.maxIterations, { integer: true });
  if (thetaMax !== undefined) out.thetaMax = thetaMax;
  if (minDelay !== undefined) out.minMeanDelayHours = minDelay;
  if (fixedTheta !== undefined) out.fixedTheta = fixedTheta;
  if (fixedDelay !== undefined) out.fixedMeanDelayHours = fixedDelay;
  if (maxIterations !== undefined) out.maxIterations = maxIterations;
  return out;
}

/** --model, --config and --keep-outliers: how `fit` and `forecast` choose and train the model. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option(
      '--model <name>',
      'etas (default: shift-type profiles, recency and near-repeats, see `patrolcast tune`) or etas-2015 (the plain Mohler et al. 2015 model)',
    )
    .option('--config <file>', 'configuration of the etas model (from `patrolcast tune`); default: the built-in settings')
    .option(
      '--keep-outliers',
      'keep incidents isolated in time (a gap of months from the bulk of the data, e.g. a mistyped year) in the fit; by default they are left out with a warning',
    );
}
