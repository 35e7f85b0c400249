/**
 * `patrolcast tune FILE... --tune-from DATE --tune-to DATE --out config.json`: choose the "etas"
 * model's settings (recency half-life, profile shrinkage, ring depth, delay bound) by a rolling
 * backtest on a tuning period that ends before the evaluation period, and write them as the
 * JSON configuration `forecast --config` and `backtest --config` read.
 */
import type { Command } from 'commander';
import {
  CATEGORY_PRESETS,
  checkTuneGrid,
  DEFAULT_RES,
  describeEtasConfig,
  etasConfigToJson,
  ETAS_DEFAULTS,
  TUNE_DEFAULTS,
  TUNE_DEFAULT_GRID,
  tuneEtas,
} from '../../engine/index.ts';
import type { EtasConfig, Incident, TuneResult } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readJsonFile, readConfigFile, refuseOverwritingInputs, writeFileAtomic } from '../files.ts';
import { addRejectionOption, addInputOptions, inputOptionsFrom, readIncidents, reportRejections } from '../io.ts';
import { typeChoiceFrom, sayTrainingTypes, instantFrom, parseResOption, trainingTypes, zoneFor } from '../options.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';

interface TuneFlags {
  tuneFrom: string;
  tuneTo: string;
  evalFrom?: string;
  grid?: string;
  base?: string;
  refitEveryDays?: string;
  res?: string;
  categories?: string;
  preset?: string;
  shiftStarts?: string;
  shiftHours?: string;
  months?: boolean;
  flaggedKm2?: string;
  passes?: string;
  minGain?: string;
  logMargin?: string;
  out: string;
  report?: string;
  bbox?: string;
  format?: string;
  columns?: string;
  tz?: string;
}

function numberList(flag: string, spec: string): number[] {
  const out = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (out.length === 0 || out.some((x) => !(x > 0) || !Number.isFinite(x)))
    throw new CliError(`${flag}: give positive numbers separated by commas, got "${spec}"`, 'E_BAD_OPTION');
  return out;
}

const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(2)}%`);
const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}%`;

/** The readable summary: the chosen configuration and the best candidates. */
export function formatTuneSummary(r: TuneResult, shown = 12): string {
  const areas = r.flaggedKm2.map(String);
  const out: string[] = [];
  out.push(
    `Tuned on ${r.shifts} windows (${r.events} incidents scored, ${r.historyEvents} known before the first), ${r.cells} cells; ${r.candidates.length} candidates, ${r.fits} fits.`,
  );
  out.push(`Objective: ${r.config.tuning!.objective}.`);
  out.push('');
  const header = ['score', ...areas.map((a) => `${a} km²`), 'log score', 'configuration'];
  const guard = r.logScoreMargin !== null;
  const rows = [
    ['naive-all', ...areas.map((a) => pct(r.naiveAllHitRate[a])), r.naiveAllLogScore.toFixed(3), 'all-history counts (the bar to clear)'],
    ...[...r.candidates]
      .sort((a, b) => b.score - a.score)
      .slice(0, shown)
      .map((c) => [
        signed(c.score),
        ...areas.map((a) => pct(c.hitRate[a])),
        `${c.logScore.toFixed(3)}${guard && !c.eligible ? ' ✗' : ''}`,
        describeEtasConfig(c.config),
      ]),
  ];
  const widths = header.map((h, i) => rows.reduce((m, row) => Math.max(m, row[i]!.length), h.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  out.push(line(header));
  for (const row of rows) out.push(line(row));
  out.push('');
  if (guard)
    out.push(`✗ = log score below naive-all's − ${r.logScoreMargin} nats per event: not chosen while another candidate qualifies.`);
  out.push(
    `Chosen (${signed(r.score)} over naive-all on the tuning windows, log score ${r.logScore.toFixed(3)} against naive-all's ${r.naiveAllLogScore.toFixed(3)}): ${describeEtasConfig(r.config)}`,
  );
  return `${out.join('\n')}\n`;
}

export function registerTune(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('tune')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description(
      "Choose the etas model's settings (recency half-life, shift-type profile shrinkage, ring spread, delay bound) by a rolling backtest on a tuning period that ends before the evaluation period, and write them as a configuration file for forecast --config and backtest --config.",
    )
    .requiredOption('--tune-from <date>', 'first tuning shift starts at or after this local date/time')
    .requiredOption('--tune-to <date>', 'tuning shifts end at or before this local date/time; no incident at or after it is read')
    .requiredOption('--out <file>', 'write the chosen configuration here (JSON)')
    .option('--eval-from <date>', 'start of the evaluation period: refused if the tuning period reaches past it')
    .option(
      '--grid <json|file>',
      'settings to try: inline JSON or a JSON file, e.g. \'{"halfLifeDays":[90,180,null],"ringDepth":[0]}\' (null = never forgets)',
    )
    .option('--base <file>', 'starting configuration (default: the built-in defaults)')
    .option('--refit-every-days <d>', `refit interval while tuning (default ${TUNE_DEFAULTS.refitEveryDays})`)
    .option('--passes <n>', `coordinate-search passes over the grid (default ${TUNE_DEFAULTS.passes})`)
    .option(
      '--min-gain <x>',
      `change a setting only when the objective rises by more than this (default ${TUNE_DEFAULTS.minGain}: 0.1% of naive-all)`,
    )
    .option(
      '--log-margin <nats>',
      "log-score guard: never choose a candidate whose mean log score on the tuning shifts is below naive-all's by more than this (nats per event), while another qualifies (default: no guard)",
    )
    .option('--res <n>', `H3 resolution of the cells (default ${DEFAULT_RES})`)
    .option(
      '--categories <list>',
      'keep only these categories: comma-separated names, a preset name, or "all" (default: the victim-reported types, docs/data.md)',
    )
    .option('--preset <name>', `a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`)
    .option('--shift-starts <list>', 'local shift start times (default 06:00,14:00,22:00)')
    .option('--shift-hours <h>', 'shift length in hours (default 8)')
    .option('--months', 'month-precision data: tune on calendar months (no shift profile)')
    .option('--flagged-km2 <list>', `flagged areas the objective averages over (default ${TUNE_DEFAULTS.flaggedKm2.join(',')})`)
    .option('--bbox <w,s,e,n>', 'keep only incidents inside this longitude/latitude box (as for backtest)')
    .option('--report <file>', 'also write every candidate and its hit rates as JSON');
  addRejectionOption(addInputOptions(cmd)).addHelpText(
    'after',
    `
Default grid: ${JSON.stringify({ ...TUNE_DEFAULT_GRID, halfLifeDays: TUNE_DEFAULT_GRID.halfLifeDays.map((h) => (h === Infinity ? null : h)) })}
Default configuration: ${describeEtasConfig(ETAS_DEFAULTS)}

Examples:
  patrolcast tune vancouver_2020.csv.gz vancouver_2021.csv.gz vancouver_2022.csv.gz vancouver_2023.csv.gz \\
      --preset vancouver-property --tune-from 2023-01-01 --tune-to 2023-07-01 --eval-from 2023-07-01 --out etas.json
  patrolcast backtest ... --from 2023-07-01 --to 2023-10-01 --config etas.json
  patrolcast forecast ... --at 2023-12-15T22:00 --config etas.json
`,
  );
  cmd.action(async (files: string[], flags: TuneFlags) => {
    refuseOverwritingInputs({ '--out': flags.out, '--report': flags.report }, [...files, flags.base, flags.grid]);
    const inputOptions = inputOptionsFrom(flags);
    const res = parseResOption(flags.res);
    const typeChoice = typeChoiceFrom(flags); // a bad --categories/--preset fails before any data is read
    let keepPlace: ((inc: Incident) => boolean) | null = null;
    if (flags.bbox !== undefined) {
      const box = flags.bbox.split(',').map((x) => Number(x.trim()));
      const [w, s, e, n] = box as [number, number, number, number];
      if (box.length !== 4 || box.some((x) => !Number.isFinite(x)) || !(w < e) || !(s < n) || s < -90 || n > 90 || w < -180 || e > 180) {
        throw new CliError(
          `--bbox: expected west,south,east,north with west < east and south < north, got "${flags.bbox}"`,
          'E_BAD_OPTION',
        );
      }
      keepPlace = (inc) => inc.lng >= w && inc.lng <= e && inc.lat >= s && inc.lat <= n;
    }
    const months = flags.months === true;
    if (months && (flags.shiftHours !== undefined || flags.shiftStarts !== undefined))
      throw new CliError('--shift-hours/--shift-starts cannot be used with --months', 'E_BAD_OPTION');
    let grid: unknown = {};
    if (flags.grid !== undefined) {
      const spec = flags.grid.trim();
      if (spec.startsWith('{')) {
        try {
          grid = JSON.parse(spec);
        } catch (err) {
          throw new CliError(`--grid: not valid JSON (${(err as Error).message})`, 'E_BAD_OPTION');
        }
      } else grid = await readJsonFile(spec, 'grid');
      try {
        checkTuneGrid(grid);
      } catch (err) {
        throw new CliError(`--grid: ${(err as Error).message}`, 'E_BAD_OPTION');
      }
    }
    const base = flags.base === undefined ? undefined : await readConfigFile(flags.base);
    const refitEveryDays = flags.refitEveryDays === undefined ? undefined : Number(flags.refitEveryDays);
    if (refitEveryDays !== undefined && !(refitEveryDays > 0))
      throw new CliError(`--refit-every-days must be a positive number of days, got "${flags.refitEveryDays}"`, 'E_BAD_OPTION');
    const passes = flags.passes === undefined ? undefined : Number(flags.passes);
    if (passes !== undefined && !(Number.isInteger(passes) && passes >= 1))
      throw new CliError(`--passes must be a whole number ≥ 1, got "${flags.passes}"`, 'E_BAD_OPTION');
    const minGain = flags.minGain === undefined ? undefined : Number(flags.minGain);
    if (minGain !== undefined && !(minGain >= 0 && Number.isFinite(minGain)))
      throw new CliError(`--min-gain must be a number ≥ 0, got "${flags.minGain}"`, 'E_BAD_OPTION');
    const logScoreMargin = flags.logMargin === undefined ? undefined : Number(flags.logMargin);
    if (logScoreMargin !== undefined && !(logScoreMargin >= 0 && Number.isFinite(logScoreMargin)))
      throw new CliError(`--log-margin must be a number ≥ 0 (nats per event), got "${flags.logMargin}"`, 'E_BAD_OPTION');
    const shiftHours = flags.shiftHours === undefined ? undefined : Number(flags.shiftHours);
    if (shiftHours !== undefined && !(shiftHours > 0 && shiftHours <= 744))
      throw new CliError(`--shift-hours must be a positive number of hours, got "${flags.shiftHours}"`, 'E_BAD_OPTION');
    const shiftStarts = flags.shiftStarts
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const flaggedKm2 = flags.flaggedKm2 === undefined ? undefined : numberList('--flagged-km2', flags.flaggedKm2);

    const data = await readIncidents(files, inputOptions, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(data, flags, ctx.io.stderr);
    if (data.incidents.length === 0)
      throw new CliError(`no incidents could be read from ${files.join(', ')} (${data.rejected.length} rows rejected)`, 'E_NO_INPUT');
    const types = trainingTypes(typeChoice, data);
    sayTrainingTypes(types, ctx.io.stderr);
    const byType = types.include;
    const include = keepPlace === null ? byType : byType === null ? keepPlace : (inc: Incident): boolean => keepPlace!(inc) && byType(inc);
    const tz = zoneFor('--tune-from', flags.tuneFrom, inputOptions.tz, data.format);
    const fromMs = instantFrom('--tune-from', flags.tuneFrom, tz);
    const toMs = instantFrom('--tune-to', flags.tuneTo, tz);
    if (!(fromMs < toMs)) throw new CliError(`--tune-from ${flags.tuneFrom} must be before --tune-to ${flags.tuneTo}`, 'E_BAD_OPTION');
    const evalFromMs = flags.evalFrom === undefined ? undefined : instantFrom('--eval-from', flags.evalFrom, tz);
    if (evalFromMs !== undefined && evalFromMs < toMs) {
      throw new CliError(
        `the tuning period (to ${flags.tuneTo}) overlaps the evaluation period (from ${flags.evalFrom}): tuning must end before evaluation starts`,
        'E_BAD_OPTION',
      );
    }

    const progress = createProgress(ctx.io.stderr);
    let result: TuneResult;
    try {
      progress.start(1, 'tuning (configurations)');
      result = tuneEtas(
        {
          incidents: data.incidents,
          res,
          tz,
          fromMs,
          toMs,
          ...(evalFromMs !== undefined ? { evalFromMs } : {}),
          ...(include ? { include } : {}),
          ...(months ? { months } : {}),
          ...(shiftStarts ? { shiftStarts } : {}),
          ...(shiftHours !== undefined ? { shiftHours } : {}),
          ...(refitEveryDays !== undefined ? { refitEveryDays } : {}),
          ...(flaggedKm2 ? { flaggedKm2 } : {}),
          ...(passes !== undefined ? { passes } : {}),
          ...(minGain !== undefined ? { minGain } : {}),
          ...(logScoreMargin !== undefined ? { logScoreMargin } : {}),
          ...(base ? { base } : {}),
          grid: grid as object,
        },
        { onCandidate: (done) => progress.update(done) },
      );
    } finally {
      progress.stop();
    }
    const command = `patrolcast tune ${ctx.argv.slice(1).join(' ')}`;
    const config: EtasConfig = { ...result.config, tuning: { ...result.config.tuning!, command } };
    ctx.io.stdout.write(formatTuneSummary(result));
    await writeFileAtomic('--out', flags.out, etasConfigToJson(config));
    ctx.io.stderr.write(`wrote ${flags.out}\n`);
    if (flags.report) {
      const report = { ...result, config, candidates: result.candidates.map((c) => ({ ...c, description: describeEtasConfig(c.config) })) };
      await writeFileAtomic('--report', flags.report, `${JSON.stringify(report, null, 1)}\n`);
      ctx.io.stderr.write(`wrote ${flags.report}\n`);
    }
  });
}
