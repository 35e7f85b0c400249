/**
 * Scale benchmark: `npx tsx bench/scale.ts [--rows 1000000,5000000] [--node-option=--max-old-space-size=1536]`.
 *
 * Generates the seeded synthetic plain CSV of bench/synthetic.ts for each size in a temp dir,
 * then runs the real command line as child processes, `node bin/patrolcast.mjs ingest FILE --tz
 * America/Vancouver` and `fit FILE --tz America/Vancouver --until 2024-01-01 --out fit.json`,
 * each under `/usr/bin/time -v`: wall time and peak RSS of the whole process (Node, tsx and
 * all), as a user would see them. Prints one line per run and a Markdown table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './synthetic.ts';

interface Run {
  readonly rows: number;
  readonly command: string;
  readonly seconds: number;
  readonly peakMB: number;
  readonly code: number;
  readonly lastLine: string;
}

/** Runs `node [nodeOptions] bin/patrolcast.mjs ...args` under /usr/bin/time -v. */
function timed(rows: number, command: string, args: readonly string[], nodeOptions: readonly string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, ...nodeOptions, 'bin/patrolcast.mjs', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const err = r.stderr;
  const peakKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? NaN);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const own = err.split('\n').filter((l) => l.startsWith('patrolcast:'));
  const lastLine = own[own.length - 1] ?? r.stdout.trim().split('\n').pop() ?? '';
  return { rows, command, seconds, peakMB: peakKB / 1024, code: r.status ?? -1, lastLine };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rowsArg = argv.indexOf('--rows');
  const sizes = (rowsArg >= 0 ? argv[rowsArg + 1]! : '1000000,5000000').split(',').map(Number);
  const nodeOptions = argv.filter((a) => a.startsWith('--node-option=')).map((a) => a.slice('--node-option='.length));
  const dir = mkdtempSync(join(tmpdir(), 'patrolcast-scale-'));
  const runs: Run[] = [];
  try {
    for (const rows of sizes) {
      const csv = join(dir, `plain_${rows}.csv`);
      await generate(csv, rows, 20240601);
      console.log(`generated ${rows.toLocaleString('en-US')} rows: ${(statSync(csv).size / 2 ** 20).toFixed(0)} MB`);
      const tz = ['--tz', 'America/Vancouver'];
      for (const [command, args] of [
        ['ingest', [csv, ...tz]],
        ['fit', [csv, ...tz, '--until', '2024-01-01', '--out', join(dir, 'fit.json')]],
      ] as const) {
        const run = timed(rows, command, args, nodeOptions);
        runs.push(run);
        console.log(
          `${rows.toLocaleString('en-US').padStart(10)} ${command.padEnd(7)} ${run.seconds.toFixed(1).padStart(6)} s ${run.peakMB.toFixed(0).padStart(6)} MB peak RSS  exit ${run.code}  ${run.lastLine}`,
        );
      }
      rmSync(csv);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  console.log(
    `\nNode ${process.version}, commit ${commit}, ${new Date().toISOString().slice(0, 10)}${nodeOptions.length ? `, ${nodeOptions.join(' ')}` : ''}\n`,
  );
  console.log('| rows | command | wall time | peak RSS | exit |\n|---:|---|---:|---:|---:|');
  for (const r of runs) {
    console.log(
      `| ${r.rows.toLocaleString('en-US')} | ${r.command} | ${r.seconds.toFixed(1)} s | ${(r.peakMB / 1024).toFixed(2)} GB | ${r.code} |`,
    );
  }
}

await main();
