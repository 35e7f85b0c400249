/**
 * Ingest benchmark: `npx tsx bench/ingest.ts [--rows N]`.
 *
 * 1. Generates a seeded plain CSV of N rows (default 1,000,000) in a temp dir, as .csv and as
 *    .csv.gz: `id,datetime,lat,lon,category`, local times (read with --tz America/Vancouver),
 *    points around Vancouver, 7 categories.
 * 2. Times `readIncidents` (cli/io.ts: stream → csv-parse → engine ingestor) on each, and on all
 *    four shared Vancouver years (../shared/data, when present), each in its own child process so
 *    the peak RSS is that run's alone (process.resourceUsage().maxRSS).
 * Targets (issue 2): 1M rows in < 10 s and < 1.5 GB.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIncidents, type InputOptions } from '../cli/io.ts';
import { generate } from './synthetic.ts';

interface RunResult {
  seconds: number;
  maxRssMB: number;
  rowsRead: number;
  accepted: number;
  rejected: number;
}

/** Child mode: one readIncidents run, JSON result on stdout. */
async function child(paths: string[], options: InputOptions): Promise<void> {
  const t0 = performance.now();
  const r = await readIncidents(paths, options);
  const seconds = (performance.now() - t0) / 1000;
  const out: RunResult = {
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rowsRead: r.rowsRead,
    accepted: r.incidents.length,
    rejected: r.rejected.length,
  };
  process.stdout.write(JSON.stringify(out));
}

function measure(label: string, paths: string[], options: InputOptions): RunResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/ingest.ts', '--child', JSON.stringify({ paths, options })], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(out) as RunResult;
  console.log(
    `${label.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s  ${r.maxRssMB.toFixed(0).padStart(5)} MB peak RSS  ` +
      `${r.rowsRead.toLocaleString('en-US')} rows, ${r.accepted.toLocaleString('en-US')} accepted`,
  );
  return r;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const { paths, options } = JSON.parse(argv[1] ?? '{}') as { paths: string[]; options: InputOptions };
    await child(paths, options);
    return;
  }
  const rowsArg = argv.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(argv[rowsArg + 1]) : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'patrolcast-bench-'));
  try {
    const csv = join(dir, `plain_${rows}.csv`);
    const gz = `${csv}.gz`;
    const g0 = performance.now();
    await generate(csv, rows, 20240601);
    await generate(gz, rows, 20240601);
    console.log(
      `generated ${rows.toLocaleString('en-US')} rows in ${((performance.now() - g0) / 1000).toFixed(1)} s: ` +
        `${(statSync(csv).size / 2 ** 20).toFixed(0)} MB csv, ${(statSync(gz).size / 2 ** 20).toFixed(0)} MB gz`,
    );
    const opts: InputOptions = { tz: 'America/Vancouver' };
    measure(`plain .csv (${rows.toLocaleString('en-US')} rows, --tz)`, [csv], opts);
    measure(`plain .csv.gz (${rows.toLocaleString('en-US')} rows, --tz)`, [gz], opts);
    const vanDir = join(import.meta.dirname, '..', '..', 'shared', 'data', 'vancouver');
    if (existsSync(vanDir)) {
      const files = readdirSync(vanDir)
        .filter((f) => f.endsWith('.csv.gz'))
        .sort()
        .map((f) => join(vanDir, f));
      measure(`Vancouver 2020-2023 (${files.length} .csv.gz files)`, files, {});
    } else {
      console.log(`(skipped the Vancouver years: ${vanDir} not found)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
