/**
 * `patrolcast fit FILE... --until ISO --out fit.json`: fit the forecast model (`--model etas`,
 * the default, with `--config`; or `etas-2015`, the preset of the grid self-exciting model of
 * Mohler et al. 2015) on every incident before a date and save the fit as plain JSON (the format
 * `forecast --fit-in` reads).
 */
import type { Command } from 'commander';
import { CATEGORY_PRESETS, DEFAULT_RES, formatLocalInstant, trainModel } from '../../engine/index.ts';
import type { EtasFit, TrainedModel } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { refuseOverwritingInputs, writeFitFile } from '../files.ts';
import { addRejectionOption, addInputOptions, inputOptionsFrom, readIncidents, reportRejections } from '../io.ts';
import {
  addFitOptions,
  typeChoiceFrom,
  sayTrainingTypes,
  trainingTypes,
  fitOptionsFrom,
  instantFrom,
  parseResOption,
  zoneFor,
  type FitFlags,
  addModelOptions,
} from '../options.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { checkTunedBefore, describeFitForTerminal, fitProgress, modelConfig, serviceErrorForCli, withFitFlags } from '../training.ts';

/** The fit's report: its model, the parameters in words and in numbers, notes and warnings. */
export function fitReport(fit: EtasFit, tz: string): string {
  const lines = [describeFitForTerminal(fit)];
  const trig =
    fit.config.triggering !== null
      ? `θ = ${fit.theta.toPrecision(4)}, ω = ${fit.omegaPerHour.toPrecision(4)} per hour (mean delay ${(1 / fit.omegaPerHour).toPrecision(4)} h), ring weights ${fit.ringWeights.map((w) => w.toFixed(3)).join('/')}, `
      : 'no triggering, ';
  const prof = fit.profile !== null ? `, profile bins ${fit.profile.labels.join(', ')} (zone ${fit.tz})` : '';
  lines.push(
    `${trig}${Object.keys(fit.ratePerHour).length} cells at H3 resolution ${fit.res}${prof}, trained on ${formatLocalInstant(fit.window.startMs, tz)} to ${formatLocalInstant(fit.window.endMs, tz)} (${fit.events} incidents, ${fit.iterations} EM iterations, stopped by ${fit.stopReason}).`,
  );
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
  keepOutliers?: boolean;
}

export function registerFit(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('fit')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description(
      'Fit the forecast model (etas by default, or the plain Mohler et al. 2015 model with --model etas-2015) on every incident before --until, print the parameters in words and save the fit as JSON (for `patrolcast forecast --fit-in`).',
    )
    .requiredOption(
      '--until <datetime>',
      'train on incidents strictly before this local date-time (e.g. 2024-03-01T22:00 or 2024-03-01; an offset like -08:00 or Z makes it absolute)',
    )
    .requiredOption('--out <file>', 'where to write the fit (JSON)')
    .option('--res <n>', `H3 resolution of the grid (default ${DEFAULT_RES}: cells of about 0.015 km², PredPol's 150 m boxes)`)
    .option(
      '--categories <names>',
      'keep only these categories: comma-separated names exactly as the data writes them, a preset name, or "all" (default: the victim-reported types; data.police.uk drugs, weapons, public order and anti-social behaviour are left out, docs/data.md)',
    )
    .option('--preset <name>', `keep only a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`);
  addModelOptions(cmd);
  addRejectionOption(addInputOptions(cmd));
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
    refuseOverwritingInputs({ '--out': opts.out }, [...files, opts.config]);
    const input = inputOptionsFrom(opts);
    const res = parseResOption(opts.res);
    const typeChoice = typeChoiceFrom(opts); // a bad --categories/--preset fails before any data is read
    const fitOptions = fitOptionsFrom(opts);
    const model = await modelConfig(opts.model, opts.config);
    const result = await readIncidents(files, input, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(result, opts, ctx.io.stderr);
    const tz = zoneFor('--until', opts.until, opts.tz, result.format);
    const endMs = instantFrom('--until', opts.until, tz);
    // A date alone is that day's local midnight: say so, in local time with the zone.
    if (/^\s*\d{4}-\d{2}-\d{2}\s*$/.test(opts.until))
      ctx.io.stderr.write(
        `patrolcast: note: --until ${opts.until.trim()} is read as ${formatLocalInstant(endMs, tz)} (the start of that day)\n`,
      );
    const types = trainingTypes(typeChoice, result);
    const include = types.include;
    sayTrainingTypes(types, ctx.io.stderr);
    // The same fit as `forecast --model ...` makes for a shift starting at --until.
    checkTunedBefore(model.config, endMs, opts.config ?? 'the configuration', "the fit's end (--until)", tz);
    const config = withFitFlags(model.config, fitOptions);
    const progress = fitProgress(createProgress(ctx.io.stderr));
    let trained: TrainedModel;
    try {
      trained = trainModel(
        { incidents: result.incidents, tz, res, include, untilMs: endMs, model: config, keepOutliers: opts.keepOutliers === true },
        progress.hooks,
      );
    } catch (err) {
      throw serviceErrorForCli(err, { what: '--until', filtered: include !== null, tz });
    } finally {
      progress.done();
    }
    for (const w of trained.warnings) ctx.io.stderr.write(`patrolcast: warning: ${w}\n`);
    const { fit } = trained;
    await writeFitFile('--out', opts.out, fit);
    ctx.io.stdout.write(fitReport(fit, tz));
    ctx.io.stdout.write(`wrote ${opts.out}\n`);
  });
}
