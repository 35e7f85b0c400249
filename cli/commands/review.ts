/**
 * `patrolcast review published.jsonl FILE... [--out review.json]`: the prospective evaluation of
 * what was published (docs/publish.md "Review"). For every published shift that has passed, the
 * share of its crime (the published crime types) inside the boxes that were published, beside
 * the backtest's naive-all-placed boxes for the same shifts, with the backtest's paired bootstrap
 * intervals (cli/reviewScore.ts); how concentrated the published boxes were; the incidents
 * recorded late, with the shifts scored with and without them (cli/reviewLate.ts); and crime in
 * the boxes by patrol dosage when a patrol log is given (cli/reviewDosage.ts), said to be unknown
 * otherwise.
 */
import type { Command } from 'commander';
import { bboxFilter } from '../options.ts';
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
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { districtsSourceOf, publishedTypesWords, readPublicationLog, type PublicationLine } from '../publishLog.ts';
import { checkRuns, lateLines, lateNote, lateRecorded, type LateRecorded } from '../reviewLate.ts';
import { concentration, pct, reviewVerdict, scoreReview, selectPublications, type ReviewScores, type Selection } from '../reviewScore.ts';
import { matchPatrolLog, parsePatrolColumns, readPatrolLog } from '../patrolLog.ts';
import {
  DEFAULT_DOSAGE_EDGES_MIN,
  DOSAGE_NOTE,
  dosageSummary,
  dosageTally,
  dosageWarnings,
  parseDosageBands,
  type Dosage,
} from '../reviewDosage.ts';
import { renderReviewHtml } from '../reviewHtml.ts';

interface ReviewOptions {
  out?: string;
  format?: string;
  columns?: string;
  tz?: string;
  keepDuplicates?: boolean;
  allowReplays?: boolean;
  since?: string;
  patrolLog?: string;
  patrolColumns?: string;
  dosageBands?: string;
  html?: string;
  districts?: string;
  districtProperty?: string;
  bbox?: string;
}

/**
 * The district polygons the reviewed boxes were shared among, checked against what the log
 * recorded: none when the publications used the data's labels (then --districts is refused),
 * else the --districts file, whose SHA-256 must be the published one's.
 * @throws CliError E_BAD_OPTION naming the file and what the log says
 */
async function reviewDistricts(
  lines: readonly PublicationLine[],
  opts: ReviewOptions,
): Promise<Awaited<ReturnType<typeof readDistrictPolygons>> | undefined> {
  if (opts.districtProperty !== undefined && opts.districts === undefined)
    throw new CliError('--district-property needs --districts', 'E_BAD_OPTION');
  const published = lines.find((l) => l.districtsFrom?.kind === 'polygons')?.districtsFrom;
  if (opts.districts === undefined) return undefined; // scoreReview says which file the publications need
  if (published === undefined || published.kind !== 'polygons')
    throw new CliError(
      `--districts ${opts.districts}: the reviewed boxes were shared among the districts named in the data, not polygons; leave --districts out`,
      'E_BAD_OPTION',
    );
  const given = await districtsSourceOf(opts.districts, opts.districtProperty);
  if (given.kind === 'polygons' && given.sha256 !== published.sha256)
    throw new CliError(
      `--districts ${opts.districts} is not the file the boxes were published with (${published.file}, SHA-256 ${published.sha256.slice(0, 12)}..., this one ${given.sha256.slice(0, 12)}...)`,
      'E_BAD_OPTION',
    );
  return readDistrictPolygons(opts.districts, opts.districtProperty ?? published.property ?? undefined);
}

const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '—');

/** The stdout summary. */
function summary(
  sel: Selection,
  s: ReviewScores | null,
  conc: ReturnType<typeof concentration>,
  late: LateRecorded,
  dosage: Dosage,
): string {
  const out: string[] = [];
  out.push(
    `review: ${sel.shifts.length} published shift${sel.shifts.length === 1 ? '' : 's'} scored; ${sel.notYetPassed} skipped as not yet passed (ending after the last incident in the files); ${sel.laterRevisionsIgnored} other revision${sel.laterRevisionsIgnored === 1 ? '' : 's'} ignored; ${sel.publishedAfterStart} shift-district publication${sel.publishedAfterStart === 1 ? '' : 's'} generated only after the shift started`,
  );
  if (s !== null) {
    out.push(`crime types: ${publishedTypesWords(s.categories)}; top ${s.top} boxes per district; ${s.studyCells} study cells`);
    out.push('');
    let w = 'shift'.length;
    for (const p of s.perShift) w = Math.max(w, p.label.length);
    out.push(`${'shift'.padEnd(w)}  crimes  boxes  caught  published  naive-all`);
    for (const p of s.perShift)
      out.push(
        `${p.label.padEnd(w)}  ${String(p.events).padStart(6)}  ${String(p.boxes).padStart(5)}  ${String(p.catches).padStart(6)}  ${pct(p.hitRate).padStart(9)}  ${pct(p.naiveAllHitRate).padStart(9)}`,
      );
    out.push('');
    const h = s.hitRate;
    const n = s.naiveAllHitRate;
    out.push(`hit rate of the published boxes: ${pct(h.mean)} (95% ${pct(h.lo)} to ${pct(h.hi)}, ${h.n} shifts); PAI ${num(s.pai)}`);
    out.push(
      `all-history counts (naive-all-placed) on the same shifts: ${pct(n.mean)} (95% ${pct(n.lo)} to ${pct(n.hi)}); PAI ${num(s.naiveAllPai)}`,
    );
    out.push(reviewVerdict(s).words); // the HTML page's words
    out.push("per district (its crimes; its boxes' catches; hit rate; share of all the shifts' crime):");
    for (const [name, v] of Object.entries(s.perDistrict))
      out.push(`  ${name}: ${v.events} crimes, ${v.catches} caught by ${v.boxes} boxes, ${pct(v.hitRate)}, ${pct(v.shareOfCrime)} of all`);
  }
  out.push(`concentration: ${conc.boxes} boxes at ${conc.distinctPlaces} distinct places; most published:`);
  for (const m of conc.mostPublished) out.push(`  ${m.place ?? m.h3} (${m.h3}): ${m.times} times`);
  for (const l of lateLines(late)) out.push(l);
  for (const line of dosageSummary(dosage)) out.push(line);
  return `${out.join('\n')}\n`;
}

export function registerReview(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('review')
    .argument('<log>', 'the publication log written by `patrolcast publish --log` (JSON Lines)')
    .argument('<files...>', 'incident files holding what happened since: .csv, .csv.gz, .geojson or .json')
    .description(
      "Review what was published: for every published shift that has passed, the share of its crime inside the published boxes (hit rate, PAI, per district), beside the boxes all-history counts would have placed from the data known then, with the backtest's paired 95% intervals.",
    )
    .option('--out <file>', 'write the review as JSON')
    .option('--html <file>', 'write the review as a self-contained HTML page (aggregates only, no incident-level data)')
    .option(
      '--patrol-log <file>',
      'CSV of the patrol done: shift, district, box (rank or H3 id) and minutes; the review then reports crime by dosage band',
    )
    .option('--patrol-columns <map>', "the patrol log's column names, as key=name pairs: keys shift, district, box, minutes")
    .option(
      '--dosage-bands <minutes>',
      `band edges in minutes, increasing from 0 (default ${DEFAULT_DOSAGE_EDGES_MIN.join(',')}: bands 0, 1-14, 15-29, 30-59, 60+)`,
    )
    .option(
      '--since <date>',
      'review only the shifts starting on or after this local date, e.g. 2024-01-01 (default: every shift in the log)',
    )
    .option(
      '--bbox <w,s,e,n>',
      'score only incidents inside this longitude/latitude box (stray far-away points would stretch the study area)',
    )
    .option(
      '--allow-replays',
      'also count publications generated after their shift started (a publish run on old data: its fit saw only what was known before its first shift)',
    );
  addDistrictOptions(addRejectionOption(addInputOptions(cmd)));
  cmd.addHelpText(
    'after',
    `
For each shift and district the latest revision generated before the shift started counts;
shifts that end after the last incident in the files are skipped. Scored with the backtest's
code: same incidents, same shifts, same bootstrap (docs/publish.md "Review").

With --patrol-log, crime in the published boxes by the minutes spent in them (an observational
comparison, not an effect estimate; docs/publish.md "Dosage"); without one, dosage is unknown.

Example:
  patrolcast review published.jsonl property_2023.csv.gz --out review.json --html review.html
`,
  );
  cmd.action(async (log: string, files: string[], opts: ReviewOptions) => {
    refuseOverwritingInputs({ '--out': opts.out, '--html': opts.html }, [log, ...files, opts.patrolLog]);
    if (opts.out !== undefined && opts.out === opts.html)
      throw new CliError(`--out and --html name the same file ${opts.out}`, 'E_BAD_OPTION');
    const since = opts.since;
    if (since !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(since) && Number.isFinite(Date.parse(`${since}T00:00Z`))))
      throw new CliError(`--since must be a date YYYY-MM-DD, got "${since}"`, 'E_BAD_OPTION');
    const edges = opts.dosageBands === undefined ? DEFAULT_DOSAGE_EDGES_MIN : parseDosageBands(opts.dosageBands);
    const mapping = opts.patrolColumns === undefined ? {} : parsePatrolColumns(opts.patrolColumns);
    const patrolFile = opts.patrolLog === undefined ? null : await readPatrolLog(opts.patrolLog, mapping);
    const read = await readPublicationLog(log);
    const all = read.lines;
    const lines = all.filter((l) => since === undefined || l.shift.startLocal >= since);
    if (lines.length === 0)
      throw new CliError(
        `${log}: no publications to review (an empty or missing log${since === undefined ? '' : `, or none since ${since}`})`,
        'E_NO_INPUT',
      );
    const districtOf = await reviewDistricts(lines, opts); // a wrong districts file fails before the data is read
    const input = inputOptionsFrom(opts);
    const result = await readIncidents(files, input, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    reportRejections(result, opts, ctx.io.stderr);
    if (result.incidents.length === 0) throw new CliError(`no incidents could be read from ${files.join(', ')}`, 'E_NO_INPUT');
    if (result.incidents.every((inc) => inc.precision === 'month'))
      throw new CliError(
        `every incident in ${files.join(', ')} is dated by month only (as data.police.uk publishes them): which shift a crime fell in is unknown, so published shifts cannot be scored on them (a month-by-month evaluation: patrolcast backtest --months)`,
        'E_PRECISION',
      );
    let lastMs = -Infinity;
    for (const inc of result.incidents) if (inc.timeMs > lastMs) lastMs = inc.timeMs;
    // --bbox: the incidents scored; the fit data check still compares every incident with the fits' fingerprints
    const keep = opts.bbox === undefined ? null : bboxFilter(opts.bbox);
    const scored = keep === null ? result.incidents : result.incidents.filter(keep);
    if (keep !== null)
      ctx.io.stderr.write(
        `patrolcast: --bbox leaves out ${result.incidents.length - scored.length} of ${result.incidents.length} incidents\n`,
      );
    const sel = selectPublications(lines, lastMs, opts.allowReplays === true);
    const tz = lines[0]!.shift.tz;
    const tally = patrolFile === null ? null : dosageTally(matchPatrolLog(patrolFile, all, sel.shifts), edges);
    const scores = sel.shifts.length === 0 ? null : scoreReview(sel.shifts, scored, tz, tally?.onBox, districtOf);
    const dosage: Dosage = tally === null ? { known: false, note: DOSAGE_NOTE } : tally.result(opts.patrolLog!);
    const conc = concentration(sel.shifts);
    const runs = checkRuns(lines, sel.shifts, result.incidents);
    const late = lateRecorded(read.runs, sel.shifts, scored, tz, scores, runs, (sh, inc) =>
      scoreReview(sh, inc, tz, undefined, districtOf),
    );
    ctx.io.stdout.write(summary(sel, scores, conc, late, dosage));
    for (const w of dosageWarnings(dosage)) ctx.io.stderr.write(`patrolcast: warning: ${w}\n`);
    if (sel.shifts.length === 0 && sel.publishedAfterStart > 0 && opts.allowReplays !== true)
      ctx.io.stderr.write(
        'patrolcast: note: every passed publication was generated after its shift started; give --allow-replays to review replays\n',
      );
    if (opts.out !== undefined || opts.html !== undefined) {
      const report = {
        kind: 'patrolcast-review',
        version: 1,
        log,
        files,
        tz,
        bbox: opts.bbox ?? null,
        shiftsReviewed: sel.shifts.length,
        skipped: {
          notYetPassed: sel.notYetPassed,
          laterRevisionsIgnored: sel.laterRevisionsIgnored,
          publishedAfterStart: sel.publishedAfterStart,
          replaysCounted: opts.allowReplays === true,
        },
        scores,
        concentration: conc,
        lateRecorded: { ...late, note: lateNote(late) },
        dosage,
      };
      if (opts.out !== undefined) {
        await writeFileAtomic('--out', opts.out, `${JSON.stringify(report, null, 2)}\n`);
        ctx.io.stderr.write(`wrote ${opts.out}\n`);
      }
      if (opts.html !== undefined) {
        await writeFileAtomic('--html', opts.html, renderReviewHtml(report, `patrolcast review ${ctx.argv.slice(1).join(' ')}`));
        ctx.io.stderr.write(`wrote ${opts.html}\n`);
      }
    }
  });
}
