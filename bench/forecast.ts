/**
 * Benchmark of the shift forecast (engine/forecast): expected counts for every cell for one
 * 8-hour shift from a history of N events (target: N = 200,000 under 50 ms), plus the ranking
 * and the patrol boxes (top 20 per district, 24 districts) built on it.
 *
 *   npx tsx bench/forecast.ts            # 10k, 100k, 200k, 1M, 4M events
 *   npx tsx bench/forecast.ts 200000     # one size
 *
 * Data: simulated grid ETAS (engine/model simulateEtas; θ = 0.3, mean delay 24 h, one year)
 * over N/20 real H3 res-10 cells around Vancouver; the fit is the true parameters (fitting is
 * bench/fit.ts's job). The shift starts at the end of the simulated year, so every event is
 * history. Timed with performance.now(): 3 warm-up calls, then the median and the minimum of
 * 21 calls; the first (cold) call is reported too.
 */
import { cpus, totalmem } from 'node:os';
import { gridDisk, incidentCell } from '../engine/grid/index.ts';
import { contributorParams, ETAS_2015, simulateEtas, simulationToEventSet, type EtasFit } from '../engine/model/index.ts';
import { forecastShift, patrolBoxes, rankCells } from '../engine/forecast/index.ts';
import { seededRandom } from '../engine/random.ts';
import type { Incident } from '../engine/types.ts';

const THETA = 0.3;
const MEAN_DELAY_HOURS = 24;
const T_HOURS = 8760;
const HOUR_MS = 3.6e6;
const RUNS = 21;

function time(fn: () => unknown): { coldMs: number; medianMs: number; minMs: number } {
  let t = performance.now();
  fn();
  const coldMs = performance.now() - t;
  for (let i = 0; i < 3; i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { coldMs, medianMs: xs[Math.floor(RUNS / 2)]!, minMs: xs[0]! };
}

function runOne(targetEvents: number): Record<string, number> {
  const nCells = Math.round(targetEvents / 20);
  const k = Math.ceil((-3 + Math.sqrt(9 - 12 * (1 - nCells))) / 6);
  const cells = gridDisk(incidentCell(49.25, -123.1, 10), k).slice(0, nCells);
  const meanMu = (targetEvents * (1 - THETA)) / (nCells * T_HOURS);
  const r = seededRandom(2024);
  const mu = Float64Array.from({ length: nCells }, () => meanMu * (0.2 + 1.6 * r()));
  const sim = simulateEtas({ muPerHour: mu, theta: THETA, omegaPerHour: 1 / MEAN_DELAY_HOURS, durationHours: T_HOURS, seed: 7 });
  const history = simulationToEventSet(sim, cells, 0);
  const muPerHour: Record<string, number> = {};
  cells.forEach((c, i) => (muPerHour[c] = mu[i]!));
  const fit: EtasFit = {
    kind: 'patrolcast-etas-fit',
    version: 2,
    config: ETAS_2015,
    tz: null,
    res: 10,
    theta: THETA,
    omegaPerHour: 1 / MEAN_DELAY_HOURS,
    ringWeights: [1],
    muPerHour,
    ratePerHour: muPerHour,
    profile: null,
    window: { startMs: 0, endMs: T_HOURS * HOUR_MS },
    events: history.tHours.length,
    iterations: 0,
    objectiveTrace: [0],
    logLikelihood: 0,
    stopReason: 'tolerance',
    triggeredShare: THETA,
    notes: [],
    warnings: [],
    fingerprint: 'bench',
  };
  const startMs = T_HOURS * HOUR_MS;
  const incidents: Incident[] = Array.from({ length: history.tHours.length }, (_, i) => ({
    id: String(i),
    timeMs: history.tHours[i]! * HOUR_MS,
    precision: 'minute',
    timeOfDayUnknown: false,
    lat: 0,
    lng: 0,
    category: 'sim',
    district: null,
    source: { file: 'sim', line: i + 2 },
  }));
  const districtOf = new Map(cells.map((c, i) => [c, `D${String(i % 24).padStart(2, '0')}`]));

  const cast = forecastShift(fit, history, startMs, 8);
  const forecast = time(() => forecastShift(fit, history, startMs, 8));
  const rank = time(() => rankCells(cast.cells, cast.expected));
  const boxes = time(() =>
    patrolBoxes(cast, {
      districtOf: (c) => districtOf.get(c) ?? null,
      contributorParams: contributorParams(fit),
      history,
      incidents,
      startMs,
      hours: 8,
    }),
  );
  return {
    events: history.tHours.length,
    cells: cast.cells.length,
    forecastMedianMs: forecast.medianMs,
    forecastMinMs: forecast.minMs,
    forecastColdMs: forecast.coldMs,
    rankMedianMs: rank.medianMs,
    boxesMedianMs: boxes.medianMs,
  };
}

const arg = process.argv[2];
const sizes = arg !== undefined ? [Number(arg)] : [10_000, 100_000, 200_000, 1_000_000, 4_000_000];
console.log(
  `# ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log('| events | cells | forecastShift median (min, cold) | rankCells median | patrolBoxes (top 20 × 24 districts) median |');
console.log('|---:|---:|---:|---:|---:|');
for (const n of sizes) {
  const o = runOne(n);
  const f = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
  console.log(
    `| ${o.events!.toLocaleString('en-US')} | ${o.cells!.toLocaleString('en-US')} | ${f(o.forecastMedianMs!)} ms (${f(o.forecastMinMs!)}, ${f(o.forecastColdMs!)}) | ${f(o.rankMedianMs!)} ms | ${f(o.boxesMedianMs!)} ms |`,
  );
}
