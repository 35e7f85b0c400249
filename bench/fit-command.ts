/**
 * Where `patrolcast fit` spends its time on the 1M-row synthetic file (bench/synthetic.ts, the
 * ingest benchmark's file): `npx tsx bench/fit-command.ts [--rows N]`.
 *
 * 1. Generates the seeded `.csv.gz` in a temp dir.
 * 2. Runs the real command (`node bin/patrolcast.mjs fit FILE --tz America/Vancouver --until
 *    2024-01-01 --out fit.json`), pinned to one core when taskset is there, and times it whole
 *    (process start to exit).
 * 3. Replays the command's steps in this process, pinned likewise, and times each: reading the
 *    file, the training set (engine/service: events, time-unknown flags, districts), the fit (split into its
 *    set-up: checks, calendar, tie groups, bins, sort, priors, start search, first E-step; the EM
 *    iterations; after the EM), writing the JSON and the report.
 * Target (issue 9): the fit is under a third of the command's time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readIncidents } from '../cli/io.ts';
import { parseLocalDateTime } from '../engine/forecast/index.ts';
import { configForData, describeFit, ETAS_DEFAULTS, fitEtas } from '../engine/model/index.ts';
import { trainingSet } from '../engine/service/index.ts';
import { generate } from './synthetic.ts';

const TZ = 'America/Vancouver';
const UNTIL = '2024-01-01';

async function steps(file: string, out: string): Promise<void> {
  const t: [string, number][] = [];
  let last = performance.now();
  const mark = (label: string): void => {
    const now = performance.now();
    t.push([label, now - last]);
    last = now;
  };
  const data = await readIncidents([file], { tz: TZ });
  mark('read and parse the file (readIncidents)');
  const endMs = parseLocalDateTime(UNTIL, TZ);
  // The command's training set (engine/service): the known-from rule, buildEventSet (H3 cells,
  // sort), the time-unknown flags and the districts from the training incidents' labels.
  const training = trainingSet({ incidents: data.incidents, tz: TZ, res: 10 }, endMs);
  const { events, timeUnknown, districtOf } = training;
  const { startMs } = training.window;
  mark('training set (known-from rule, buildEventSet: H3 cells and sort, time-unknown flags, districts)');
  let first = NaN;
  let lastIt = NaN;
  const f0 = performance.now();
  const fit = fitEtas(
    events,
    { startMs, endMs },
    10,
    configForData(ETAS_DEFAULTS, events),
    { tz: TZ, timeUnknown, districtOf },
    {
      onIteration: (it) => {
        lastIt = performance.now();
        if (it === 0) first = lastIt;
      },
    },
  );
  const f1 = performance.now();
  t.push([`fit: set-up to iteration 0 (calendar, tie groups, bins, sort, priors, 9-delay start search)`, first - f0]);
  t.push([`fit: ${fit.iterations} EM iterations (${fit.stopReason})`, lastIt - first]);
  t.push(['fit: after the EM (recency rates, JSON record, notes, fingerprint)', f1 - lastIt]);
  last = f1;
  writeFileSync(out, `${JSON.stringify(fit, null, 1)}\n`);
  mark('write the fit JSON');
  describeFit(fit);
  mark('report');
  const total = t.reduce((s, [, ms]) => s + ms, 0);
  const fitMs = f1 - f0;
  for (const [label, ms] of t) console.log(`| ${label} | ${(ms / 1000).toFixed(2)} s | ${((100 * ms) / total).toFixed(0)}% |`);
  console.log(`| **all steps** | **${(total / 1000).toFixed(2)} s** | |`);
  console.log(
    `fit ${(fitMs / 1000).toFixed(2)} s = ${((100 * fitMs) / total).toFixed(0)}% of the steps; ${events.cell.length.toLocaleString('en')} events in ${events.cells.length.toLocaleString('en')} cells`,
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--steps') return steps(argv[1]!, argv[2]!);
  const rowsArg = argv.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(argv[rowsArg + 1]) : 1_000_000;
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'patrolcast-fitcmd-'));
  const pin = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0'] : [];
  try {
    const gz = join(dir, `plain_${rows}.csv.gz`);
    await generate(gz, rows, 20240601);
    console.log(
      `${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}${pin.length ? ', pinned to one core' : ''}; ${rows.toLocaleString('en')} rows, ${(statSync(gz).size / 2 ** 20).toFixed(0)} MB gz`,
    );
    const cmd = [...pin, process.execPath, 'bin/patrolcast.mjs', 'fit', gz, '--tz', TZ, '--until', UNTIL, '--out', join(dir, 'fit.json')];
    const c0 = performance.now();
    execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
    console.log(`patrolcast fit, whole command: ${((performance.now() - c0) / 1000).toFixed(2)} s`);
    const replay = [...pin, process.execPath, '--import', 'tsx', 'bench/fit-command.ts', '--steps', gz, join(dir, 'fit2.json')];
    console.log('| step | time | share |\n|---|---:|---:|');
    process.stdout.write(execFileSync(replay[0]!, replay.slice(1), { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
