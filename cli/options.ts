/**
 * Option parsing shared by the commands: the zone an --at/--until time is read in, the instant
 * it names, the category filter (--categories/--preset), --res, and the fit flags of `fit` and
 * `forecast` (bounds and fixed parameters).
 */
import type { Command } from 'commander';
import {
  CATEGORY_PRESETS,
  DEFAULT_RES,
  ETAS_2015,
  ETAS_DEFAULTS,
  parseLocalDateTime,
  resolveCategories,
  victimReportedDefault,
} from '../engine/index.ts';
import type { EtasFitOptions, Incident, IngestFormat, IngestResult, VictimReportedDefault } from '../engine/index.ts';
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

/** The crime types chosen on the command line, read before any data (a bad flag fails early). */
export type TypeChoice =
  /** No flag: the victim-reported default of the data's format. */
  | { readonly kind: 'default' }
  /** `--categories all`: every type. */
  | { readonly kind: 'all' }
  /** `--preset NAME` or `--categories A,B` (names or a preset name): exactly these types. */
  | { readonly kind: 'named'; readonly names: readonly string[]; readonly title: string };

/**
 * Reads --categories (names, a preset name or "all") and --preset; one of them, not both.
 * @throws CliError E_BAD_OPTION naming the flag
 */
export function typeChoiceFrom(opts: { categories?: string; preset?: string }): TypeChoice {
  if (opts.categories !== undefined && opts.preset !== undefined) {
    throw new CliError('give either --categories or --preset, not both', 'E_BAD_OPTION');
  }
  if (opts.preset !== undefined) {
    if (CATEGORY_PRESETS[opts.preset] === undefined) {
      throw new CliError(
        `--preset: unknown preset "${opts.preset}"; presets are ${Object.keys(CATEGORY_PRESETS).join(', ')}`,
        'E_BAD_OPTION',
      );
    }
    return { kind: 'named', names: resolveCategories(opts.preset), title: opts.preset };
  }
  if (opts.categories === undefined) return { kind: 'default' };
  const given = opts.categories.trim();
  if (given.toLowerCase() === 'all') return { kind: 'all' };
  const names = resolveCategories(given);
  if (names.length === 0) throw new CliError('--categories: no category names given', 'E_BAD_OPTION');
  return { kind: 'named', names, title: CATEGORY_PRESETS[given] !== undefined ? given : names.join(', ') };
}

/** The crime types a command trains on (or a backtest scores), and what to say about them. */
export interface TrainingTypes {
  /** Keeps the incidents to train on; null keeps all. */
  readonly include: ((inc: Incident) => boolean) | null;
  /** For stderr ("patrolcast: note: ..."), or null when the types were chosen with a flag. */
  readonly note: string | null;
  /** For stderr ("patrolcast: warning: ..."): named types no incident has, or null. */
  readonly warning: string | null;
  /** The types in a report's title: the preset, the names, "victim-reported crime" or "all categories". */
  readonly title: string;
  /** The names chosen with a flag, or null (default or `all`). */
  readonly named: readonly string[] | null;
  /** The types the victim-reported default left out (empty when a flag chose). */
  readonly leftOut: readonly string[];
}

/**
 * The crime types to train on, one rule for every command: --categories/--preset as given
 * (`--categories all`: every type; a warning names chosen types no incident has), else the
 * victim-reported default of the data's format (engine victimReportedDefault: the publisher's
 * police-discovered types and types that are not crime left out, said in the note; plain CSV
 * and GeoJSON: every type, with a note that the analyst should choose). Checks that the choice
 * leaves something to train on. Cost O(N).
 * @throws CliError E_NO_EVENTS when nothing matched
 */
export function trainingTypes(choice: TypeChoice, data: IngestResult): TrainingTypes {
  if (choice.kind === 'all') return { include: null, note: null, warning: null, title: 'all categories', named: null, leftOut: [] };
  if (choice.kind === 'named') {
    const keep = new Set(choice.names);
    const include = (inc: Incident): boolean => inc.category !== null && keep.has(inc.category);
    checkCategoriesMatched(data.incidents, include);
    const present = new Set<string>();
    for (const inc of data.incidents) if (inc.category !== null) present.add(inc.category);
    const missing = choice.names.filter((c) => !present.has(c));
    const warning = missing.length > 0 ? `no incident has category ${missing.map((m) => `"${m}"`).join(', ')}` : null;
    return { include, note: null, warning, title: choice.title, named: choice.names, leftOut: [] };
  }
  const byDefault = victimReportedDefault(data.incidents, [data.format]);
  const include = byDefault.include;
  if (include !== null && data.incidents.length > 0 && !data.incidents.some(include)) {
    throw new CliError(
      `every incident is of a type left out of training by default (${byDefault.leftOut.map((t) => t.category).join(', ')}): give --categories all to train on them`,
      'E_NO_EVENTS',
    );
  }
  return {
    include,
    note: defaultNote(byDefault),
    warning: null,
    title: include !== null ? 'victim-reported crime' : 'all categories',
    named: null,
    leftOut: byDefault.leftOut.map((t) => t.category),
  };
}

/** Writes a TrainingTypes' note and warning to stderr, each on its own line. */
export function sayTrainingTypes(types: TrainingTypes, stderr: { write(s: string): unknown }): void {
  if (types.note !== null) stderr.write(`patrolcast: note: ${types.note}\n`);
  if (types.warning !== null) stderr.write(`patrolcast: warning: ${types.warning}\n`);
}

/**
 * The note a command prints for the default training set: when types were left out (with their
 * counts), or when the format's categories are the analyst's own; nothing when a known
 * publisher's data holds none of the types left out.
 */
export function defaultNote(byDefault: VictimReportedDefault): string | null {
  return byDefault.leftOut.length > 0 || !byDefault.known ? byDefault.words : null;
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

/**
 * The place filter of --bbox west,south,east,north (degrees): keeps incidents inside the box,
 * edges included. Drops stray far-away points that would stretch a study area.
 * @throws CliError E_BAD_OPTION naming the flag and what it expected
 */
export function bboxFilter(value: string): (inc: { readonly lat: number; readonly lng: number }) => boolean {
  const parts = value.split(',').map((p) => p.trim());
  const box = parts.map(Number);
  const [w, s, e, n] = box as [number, number, number, number];
  const ok =
    parts.length === 4 &&
    parts.every((p) => p !== '') &&
    box.every((x) => Number.isFinite(x) && x >= -180 && x <= 180) &&
    w < e &&
    s < n &&
    s >= -90 &&
    n <= 90;
  if (!ok)
    throw new CliError(
      `--bbox: expected west,south,east,north in degrees with west < east and south < north, got "${value}"`,
      'E_BAD_OPTION',
    );
  return (inc) => inc.lng >= w && inc.lng <= e && inc.lat >= s && inc.lat <= n;
}
