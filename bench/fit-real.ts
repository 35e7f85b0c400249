/**
 * Long check (not a test): fits the grid ETAS model (the etas-2015 preset) on every real data set in ../shared/data
 * and prints what it did. Run: npx tsx bench/fit-real.ts [res]
 * Reads the shared files through the CLI's streaming reader; nothing here is used at run time.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readIncidents, type InputOptions } from '../cli/io.ts';
import { buildEventSet } from '../engine/grid/index.ts';
import { describeFit, ETAS_2015, fitEtas } from '../engine/model/index.ts';
import { CATEGORY_PRESETS } from '../engine/ingest/index.ts';
import type { Incident } from '../engine/types.ts';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data');
const res = Number(process.argv[2] ?? 10);
const files = (dir: string): string[] =>
  readdirSync(join(DATA, dir))
    .filter((f) => f.endsWith('.gz'))
    .sort()
    .map((f) => join(DATA, dir, f));

interface Job {
  name: string;
  files: string[];
  options: InputOptions;
  include?: (inc: Incident) => boolean;
  monthPlacement?: 'start' | 'spread';
}
const property = new Set(CATEGORY_PRESETS['vancouver-property']!.categories);
const isProperty = (inc: Incident): boolean => inc.category !== null && property.has(inc.category);
const van = files('vancouver');
const jobs: Job[] = [
  ...van.map((f) => ({ name: `vancouver ${f.match(/(\d{4})/)![1]} property`, files: [f], options: {}, include: isProperty })),
  { name: 'vancouver 2020-2023 property', files: van, options: {}, include: isProperty },
  { name: 'vancouver 2023 all types', files: [van.at(-1)!], options: {} },
  { name: 'kent 2014-01..11 all (month start)', files: files('kent'), options: {} },
  { name: 'kent 2014-01..11 all (month spread)', files: files('kent'), options: {}, monthPlacement: 'spread' },
  { name: 'cheshire 2016-02..2017-02 all (month start)', files: files('cheshire'), options: {} },
  {
    name: 'chicago 2010-2016 aggravated assault',
    files: files('chicago'),
    options: {
      tz: 'America/Chicago',
      columns: { datetime: 'date', lat: 'latitude', lon: 'longitude', category: 'loc_cat', district: 'district' },
    },
  },
  { name: 'houston 2010 all', files: files('houston'), options: { tz: 'America/Chicago' } },
];

const only = process.argv[3];
for (const job of jobs) {
  if (only && !job.name.includes(only)) continue;
  const ingest = await readIncidents(job.files, job.options);
  const incidents = job.include ? ingest.incidents.filter(job.include) : ingest.incidents;
  let first = Infinity;
  let last = -Infinity;
  for (const inc of incidents) {
    if (inc.timeMs < first) first = inc.timeMs;
    if (inc.timeMs > last) last = inc.timeMs;
  }
  // The window ends an hour after the last event, or, for month-only data, when the last month ends.
  let endMs = last + 3.6e6;
  if (incidents.every((inc) => inc.precision === 'month')) {
    const d = new Date(last + 12 * 3.6e6);
    endMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - last);
  }
  const t0 = performance.now();
  const events = buildEventSet(incidents, res, first, { endMs, monthPlacement: job.monthPlacement ?? 'start' });
  const t1 = performance.now();
  const fit = fitEtas(events, { startMs: first, endMs }, res, ETAS_2015);
  const t2 = performance.now();
  console.log(`\n=== ${job.name}: ${incidents.length} incidents, ${events.cells.length} cells (res ${res})`);
  console.log(
    `θ = ${fit.theta.toFixed(4)}, mean delay = ${(1 / fit.omegaPerHour).toFixed(2)} h, triggered share = ${(100 * fit.triggeredShare).toFixed(1)}%, ` +
      `iterations = ${fit.iterations}, stop = ${fit.stopReason}, ℓ = ${fit.objectiveTrace.at(-1)!.toFixed(2)}; bin ${(t1 - t0).toFixed(0)} ms, fit ${(t2 - t1).toFixed(0)} ms`,
  );
  let decreases = 0;
  for (let k = 1; k < fit.objectiveTrace.length; k++) if (fit.objectiveTrace[k]! < fit.objectiveTrace[k - 1]!) decreases++;
  if (decreases > 0) console.log(`!! ℓ decreased ${decreases} times`);
  for (const n of fit.notes) console.log(`  note: ${n}`);
  for (const w of fit.warnings) console.log(`  WARNING: ${w}`);
  console.log(`  ${describeFit(fit)}`);
}
