/**
 * `patrolcast fit FILE... --until ISO --out fit.json`: fit the forecast model (`--model etas`,
 * the default, with `--config`; or `etas-2015`, the preset of the grid self-exciting model of
 * Mohler et al. 2015) on every incident before a date and save the fit as plain JSON (the format
 * `forecast --fit-in` reads). Also the helpers the forecast command shares (time zone defaults,
 * category filter, fit flags).
 */
import type { Command } from 'commander';
import { DEFAULT_RES, buildEventSet, districtsFromLabels } from '../../engine/grid/index.ts';
import { CATEGORY_PRESETS, resolveCategories } from '../../engine/ingest/index.ts';
import { ETAS_2015, ETAS_DEFAULTS, ETAS_PRESETS, type EtasConfig, type EtasFit, type ModelName } from '../../engine/model/index.ts';
import { parseLocalDateTime } from '../../engine/forecast/index.ts';
import type { EtasFitOptions, EventSet, Incident, IngestFormat } from '../../engine/types.ts';
import { CliError } from '../errors.ts';
import { addInputOptions, inputOptionsFrom, readIncidents } from '../io.ts';
import { createProgress } from '../progress.ts';
import { checkTunedBefore, describeFitForTerminal, fitForForecast, readConfigFile, withFitFlags, writeFitFile } from './tune.ts';

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
      throw new CliError(`--preset: unknown preset "${opts.preset}"; presets are ${Object.keys(CATEGORY_PRESETS).join(', ')}`, 'E_BAD_OPTION');
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
  const top = [...seen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([c]) => `"${c}"`);
  throw new CliError(`no incident has one of the chosen categories; the data has ${top.join(', ')}${seen.size > 12 ? ', ...' : ''}`, 'E_NO_EVENTS');
}

export function parseResOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RES;
  const res = Number(value);
  if (!Number.isInteger(res) || res < 0 || res > 15) throw new CliError(`--res must be an integer H3 resolution from 0 to 15, got "${value}"`, 'E_BAD_OPTION');
  return res;
}

function positiveNumber(flag: string, value: string | undefined, opts: { integer?: boolean; max?: number; allowZero?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(x) && (opts.allowZero ? x >= 0 : x > 0) && (!opts.integer || Number.isInteger(x)) && (opts.max === undefined || x <= opts.max);
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

/** Adds the fit flags (bounds and fixed parameters) to a command. */
export function addFitOptions(cmd: Command): Command {
  return cmd
    .option('--theta-max <x>', `upper bound on θ, the expected offspring per crime (default ${ETAS_DEFAULTS.triggering!.thetaMax})`)
    .option('--min-delay-hours <h>', `floor on the mean trigger delay 1/ω in hours (default ${ETAS_DEFAULTS.triggering!.minMeanDelayHours}; guards against exact ties)`)
    .option('--fixed-theta <x>', 'fix θ instead of estimating it (0 ≤ x < 1)')
    .option('--fixed-delay-hours <h>', 'fix the mean trigger delay 1/ω in hours instead of estimating it')
    .option('--max-iterations <n>', `maximum EM iterations (default ${ETAS_DEFAULTS.em.maxIterations} for etas, ${ETAS_2015.em.maxIterations} for etas-2015)`);
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

/** Events before `endMs` (kept by `include`), with t = 0 at the earliest of them. @throws CliError when none */
export function trainingEvents(
  incidents: readonly Incident[],
  res: number,
  endMs: number,
  include: ((inc: Incident) => boolean) | null,
  what: string,
): { events: EventSet; startMs: number } {
  let startMs = Number.POSITIVE_INFINITY;
  for (const inc of incidents) if (inc.timeMs < endMs && inc.timeMs < startMs && (include === null || include(inc))) startMs = inc.timeMs;
  if (startMs === Number.POSITIVE_INFINITY) {
    throw new CliError(`no incident${include ? ' of the chosen categories' : ''} before ${what} (${new Date(endMs).toISOString()}): nothing to fit`, 'E_NO_EVENTS');
  }
  const events = buildEventSet(incidents, res, startMs, { endMs, ...(include ? { include } : {}) });
  return { events, startMs };
}

/** A sentence warning that month-precision data cannot support shift forecasts, or null. */
export function monthPrecisionWarning(events: EventSet): string | null {
  const month = events.precisionCounts?.month ?? 0;
  if (month === 0) return null;
  const n = events.tHours.length;
  return `${month} of ${n} training incidents (${Math.round((100 * month) / n)}%) are known only to the month: the fit can support month-ahead forecasts, but shift-level (8-hour) forecasts need times to the hour or minute.`;
}

/**
 * The model named by --model (default etas) and its starting configuration: --config for etas,
 * else the preset. @throws CliError for an unknown name or --config with etas-2015
 */
export async function modelConfig(model: string | undefined, configPath: string | undefined): Promise<{ name: ModelName; config: EtasConfig }> {
  const name = model ?? 'etas';
  if (name !== 'etas' && name !== 'etas-2015') throw new CliError(`--model must be etas or etas-2015, got "${name}"`, 'E_BAD_OPTION');
  if (name === 'etas-2015' && configPath !== undefined) throw new CliError('--config sets up the etas model; it has no effect with --model etas-2015', 'E_BAD_OPTION');
  return { name, config: configPath === undefined ? ETAS_PRESETS[name] : await readConfigFile(configPath) };
}

/** The fit's report: its model, the parameters in words and in numbers, notes and warnings. */
export function fitReport(fit: EtasFit): string {
  const lines = [describeFitForTerminal(fit)];
  const trig = fit.config.triggering !== null ? `θ = ${fit.theta.toPrecision(4)}, ω = ${fit.omegaPerHour.toPrecision(4)} per hour (mean delay ${(1 / fit.omegaPerHour).toPrecision(4)} h), ring weights ${fit.ringWeights.map((w) => w.toFixed(3)).join('/')}, ` : 'no triggering, ';
  const prof = fit.profile !== null ? `, profile bins ${fit.profile.labels.join(', ')} (zone ${fit.tz})` : '';
  lines.push(`${trig}${Object.keys(fit.ratePerHour).length} cells at H3 resolution ${fit.res}${prof}, trained on ${new Date(fit.window.startMs).toISOString()} to ${new Date(fit.window.endMs).toISOString()} (${fit.events} incidents, ${fit.iterations} EM iterations, stopped by ${fit.stopReason}).`);
  for (const n of fit.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

interface FitCommandOptions extends FitFlags {
  until: string;
  model?: string;
  config?: string;
  out: string;
  res?: string;
  categories?: string;
  preset?: string;
  format?: string;
  columns?: string;
  tz?: string;
}

export function registerFit(program: Command): void {
  const cmd = program
    .command('fit')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description('Fit the forecast model (etas by default, or the plain Mohler et al. 2015 model with --model etas-2015) on every incident before --until, print the parameters in words and save the fit as JSON (for `patrolcast forecast --fit-in`).')
    .requiredOption('--until <datetime>', 'train on incidents strictly before this local date-time (e.g. 2024-03-01T22:00 or 2024-03-01; an offset like -08:00 or Z makes it absolute)')
    .requiredOption('--out <file>', 'where to write the fit (JSON)')
    .option('--res <n>', `H3 resolution of the grid (default ${DEFAULT_RES}: cells of about 0.015 km², PredPol's 150 m boxes)`)
    .option('--categories <names>', 'keep only these categories: comma-separated names exactly as the data writes them, or a preset name')
    .option('--preset <name>', `keep only a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`)
    .option('--model <name>', 'etas (default: shift-type profiles, recency and near-repeats, see `patrolcast tune`) or etas-2015 (the plain Mohler et al. 2015 model)')
    .option('--config <file>', 'configuration of the etas model (from `patrolcast tune`); default: the built-in settings');
  addInputOptions(cmd);
  addFitOptions(cmd);
  cmd.addHelpText(
    'after',
    `
--theta-max, --min-delay-hours, --fixed-theta, --fixed-delay-hours and --max-iterations apply
over the model's configuration (the etas-2015 preset, or the etas model's --config).
--tz also says in which zone --until is read. Default: America/Vancouver for Vancouver GeoDASH
data, Europe/London for data.police.uk; other data needs --tz or a time with an offset.

Examples:
  patrolcast fit fixtures/vancouver/property_2023.csv.gz --until 2023-12-01 --out fit.json
  patrolcast fit fixtures/vancouver/property_2023.csv.gz --until 2023-12-01 --model etas --config tuned.json --out fit.json
  patrolcast fit fixtures/vancouver/property_2023.csv.gz --until 2023-12-01 --model etas-2015 --preset vancouver-burglary-vehicle --min-delay-hours 6 --out fit.json
  patrolcast fit chicago.csv.gz --columns datetime=date,lat=latitude,lon=longitude --tz America/Chicago --until 2016-06-01 --out fit.json
`,
  );
  cmd.action(async (files: string[], opts: FitCommandOptions) => {
    const input = inputOptionsFrom(opts);
    const res = parseResOption(opts.res);
    const include = categoryFilter(opts);
    const fitOptions = fitOptionsFrom(opts);
    const model = await modelConfig(opts.model, opts.config);
    const result = await readIncidents(files, input, createProgress());
    const tz = zoneFor('--until', opts.until, opts.tz, result.format);
    const endMs = instantFrom('--until', opts.until, tz);
    checkCategoriesMatched(result.incidents, include);
    const { events, startMs } = trainingEvents(result.incidents, res, endMs, include, '--until');
    const warning = monthPrecisionWarning(events);
    if (warning !== null) process.stderr.write(`patrolcast: warning: ${warning}\n`);
    // The same fit as `forecast --model ...` makes for a shift starting at --until.
    checkTunedBefore(model.config, endMs, opts.config ?? 'the configuration', "the fit's end (--until)");
    const config = withFitFlags(model.config, fitOptions);
    const labelled = include === null ? result.incidents : result.incidents.filter(include);
    const fit = fitForForecast(events, result.incidents, { startMs, endMs }, res, tz, config, districtsFromLabels(labelled, res));
    await writeFitFile(opts.out, fit);
    process.stdout.write(fitReport(fit));
    process.stdout.write(`wrote ${opts.out}\n`);
  });
}
