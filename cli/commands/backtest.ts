/**
 * `patrolcast backtest FILE... --from DATE --to DATE`: replay the test period shift by shift (or
 * month by month), score ETAS beside the baselines, print a table, write report.json and an HTML
 * report.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import {
  backtest,
  BACKTEST_DEFAULTS,
  BACKTEST_MODELS,
  backtestHeadline,
  CATEGORY_PRESETS,
  DEFAULT_RES,
  EvaluateError,
  parseLocalDateTime,
} from '../../engine/index.ts';
import type { AreaGeoJson, BacktestReport, Incident } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { readConfigFile, refuseOverwritingInputs, writeFileAtomic } from '../files.ts';
import {
  addDistrictOptions,
  addInputOptions,
  inputOptionsFrom,
  readDistrictPolygons,
  readGeoJsonFile,
  readIncidents,
  reportRejections,
  addRejectionOption,
} from '../io.ts';
import { bboxFilter, FORMAT_ZONES, sayTrainingTypes, trainingTypes, typeChoiceFrom } from '../options.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { renderReportHtml } from '../report-html.ts';
import { checkTunedBefore } from '../training.ts';
import { discoverySectionHtml } from '../report-discovery-html.ts';
import { addDiscoveryOptions, discoveryRequest, formatDiscovery, runDiscoveryStudy, type DiscoveryFlags } from '../discovery.ts';

interface BacktestFlags extends DiscoveryFlags {
  from: string;
  to: string;
  tz?: string;
  format?: string;
  columns?: string;
  res: string;
  categories?: string;
  preset?: string;
  shiftHours?: string;
  shiftStarts?: string;
  months?: boolean;
  refitEveryDays?: string;
  models?: string;
  flaggedKm2?: string;
  coverage?: string;
  top?: string;
  seed?: string;
  bbox?: string;
  out?: string;
  config?: string;
  html?: string;
  area?: string;
  districts?: string;
  districtProperty?: string;
}

function numberList(flag: string, spec: string, check: (x: number) => boolean, what: string): number[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new CliError(`${flag}: give at least one value (${what})`, 'E_BAD_OPTION');
  return parts.map((p) => {
    const x = Number(p);
    if (!Number.isFinite(x) || !check(x)) throw new CliError(`${flag}: "${p}" is not ${what}`, 'E_BAD_OPTION');
    return x;
  });
}

function oneNumber(flag: string, spec: string, check: (x: number) => boolean, what: string): number {
  const x = Number(spec);
  if (spec.trim() === '' || !Number.isFinite(x) || !check(x)) throw new CliError(`${flag}: "${spec}" is not ${what}`, 'E_BAD_OPTION');
  return x;
}

const pct = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)}%`);
const fmt = (n: number): string => n.toLocaleString('en-US');

/** The readable summary printed on stdout. */
export function formatBacktestSummary(report: BacktestReport): string {
  const out: string[] = [];
  const unit = report.mode === 'months' ? 'months' : `${report.shiftHours}-hour shifts (starting ${report.shiftStarts!.join(', ')})`;
  out.push(
    `Backtest: ${fmt(report.shifts)} ${unit}, ${report.perShift.label[0]} to ${report.perShift.label[report.shifts - 1]} (${report.tz})`,
  );
  out.push(
    `  ${fmt(report.events)} incidents scored, ${fmt(report.unplacedEvents)} unplaced (time too vague), ${fmt(report.eventsOutsideArea)} outside the study area; ` +
      `history ${fmt(report.historyEvents)} incidents`,
  );
  out.push(
    `  study area ${report.studyAreaKm2.toFixed(1)} km², ${fmt(report.cells)} cells at res ${report.res}; ${report.districts} districts; ${report.fits.length} ETAS fits` +
      (report.wallSeconds === null ? '' : `; ${report.wallSeconds.toFixed(1)} s`),
  );
  out.push('');
  const areas = report.flaggedKm2.map(String);
  const covs = report.coverage.map(String);
  const headline = backtestHeadline(report);
  const key = headline?.areaKey ?? areas[0]!;
  const header = [
    'model',
    ...areas.map((a) => `${a} km²`),
    ...covs.map((c) => `${+(Number(c) * 100).toFixed(2)}% area`),
    `top ${report.top}/d`,
    `PEI ${key}`,
    'log score',
    ...(report.reference ? [`${report.reference} − model @ ${key} km² [95%]`] : []),
  ];
  const rows = report.modelNames.map((name) => {
    const m = report.models[name]!;
    const d = m.pairedDiff?.hitRate[key]?.diff;
    const sign = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
    return [
      name,
      ...areas.map((a) => pct(m.hitRate[a])),
      ...covs.map((c) => pct(m.coverageHitRate[c])),
      pct(m.topKHitRate),
      Number.isFinite(m.pei[key]!) ? m.pei[key]!.toFixed(3) : '–',
      Number.isFinite(m.logScore) ? (Math.round(m.logScore * 1000) / 1000 + 0).toFixed(3) : '–',
      ...(report.reference ? [d ? `${sign(d.mean)} [${sign(d.lo)}, ${sign(d.hi)}]` : '(reference)'] : []),
    ];
  });
  const widths = header.map((h, i) => rows.reduce((m, r) => Math.max(m, r[i]!.length), h.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push("hit rate: mean share of each window's incidents in the flagged cells");
  out.push(line(header));
  for (const r of rows) out.push(line(r));
  out.push('');
  if (headline) out.push(headline.sentence);
  for (const n of report.notes) out.push(`note: ${n}`);
  return `${out.join('\n')}\n`;
}

/** Rounds floats to 7 significant digits so report.json stays small (integers untouched). */
function compactNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) && Number.isFinite(value) ? Number(value.toPrecision(7)) : value;
}

async function readD3(): Promise<string> {
  const require = createRequire(import.meta.url);
  // d3's package exports do not expose dist/ by path: resolve the package, then its UMD bundle.
  const path = join(dirname(require.resolve('d3')), 'd3.min.js');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`--html: cannot read d3 from ${path} (${(err as Error).message}); run npm install`, 'E_READ');
  }
}

export function registerBacktest(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('backtest')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json (history and test period together)')
    .description(
      'Replay a test period shift by shift: every model forecasts each shift from the incidents known before it started, and is scored on the incidents inside it. Compares ETAS with naive counts, hotspot maps, random (the floor) and the oracle (the ceiling), with bootstrap intervals.',
    )
    .requiredOption('--from <date>', 'first shift starts at or after this local date/time (e.g. 2023-07-01)')
    .requiredOption('--to <date>', 'last shift starts before this local date/time (e.g. 2023-10-01)')
    .option('--res <n>', "H3 resolution of the cells (10 ≈ 150 m across, PredPol's box; 9 coarser)", String(DEFAULT_RES))
    .option(
      '--categories <list>',
      'keep only these categories: comma-separated names, a preset name, or "all" (default: the victim-reported types, docs/data.md)',
    )
    .option('--preset <name>', `a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`)
    .option('--shift-hours <h>', `shift length in hours (default ${BACKTEST_DEFAULTS.shiftHours}); not with --months`)
    .option('--shift-starts <list>', `local shift start times (default ${BACKTEST_DEFAULTS.shiftStarts.join(',')})`)
    .option('--months', 'month-precision data (data.police.uk): forecast and score calendar months')
    .option('--refit-every-days <d>', `refit ETAS every d days, warm-started (default ${BACKTEST_DEFAULTS.refitEveryDays})`)
    .option('--models <list>', `models to run (default all: ${BACKTEST_MODELS.join(',')})`)
    .option('--flagged-km2 <list>', `flagged areas in km² (default ${BACKTEST_DEFAULTS.flaggedKm2.join(',')})`)
    .option('--coverage <list>', `flagged shares of the study area (default ${BACKTEST_DEFAULTS.coverage.join(',')})`)
    .option('--top <k>', `patrol boxes per district (default ${BACKTEST_DEFAULTS.top})`)
    .option('--seed <n>', `seed of the random baseline, the bootstrap and the --discovery draws (default ${BACKTEST_DEFAULTS.seed})`)
    .option(
      '--bbox <w,s,e,n>',
      'keep only incidents inside this longitude/latitude box (drops stray far-away points that would stretch the study area)',
    )
    .option(
      '--area <file>',
      "the study area as a GeoJSON Polygon or MultiPolygon (bare, Feature or FeatureCollection): the cells whose centres lie inside it; incidents outside are not trained on and, in the test period, count as uncatchable. Default: the convex hull of the history's incidents",
    )
    .option(
      '--config <file>',
      'configuration of the etas model (from `patrolcast tune`; it must have been tuned on a period ending before --from); default: the built-in settings',
    )
    .option('--out <file>', 'write the full report as JSON')
    .option('--html <file>', 'write a self-contained HTML report with charts (opens without a network)')
    .addHelpText(
      'after',
      `
--tz is also the zone of the shifts; it defaults to America/Vancouver for Vancouver GeoDASH files
and Europe/London for data.police.uk files, and is required otherwise.

Examples:
  patrolcast backtest fixtures/vancouver/property_2022.csv.gz fixtures/vancouver/property_2023.csv.gz \\
      --from 2023-07-01 --to 2023-07-15 --html report.html
  patrolcast backtest fixtures/kent/ashford_2014.csv.gz --months --from 2014-06-01 --to 2014-12-01
  patrolcast backtest chicago.csv.gz --columns datetime=date,lat=latitude,lon=longitude,district=district \\
      --tz America/Chicago --from 2016-01-01 --to 2016-04-01 --out chicago.json
`,
    );
  addDistrictOptions(addDiscoveryOptions(cmd));
  addRejectionOption(addInputOptions(cmd)).action(async (files: string[], flags: BacktestFlags) => {
    refuseOverwritingInputs({ '--out': flags.out, '--html': flags.html }, [...files, flags.config, flags.area, flags.districts]);
    const inputOptions = inputOptionsFrom(flags);
    const months = flags.months === true;
    if (months && flags.shiftHours !== undefined) {
      throw new CliError(
        '--shift-hours cannot be used with --months: month mode forecasts whole calendar months (drop --shift-hours)',
        'E_BAD_OPTION',
      );
    }
    if (months && flags.shiftStarts !== undefined) throw new CliError('--shift-starts cannot be used with --months', 'E_BAD_OPTION');
    const res = oneNumber('--res', flags.res, (x) => Number.isInteger(x) && x >= 0 && x <= 15, 'an H3 resolution 0..15');
    const shiftHours =
      flags.shiftHours === undefined
        ? undefined
        : oneNumber('--shift-hours', flags.shiftHours, (x) => x > 0 && x <= 744, 'a positive number of hours');
    const refitEveryDays =
      flags.refitEveryDays === undefined
        ? undefined
        : oneNumber('--refit-every-days', flags.refitEveryDays, (x) => x > 0, 'a positive number of days');
    const flaggedKm2 =
      flags.flaggedKm2 === undefined ? undefined : numberList('--flagged-km2', flags.flaggedKm2, (x) => x > 0, 'a positive area in km²');
    const coverage =
      flags.coverage === undefined ? undefined : numberList('--coverage', flags.coverage, (x) => x > 0 && x <= 1, 'a fraction in (0, 1]');
    const top =
      flags.top === undefined ? undefined : oneNumber('--top', flags.top, (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1');
    const seed = flags.seed === undefined ? undefined : oneNumber('--seed', flags.seed, (x) => Number.isInteger(x), 'a whole number');
    const stress = discoveryRequest(flags, months);
    const models = flags.models
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const m of models ?? []) {
      if (!(BACKTEST_MODELS as readonly string[]).includes(m))
        throw new CliError(`--models: unknown model "${m}"; known: ${BACKTEST_MODELS.join(', ')}`, 'E_BAD_OPTION');
    }
    const shiftStarts = flags.shiftStarts
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const typeChoice = typeChoiceFrom(flags); // a bad --categories/--preset fails before any data is read

    const result = await readIncidents(files, inputOptions, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(result, flags, ctx.io.stderr);
    const tz = inputOptions.tz ?? FORMAT_ZONES[result.format];
    if (tz === undefined)
      throw new CliError(
        `--tz is required: the ${result.format} format does not say which time zone the shifts are in (e.g. --tz America/Chicago)`,
        'E_BAD_OPTION',
      );
    if (result.incidents.length === 0)
      throw new CliError(`no incidents could be read from ${files.join(', ')} (${result.rejected.length} rows rejected)`, 'E_NO_INPUT');

    const types = trainingTypes(typeChoice, result);
    sayTrainingTypes(types, ctx.io.stderr);
    const keepCategory = types.include ?? undefined;
    const categories = types.named === null ? null : [...types.named];
    let keepPlace: ((inc: { lat: number; lng: number }) => boolean) | undefined;
    if (flags.bbox !== undefined) {
      keepPlace = bboxFilter(flags.bbox);
      const dropped = result.incidents.filter((inc) => !keepPlace!(inc)).length;
      ctx.io.stderr.write(`patrolcast: --bbox leaves out ${dropped} of ${result.incidents.length} incidents\n`);
    }
    const include = keepCategory && keepPlace ? (inc: Incident) => keepCategory!(inc) && keepPlace!(inc) : (keepCategory ?? keepPlace);

    let fromMs: number;
    let toMs: number;
    try {
      fromMs = parseLocalDateTime(flags.from, tz);
      toMs = parseLocalDateTime(flags.to, tz);
    } catch (err) {
      throw new CliError(`--from/--to: ${(err as Error).message}`, 'E_BAD_OPTION');
    }
    if (!(fromMs < toMs)) throw new CliError(`--from ${flags.from} must be before --to ${flags.to}`, 'E_BAD_OPTION');
    const studyPolygon = flags.area === undefined ? undefined : ((await readGeoJsonFile(flags.area)) as AreaGeoJson);
    if (flags.districtProperty !== undefined && flags.districts === undefined)
      throw new CliError('--district-property needs --districts', 'E_BAD_OPTION');
    const districtOf = flags.districts === undefined ? undefined : await readDistrictPolygons(flags.districts, flags.districtProperty);
    const etasConfig = flags.config === undefined ? undefined : await readConfigFile(flags.config);
    if (etasConfig !== undefined) checkTunedBefore(etasConfig, fromMs, flags.config!, 'the test period (--from)');

    const progress = createProgress(ctx.io.stderr);
    let report: BacktestReport;
    let input;
    try {
      progress.start(1, months ? 'backtest (months)' : 'backtest (shifts)');
      let started = false;
      report = backtest(
        (input = {
          incidents: result.incidents,
          res,
          fromMs,
          toMs,
          tz,
          months,
          ...(shiftHours !== undefined ? { shiftHours } : {}),
          ...(shiftStarts ? { shiftStarts } : {}),
          ...(refitEveryDays !== undefined ? { refitEveryDays } : {}),
          ...(models ? { models } : {}),
          ...(flaggedKm2 ? { flaggedKm2 } : {}),
          ...(coverage ? { coverage } : {}),
          ...(top !== undefined ? { top } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(include ? { include } : {}),
          ...(etasConfig ? { etasConfig } : {}),
          ...(studyPolygon !== undefined ? { studyPolygon } : {}),
          ...(districtOf ? { districtOf } : {}),
        }),
        {
          now: () => performance.now(),
          onProgress: (done, total) => {
            if (!started) {
              progress.start(total, months ? 'backtest (months)' : 'backtest (shifts)');
              started = true;
            }
            progress.update(done);
          },
        },
      );
    } catch (err) {
      if (err instanceof EvaluateError && err.code === 'E_PRECISION')
        throw new CliError(`${err.message.replace('month mode', '--months')}`, err.code);
      if (err instanceof EvaluateError && err.code === 'E_AREA' && flags.area !== undefined)
        throw new CliError(`--area ${flags.area}: ${err.message}`, err.code);
      throw err;
    } finally {
      progress.stop();
    }

    ctx.io.stdout.write(formatBacktestSummary(report));
    const discovery = stress === null ? null : runDiscoveryStudy({ ...input, discovery: stress.p, rotateAfter: stress.rotateAfter }, ctx);
    if (discovery !== null) ctx.io.stdout.write(formatDiscovery(discovery));
    const command = `patrolcast backtest ${ctx.argv.slice(1).join(' ')}`;
    if (flags.out) {
      const json = JSON.stringify(
        {
          ...report,
          ...(discovery !== null ? { discovery } : {}),
          input: { files, format: result.format, categories, leftOut: [...types.leftOut], command },
        },
        compactNumbers,
      );
      await writeFileAtomic('--out', flags.out, `${json}\n`);
      ctx.io.stderr.write(`wrote ${flags.out}\n`);
    }
    if (flags.html) {
      const title = `Backtest: ${types.title}, ${flags.from} to ${flags.to}`;
      const compact = JSON.parse(JSON.stringify(report, compactNumbers)) as BacktestReport;
      const html = renderReportHtml(compact, { title, files, categories, command }, await readD3());
      const i = html.lastIndexOf('</body>');
      const page = discovery === null ? html : `${html.slice(0, i)}${discoverySectionHtml(discovery)}${html.slice(i)}`;
      await writeFileAtomic('--html', flags.html, page);
      ctx.io.stderr.write(`wrote ${flags.html}\n`);
    }
  });
}
