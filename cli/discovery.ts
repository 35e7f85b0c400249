/**
 * `patrolcast backtest ... --discovery p [--rotate-after k]`: the feedback-loop stress test
 * (engine/evaluate discoveryStudy) run after the backtest on the same input, its weekly table on
 * stdout and its report as the `discovery` block of report.json.
 */
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { discoveryStudy, discoveryVerdict, MAX_DISCOVERY_RATE } from '../engine/index.ts';
import type { DiscoveryReport, DiscoveryRunReport, DiscoveryStudyInput } from '../engine/index.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { createProgress } from './progress.ts';

/** The flags this file adds to `backtest`. */
export interface DiscoveryFlags {
  discovery?: string;
  rotateAfter?: string;
}

/** Registers --discovery and --rotate-after on the backtest command. */
export function addDiscoveryOptions(cmd: Command): Command {
  return cmd
    .option(
      '--discovery <p>',
      `feedback-loop stress test: replay the period again with each shift's patrol boxes "finding" extra incidents (a seeded Poisson number, p × the box's expected count, 0 < p ≤ ${MAX_DISCOVERY_RATE}) that later shifts train on, scored on real incidents only; prints week by week, for p = 0 and p, the places flagged, the top-10 places' share, the hit rate and the background's drift to the boxes`,
    )
    .option(
      '--rotate-after <k>',
      'with --discovery: also replay with rotation, resting a place (box centre) boxed in the same shift on the k previous days, its slot going to the next best box',
    );
}

/** The stress test asked for, or null. @throws {CliError} E_BAD_OPTION */
export function discoveryRequest(flags: DiscoveryFlags, months: boolean): { p: number; rotateAfter: number | null } | null {
  if (flags.discovery === undefined) {
    if (flags.rotateAfter !== undefined)
      throw new CliError('--rotate-after needs --discovery (the stress test it is measured in)', 'E_BAD_OPTION');
    return null;
  }
  const p = Number(flags.discovery);
  if (flags.discovery.trim() === '' || !(p > 0 && p <= MAX_DISCOVERY_RATE))
    throw new CliError(`--discovery: "${flags.discovery}" is not a rate in (0, ${MAX_DISCOVERY_RATE}]`, 'E_BAD_OPTION');
  if (months) throw new CliError('--discovery replays shifts: it cannot be used with --months', 'E_BAD_OPTION');
  if (flags.rotateAfter === undefined) return { p, rotateAfter: null };
  const k = Number(flags.rotateAfter);
  if (flags.rotateAfter.trim() === '' || !(Number.isInteger(k) && k >= 1))
    throw new CliError(`--rotate-after: "${flags.rotateAfter}" is not a whole number of days ≥ 1`, 'E_BAD_OPTION');
  return { p, rotateAfter: k };
}

/** Runs the stress test with a progress bar on stderr. */
export function runDiscoveryStudy(input: DiscoveryStudyInput, ctx: CliContext): DiscoveryReport {
  const progress = createProgress(ctx.io.stderr);
  let started = false;
  try {
    return discoveryStudy(input, {
      now: () => performance.now(),
      onProgress: (done, total) => {
        if (!started) progress.start(total, 'stress test (shifts)');
        started = true;
        progress.update(done);
      },
    });
  } finally {
    progress.stop();
  }
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

function runName(r: DiscoveryRunReport): string {
  return `p = ${r.p}${r.rotateAfter === null ? '' : `, rotate after ${r.rotateAfter} d`}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => rows.reduce((m, r) => Math.max(m, r[i]!.length), h.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The stress test's tables: the whole period per run, then week by week. */
export function formatDiscovery(report: DiscoveryReport): string {
  let out: string[] = [''];
  out.push(
    `Feedback-loop stress test: each shift's patrol boxes (top ${report.top} per district) find ${report.p} × their expected count in extra incidents, trained on from the shift's end; hit rates count real incidents only (seed ${report.seed})` +
      (report.wallSeconds === null ? '' : `; ${report.wallSeconds.toFixed(1)} s`),
  );
  const areas = report.flaggedKm2.map(String);
  out = out.concat(
    table(
      [
        'run',
        'boxes hit rate',
        ...areas.map((a) => `${a} km²`),
        'places',
        'top-10 share',
        'every shift',
        'rested',
        'found',
        'bg in box cells',
      ],
      report.runs.map((r) => [
        runName(r),
        pct(r.topKHitRate),
        ...areas.map((a) => pct(r.hitRate[a]!)),
        String(r.total.places),
        pct(r.total.top10Share),
        String(r.total.everyShift),
        String(r.rested),
        String(r.total.found),
        pct(r.total.backgroundShare),
      ]),
    ),
  );
  out.push('', discoveryVerdict(report));
  out.push('');
  out.push(
    `Week by week (${report.shiftsPerWeek} shifts): places flagged / top-10 places' share of the flags / hit rate on real crime (pooled) / share of the fitted background in cells ever boxed in that run`,
  );
  const header = ['week', 'from', ...report.runs.map(runName)];
  const weeks = report.runs[0]!.weeks;
  const rows = weeks.map((wk, i) => [
    String(wk.week),
    wk.from,
    ...report.runs.map((r) => {
      const x = r.weeks[i]!;
      return `${x.places} / ${pct(x.top10Share)} / ${pct(x.hitRate)} / ${pct(x.backgroundShare)}`;
    }),
  ]);
  out = out.concat(table(header, rows));
  return `${out.join('\n')}\n`;
}
