/**
 * Benchmark: a year-long backtest on real data (issue 4's speed target).
 *
 *   npx tsx bench/backtest.ts                      # Vancouver property crime, 2023, 8-hour shifts
 *   npx tsx bench/backtest.ts --from 2023-07-01 --to 2023-10-01
 *   npx tsx bench/backtest.ts --config off.json     # another etas configuration, e.g. {"adapt": null}
 *   npx tsx bench/backtest.ts --all-only            # only the run with every model
 *
 * Reads the four shared Vancouver years (../shared/data/vancouver), keeps the 7 property types,
 * and replays every 8-hour shift of the period with a daily warm-started ETAS refit and every
 * built-in model (etas and naive-all-placed scored as placed boxes); then the same without ETAS, to show what the model costs over the baselines. Times are
 * split into set-up (study area, neighbourhoods, event sets, first scores), the replay and the
 * summaries (bootstrap). Peak RSS is the process's.
 */
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { readIncidents } from '../cli/io.ts';
import { backtest, BACKTEST_MODELS } from '../engine/evaluate/index.ts';
import { parseLocalDateTime } from '../engine/forecast/index.ts';
import { resolveCategories } from '../engine/ingest/index.ts';
import { checkEtasConfig } from '../engine/model/index.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const DATA = arg('--data', '/work/shared/data/vancouver');
const FROM = arg('--from', '2023-01-01');
const TO = arg('--to', '2024-01-01');
const TZ = 'America/Vancouver';
/** `--config FILE`: the etas configuration (e.g. {"adapt": null}, the default without the adaptive selection, for comparison). */
const CONFIG = args.includes('--config') ? checkEtasConfig(JSON.parse(readFileSync(arg('--config', ''), 'utf8'))) : undefined;
const files = [2020, 2021, 2022, 2023].map((y) => `${DATA}/crimedata_csv_AllNeighbourhoods_${y}.csv.gz`);

const t0 = performance.now();
const result = await readIncidents(files, {});
const readSeconds = (performance.now() - t0) / 1000;
const property = new Set(resolveCategories('vancouver-property'));

function run(models: readonly string[]): void {
  let setupEnd = 0;
  let replayEnd = 0;
  const start = performance.now();
  const report = backtest(
    {
      incidents: result.incidents,
      res: 10,
      fromMs: parseLocalDateTime(FROM, TZ),
      toMs: parseLocalDateTime(TO, TZ),
      tz: TZ,
      models,
      ...(CONFIG ? { etasConfig: CONFIG } : {}),
      include: (inc) => property.has(inc.category ?? ''),
    },
    {
      now: () => performance.now(),
      onProgress: (done, total) => {
        if (done === 0) setupEnd = performance.now();
        if (done === total) replayEnd = performance.now();
      },
    },
  );
  const end = performance.now();
  const s = (a: number, b: number): string => ((b - a) / 1000).toFixed(1);
  const etasHit = report.models.etas?.hitRate['1'];
  process.stdout.write(
    `| ${models.length === BACKTEST_MODELS.length ? `all ${models.length}` : `${models.length} (no etas, etas-grid)`} | ${report.shifts.toLocaleString('en-US')} | ${report.fits.length} | ` +
      `${report.historyEvents.toLocaleString('en-US')} | ${report.events.toLocaleString('en-US')} | ${report.cells.toLocaleString('en-US')} | ` +
      `**${s(start, end)} s** | ${s(start, setupEnd)} s | ${s(setupEnd, replayEnd)} s | ${s(replayEnd, end)} s | ` +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB |${etasHit === undefined ? '' : ` etas ${(100 * etasHit).toFixed(1)}% at 1 km²`}\n`,
  );
}

process.stdout.write(
  `Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
);
process.stdout.write(
  `Read ${result.incidents.length.toLocaleString('en-US')} incidents in ${readSeconds.toFixed(1)} s (not included below); period ${FROM} to ${TO}\n\n`,
);
process.stdout.write('| models | shifts | ETAS fits | history | scored | cells | backtest | set-up | replay | summaries | peak RSS | |\n');
process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n');
run(BACKTEST_MODELS);
// `--all-only`: skip the run without ETAS
if (!args.includes('--all-only')) run(BACKTEST_MODELS.filter((m) => m !== 'etas' && m !== 'etas-grid'));
