/**
 * Speed of the year-long daily-refit backtest: `etas` (with a tuned configuration)
 * against `etas-2015`, each run alone (plus nothing else) on Vancouver property crime 2023
 * (history 2020-2022), alternately, in one process, so that both see the same machine state.
 *
 *   npx tsx bench/plus-backtest.ts [config.json] [rounds] [data dir]
 *
 * Default configuration: docs/etas/vancouver-property-2022h2.json (tuned on July-December 2022,
 * before the test year). Reading the files is not timed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { readIncidents } from '../cli/io.ts';
import { backtest } from '../engine/evaluate/backtest.ts';
import { parseLocalDateTime } from '../engine/forecast/index.ts';
import { resolveCategories } from '../engine/ingest/index.ts';
import { checkEtasConfig } from '../engine/model/index.ts';

const configPath = process.argv[2] ?? 'docs/etas/vancouver-property-2022h2.json';
const rounds = Number(process.argv[3] ?? 3);
// The shared Vancouver years (as bench/backtest.ts's --data default).
const dir = `${process.argv[4] ?? '/work/shared/data/vancouver'}/`;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.csv.gz'))
  .sort()
  .map((f) => dir + f);
const data = await readIncidents(files, {});
const keep = new Set(resolveCategories('vancouver-property'));
const tz = 'America/Vancouver';
const etasConfig = checkEtasConfig(JSON.parse(readFileSync(configPath, 'utf8')));
const base = {
  incidents: data.incidents,
  include: (inc: { category: string | null }) => keep.has(inc.category ?? ''),
  res: 10,
  fromMs: parseLocalDateTime('2023-01-01', tz),
  toMs: parseLocalDateTime('2024-01-01', tz),
  tz,
  bootstrapResamples: 200,
};
console.log(
  `Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg()[0]!.toFixed(2)}`,
);
const times: Record<string, number[]> = { 'etas-2015': [], etas: [] };
for (let r = 0; r < rounds; r++) {
  for (const model of ['etas-2015', 'etas'] as const) {
    const t0 = performance.now();
    const rep = backtest({ ...base, models: [model], ...(model === 'etas' ? { etasConfig } : {}) });
    const s = (performance.now() - t0) / 1000;
    times[model]!.push(s);
    const fits = rep.fits;
    const its = fits.map((f) => f.iterations).sort((a, b) => a - b);
    console.log(
      `round ${r + 1} ${model.padEnd(9)} ${s.toFixed(1)} s, ${fits.length} fits (median ${its[its.length >> 1]} EM iterations), hit rate at 1 km² ${(100 * rep.models[model]!.hitRate['1']!).toFixed(2)}%`,
    );
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(
  `median: etas-2015 ${median(times['etas-2015']!).toFixed(1)} s, etas ${median(times.etas!).toFixed(1)} s, ratio ${(median(times.etas!) / median(times['etas-2015']!)).toFixed(2)}`,
);
