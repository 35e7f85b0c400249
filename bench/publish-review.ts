/**
 * A force's nights, replayed: `patrolcast publish` run once a day for D days (as the cron line
 * in the README runs it), then `patrolcast review` of everything published, timed whole
 * (process start to exit, the real binary). Reports per run its wall time, the site's size and
 * the log's growth, then the review's time and headline.
 *
 *   PATROLCAST_DATA=/path/to/shared/data npx tsx bench/publish-review.ts [--days 14] [--from 2023-06-01]
 *
 * Default data: the four Vancouver GeoDASH years 2020-2023 (about 130,000 incidents), shifts
 * 06:00/14:00/22:00, 24 districts from the data's neighbourhoods, the default model. Each run
 * publishes the next 3 shifts from 06:00 of its day, fitted on what was known before (publish
 * leaves out incidents dated after --from, so the same files serve every run).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { days: { type: 'string', default: '14' }, from: { type: 'string', default: '2023-06-01' } },
});
const days = Number(values.days);
const data = process.env['PATROLCAST_DATA'];
if (data === undefined)
  throw new Error('set PATROLCAST_DATA to the shared data folder (it holds vancouver/crimedata_csv_AllNeighbourhoods_2020.csv.gz ...)');
const files = [2020, 2021, 2022, 2023].map((y) => join(data, 'vancouver', `crimedata_csv_AllNeighbourhoods_${y}.csv.gz`));
const dir = mkdtempSync(join(tmpdir(), 'patrolcast-bench-publish-'));
const site = join(dir, 'site');
const log = join(dir, 'published.jsonl');
const bin = join(import.meta.dirname, '..', 'bin', 'patrolcast.mjs');

/** Bytes under a folder (recursive). */
function sizeOf(path: string): number {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true }))
    total += e.isDirectory() ? sizeOf(join(path, e.name)) : statSync(join(path, e.name)).size;
  return total;
}

function timed(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync('node', [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  return { ms: performance.now() - t0, stdout };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${days} daily runs from ${values.from}`);
console.log('| day | publish (s) | site | log | log growth |');
console.log('|---|---:|---:|---:|---:|');
const start = Date.parse(`${values.from}T12:00:00Z`);
let logBefore = 0;
const times: number[] = [];
for (let d = 0; d < days; d++) {
  const day = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
  const r = timed(['publish', ...files, '--from', `${day} 06:00`, '--shifts', '3', '--out', site, '--log', log]);
  times.push(r.ms);
  const logSize = statSync(log).size;
  console.log(`| ${day} | ${(r.ms / 1000).toFixed(1)} | ${mb(sizeOf(site))} | ${mb(logSize)} | ${mb(logSize - logBefore)} |`);
  logBefore = logSize;
}
times.sort((a, b) => a - b);
console.log(`publish: median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(1)} s per run`);
const review = timed(['review', log, ...files, '--allow-replays', '--out', join(dir, 'review.json')]);
const headline = review.stdout.split('\n').filter((l) => /^(review:|hit rate|all-history|The )/.test(l));
console.log(`review of ${days} days: ${(review.ms / 1000).toFixed(1)} s`);
for (const l of headline) console.log(`  ${l}`);
rmSync(dir, { recursive: true, force: true });
