/**
 * Benchmark of the "etas" (beyond 2015) fit against the 2015 fit on the same simulated data:
 * grid ETAS events (θ = 0.3, mean delay 24 h, one year from 2023-01-01 in Vancouver's zone)
 * over N/20 real H3 res-10 cells, exactly 50 EM iterations each (relTolerance 0).
 *
 *   npx tsx bench/plus.ts              # 10k, 100k, 1M events
 *   npx tsx bench/plus.ts 100000       # one size
 *
 * Timed, whole calls: fitEtas (plain EM, acceleration off, so one iteration = one E- and one
ZZ
 * weekend shrunk to the city, same-cell triggering, recency), and fitEtasPlus with ring-1
 * spread (up to 100k events). Simulation is not timed. Runs in-process, one size after another.
 */
import { cpus, totalmem } from 'node:os';
import { gridDisk, incidentCell } from '../engine/grid/index.ts';
import { fitEtas, simulateEtas, simulationToEventSet } from '../engine/model/index.ts';
import { checkPlusConfig, fitEtasPlus } from '../engine/model/plus/index.ts';
import { seededRandom } from '../engine/random.ts';

const ITERATIONS = 50;
const T_HOURS = 8760;
const ORIGIN_MS = Date.UTC(2023, 0, 1, 8); // 2023-01-01 00:00 in Vancouver
const TZ = 'America/Vancouver';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runOne(targetEvents: number): string {
  const nCells = Math.round(targetEvents / 20);
  const k = Math.ceil((-3 + Math.sqrt(9 - 12 * (1 - nCells))) / 6);
  const cells = gridDisk(incidentCell(49.25, -123.1, 10), k).slice(0, nCells);
  const meanMu = (targetEvents * 0.7) / (nCells * T_HOURS);
  const r = seededRandom(2024);
  const mu = Float64Array.from({ length: nCells }, () => meanMu * (0.2 + 1.6 * r()));
  const sim = simulateEtas({ muPerHour: mu, theta: 0.3, omegaPerHour: 1 / 24, durationHours: T_HOURS, seed: 7 });
  const events = simulationToEventSet(sim, cells, ORIGIN_MS);
  const window = { startMs: ORIGIN_MS, endMs: ORIGIN_MS + T_HOURS * 3.6e6 };
  const time = (f: () => { iterations: number }, per: number[]): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0 + 0 * per.length;
  };
  const perPlain: number[] = [];
  const perPlus: number[] = [];
  let last = 0;
  const tick = (per: number[]) => (it: number): void => {
    const now = performance.now();
    if (it > 0) per.push(now - last);
    last = now;
  };
  const plainMs = time(() => fitEtas(events, window, 10, { maxIterations: ITERATIONS, relTolerance: 0, acceleration: false }, { onIteration: tick(perPlain) }), perPlain);
  const cfg = checkPlusConfig({ profile: { prior: 'city', weekend: true }, em: { maxIterations: ITERATIONS, relTolerance: 0 } });
  const plusMs = time(() => fitEtasPlus(events, window, 10, cfg, { tz: TZ }, { onIteration: tick(perPlus) }), perPlus);
  let ring = '–';
  if (targetEvents <= 100_000) {
    const perRing: number[] = [];
    const ringCfg = checkPlusConfig({ profile: { prior: 'city', weekend: true }, triggering: { ringDepth: 1 }, em: { maxIterations: ITERATIONS, relTolerance: 0 } });
    const ringMs = time(() => fitEtasPlus(events, window, 10, ringCfg, { tz: TZ }, { onIteration: tick(perRing) }), perRing);
    ring = `${(ringMs / 1000).toFixed(2)} s (${median(perRing).toFixed(1)} ms)`;
  }
  const n = events.cell.length;
  return `| ${n.toLocaleString('en-US')} | ${nCells.toLocaleString('en-US')} | ${(plainMs / 1000).toFixed(2)} s (${median(perPlain).toFixed(1)} ms) | ${(plusMs / 1000).toFixed(2)} s (${median(perPlus).toFixed(1)} ms) | ${(plusMs / plainMs).toFixed(2)}× | ${ring} |`;
}

const sizes = process.argv[2] ? [Number(process.argv[2])] : [10_000, 100_000, 1_000_000];
console.log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log('| events | cells | fitEtas 50 it (median per it) | fitEtasPlus 50 it (per it) | ratio | ring 1, 50 it (per it) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const n of sizes) console.log(runOne(n));
