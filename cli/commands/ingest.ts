/**
 * `patrolcast ingest FILE...`: read incident files and report what was accepted and rejected.
 */
import type { Command } from 'commander';
import { formatLocalInstant, summarizeIngest, victimReportedDefault } from '../../engine/index.ts';
import type { IngestResult, IngestSummary } from '../../engine/index.ts';
import type { CliContext } from '../context.ts';
import { addInputOptions, inputOptionsFrom, readIncidents } from '../io.ts';
import { createProgress } from '../progress.ts';
import { memoryGuard } from '../memory.ts';
import { FORMAT_ZONES } from '../options.ts';

const EXAMPLES_PER_REASON = 3;

const fmt = (n: number) => n.toLocaleString('en-US');

function table(rows: readonly (readonly [string, number])[], indent: string): string[] {
  const w = rows.reduce((m, [k]) => Math.max(m, k.length), 0);
  const wn = rows.reduce((m, [, n]) => Math.max(m, fmt(n).length), 0);
  return rows.map(([k, n]) => `${indent}${k.padEnd(w)}  ${fmt(n).padStart(wn)}`);
}

/** The human-readable summary. */
export function formatIngestSummary(files: readonly string[], result: IngestResult, s: IngestSummary, tz?: string): string {
  const out: string[] = [];
  out.push(`${files.length === 1 ? files[0] : `${files.length} files`} (format ${result.format})`);
  for (const line of table(
    [
      ['rows read', s.rowsRead],
      ['accepted', s.accepted],
      ['rejected', s.rejected],
    ],
    '  ',
  ))
    out.push(line);
  if (s.rejected > 0) {
    out.push('rejected by reason:');
    for (const [reason, n] of Object.entries(s.rejectedByReason)) {
      for (const line of table([[reason, n]], '  ')) out.push(line);
      let shown = 0;
      for (const r of result.rejected) {
        if (r.reason !== reason) continue;
        out.push(`      e.g. ${r.message}`);
        if (++shown >= EXAMPLES_PER_REASON) break;
      }
    }
  }
  // Local time in the data's zone when it is known (--tz, or the format's own), then UTC.
  const when = (iso: string | null): string =>
    iso === null ? '-' : tz === undefined ? iso : `${formatLocalInstant(Date.parse(iso), tz)} (${iso})`;
  out.push(`first: ${when(s.first)}`);
  out.push(`last:  ${when(s.last)}`);
  out.push('time precision:');
  for (const line of table(Object.entries(s.precision), '  ')) out.push(line);
  out.push(`time of day unknown: ${fmt(s.timeOfDayUnknown)}`);
  out.push(`categories (${Object.keys(s.categories).length}):`);
  for (const line of table(Object.entries(s.categories), '  ')) out.push(line);
  // What fit, forecast and backtest will train on unless --categories says otherwise.
  const byDefault = victimReportedDefault(result.incidents, [result.format]);
  if (byDefault.words !== '') out.push(`training by default: ${byDefault.words}`);
  return `${out.join('\n')}\n`;
}

export function registerIngest(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('ingest')
    .argument('<files...>', 'incident files: .csv, .csv.gz, .geojson or .json')
    .description(
      'Read incident files and summarise them: rows read, accepted, rejected by reason (with examples), categories, first and last time, time precision.',
    )
    .option(
      '--json',
      'print the summary as one JSON object (rowsRead, accepted, rejected, rejectedByReason, categories, first, last, precision, timeOfDayUnknown, trainingDefault: the types training leaves out by default)',
    )
    .addHelpText(
      'after',
      `
Formats (--format auto recognises the first two by their header):
  police-uk  data.police.uk street-level CSV; month precision, district = LSOA local authority
  vancouver  Vancouver Police GeoDASH CSV; UTM 10N -> WGS84, America/Vancouver local times
  plain      id,datetime,lat,lon,category[,district][,address] (rename with --columns; common
             other names are found: date, latitude, longitude, offense, precinct, Case Number...;
             the address also as hundred_block, block, street or location); or start,end instead
             of datetime (midpoint; spans over 72 h rejected); or a date and a time (or hour)
             column. Times: ISO 8601 with an offset, or local times with --tz; US-style
             MM/DD/YYYY [H:MM [AM|PM]] month first
  geojson    FeatureCollection of Points with the plain properties

Examples:
  patrolcast ingest fixtures/vancouver/property_2022.csv.gz
  patrolcast ingest fixtures/kent/ashford_2014.csv.gz --json
  patrolcast ingest chicago.csv.gz --tz America/Chicago   (date, latitude, longitude found by name)
  patrolcast ingest houston_2010.csv.gz --tz America/Chicago
`,
    );
  addInputOptions(cmd).action(async (files: string[], opts: { json?: boolean; format?: string; columns?: string; tz?: string }) => {
    const options = inputOptionsFrom(opts);
    const result = await readIncidents(files, options, createProgress(ctx.io.stderr), memoryGuard(ctx.io.env));
    const summary = summarizeIngest(result);
    for (const note of result.notes ?? []) ctx.io.stderr.write(`patrolcast: note: ${note}\n`);
    if (opts.json) {
      const { leftOut, incidentsLeftOut, words } = victimReportedDefault(result.incidents, [result.format]);
      const trainingDefault = { leftOut, incidentsLeftOut, words };
      const notes = result.notes ?? [];
      ctx.io.stdout.write(`${JSON.stringify({ format: result.format, files: files.length, ...summary, trainingDefault, notes })}\n`);
    } else {
      ctx.io.stdout.write(formatIngestSummary(files, result, summary, opts.tz ?? FORMAT_ZONES[result.format]));
    }
  });
}
