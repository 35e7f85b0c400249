/**
 * `patrolcast fit FILE... --until ISO --out fit.json`: fit the forecast model (`--model etas`,
 * the default, with `--config`; or `etas-2015`, the grid self-exciting model of Mohler et al.
 * 2015) on every incident before a date and save the fit as plain JSON (the format
 * `forecast --fit-in` reads).
 */
import type { Command } from 'commander';
import { CATEGORY_PRESETS, DEFAULT_RES, describeFit, districtsFromLabels, PLUS_DEFAULTS } from '../../engine/index.ts';
import type { EtasFit, EtasPlusFit } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readPlusConfigFile, writeFitFile, writePlusFitFile } from '../files.ts';
import { addInputOptions, inputOptionsFrom, readIncidents } from '../io.ts';
import { addFitOptions, categoryFilter, checkCategoriesMatched, fitOptionsFrom, instantFrom, parseResOption, zoneFor, type FitFlags } from '../options.ts';
import { createProgress } from '../progress.ts';
import { checkTunedBefore, describePlusFit, fitPlusForForecast, fitWithProgress, monthPrecisionWarning, trainingEvents, withFitFlags } from '../training.ts';

/** The fit's report: parameters in words, notes and warnings. */
export function fitReport(fit: EtasFit): string {
  const lines = [describeFit(fit)];
  lines.push(`θ = ${fit.theta.toPrecision(4)}, ω = ${fit.omegaPerHour.toPrecision(4)} per hour (mean delay ${(1 / fit.omegaPerHour).toPrecision(4)} h), ${Object.keys(fit.muPerHour).length} cells at H3 resolution ${fit.res}, trained on ${new Date(fit.window.startMs).toISOString()} to ${new Date(fit.window.endMs).toISOString()}, stopped by ${fit.stopReason}.`);
  for (const n of fit.notes) lines.push(`note: ${n}`);
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** The etas fit's report: its configuration and parameters in words, notes and warnings. */
export function plusFitReport(fit: EtasPlusFit): string {
  const lines = [describePlusFit(fit)];
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

export function registerFit(program: Command, ctx: CliContext): void {
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
--fixed-theta and --fixed-delay-hours apply to --model etas-2015 only; --theta-max,
--min-delay-hours and --max-iterations also bound the etas model (over its --config).
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
    const modelName = opts.model ?? 'etas';
    if (modelName !== 'etas' && modelName !== 'etas-2015') throw new CliError(`--model must be etas or etas-2015, got "${modelName}"`, 'E_BAD_OPTION');
    if (modelName === 'etas-2015' && opts.config !== undefined) throw new CliError('--config sets up the etas model; it has no effect with --model etas-2015', 'E_BAD_OPTION');
    if (modelName === 'etas' && (opts.fixedTheta !== undefined || opts.fixedDelayHours !== undefined)) {
      throw new CliError('--fixed-theta and --fixed-delay-hours apply to --model etas-2015 only (bound the etas model with --theta-max and --min-delay-hours, or in --config)', 'E_BAD_OPTION');
    }
    const baseConfig = modelName === 'etas' ? (opts.config === undefined ? PLUS_DEFAULTS : await readPlusConfigFile(opts.config)) : null;
    const result = await readIncidents(files, input, createProgress(ctx.io.stderr));
    const tz = zoneFor('--until', opts.until, opts.tz, result.format);
    const endMs = instantFrom('--until', opts.until, tz);
    checkCategoriesMatched(result.incidents, include);
    const { events, startMs } = trainingEvents(result.incidents, res, endMs, include, '--until');
    const warning = monthPrecisionWarning(events);
    if (warning !== null) ctx.io.stderr.write(`patrolcast: warning: ${warning}\n`);
    if (baseConfig !== null) {
      // The same fit as `forecast --model etas` makes for a shift starting at --until.
      checkTunedBefore(baseConfig, endMs, opts.config ?? 'the configuration', 'the fit\'s end (--until)');
      const config = withFitFlags(baseConfig, fitOptions);
      const labelled = include === null ? result.incidents : result.incidents.filter(include);
      const plus = fitPlusForForecast(events, result.incidents, { startMs, endMs }, res, tz, config, districtsFromLabels(labelled, res));
      await writePlusFitFile(opts.out, plus);
      ctx.io.stdout.write(plusFitReport(plus));
      ctx.io.stdout.write(`wrote ${opts.out}\n`);
      return;
    }
    const fit = fitWithProgress(events, { startMs, endMs }, res, fitOptions, createProgress(ctx.io.stderr));
    await writeFitFile(opts.out, fit);
    ctx.io.stdout.write(fitReport(fit));
    ctx.io.stdout.write(`wrote ${opts.out}\n`);
  });
}
