/**
 * Benchmark: a shift's patrol boxes after the fit (issue 11's target: the web app shows a shift's
 * boxes within 1 s of choosing the shift, once the model is fitted).
 *
 *   npx tsx bench/shift-boxes.ts            # the web app's bundled data and Chicago
 *   npx tsx bench/shift-boxes.ts ROOT       # the same against another checkout (e.g. an older commit)
 *
 * For each data set: `trainModel` up to a night shift's start (the fit, timed once), then
 * `shiftBoxes` with that fit and the trained model's `placementCache`, placed ('fine') and on
 * the grid: the same shift (the fit's own window: the web app's cached fit of a shift, or
 * `fit --until T` then `forecast --at T --fit-in`), then each of the next six shifts with the
 * same fit (its check rebuilds the training set at the fit's window). Median of the timed calls
 * after one warm-up; the first placed call, which fills the cache, is reported on its own.
 * Data: fixtures/vancouver property 2022-2023 (the web app's bundled data, web/bundled.ts) and
 * /work/shared/data/chicago (aggravated assaults 2010-2016).
 */
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const { readIncidents } = (await import(join(ROOT, 'cli/io.ts'))) as typeof import('../cli/io.ts');
const engine = (await import(join(ROOT, 'engine/index.ts'))) as typeof import('../engine/index.ts');
const { shiftAt, shiftBoxes, trainModel } = engine;

interface DataSet {
  readonly name: string;
  readonly files: string[];
  readonly options: Parameters<typeof readIncidents>[1];
  readonly tz: string;
  readonly at: string;
}

const sets: DataSet[] = [
  {
    name: 'bundled (Vancouver property 2022-2023)',
    files: ['fixtures/vancouver/property_2022.csv.gz', 'fixtures/vancouver/property_2023.csv.gz'].map((f) =>
      join(import.meta.dirname, '..', f),
    ),
    options: {},
    tz: 'America/Vancouver',
    at: '2023-12-15T22:00',
  },
  {
    name: 'Chicago aggravated assaults 2010-2016',
    files: ['/work/shared/data/chicago/chicago_aggravated_assaults_2010_2016.csv.gz'],
    options: {
      tz: 'America/Chicago',
      columns: { datetime: 'date', lat: 'latitude', lon: 'longitude', category: 'loc_cat', district: 'district' },
    },
    tz: 'America/Chicago',
    at: '2016-12-15T22:00',
  },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

process.stdout.write(
  `Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; code ${ROOT}\n\n`,
);
process.stdout.write(
  '| data | incidents | fit | placement | first call | same shift again | each next shift | boxes |\n|---|---:|---:|---|---:|---:|---:|---:|\n',
);
for (const set of sets) {
  const { incidents } = await readIncidents(set.files, set.options);
  const shift0 = shiftAt(set.at, set.tz, 8);
  const request = { incidents, tz: set.tz, res: 10 };
  let t = performance.now();
  const trained = trainModel({ ...request, untilMs: shift0.startMs });
  const fitMs = performance.now() - t;
  for (const placement of ['fine', 'grid'] as const) {
    const call = (startMs: number): { ms: number; boxes: number } => {
      const shift = { ...shift0, startMs, label: '' };
      const t0 = performance.now();
      const r = shiftBoxes({ ...request, shift, fit: trained.fit, placementCache: trained.placementCache, placement });
      return { ms: performance.now() - t0, boxes: r.boxes.length };
    };
    const first = call(shift0.startMs);
    const same = [1, 2, 3].map(() => call(shift0.startMs).ms);
    call(shift0.startMs + 8 * 3_600_000);
    const next = [1, 2, 3, 4, 5, 6].map((k) => call(shift0.startMs + k * 8 * 3_600_000).ms);
    t = performance.now();
    process.stdout.write(
      `| ${set.name} | ${incidents.length.toLocaleString('en-US')} | ${ms(fitMs)} | ${placement} | ${ms(first.ms)} | ${ms(median(same))} | ${ms(median(next))} | ${first.boxes} |\n`,
    );
  }
}
