/**
 * Benchmark of the EM fit (engine/model fitEtas): simulated grid ETAS data with N events over
 * N/20 cells (the target case: 1,000,000 events over 50,000 cells), 50 EM iterations.
 *
 *   npx tsx bench/fit.ts                 # the table over 10k, 100k, 1M, 4M events
 *   npx tsx bench/fit.ts 1000000         # one size
 *
 * The timed fit is plain EM (acceleration: false) so that an iteration means one E-step and one
 * M-step; a second, default fit (over-relaxed EM, stop on the tolerance) is timed after it.
 * Each size runs in its own child process (pinned to one core with taskset when available) so
 * that its peak memory is its own. Timed: prepare + start search + 50 iterations, i.e. the whole
 * fitEtas call, plus the E-step-only time per iteration. Simulation is not timed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gridDisk, incidentCell } from '../engine/grid/index.ts';
import { fitEtas, simulateEtas, simulationToEventSet } from '../engine/model/index.ts';
import { seededRandom } from '../engine/random.ts';

const ITERATIONS = 50;
const THETA = 0.3;
const MEAN_DELAY_HOURS = 24;
const T_HOURS = 8760;

function runOne(targetEvents: number): void {
  const nCells = Math.round(targetEvents / 20);
  // Real H3 res-10 cells around Vancouver: a disk with ≥ nCells cells, the first nCells kept.
  const k = Math.ceil((-3 + Math.sqrt(9 - 12 * (1 - nCells))) / 6);
  const cells = gridDisk(incidentCell(49.25, -123.1, 10), k).slice(0, nCells);
  // μ per cell uniform in [0.2, 1.8] × the mean that gives targetEvents in expectation.
  const meanMu = (targetEvents * (1 - THETA)) / (nCells * T_HOURS);
  const r = seededRandom(2024);
  const mu = Float64Array.from({ length: nCells }, () => meanMu * (0.2 + 1.6 * r()));
  const sim = simulateEtas({ muPerHour: mu, theta: THETA, omegaPerHour: 1 / MEAN_DELAY_HOURS, durationHours: T_HOURS, seed: 7 });
  const events = simulationToEventSet(sim, cells, 0);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let peakExtra = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakExtra = Math.max(peakExtra, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
  };
  const iterationTimes: number[] = [];
  let last = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = fitEtas(events, { startMs: 0, endMs: T_HOURS * 3.6e6 }, 10, { maxIterations: ITERATIONS, relTolerance: 0, acceleration: false }, {
    onIteration: (it) => {
      const now = performance.now();
      if (it > 0) iterationTimes.push(now - last);
      last = now;
      sample();
    },
  });
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  sample();
  // Then the default fit (over-relaxed EM, stop on tolerance), as an analyst would run it.
  const d0 = performance.now();
  const byDefault = fitEtas(events, { startMs: 0, endMs: T_HOURS * 3.6e6 }, 10);
  const defaultMs = performance.now() - d0;
  iterationTimes.sort((a, b) => a - b);
  const medianIterMs = iterationTimes[Math.floor(iterationTimes.length / 2)]!;
  const out = {
    events: events.cell.length,
    cells: nCells,
    iterations: fit.iterations,
    totalMs,
    cpuMs,
    medianIterMs,
    fitExtraMB: peakExtra / 2 ** 20,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    defaultMs,
    defaultIterations: byDefault.iterations,
    defaultStop: byDefault.stopReason === 'tolerance' ? 1 : 0,
    defaultTheta: byDefault.theta,
    theta: fit.theta,
    meanDelayHours: 1 / fit.omegaPerHour,
  };
  console.log(JSON.stringify(out));
}

const arg = process.argv[2];
if (arg !== undefined) {
  runOne(Number(arg));
} else {
  const self = fileURLToPath(import.meta.url);
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const pin = existsSync('/usr/bin/taskset') ? ['taskset', '-c', '0'] : [];
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}`);
  console.log(`fitEtas, ${ITERATIONS} EM iterations, θ = ${THETA}, mean delay ${MEAN_DELAY_HOURS} h, one year, N/20 cells${pin.length ? ', pinned to one core' : ''}`);
  console.log('| events | cells | fitEtas wall (s) | fitEtas CPU (s) | per iteration, wall median (ms) | ns per event-iteration | fit memory (MB) | peak RSS (MB) | θ̂ | mean delay (h) | default fit to tolerance |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const n of [10_000, 100_000, 1_000_000, 4_000_000]) {
    const cmd = [...pin, 'node', '--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', self, String(n)];
    void tsx;
    const line = execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }).trim().split('\n').at(-1)!;
    const o = JSON.parse(line) as Record<string, number>;
    console.log(
      `| ${o.events!.toLocaleString('en')} | ${o.cells!.toLocaleString('en')} | ${(o.totalMs! / 1000).toFixed(2)} | ${(o.cpuMs! / 1000).toFixed(2)} | ${o.medianIterMs!.toFixed(1)} | ${((o.medianIterMs! * 1e6) / o.events!).toFixed(0)} | ${o.fitExtraMB!.toFixed(0)} | ${o.maxRssMB!.toFixed(0)} | ${o.theta!.toFixed(4)} | ${o.meanDelayHours!.toFixed(2)} | ${(o.defaultMs! / 1000).toFixed(2)} s, ${o.defaultIterations} it.${o.defaultStop ? '' : ' (max)'}, θ̂ ${o.defaultTheta!.toFixed(4)} |`,
    );
  }
}
