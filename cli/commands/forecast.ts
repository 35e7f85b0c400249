/**
 * `patrolcast forecast FILE... --at 2024-03-01T22:00`: fit on every incident before the shift
 * (or load a saved fit), forecast each cell's expected count for the shift, and list the top
 * patrol boxes per district with their explanations, as a table, GeoJSON or CSV.
 */
import type { Command } from 'commander';
import {
  boxesToCsv,
  boxesToGeoJSON,
  CATEGORY_PRESETS,
  DEFAULT_MAX_CONTRIBUTORS,
  DEFAULT_RES,
  DEFAULT_SHIFT_HOURS,
  DEFAULT_TOP,
  modelName,
  withRouteStops,
  shiftAt,
  shiftBoxes,
} from '../../engine/index.ts';
import type { BoxPlacement, ShiftBoxes, ShiftWindow } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { checkZone, CliError } from '../errors.ts';
import { readFitFile, refuseOverwritingInputs, writeFileAtomic, writeFitFile } from '../files.ts';
import {
  addDistrictOptions,
  addInputOptions,
  inputOptionsFrom,
  readDistrictPolygons,
  readIncidents,
  reportRejections,
  addRejectionOption,
} from '../io.ts';
import {
  addFitOptions,
  typeChoiceFrom,
  sayTrainingTypes,
  trainingTypes,
  fitOptionsFrom,
  parseResOption,
  zoneFor,
  type FitFlags,
  addModelOptions,
} from '../options.ts';
import { formatBoxesTable, placementWords } from '../boxesTable.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { checkTunedBefore, describeFitForTerminal, fitProgress, modelConfig, serviceErrorForCli, withFitFlags } from '../training.ts';

interface ForecastCommandOptions extends FitFlags {
  at: string;
  hours?: string;
  top?: string;
  boxesTotal?: string;
  res?: string;
  categories?: string;
  preset?: string;
  districts?: string;
  districtProperty?: string;
  out?: string;
  outFormat?: string;
  fitOut?: string;
  fitIn?: string;
  model?: string;
  config?: string;
  contributors?: string;
  format?: string;
  columns?: string;
  tz?: string;
  keepOutliers?: boolean;
  placement?: string;
}

/** The --placement option: 'fine' or 'grid'; undefined when not given. */
function placementOption(value: string | undefined): BoxPlacement | undefined {
  if (value === undefined || value === 'fine' || value === 'grid') return value;
  throw new CliError(`--placement must be fine or grid, got "${value}"`, 'E_BAD_OPTION');
}

/**
 * The placement to use: --placement, else the one the saved fit (--fit-in) or the configuration
 * (--config) was made for, else 'fine'; a note when --placement overrides a recorded one.
 */
function choosePlacement(
  given: BoxPlacement | undefined,
  recorded: { readonly placement: BoxPlacement | undefined; readonly file: string },
  stderr: { write(s: string): unknown },
): BoxPlacement {
  if (given !== undefined && recorded.placement !== undefined && given !== recorded.placement)
    stderr.write(`patrolcast: note: --placement ${given} overrides the placement ${recorded.file} was made for (${recorded.placement})\n`);
  return given ?? recorded.placement ?? 'fine';
}

function intOption(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isInteger(x) || x < min)
    throw new CliError(`${flag} must be an integer ≥ ${min}, got "${value}"`, 'E_BAD_OPTION');
  return x;
}

function hoursOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SHIFT_HOURS;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x <= 0 || x > 744)
    throw new CliError(`--hours must be a number of hours > 0 (at most 744), got "${value}"`, 'E_BAD_OPTION');
  return x;
}

/** A date without a time of day, e.g. 2023-12-15 (ambiguous as a shift start). */
const DATE_ONLY = /^\s*\d{4}-\d{2}-\d{2}\s*$/;

/**
 * Refuses a date-only --at: a shift starts at a time of day, and reading 2023-12-15 as its
 * midnight would run the 00:00-08:00 shift under the label of the night before.
 * @throws CliError E_BAD_OPTION naming the flag and suggesting the three default shifts
 */
function checkAtHasTime(at: string): void {
  if (!DATE_ONLY.test(at)) return;
  const d = at.trim();
  throw new CliError(
    `--at "${d}" is a date without a time: a shift starts at a time of day; give e.g. --at ${d}T22:00 (night), ${d}T06:00 (day) or ${d}T14:00 (evening)`,
    'E_BAD_OPTION',
  );
}

/** 'geojson' or 'csv' from --out-format, else from the --out extension (.csv → csv). */
function outputFormat(out: string | undefined, flag: string | undefined): 'geojson' | 'csv' {
  if (flag !== undefined) {
    if (flag !== 'geojson' && flag !== 'csv') throw new CliError(`--out-format must be geojson or csv, got "${flag}"`, 'E_BAD_OPTION');
    return flag;
  }
  return out !== undefined && /\.csv$/i.test(out) ? 'csv' : 'geojson';
}

export function registerForecast(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('forecast')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description(
      "Forecast one shift: fit the self-exciting model on every incident before --at (or load a saved fit with --fit-in), compute each cell's expected count for the shift and list the top patrol boxes per district, each with the reason it was picked.",
    )
    .requiredOption(
      '--at <datetime>',
      'local start of the shift, e.g. 2024-03-01T22:00 (read in --tz; an offset like -08:00 or Z makes it absolute)',
    )
    .option(
      '--hours <h>',
      `shift length in wall-clock hours (default ${DEFAULT_SHIFT_HOURS}; the night the clocks change lasts 7 or 9 real hours)`,
    )
    .option('--top <k>', `patrol boxes per district (default ${DEFAULT_TOP}, PredPol's number)`)
    .option(
      '--boxes-total <n>',
      'instead of --top: n boxes in all, shared across the districts in proportion to their expected crime in the shift (Sainte-Laguë); a quiet district may get none',
    )
    .option('--res <n>', `H3 resolution of the grid (default ${DEFAULT_RES}: about 0.015 km² a cell)`)
    .option(
      '--categories <names>',
      'keep only these categories: comma-separated names exactly as the data writes them, a preset name, or "all" (default: the victim-reported types; data.police.uk drugs, weapons, public order and anti-social behaviour are left out, docs/data.md)',
    )
    .option('--preset <name>', `keep only a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`)
    .option('--out <file>', 'write the boxes to a file instead of printing a table (GeoJSON, or CSV when the name ends in .csv)')
    .option('--out-format <format>', 'geojson or csv, overriding the --out extension')
    .option(
      '--placement <how>',
      "fine: boxes of one cell's area centred on any cell of the next finer resolution; grid: the grid's own cells (default: the placement the --fit-in fit or the --config configuration was made for, else fine)",
    )
    .option('--contributors <n>', `recent incidents listed per box (default ${DEFAULT_MAX_CONTRIBUTORS})`)
    .option('--fit-out <file>', 'also save the fit as JSON')
    .option(
      '--fit-in <file>',
      'use a saved fit (from `patrolcast fit` or --fit-out) instead of fitting; it must have been trained on data before the shift',
    );
  addModelOptions(cmd);
  addDistrictOptions(cmd);
  addRejectionOption(addInputOptions(cmd));
  addFitOptions(cmd);
  cmd.addHelpText(
    'after',
    `
--tz also sets the zone whose wall clock defines the shift. Default: America/Vancouver for
Vancouver GeoDASH data, Europe/London for data.police.uk; other data needs --tz (or an --at
with an offset, read as UTC). --format is the input format, as for every command.

The GeoJSON output is an RFC 7946 FeatureCollection: one hexagon Polygon per box with the
properties h3, district, rank, place (the most common location text of the box's incidents,
with its share; or the district and the centre's coordinates), placeDetail, reason (why the
box is here in words: its incidents in the past year, on this shift of the day, in the last 14
days, and the latest one's age), reasonCounts (those counts), expected,
background, triggered, backgroundShare, triggeredShare, contributors [{incidentId, category, ageHours, contribution}], explanation,
shift, shiftStart, shiftHours, and the patrol order: visit (the box's place in its district's
route from box 1) and legM (straight-line metres from the box visited before; null for the
first). Join the box centres in visit order to draw the route. The table prints the same order
under each district.

Examples:
  patrolcast forecast fixtures/vancouver/property_2023.csv.gz --at 2023-12-15T22:00
  patrolcast forecast fixtures/vancouver/property_2023.csv.gz --at 2023-12-15T22:00 --top 5 --out boxes.geojson
  patrolcast forecast fixtures/vancouver/property_2023.csv.gz --at 2023-12-15T06:00 --preset vancouver-burglary-vehicle --out boxes.csv
  patrolcast fit fixtures/vancouver/property_2023.csv.gz --until 2023-12-15T22:00 --out fit.json
  patrolcast forecast fixtures/vancouver/property_2023.csv.gz --at 2023-12-15T22:00 --fit-in fit.json
  patrolcast forecast chicago.csv.gz --columns datetime=date,lat=latitude,lon=longitude --tz America/Chicago --at 2016-06-01T14:00
`,
  );
  cmd.action(async (files: string[], opts: ForecastCommandOptions) => {
    refuseOverwritingInputs({ '--out': opts.out, '--fit-out': opts.fitOut }, [...files, opts.fitIn, opts.config, opts.districts]);
    const input = inputOptionsFrom(opts);
    checkAtHasTime(opts.at);
    const hours = hoursOption(opts.hours);
    const top = intOption('--top', opts.top, DEFAULT_TOP, 1);
    const boxesTotal = opts.boxesTotal === undefined ? undefined : intOption('--boxes-total', opts.boxesTotal, 0, 1);
    if (boxesTotal !== undefined && opts.top !== undefined)
      throw new CliError('give either --top (boxes per district) or --boxes-total (shared by need), not both', 'E_BAD_OPTION');
    const maxContributors = intOption('--contributors', opts.contributors, DEFAULT_MAX_CONTRIBUTORS, 0);
    const givenPlacement = placementOption(opts.placement);
    const format = outputFormat(opts.out, opts.outFormat);
    const typeChoice = typeChoiceFrom(opts); // a bad --categories/--preset fails before any data is read
    const fitOptions = fitOptionsFrom(opts);
    if (opts.fitIn !== undefined && opts.fitOut !== undefined)
      throw new CliError('give either --fit-in or --fit-out, not both', 'E_BAD_OPTION');
    if (opts.fitIn !== undefined && Object.keys(fitOptions).length > 0) {
      throw new CliError(
        'the fit flags (--theta-max, --min-delay-hours, --fixed-theta, --fixed-delay-hours, --max-iterations) have no effect with --fit-in',
        'E_BAD_OPTION',
      );
    }
    // The model and its configuration (checked before any data is read); a saved fit carries its own.
    const model = await modelConfig(opts.model, opts.config);
    const saved = opts.fitIn === undefined ? null : await readFitFile(opts.fitIn);
    if (saved !== null) {
      if (saved.tz !== null) checkZone(`${opts.fitIn}: field "tz"`, saved.tz);
      if (opts.model !== undefined && modelName(saved.config) !== model.name) {
        throw new CliError(`${opts.fitIn} is a fit of the ${modelName(saved.config)} model, but --model is ${opts.model}`, 'E_BAD_OPTION');
      }
    }
    const placement = choosePlacement(
      givenPlacement,
      saved !== null
        ? { placement: saved.placement ?? saved.config.placement, file: opts.fitIn! }
        : { placement: model.config.placement, file: opts.config ?? 'the configuration' },
      ctx.io.stderr,
    );
    const res = saved !== null && opts.res === undefined ? saved.res : parseResOption(opts.res);
    if (saved !== null && saved.res !== res) {
      throw new CliError(
        `${opts.fitIn} was fitted at H3 resolution ${saved.res}, but --res is ${res}: drop --res or refit`,
        'E_BAD_OPTION',
      );
    }

    // The district polygons are read before the data, so a bad file fails before the fit.
    const polygons = opts.districts === undefined ? null : await readDistrictPolygons(opts.districts, opts.districtProperty);
    const result = await readIncidents(files, input, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(result, opts, ctx.io.stderr);
    const tz = zoneFor('--at', opts.at, opts.tz, result.format);
    let shift: ShiftWindow;
    try {
      shift = shiftAt(opts.at, tz, hours);
    } catch (err) {
      throw new CliError(`--at: ${(err as Error).message}`, 'E_BAD_OPTION');
    }
    const types = trainingTypes(typeChoice, result);
    const include = types.include;
    sayTrainingTypes(types, ctx.io.stderr);
    if (saved === null) checkTunedBefore(model.config, shift.startMs, opts.config ?? 'the configuration', 'the shift (--at)', tz);
    const progress = fitProgress(createProgress(ctx.io.stderr));
    let cast: ShiftBoxes;
    try {
      // The engine's service: the training set known before the shift, the fit (or the saved
      // one), the forecast and the boxes, exactly as the web app and the backtest make them.
      cast = shiftBoxes(
        {
          incidents: result.incidents,
          tz,
          res,
          include,
          keepOutliers: opts.keepOutliers === true,
          shift,
          ...(saved !== null ? { fit: saved } : { model: withFitFlags(model.config, fitOptions) }),
          districts: polygons ?? 'labels',
          unassigned: polygons !== null ? 'drop' : 'group',
          top,
          ...(boxesTotal !== undefined ? { boxesTotal } : {}),
          maxContributors,
          placement,
        },
        progress.hooks,
      );
    } catch (err) {
      throw serviceErrorForCli(err, {
        what: 'the shift start --at',
        filtered: include !== null,
        fitIn: opts.fitIn,
        files,
        at: opts.at,
        tz,
        shiftStartMs: shift.startMs,
      });
    } finally {
      progress.done();
    }
    for (const w of cast.warnings) ctx.io.stderr.write(`patrolcast: warning: ${w}\n`);
    const { fit, boxes } = cast;
    // The fit file records the placement its boxes were made with (`forecast --fit-in` defaults to it).
    if (saved === null && opts.fitOut !== undefined) await writeFitFile('--fit-out', opts.fitOut, { ...fit, placement });
    if (boxes.length === 0) {
      throw new CliError(
        opts.districts !== undefined
          ? `no cell with a positive forecast lies inside the districts of ${opts.districts}`
          : 'no cell has a positive forecast',
        'E_NO_BOXES',
      );
    }

    if (opts.out === undefined) {
      if (saved === null) ctx.io.stderr.write(`${describeFitForTerminal(fit)}\n`);
      else if (fit.adapt) ctx.io.stderr.write(`Adaptive: forecasts with ${fit.adapt.reason}.\n`);
      const need = { warnings: cast.rankingWarnings, allocation: cast.allocation };
      ctx.io.stdout.write(formatBoxesTable(boxes, shift, tz, boxesTotal ?? top, { placement, res }, cast.routes, need));
      return;
    }
    for (const w of cast.rankingWarnings) ctx.io.stderr.write(`patrolcast: warning: ${w.words}\n`);
    const extra = { shift: shift.label, shiftStart: new Date(shift.startMs).toISOString(), shiftHours: shift.hours, placement };
    if (fit.adapt) ctx.io.stderr.write(`Adaptive: forecasts with ${fit.adapt.reason}.\n`);
    const text =
      format === 'csv' ? boxesToCsv(boxes, extra) : `${JSON.stringify(withRouteStops(boxesToGeoJSON(boxes, extra), cast.routes))}\n`;
    await writeFileAtomic('--out', opts.out, text);
    const nDistricts = new Set(boxes.map((b) => b.district)).size;
    ctx.io.stdout.write(
      `${shift.label} (${tz}): wrote ${boxes.length} boxes in ${nDistricts} district${nDistricts === 1 ? '' : 's'} to ${opts.out} (${format}; ${placementWords(placement, res)})\n`,
    );
  });
}
