/**
 * `patrolcast publish FILE... --from 2023-12-15T06:00 --shifts 9 --out site/ [--log published.jsonl]`:
 * fit once on every incident known before the first shift, then write a static site with the
 * boxes of each of the next N shifts in every district (cli/publishSite.ts: aggregates only, no
 * incident-level record), a manifest with each shift file's SHA-256, a small viewer
 * (cli/publishViewer.ts), and append one line per shift and district to the publication log
 * (cli/publishLog.ts). docs/publish.md.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CATEGORY_PRESETS,
  DEFAULT_RES,
  DEFAULT_SHIFT_HOURS,
  DEFAULT_SHIFT_STARTS,
  DEFAULT_TOP,
  formatLocalInstant,
  modelName,
  NO_CATEGORY,
  periodEndMs,
  shiftAt,
  shiftBoxes,
  shiftWindows,
  trainModel,
} from '../../engine/index.ts';
import type { Incident, ShiftBoxes, ShiftWindow, TrainedModel } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { refuseOverwritingInputs, writeFileAtomic } from '../files.ts';
import {
  addDistrictOptions,
  addInputOptions,
  addRejectionOption,
  inputOptionsFrom,
  readDistrictPolygons,
  readIncidents,
  reportRejections,
} from '../io.ts';
import { addModelOptions, typeChoiceFrom, sayTrainingTypes, parseResOption, trainingTypes, zoneFor } from '../options.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { fitProgress, modelConfig, serviceErrorForCli, withFitFlags } from '../training.ts';
import { packageVersion } from '../version.ts';
import {
  districtFiles,
  districtSlugs,
  publishedShift,
  shiftFile,
  shiftId,
  type Manifest,
  type ManifestShift,
  type PublishedShift,
} from '../publishSite.ts';
import {
  appendPublications,
  districtsSourceOf,
  ofPublishedTypes,
  readRevisions,
  withLogLock,
  type PublicationLine,
  type PublicationRun,
  type PublicationRunLine,
} from '../publishLog.ts';
import { basemapName, bundledBasemap, earlierSiteFiles, removeStale, writeViewer } from '../publishFiles.ts';
import { encodeKnown, knownEntries } from '../knownIncidents.ts';

interface PublishOptions {
  from: string;
  shifts: string;
  out: string;
  log?: string;
  knownDays?: string;
  top?: string;
  res?: string;
  categories?: string;
  preset?: string;
  districts?: string;
  districtProperty?: string;
  basemap?: string;
  model?: string;
  config?: string;
  tz?: string;
  keepOutliers?: boolean;
}

const DAY_MS = 86_400_000;

function intOption(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === '' || !Number.isInteger(x) || x < min || x > max)
    throw new CliError(`${flag} must be an integer from ${min} to ${max}, got "${value}"`, 'E_BAD_OPTION');
  return x;
}

/** The local wall-clock start, e.g. "2023-12-15T06:00". */
function localStart(ms: number, tz: string): string {
  return formatLocalInstant(ms, tz).slice(0, 16);
}

/**
 * The N consecutive standard shifts from --from (which must start one: 06:00, 14:00 or 22:00 local).
 * @throws CliError E_BAD_OPTION naming --from
 */
function shiftsFrom(from: string, tz: string, n: number): ShiftWindow[] {
  let first: ShiftWindow;
  try {
    first = shiftAt(from, tz, DEFAULT_SHIFT_HOURS);
  } catch (err) {
    throw new CliError(`--from: ${(err as Error).message}`, 'E_BAD_OPTION');
  }
  const startLocal = localStart(first.startMs, tz);
  if (!DEFAULT_SHIFT_STARTS.includes(startLocal.slice(11))) {
    throw new CliError(
      `--from ${from} is ${startLocal} in ${tz}, not the start of a shift: give ${DEFAULT_SHIFT_STARTS.join(', ')} local, e.g. --from ${startLocal.slice(0, 10)}T06:00`,
      'E_BAD_OPTION',
    );
  }
  // the engine's shifts from the first on: n / 3 days and one more hold n of them, DST changes included
  const spanMs = (Math.ceil(n / DEFAULT_SHIFT_STARTS.length) + 1) * DAY_MS;
  return shiftWindows(first.startMs, first.startMs + spanMs, tz, { hours: DEFAULT_SHIFT_HOURS }).slice(0, n);
}

/** The crime types the boxes were trained on (sorted), for the review of what was published. */
function trainedOn(incidents: readonly Incident[], include: ((inc: Incident) => boolean) | null): string[] {
  const names = new Set<string>();
  // incidents without a category are trained on too when nothing filters them: "(none)" says so
  for (const inc of incidents) if (include === null || include(inc)) names.add(inc.category ?? NO_CATEGORY);
  return [...names].sort();
}

/**
 * The note on incidents the files date after the first shift's start (left out: publish uses what
 * was known before), naming the latest, and calling it a probable typo when it is later than the
 * machine's clock (`nowMs`: the CLI's clock, the engine has none).
 */
function laterWords(incidents: readonly Incident[], after: number, firstMs: number, tz: string, nowMs: number): string {
  let latest = incidents[0]!;
  for (const inc of incidents) if (inc.timeMs > latest.timeMs) latest = inc;
  const head = `${after.toLocaleString('en-US')} incident${after === 1 ? ' is' : 's are'} dated after --from (not yet known at the first shift's start) and left out; the latest is dated ${formatLocalInstant(latest.timeMs, tz)}`;
  return latest.timeMs > nowMs
    ? `${head}, later than this machine's clock: a mistyped year? (${latest.source.file}, line ${latest.source.line})`
    : firstMs > nowMs
      ? head
      : `${head} (a re-run on data that goes on past --from)`;
}

/**
 * The run's line for the log: which incidents of the published types the fit knew among those
 * dated in the `days` × 24 h before the first shift (cli/knownIncidents.ts). The published types
 * are those of the known incidents the type filter kept, so filtering by them is that filter,
 * as the review applies it. O(n log n).
 */
function runLine(
  generatedAt: string,
  firstMs: number,
  days: number,
  categories: readonly string[],
  known: readonly Incident[],
): PublicationRunLine {
  const recentFromMs = firstMs - days * DAY_MS;
  const recent = known.filter(ofPublishedTypes(categories));
  const entries = knownEntries(recent, recentFromMs, firstMs);
  return {
    kind: 'patrolcast-publication-run',
    version: 1,
    generatedAt,
    firstShiftMs: firstMs,
    recentFromMs,
    categories,
    knownCount: entries.digests.length,
    known: encodeKnown(entries),
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function registerPublish(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('publish')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description(
      "Publish the next shifts: fit once on every incident known before --from, then write a static site with the patrol boxes of each of the next --shifts shifts in every district (no incident-level data), a manifest with each file's SHA-256, and append one line per shift and district to the publication log.",
    )
    .requiredOption('--from <datetime>', 'local start of the first shift: 06:00, 14:00 or 22:00, e.g. 2023-12-15T06:00 (read in --tz)')
    .requiredOption('--shifts <n>', 'how many consecutive 8-hour shifts to publish (3 a day)')
    .requiredOption('--out <folder>', "the site folder (created when missing; an earlier run's files are replaced or removed)")
    .option('--log <file>', 'append one line per shift and district to this JSON Lines publication log (never rewritten)')
    .option(
      '--known-days <n>',
      "record in the log which incidents the fit knew among those dated in the last N days before the first shift, for the review's late-recorded incidents (default 14)",
    )
    .option('--top <k>', `patrol boxes per district (default ${DEFAULT_TOP})`)
    .option('--res <n>', `H3 resolution of the grid (default ${DEFAULT_RES})`)
    .option('--categories <names>', 'keep only these categories (as forecast; default: the victim-reported types)')
    .option('--preset <name>', `keep only a named category set: ${Object.keys(CATEGORY_PRESETS).join(', ')}`)
    .option(
      '--basemap <file>',
      'a base map to put on the site: a .pmtiles archive or a .geojson file (default: the bundled one for Vancouver GeoDASH data)',
    );
  addModelOptions(cmd);
  addDistrictOptions(cmd);
  addRejectionOption(addInputOptions(cmd));
  cmd.addHelpText(
    'after',
    `
The site (docs/publish.md): index.html and viewer.js (pick a shift and a district), MapLibre
copied from the maplibre-gl package, shifts/<date>_<HHMM>/<district>.json per shift and
district (boxes, places, reasons, expected crimes, routes, ranking warnings; no incident ids,
times or points) and manifest.json (generation time, model and version, configuration, data
fingerprint and dates, the SHA-256 of each shift file, which the viewer checks). Publishing
again into the folder removes the shift files of the earlier run that this one does not write
(those its manifest names; nothing else). The log gets one JSON line per shift and district,
numbered by revision, and one run line recording which incidents of the last --known-days days
the fit knew (digests: keep the log with the incident data, not on the site); it is only ever
appended to, and locked (<log>.lock) while publish runs.

Examples:
  patrolcast publish fixtures/vancouver/property_2022.csv.gz fixtures/vancouver/property_2023.csv.gz --from 2023-12-15T06:00 --shifts 9 --out site/ --log published.jsonl
  patrolcast publish data.csv --tz America/Chicago --from 2024-01-01T22:00 --shifts 3 --out site/ --districts beats.geojson
`,
  );
  const action = async (files: string[], opts: PublishOptions): Promise<void> => {
    refuseOverwritingInputs({ '--log': opts.log }, [...files, opts.config, opts.districts, opts.basemap]);
    const input = inputOptionsFrom(opts);
    const n = intOption('--shifts', opts.shifts, 0, 1, 93);
    const top = intOption('--top', opts.top, DEFAULT_TOP, 1, 1000);
    const knownDays = intOption('--known-days', opts.knownDays, 14, 1, 366);
    const res = parseResOption(opts.res);
    const typeChoice = typeChoiceFrom(opts); // a bad --categories/--preset fails before any data is read
    if (opts.basemap !== undefined && !/\.geojson$|\.json$|\.pmtiles$/i.test(opts.basemap))
      throw new CliError(`--basemap must be a .pmtiles or .geojson file, got "${opts.basemap}"`, 'E_BAD_OPTION');
    const model = await modelConfig(opts.model, opts.config);
    const revisions = opts.log === undefined ? null : await readRevisions(opts.log); // a bad log fails before the fit
    const earlier = await earlierSiteFiles(resolve(opts.out)); // and so does a folder that is not a site
    const polygons = opts.districts === undefined ? null : await readDistrictPolygons(opts.districts, opts.districtProperty);
    const districtsFrom = await districtsSourceOf(opts.districts, opts.districtProperty);
    const result = await readIncidents(files, input, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(result, opts, ctx.io.stderr);
    const tz = zoneFor('--from', opts.from, opts.tz, result.format);
    const shifts = shiftsFrom(opts.from, tz, n);
    const types = trainingTypes(typeChoice, result);
    sayTrainingTypes(types, ctx.io.stderr);
    // Everything is forecast from what was known before the first shift: later incidents in the
    // files (a re-run on old data) must not reach a later shift's boxes.
    const firstMs = shifts[0]!.startMs;
    const known: Incident[] = result.incidents.filter((inc) => periodEndMs(inc, tz) <= firstMs);
    const after = result.incidents.length - known.length;
    if (after > 0) ctx.io.stderr.write(`patrolcast: note: ${laterWords(result.incidents, after, firstMs, tz, Date.now())}\n`);
    const common = { incidents: known, tz, res, include: types.include, keepOutliers: opts.keepOutliers === true } as const;
    const progress = fitProgress(createProgress(ctx.io.stderr));
    let trained: TrainedModel;
    const casts: ShiftBoxes[] = [];
    try {
      trained = trainModel({ ...common, model: withFitFlags(model.config, {}), untilMs: firstMs }, progress.hooks);
      for (const shift of shifts) {
        casts.push(
          shiftBoxes({
            ...common,
            shift,
            fit: trained.fit,
            districts: polygons ?? 'labels',
            unassigned: polygons !== null ? 'drop' : 'group',
            top,
            placementCache: trained.placementCache,
          }),
        );
      }
    } catch (err) {
      throw serviceErrorForCli(err, {
        what: 'the first shift start --from',
        filtered: types.include !== null,
        files,
        at: opts.from,
        tz,
        shiftStartMs: firstMs,
      });
    } finally {
      progress.done();
    }
    const warned = new Set<string>();
    for (const w of [...trained.warnings, ...casts.flatMap((c) => c.warnings)]) warned.add(w);
    for (const w of warned) ctx.io.stderr.write(`patrolcast: warning: ${w}\n`);

    const out = resolve(opts.out);
    await mkdir(join(out, 'shifts'), { recursive: true });
    const basemap = opts.basemap ?? (result.format === 'vancouver' ? bundledBasemap() : null);
    await writeViewer(out, basemap);
    const fit = trained.fit;
    const generatedAt = new Date().toISOString(); // the CLI's clock (the engine has none)
    const entries: ManifestShift[] = [];
    const written = new Set<string>();
    const slugs = districtSlugs(casts.flatMap((c) => c.boxes.map((b) => b.district)));
    const lines: Omit<PublicationLine, 'revision'>[] = [];
    const run: PublicationRun = {
      model: modelName(fit.config),
      modelVersion: packageVersion(),
      config: fit.config,
      fingerprint: fit.fingerprint,
      dataFrom: localStart(trained.training.startMs, tz).slice(0, 10),
      dataTo: localStart(trained.training.lastEventMs, tz).slice(0, 10),
      categories: trainedOn(known, types.include),
      districtsFrom,
    };
    for (const cast of casts) {
      const shift: PublishedShift = publishedShift(cast.shift, localStart(cast.shift.startMs, tz), tz);
      const file = shiftFile(cast, shift, res);
      const id = shiftId(shift.startLocal);
      await mkdir(join(out, 'shifts', id), { recursive: true });
      const hashes: Record<string, { file: string; sha256: string }> = {};
      for (const f of districtFiles(file, slugs, id)) {
        await writeFileAtomic('--out', join(out, ...f.path.split('/')), f.text);
        hashes[f.district] = { file: f.path, sha256: sha256(f.text) };
        written.add(f.path);
      }
      const boxes: Record<string, number> = {};
      for (const d of file.districts) {
        boxes[d.district] = d.boxes.features.length;
        const published = d.boxes.features.map((f) => {
          const p = f.properties;
          return { rank: p.rank, h3: p.h3, cells: p.cells, expected: p.expected, place: p.place };
        });
        lines.push({
          kind: 'patrolcast-publication',
          version: 1,
          generatedAt,
          shift,
          district: d.district,
          ...run,
          res,
          placement: file.placement,
          warning: d.warning,
          boxes: published,
        });
      }
      entries.push({ ...shift, id, boxes, files: hashes });
    }
    const districts = [...new Set(entries.flatMap((e) => Object.keys(e.boxes)))];
    const manifest: Manifest = {
      kind: 'patrolcast-site',
      version: 2,
      generatedAt,
      ...run,
      tz,
      res,
      placement: casts[0]!.placement,
      top,
      districts,
      shifts: entries,
      basemap: basemap === null ? null : basemapName(basemap),
    };
    await writeFileAtomic('--out', join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // The earlier run's files this one did not write, once the new manifest no longer names them.
    if (manifest.basemap !== null) written.add(manifest.basemap);
    const removed = await removeStale(out, earlier, written);
    if (opts.log !== undefined && revisions !== null)
      await appendPublications(opts.log, lines, revisions, runLine(generatedAt, firstMs, knownDays, run.categories, known));
    const nBoxes = lines.reduce((s, l) => s + l.boxes.length, 0);
    ctx.io.stdout.write(
      `published ${shifts.length} shift${shifts.length === 1 ? '' : 's'} (${shifts[0]!.label} to ${shifts[shifts.length - 1]!.label}, ${tz}): ${nBoxes} boxes in ${districts.length} district${districts.length === 1 ? '' : 's'} to ${opts.out}${removed.length > 0 ? ` (${removed.length} files of the earlier run removed)` : ''}${opts.log !== undefined ? `; ${lines.length} lines appended to ${opts.log}` : ''}\n`,
    );
  };
  // The log is locked for the whole run: the revisions are numbered from it before the fit.
  cmd.action(async (files: string[], opts: PublishOptions) => withLogLock(opts.log, () => action(files, opts)));
}
