/**
 * The feedback-loop stress test and rotation on the shared data (issue 15; docs/evaluation.md
 * "Feedback loop and rotation"): one prepared run per case, then one replay per (discovery rate,
 * rotation) pair, each the same replay `patrolcast backtest --discovery p --rotate-after k`
 * makes (engine/evaluate runDiscovery; the CLI runs p = 0 and p, this grid every pair once).
 *
 *   npx tsx bench/discovery.ts vancouver [--rates 0,0.1,0.3,1] [--rotate none,3,7] [--json out.json]
 *   npx tsx bench/discovery.ts chicago
 *
 * Needs the shared data (PATROLCAST_DATA, default ../shared/data). Prints one markdown table per
 * case: the whole period per replay, then the weekly places and hit rates.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { inputOptionsFrom, readIncidents } from '../cli/io.ts';
import { parseLocalDateTime, prepareEvaluation, resolveCategories, runDiscovery, type DiscoveryRun } from '../engine/index.ts';
import { pairedBootstrap } from '../engine/evaluate/index.ts';

const data = resolve(process.env.PATROLCAST_DATA ?? join(import.meta.dirname, '..', '..', 'shared', 'data'));
const CASES = {
  vancouver: {
    title: 'Vancouver property crime, July-September 2023 (history from 2020)',
    files: [2020, 2021, 2022, 2023].map((y) => join(data, 'vancouver', `crimedata_csv_AllNeighbourhoods_${y}.csv.gz`)),
    options: {},
    tz: 'America/Vancouver',
    preset: 'vancouver-property',
    from: '2023-07-01',
    to: '2023-10-01',
  },
  chicago: {
    title: 'Chicago aggravated assaults, July-September 2016 (history from 2010)',
    files: [join(data, 'chicago', 'chicago_aggravated_assaults_2010_2016.csv.gz')],
    options: { columns: 'datetime=date,lat=latitude,lon=longitude,district=district', tz: 'America/Chicago' },
    tz: 'America/Chicago',
    preset: null,
    from: '2016-07-01',
    to: '2016-10-01',
  },
} as const;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : '–');
const pts = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;

/**
 * The paired difference a − b of per-shift hit rates over the shifts where both are defined, with
 * the backtest's bootstrap (blocks of one day's shifts, 1000 resamples, seed 1), in points.
 */
function paired(a: readonly number[], b: readonly number[], blockLength: number): string {
  const xa: number[] = [];
  const xb: number[] = [];
  a.forEach((x, w) => {
    if (Number.isFinite(x) && Number.isFinite(b[w]!)) {
      xa.push(x);
      xb.push(b[w]!);
    }
  });
  const d = pairedBootstrap(xa, xb, { seed: 1, resamples: 1000, level: 0.95, blockLength }).diff;
  return `${pts(d.mean)} [${pts(d.lo)}, ${pts(d.hi)}]`;
}

const boxRates = (r: DiscoveryRun): number[] => r.shifts.map((s) => (s.events > 0 ? s.hits / s.events : NaN));

async function main(): Promise<void> {
  const name = process.argv[2] as keyof typeof CASES;
  const c = CASES[name];
  if (!c) throw new Error(`usage: bench/discovery.ts ${Object.keys(CASES).join('|')} [--rates ...] [--rotate ...]`);
  const rates = flag('--rates', '0,0.1,0.3,1').split(',').map(Number);
  const rotations = flag('--rotate', 'none,3,7')
    .split(',')
    .map((s) => (s === 'none' ? null : Number(s)));
  const result = await readIncidents([...c.files], inputOptionsFrom(c.options));
  const keep = c.preset === null ? null : new Set(resolveCategories(c.preset));
  const t0 = performance.now();
  const run = prepareEvaluation({
    incidents: result.incidents,
    res: 10,
    fromMs: parseLocalDateTime(c.from, c.tz),
    toMs: parseLocalDateTime(c.to, c.tz),
    tz: c.tz,
    ...(keep ? { include: (inc) => keep.has(inc.category ?? '') } : {}),
  });
  process.stderr.write(`prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const rows: { run: DiscoveryRun; seconds: number }[] = [];
  for (const rotateAfter of rotations) {
    for (const p of rates) {
      const t = performance.now();
      const r = runDiscovery(run, { p, rotateAfter });
      rows.push({ run: r, seconds: (performance.now() - t) / 1000 });
      process.stderr.write(`p ${p}, rotate ${rotateAfter}: ${rows[rows.length - 1]!.seconds.toFixed(1)} s\n`);
    }
  }
  const a1 = run.measures.flaggedKm2.indexOf(1);
  const out: string[] = [`### ${c.title}`, ''];
  out.push(
    `${run.windows.length} shifts, ${run.actuals.events} incidents scored; ${run.history.length} incidents of history; ${run.study.cells.length} study cells; ${run.districts.names.length} districts; top ${run.measures.top} boxes per district. ${cpus().length} cores (${cpus()[0]!.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)} at the end.`,
    '',
    '| p | rotate after | boxes hit rate | 1 km² hit rate | places | places in every shift | top-10 share | found | rested | background in box cells | time | boxes − p 0 [95%] | 1 km² − p 0 [95%] |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const ref = rows[0]!.run;
  const S = run.shiftStarts.length;
  for (const { run: r, seconds } of rows) {
    const t = r.total;
    const d1 = a1 >= 0 ? paired(r.flaggedHitRate[a1]!, ref.flaggedHitRate[a1]!, S) : '–';
    out.push(
      `| ${r.p} | ${r.rotateAfter ?? '–'} | ${pct(r.meanShiftHitRate)}% | ${pct(r.meanFlaggedHitRate[a1] ?? NaN)}% | ${t.places} | ${t.everyShift} | ${pct(t.top10Share)}% | ${t.found} | ${r.rested} | ${pct(t.backgroundShare)}% | ${seconds.toFixed(0)} s | ${paired(boxRates(r), boxRates(ref), S)} | ${d1} |`,
    );
  }
  out.push('', 'Week by week: places flagged / hit rate of the boxes on real crime (pooled) / background share in box cells.', '');
  out.push(`| week | ${rows.map(({ run: r }) => `p ${r.p}${r.rotateAfter === null ? '' : `, rot ${r.rotateAfter}`}`).join(' | ')} |`);
  out.push(`|---|${rows.map(() => '---:').join('|')}|`);
  rows[0]!.run.weeks.forEach((wk, i) => {
    const cells = rows.map(({ run: r }) => {
      const x = r.weeks[i]!;
      return `${x.places} / ${pct(x.hitRate)} / ${pct(x.backgroundShare)}`;
    });
    out.push(`| ${wk.week} (${wk.from.slice(0, 10)}) | ${cells.join(' | ')} |`);
  });
  process.stdout.write(`${out.join('\n')}\n`);
  const json = flag('--json', '');
  if (json !== '')
    writeFileSync(
      json,
      JSON.stringify(
        rows.map(({ run: r, seconds }) => ({ ...r, shifts: undefined, found: r.found.length, fineCells: undefined, seconds })),
      ),
    );
}

await main();
